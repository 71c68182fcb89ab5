"""Assignments: which paths and modules a person must complete, and by when.

A manager assigns an item to one person or to every salesperson of a team, with a fixed due
date or one relative to the hire date; the list of assignments and the reminders read their
status (on time, due soon, overdue, complete) from one SQL expression, ``status_expression``.
New hires can be enrolled in the onboarding path automatically (``auto_enrol``), as set by an
admin. Services flush; the view or command commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from lms.clock import local_today
from lms.errors import DomainError
from lms.extensions import db
from lms.i18n import _l
from lms.learning.catalog import live_item
from lms.models import (
    Assignment,
    ContentItem,
    ContentKind,
    ContentVersion,
    ModuleProgress,
    PathCompletion,
    Role,
    Setting,
    Team,
    User,
    utcnow,
)
from lms.safeyaml import quote

#: An assignment not yet complete and due within this many days is "due soon" (the learner's
#: dashboard uses the same week).
DUE_SOON_DAYS = 7


def resolve_due_date(user: User, *, due_date: date | None,
                     days_after_hire: int | None) -> date | None:
    """A fixed date, or a number of days after the person's hire date."""
    if days_after_hire is not None:
        if user.hire_date is None:
            raise DomainError(_("%(name)s has no hire date, so a due date relative to it cannot "
                                "be worked out; give a fixed date or set the hire date.",
                                name=user.name))
        return user.hire_date + timedelta(days=days_after_hire)
    return due_date


def check_assignable(item: ContentItem) -> None:
    if item.kind not in (ContentKind.PATH.value, ContentKind.MODULE.value):
        raise DomainError(_("Only learning paths and modules can be assigned."))
    if item.retired_at is not None or item.current_version_id is None:
        raise DomainError(_("This item is no longer available, so it cannot be assigned."))


def _flush_assignments() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        # uq_assignments_live: someone else assigned the same item at the same moment.
        raise DomainError(_("Someone else changed these assignments at the same moment; "
                            "reload the page and try again.")) from None


def assign(user: User, item: ContentItem, *, due_date: date | None = None,
           days_after_hire: int | None = None, by: User | None = None,
           team_id: int | None = None) -> Assignment:
    """Assign a path or module; an existing live assignment gets the new due date."""
    check_assignable(item)
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
    _flush_assignments()
    return assignment


def live_assignment(user: User, item: ContentItem) -> Assignment | None:
    return db.session.scalar(select(Assignment).where(
        Assignment.user_id == user.id, Assignment.item_id == item.id,
        Assignment.withdrawn_at.is_(None)))


def withdraw(assignment: Assignment) -> None:
    if assignment.withdrawn_at is not None:
        raise DomainError(_("This assignment was already withdrawn."))
    assignment.withdrawn_at = utcnow()
    db.session.flush()


def assignments_for(user: User) -> list[Assignment]:
    """Live assignments of items that still exist, soonest due first (no due date last)."""
    rows = db.session.scalars(
        select(Assignment).join(ContentItem, Assignment.item_id == ContentItem.id)
        .where(Assignment.user_id == user.id, Assignment.withdrawn_at.is_(None),
               ContentItem.retired_at.is_(None))
        .options(contains_eager(Assignment.item).selectinload(ContentItem.current_version))
    ).all()
    return sorted(rows, key=lambda a: (a.due_date is None, a.due_date or date.max, a.id))


# Team assignments -------------------------------------------------------------------------------

@dataclass
class TeamAssignment:
    """What assigning an item to a team did, person by person."""

    assigned: list[User] = field(default_factory=list)
    #: Already had a live assignment of the item: it now has the new due date.
    updated: list[User] = field(default_factory=list)
    #: (person, why) for the members who could not be given this assignment.
    skipped: list[tuple[User, str]] = field(default_factory=list)
    #: Assigned or updated, not complete, and the due date worked out is already past (a
    #: relative date for someone hired long ago): they start out overdue.
    past_due: list[User] = field(default_factory=list)


def team_learners(team: Team) -> list[User]:
    """The team's current salespeople: active learners whose team it is (not the teams below)."""
    return list(db.session.scalars(
        select(User).where(User.team_id == team.id, User.active.is_(True),
                           User.role == Role.LEARNER.value).order_by(func.lower(User.name))))


