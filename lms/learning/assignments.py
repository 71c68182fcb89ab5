"""Assignments: which paths and modules a person must complete, and by when."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from lms.errors import DomainError
from lms.extensions import db
from lms.models import Assignment, ContentItem, ContentKind, User, utcnow


def resolve_due_date(user: User, *, due_date: date | None,
                     days_after_hire: int | None) -> date | None:
    """A fixed date, or a number of days after the person's hire date."""
    if days_after_hire is not None:
        if user.hire_date is None:
            raise DomainError(f"{user.name} has no hire date, so a due date relative to it "
                              "cannot be worked out; give a fixed date or set the hire date.")
        return user.hire_date + timedelta(days=days_after_hire)
    return due_date


def assign(user: User, item: ContentItem, *, due_date: date | None = None,
           days_after_hire: int | None = None, by: User | None = None,
           team_id: int | None = None) -> Assignment:
    """Assign a path or module; an existing live assignment gets the new due date."""
    if item.kind not in (ContentKind.PATH.value, ContentKind.MODULE.value):
        raise DomainError("Only learning paths and modules can be assigned.")
    due = resolve_due_date(user, due_date=due_date, days_after_hire=days_after_hire)
    existing = live_assignment(user, item)
    if existing is not None:
        existing.due_date, existing.due_days_after_hire = due, days_after_hire
        db.session.flush()
        return existing
    assignment = Assignment(user_id=user.id, item_id=item.id, due_date=due,
                            due_days_after_hire=days_after_hire,
                            assigned_by_id=by.id if by else None, team_id=team_id)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def live_assignment(user: User, item: ContentItem) -> Assignment | None:
    return db.session.scalar(select(Assignment).where(
        Assignment.user_id == user.id, Assignment.item_id == item.id,
        Assignment.withdrawn_at.is_(None)))


def withdraw(assignment: Assignment) -> None:
    assignment.withdrawn_at = utcnow()
    db.session.flush()


def assignments_for(user: User) -> list[Assignment]:
    """Live assignments of items that still exist, soonest due first (no due date last)."""
    rows = db.session.scalars(
        select(Assignment).join(ContentItem, Assignment.item_id == ContentItem.id)
        .where(Assignment.user_id == user.id, Assignment.withdrawn_at.is_(None),
               ContentItem.retired_at.is_(None))
    ).all()
    return sorted(rows, key=lambda a: (a.due_date is None, a.due_date or date.max, a.id))
