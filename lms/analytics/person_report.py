"""One salesperson's drill-down: their readiness row, every attempt (with its time and quiz
version), their assignments and module progress. A fixed handful of queries per page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from lms.analytics.readiness import Rules
from lms.analytics.readiness_charts import HeatCell, compute_heatmap
from lms.analytics.readiness_sql import Catalogue, PersonRow, cached, compute_report
from lms.extensions import db
from lms.learning.assignments import start_of
from lms.models import (
    Assignment,
    Attempt,
    ContentItem,
    ContentKind,
    ContentVersion,
    ModuleProgress,
    PathCompletion,
    Submission,
    User,
)
from lms.security import Scope


@dataclass(frozen=True)
class AttemptLine:
    attempt_id: int
    quiz_title: str
    quiz_slug: str
    version_number: int
    number: int  # 1, 2, 3 ... per quiz
    started_at: datetime
    submitted_at: datetime | None
    percent: float | None
    passed: bool | None
    late: bool
    reason: str | None

    @property
    def graded(self) -> bool:
        return self.submitted_at is not None


@dataclass(frozen=True)
class ModuleLine:
    module_id: int
    title: str
    assigned: bool
    due_date: date | None
    overdue: bool
    first_opened_at: datetime | None
    read_at: datetime | None
    completed_at: datetime | None
    best: float | None
    attempts: int


@dataclass(frozen=True)
class AssignmentLine:
    title: str
    kind: str  # "path" or "module"
    due_date: date | None
    assigned_at: datetime
    required_modules: int
    completed_modules: int
    overdue: bool
    #: A path's certificate: until when it is valid, and whether it has lapsed already.
    certificate_expires: datetime | None = None
    lapsed: bool = False

    @property
    def complete(self) -> bool:
        return self.completed_modules >= self.required_modules and not self.lapsed


@dataclass(frozen=True)
class PersonReport:
    row: PersonRow | None  # None when the person is not a salesperson in any report
    attempts: list[AttemptLine]
    modules: list[ModuleLine]
    assignments: list[AssignmentLine]


def _figures(user_id: int, rules: Rules, today: date):  # noqa: ANN202
    def make(catalogue: Catalogue):  # noqa: ANN202
        scope = Scope(user_ids=frozenset({user_id}))
        report = compute_report(scope, rules, today, catalogue)
        return (report.rows[0] if report.rows else None,
                compute_heatmap(scope, today, catalogue).cells, catalogue)

    return cached("person", Scope(user_ids=frozenset({user_id})), today, rules, make)


def attempts_of(user_id: int) -> list[AttemptLine]:
    at, s, v, item = Attempt, Submission, ContentVersion, ContentItem
    rows = db.session.execute(
        select(at.id, v.title, item.slug, v.number, at.number, at.started_at, s.submitted_at,
               s.percent, s.passed, s.late, s.reason)
        .join(v, v.id == at.quiz_version_id).join(item, item.id == at.quiz_id)
        .outerjoin(s, s.attempt_id == at.id)
        .where(at.user_id == user_id)
        .order_by(at.started_at.desc(), at.id.desc()))
    return [AttemptLine(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], bool(r[9]),
                        r[10]) for r in rows]


def person_report(user: User, rules: Rules, today: date) -> PersonReport:
    row, cells, catalogue = _figures(user.id, rules, today)
    attempts = attempts_of(user.id)
    progress = {p.module_id: p for p in db.session.scalars(
        select(ModuleProgress).where(ModuleProgress.user_id == user.id))}
    return PersonReport(row, attempts, _modules(user.id, cells, catalogue, progress, attempts),
                        _assignments(user.id, cells, catalogue, today))


def _modules(user_id: int, cells: dict[tuple[int, int], HeatCell], catalogue: Catalogue,
             progress: dict[int, ModuleProgress], attempts: list[AttemptLine]) -> list[ModuleLine]:
    quiz_slugs = {a.quiz_slug for a in attempts}
    by_quiz: dict[str, list[AttemptLine]] = {slug: [] for slug in quiz_slugs}
    for a in attempts:
        by_quiz[a.quiz_slug].append(a)
    quiz_slug_of = _quiz_slugs(catalogue)
    lines = []
    for module_id in catalogue.module_order():
        module = catalogue.modules[module_id]
        cell = cells.get((user_id, module_id))
        row = progress.get(module_id)
        taken = by_quiz.get(quiz_slug_of.get(module_id, ""), [])
        if cell is None and row is None and not taken:
            continue
        graded = [a.percent for a in taken if a.percent is not None]
        lines.append(ModuleLine(
            module_id, module.title, cell is not None, cell.due_date if cell else None,
            bool(cell and cell.overdue),
            row.first_opened_at if row else None, row.read_at if row else None,
            row.completed_at if row else None, max(graded) if graded else None, len(taken)))
    return lines


def _quiz_slugs(catalogue: Catalogue) -> dict[int, str]:
    ids = {m.quiz_id for m in catalogue.modules.values() if m.quiz_id}
    if not ids:
        return {}
    slugs = dict(db.session.execute(select(ContentItem.id, ContentItem.slug)
                                    .where(ContentItem.id.in_(ids))).all())
    return {m.id: slugs[m.quiz_id] for m in catalogue.modules.values() if m.quiz_id in slugs}


def _assignments(user_id: int, cells: dict[tuple[int, int], HeatCell], catalogue: Catalogue,
                 today: date) -> list[AssignmentLine]:
    rows = db.session.execute(
        select(Assignment, ContentItem.kind, ContentVersion.title)
        .join(ContentItem, ContentItem.id == Assignment.item_id)
        .outerjoin(ContentVersion, ContentVersion.id == ContentItem.current_version_id)
        .where(Assignment.user_id == user_id, Assignment.withdrawn_at.is_(None),
               ContentItem.retired_at.is_(None))).all()
    expiries = dict(db.session.execute(
        select(PathCompletion.path_id, PathCompletion.expires_at)
        .where(PathCompletion.user_id == user_id)).all())
    lines = []
    for assignment, kind, title in rows:
        if kind == ContentKind.PATH.value:
            modules = [m for p, m in catalogue.path_modules if p == assignment.item_id]
        else:
            modules = [assignment.item_id] if assignment.item_id in catalogue.modules else []
        done = sum(1 for m in modules if (c := cells.get((user_id, m))) and c.done)
        expires = expiries.get(assignment.item_id) if kind == ContentKind.PATH.value else None
        # As the assignment list judges it: lapsed from the start of the day it expired.
        lapsed = expires is not None and expires <= start_of(today)
        overdue = (assignment.due_date is not None and assignment.due_date < today
                   and (done < len(modules) or lapsed))
        lines.append(AssignmentLine(title or _("(untitled)"), kind, assignment.due_date,
                                    assignment.assigned_at, len(modules), done, overdue,
                                    expires, lapsed))
    return sorted(lines, key=lambda a: (a.due_date is None, a.due_date or date.max, a.title))