def assign_to_team(team: Team, item: ContentItem, *, due_date: date | None = None,
                   days_after_hire: int | None = None, by: User | None = None,
                   today: date | None = None) -> TeamAssignment:
    """Assign an item to every current salesperson of ``team``, recording the team.

    A relative due date is worked out per person; members without a hire date are skipped and
    reported, the others are assigned. A fixed set of queries, whatever the team's size.
    """
    check_assignable(item)
    today = today or local_today()
    members = team_learners(team)
    existing = {a.user_id: a for a in db.session.scalars(select(Assignment).where(
        Assignment.item_id == item.id, Assignment.withdrawn_at.is_(None),
        Assignment.user_id.in_([m.id for m in members])))}
    result = TeamAssignment()
    for person in members:
        try:
            due = resolve_due_date(person, due_date=due_date, days_after_hire=days_after_hire)
        except DomainError:
            result.skipped.append((person, _("no hire date, so a due date relative to it "
                                             "cannot be worked out")))
            continue
        current = existing.get(person.id)
        if current is not None:
            current.due_date, current.due_days_after_hire = due, days_after_hire
            result.updated.append(person)
        else:
            db.session.add(Assignment(user_id=person.id, item_id=item.id, due_date=due,
                                      due_days_after_hire=days_after_hire,
                                      assigned_by_id=by.id if by else None, team_id=team.id))
            result.assigned.append(person)
    _flush_assignments()
    done = result.assigned + result.updated
    overdue = set(db.session.scalars(select(Assignment.user_id).where(
        Assignment.item_id == item.id, Assignment.withdrawn_at.is_(None),
        Assignment.user_id.in_([p.id for p in done]), Assignment.due_date < today,
        ~completed_clause(start_of(today)))))
    result.past_due = [p for p in done if p.id in overdue]
    return result


def change_due_date(assignment: Assignment, *, due_date: date | None,
                    days_after_hire: int | None) -> None:
    """Give a live assignment a new due date (fixed, relative to the hire date, or none)."""
    if assignment.withdrawn_at is not None:
        raise DomainError(_("This assignment was withdrawn; assign the item again instead."))
    assignment.due_date = resolve_due_date(assignment.user, due_date=due_date,
                                           days_after_hire=days_after_hire)
    assignment.due_days_after_hire = days_after_hire
    db.session.flush()


# Status -----------------------------------------------------------------------------------------

class AssignmentStatus(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TIME = "on_time"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        """"Overdue", "Due soon", "On time", "Complete", in the language being spoken."""
        return str(_STATUS_LABELS[self.value])


_STATUS_LABELS = {
    "overdue": _l("Overdue"), "due_soon": _l("Due soon"), "on_time": _l("On time"),
    "complete": _l("Complete"),
}


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def completed_clause(now: datetime) -> Any:
    """SQL: the assignment's item is complete for its person. A module is complete once; a
    path is complete while its certificate is valid, so an expired one counts as not done."""
    module_done = exists().where(ModuleProgress.user_id == Assignment.user_id,
                                 ModuleProgress.module_id == Assignment.item_id,
                                 ModuleProgress.completed_at.is_not(None))
    path_done = exists().where(PathCompletion.user_id == Assignment.user_id,
                               PathCompletion.path_id == Assignment.item_id,
                               or_(PathCompletion.expires_at.is_(None),
                                   PathCompletion.expires_at > now))
    return or_(module_done, path_done)


def status_expression(today: date, *, soon_days: int = DUE_SOON_DAYS) -> Any:
    """SQL: the assignment's status on ``today`` (an assignment without a due date is on time
    until it is complete)."""
    return case(
        (completed_clause(start_of(today)), AssignmentStatus.COMPLETE.value),
        (Assignment.due_date < today, AssignmentStatus.OVERDUE.value),
        (Assignment.due_date <= today + timedelta(days=soon_days),
         AssignmentStatus.DUE_SOON.value),
        else_=AssignmentStatus.ON_TIME.value,
    )


def status_of(assignment: Assignment, today: date) -> AssignmentStatus:
    """One assignment's status (one query)."""
    return AssignmentStatus(db.session.scalar(
        select(status_expression(today)).where(Assignment.id == assignment.id)))


def live_assignments_query(*columns: Any) -> Any:
    """SELECT ``columns`` over live assignments of active people to items that still exist."""
    return (select(*columns)
            .join(User, Assignment.user_id == User.id)
            .join(ContentItem, Assignment.item_id == ContentItem.id)
            .where(Assignment.withdrawn_at.is_(None), User.active.is_(True),
                   ContentItem.retired_at.is_(None)))


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    person: User
    item: ContentItem
    title: str
    team_name: str | None
    status: AssignmentStatus
    today: date

    @property
    def days_left(self) -> int | None:
        due = self.assignment.due_date
        return None if due is None else (due - self.today).days


@dataclass(frozen=True)
class AssignmentFilters:
    team_id: int | None = None
    user_id: int | None = None
    item_id: int | None = None
    status: AssignmentStatus | None = None


@dataclass(frozen=True)
class AssignmentList:
    rows: list[AssignmentRow]
    total: int
    page: int
    pages: int
    #: Number of assignments per status under the team/person/item filters (status ignored).
    counts: dict[AssignmentStatus, int]


def list_assignments(people: Any, filters: AssignmentFilters, *, today: date | None = None,
                     page: int = 1, per_page: int = 50) -> AssignmentList:
    """Live assignments of ``people`` (a SELECT of user ids: the viewer's scope), most urgent
    first. Three queries whatever the number of people: the status counts, the total and the
    page."""
    today = today or local_today()
    status = status_expression(today).label("status")
    base = live_assignments_query(Assignment.id.label("id"), status).where(
        Assignment.user_id.in_(people))
    if filters.team_id:
        base = base.where(User.team_id == filters.team_id)
    if filters.user_id:
        base = base.where(Assignment.user_id == filters.user_id)
    if filters.item_id:
        base = base.where(Assignment.item_id == filters.item_id)
    # Grouped through a subquery: PostgreSQL would not match a CASE with bound dates in the
    # SELECT to the same CASE in GROUP BY.
    sub = base.subquery()
    counts = {AssignmentStatus(s): n for s, n in db.session.execute(
        select(sub.c.status, func.count()).group_by(sub.c.status))}
    total = (counts.get(filters.status, 0) if filters.status
             else sum(counts.values()))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)

    rank = case({s.value: i for i, s in enumerate(AssignmentStatus)}, value=sub.c.status)
    query = (
        select(Assignment, User, ContentItem, ContentVersion.title, Team.name, sub.c.status)
        .join(sub, sub.c.id == Assignment.id)
        .join(User, Assignment.user_id == User.id)
        .join(ContentItem, Assignment.item_id == ContentItem.id)
        .outerjoin(ContentVersion, ContentItem.current_version_id == ContentVersion.id)
        .outerjoin(Team, User.team_id == Team.id)
        .order_by(rank, Assignment.due_date.is_(None), Assignment.due_date,
                  func.lower(User.name), Assignment.id)
        .limit(per_page).offset((page - 1) * per_page)
    )
    if filters.status:
        query = query.where(sub.c.status == filters.status.value)
    rows = [AssignmentRow(a, u, i, title or i.slug, team, AssignmentStatus(s), today)
            for a, u, i, title, team, s in db.session.execute(query)]
    return AssignmentList(rows, total, page, pages, counts)


