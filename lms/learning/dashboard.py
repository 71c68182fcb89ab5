"""What a learner's dashboard shows: assignments with progress and due dates, the next step,
what is overdue, and recent results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.clock import local_today
from lms.content.documents import ModuleDoc
from lms.extensions import db
from lms.learning.assignments import assignments_for
from lms.learning.catalog import current_doc, live_items
from lms.learning.completion import (
    PathProgress,
    lock_of,
    path_completions,
    path_progress,
    progress_map,
)
from lms.learning.rollouts import withheld_from
from lms.models import Assignment, Attempt, ContentKind, Submission, User


@dataclass
class AssignedItem:
    assignment: Assignment
    title: str
    kind: str
    slug: str
    percent: int
    complete: bool
    overdue: bool
    days_left: int | None
    path: PathProgress | None = None
    next_step: dict | None = None


@dataclass
class Dashboard:
    items: list[AssignedItem] = field(default_factory=list)
    next_step: dict | None = None
    next_for: AssignedItem | None = None
    recent: list[tuple[Submission, str]] = field(default_factory=list)
    other_paths: list[PathProgress] = field(default_factory=list)

    @property
    def overdue(self) -> list[AssignedItem]:
        return [i for i in self.items if i.overdue]


def build_dashboard(user: User, *, today: date | None = None, progress: dict | None = None,
                    certificates: dict | None = None) -> Dashboard:
    """``progress`` and ``certificates``: the person's ``progress_map`` and
    ``path_completions`` when the caller has read them already (the goals need them too)."""
    today = today or local_today()
    modules = live_items(ContentKind.MODULE)
    progress = progress_map(user.id) if progress is None else progress
    certificates = path_completions(user.id) if certificates is None else certificates
    board = Dashboard()
    assigned_paths = set()
    for assignment in assignments_for(user):
        item = assignment.item
        if item.current_version is None:
            continue
        if item.kind == ContentKind.PATH.value:
            assigned_paths.add(item.id)
            path = path_progress(user.id, item, modules=modules, progress=progress,
                                 completions=certificates)
            if path is None:
                continue
            # An expired certificate is not complete: the path is taken again to renew it.
            complete = path.certified
            entry = AssignedItem(assignment, path.doc.title, "path", item.slug, path.percent,
                                 complete, False, None, path=path, next_step=path.next_step)
        else:
            doc = current_doc(item)
            if not isinstance(doc, ModuleDoc):
                continue
            row = progress.get(item.id)
            complete = bool(row and row.completed_at)
            step = {"item": item, "doc": doc, "required": True, "complete": complete,
                    "read": bool(row and row.read_at), "opened": row is not None,
                    "lock": lock_of(user.id, doc, progress, modules)}
            entry = AssignedItem(assignment, doc.title, "module", item.slug,
                                 100 if complete else (50 if step["read"] else 0), complete,
                                 False, None, next_step=None if complete else step)
        if assignment.due_date is not None and not entry.complete:
            entry.days_left = (assignment.due_date - today).days
            entry.overdue = entry.days_left < 0
        board.items.append(entry)
    for entry in board.items:
        if not entry.complete and entry.next_step is not None:
            board.next_step, board.next_for = entry.next_step, entry
            break
    # Paths nobody assigned are still open to anyone who wants to learn ahead, except those a
    # rollout's waitlist keeps for later.
    withheld = withheld_from(user)
    for path in live_items(ContentKind.PATH).values():
        if path.id not in assigned_paths and path.id not in withheld:
            other = path_progress(user.id, path, modules=modules, progress=progress,
                                  completions=certificates)
            if other is not None:
                board.other_paths.append(other)
    board.other_paths.sort(key=lambda p: p.doc.title)
    recent = db.session.execute(
        select(Submission, Attempt).join(Attempt, Submission.attempt_id == Attempt.id)
        .options(joinedload(Attempt.quiz_version))
        .where(Attempt.user_id == user.id).order_by(Submission.submitted_at.desc()).limit(5)
    ).all()
    board.recent = [(sub, _("%(title)s, attempt %(number)s", title=att.quiz_version.title,
                            number=att.number))
                    for sub, att in recent]
    return board