# Auto-enrolment ---------------------------------------------------------------------------------

AUTO_ENROL_KEY = "auto_enrolment"


@dataclass(frozen=True)
class AutoEnrolment:
    """The admin's setting: enrol every new salesperson in ``path``, due ``days_after_hire``
    days after their hire date."""

    enabled: bool = False
    path: str = ""
    days_after_hire: int | None = 30

    def as_json(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "path": self.path,
                "days_after_hire": self.days_after_hire}


def auto_enrolment() -> AutoEnrolment:
    row = db.session.get(Setting, AUTO_ENROL_KEY)
    value = row.value if row is not None and isinstance(row.value, dict) else {}
    days = value.get("days_after_hire", 30)
    return AutoEnrolment(enabled=value.get("enabled") is True, path=str(value.get("path") or ""),
                         days_after_hire=days if isinstance(days, int) else None)


def save_auto_enrolment(setting: AutoEnrolment) -> None:
    if setting.enabled and live_item(ContentKind.PATH, setting.path) is None:
        raise DomainError(_("There is no learning path %(path)s; choose one that exists.",
                            path=quote(setting.path)),
                          field="path")
    if setting.days_after_hire is not None and setting.days_after_hire < 0:
        raise DomainError(_("The number of days cannot be negative."),
                          field="days_after_hire")
    row = db.session.get(Setting, AUTO_ENROL_KEY)
    if row is None:
        db.session.add(Setting(key=AUTO_ENROL_KEY, value=setting.as_json()))
    else:
        row.value = setting.as_json()
    db.session.flush()


def auto_enrol(user: User, *, today: date | None = None) -> Assignment | None:
    """Enrol a new salesperson in the onboarding path, when the admin turned that on.

    Only learners, and only while the path exists. The due date is ``days_after_hire`` days
    after the hire date; a person created without a hire date gets a fixed date counted from
    today (their first day in the system), so nobody is left without a deadline.
    """
    if not user.has_role(Role.LEARNER):
        return None
    setting = auto_enrolment()
    if not setting.enabled:
        return None
    path = live_item(ContentKind.PATH, setting.path)
    if path is None:
        return None
    days = setting.days_after_hire
    if days is not None and user.hire_date is None:
        return assign(user, path, due_date=(today or local_today()) + timedelta(days=days))
    return assign(user, path, days_after_hire=days)
