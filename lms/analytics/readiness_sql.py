"""The readiness report, worked out by the database for any number of people.

Which modules a learning path requires lives in the path's parsed file, so the few current
path and module versions are read in Python (O(paths + modules), cached per content version)
and handed to SQL as a small VALUES table, ``cover(item_id, module_id, quiz_id, shared)``: the
modules each assigned path or module asks for and the quiz that ends each.

One statement then expands each live assignment into those modules, looks up module progress
and the best graded attempt per person and module, and returns one row of counts per person.
Attempts never travel to Python; only one row per person (or per person and module for the
heat map) does. The formula is applied to those rows by the pure functions in
``lms.analytics.readiness``, so the page, the CLI and the API judge everyone the same way.

Results are cached per application and keyed by the data's version (lms.analytics.report_cache):
a repeated view of unchanged data costs one cheap statement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    Float,
    Integer,
    String,
    and_,
    case,
    column,
    distinct,
    func,
    literal_column,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased, contains_eager

from lms.analytics.readiness import Assessment, Figures, Rules, Summary, assess, summarise
from lms.analytics.report_cache import (
    ReportCache,
    cache_key,
    data_version,
    gc_paused,
    report_cache,
)
from lms.boosters.retention import Retention, combine
from lms.content.documents import ModuleDoc, PathDoc
from lms.extensions import db
from lms.learning.assignments import start_of
from lms.learning.catalog import doc_of
from lms.models import (
    Assignment,
    Attempt,
    ContentItem,
    ContentKind,
    ContentVersion,
    ModuleProgress,
    PathCompletion,
    Submission,
    Team,
    User,
    utcnow,
)
from lms.security import Scope, scope_condition

T = TypeVar("T")
#: Constants written into the SQL rather than sent as parameters: the planner sees them.
ZERO, ONE = literal_column("0", Integer), literal_column("1", Integer)


# --- whose report -----------------------------------------------------------------------------


def people_cte(scope: Scope):  # noqa: ANN202 - a CTE
    """The active salespeople in the scope: the people a readiness report has a row for."""
    return (select(User.id.label("user_id"))
            .where(User.active.is_(True), scope_condition(scope)).cte("people"))


# --- content: which modules a path requires, which quiz ends a module ------------------------


@dataclass(frozen=True)
class ModuleInfo:
    id: int
    slug: str
    title: str
    quiz_id: int | None


@dataclass(frozen=True)
class Catalogue:
    """The live modules and paths as the report needs them."""

    modules: dict[int, ModuleInfo]
    #: (path id, module id) for each required module of each live path, in path order
    path_modules: tuple[tuple[int, int], ...]
    paths: dict[int, str]  # path id -> title
    #: Report statements built from this catalogue, by scope, assigned items and day: building
    #: one costs a few milliseconds, and its compiled form is then found in SQLAlchemy's cache.
    statements: ReportCache = field(default_factory=lambda: ReportCache(size=32),
                                    compare=False, repr=False)

    def module_order(self) -> list[int]:
        """Modules in the order paths list them, then the rest by title."""
        seen: dict[int, None] = {}
        for _, module_id in self.path_modules:
            seen.setdefault(module_id)
        rest = sorted((m for m in self.modules.values() if m.id not in seen),
                      key=lambda m: m.title.casefold())
        return list(seen) + [m.id for m in rest]


def load_catalogue() -> Catalogue:
    """Two queries; parses are cached per content hash by ``lms.learning.catalog``."""
    quizzes = dict(db.session.execute(
        select(ContentItem.slug, ContentItem.id).where(
            ContentItem.kind == ContentKind.QUIZ.value, ContentItem.retired_at.is_(None),
            ContentItem.current_version_id.is_not(None))).all())
    versions = db.session.scalars(
        select(ContentVersion)
        .join(ContentItem, ContentItem.current_version_id == ContentVersion.id)
        .options(contains_eager(ContentVersion.item))
        .where(ContentItem.retired_at.is_(None),
               ContentItem.kind.in_([ContentKind.MODULE.value, ContentKind.PATH.value]))
        .order_by(ContentItem.id)).all()
    modules: dict[int, ModuleInfo] = {}
    path_docs: list[tuple[int, PathDoc]] = []
    for version in versions:
        doc = doc_of(version)
        if isinstance(doc, ModuleDoc):
            modules[version.item_id] = ModuleInfo(version.item_id, version.item.slug, doc.title,
                                                  quizzes.get(doc.quiz) if doc.quiz else None)
        elif isinstance(doc, PathDoc):
            path_docs.append((version.item_id, doc))
    by_slug = {m.slug: m.id for m in modules.values()}
    pairs: dict[tuple[int, int], None] = {}  # ordered, without repeats
    for path_id, doc in path_docs:
        for entry in doc.modules:
            module_id = by_slug.get(entry.module)
            if entry.required and module_id is not None:
                pairs.setdefault((path_id, module_id))
    return Catalogue(modules, tuple(pairs), {pid: doc.title for pid, doc in path_docs})


# --- the cache --------------------------------------------------------------------------------


def cached(kind: str, scope: Scope, today: date, rules: Rules | None,
           make: Callable[[Catalogue], T]) -> T:
    """``make(catalogue)`` once per data version, scope, day and rules."""
    cache = report_cache()
    version = data_version()
    # The catalogue depends on content only: it is kept across changes of learner data.
    catalogue = cache.get_or_make(("catalogue", version.content), load_catalogue)

    def compute() -> T:
        with gc_paused():
            return make(catalogue)

    return cache.get_or_make(cache_key(kind, version, scope.key, today, rules), compute)


# --- the statement ------------------------------------------------------------------------------


def assigned_items(scope: Scope) -> frozenset[int]:
    """Paths and modules with a live assignment to someone in the scope."""
    people = people_cte(scope)
    return frozenset(db.session.scalars(
        select(Assignment.item_id).where(Assignment.withdrawn_at.is_(None),
                                         Assignment.user_id.in_(select(people.c.user_id)))
        .distinct()))


def _cover(catalogue: Catalogue, items: frozenset[int]):  # noqa: ANN202 - a CTE
    """cover(item_id, module_id, quiz_id, shared): the modules each assigned item asks for (a
    module itself; the required modules of a path) and the live quiz ending each (0: none).
    ``shared`` marks a module that two assigned items ask for: only then can a person have it
    twice, and only then does the statement look for the earlier assignment.

    The rows are written into the SQL as a VALUES list: no parameter limit, no typing trouble
    with untyped parameters on PostgreSQL, and the statement's text, so SQLAlchemy compiles it
    once per catalogue and scope rather than on every report. The values are ints from our own
    database, formatted by ``int``: nothing from a person reaches the text.
    """
    rows = [(m.id, m.id, m.quiz_id or 0) for m in catalogue.modules.values() if m.id in items]
    rows += [(p, m, catalogue.modules[m].quiz_id or 0) for p, m in catalogue.path_modules
             if p in items]
    holders = Counter(module for _, module, _ in rows)
    data = ", ".join(f"({int(item)}, {int(module)}, {int(quiz)}, {int(holders[module] > 1)})"
                     for item, module, quiz in rows) or "(0, 0, 0, 0)"
    # VALUES columns are called column1, column2, ... on SQLite and PostgreSQL alike.
    return (text("SELECT v.column1 AS item_id, v.column2 AS module_id, v.column3 AS quiz_id, "
                 f"v.column4 AS shared FROM (VALUES {data}) AS v")
            .columns(column("item_id", Integer), column("module_id", Integer),
                     column("quiz_id", Integer), column("shared", Integer))
            .cte("cover"))


def scored_cte(people, catalogue: Catalogue, items: frozenset[int], *,  # noqa: ANN001, ANN202
            materialized: bool = False, valid_at: datetime | None = None):
    """One row per live assignment and module it asks for, in assignment order per person:
    whether the module is done or opened, the best graded score on its quiz, and ``keep`` = 0
    on the second and later rows of a module a person has twice (so counts take it once).
    A person without assignments has one row with no module (``keep`` = 0). With
    ``valid_at``, ``lapsed`` = 1 on the rows of a path whose certificate had expired by then.

    Tuned on SQLite with 1,000,000 attempts (bench/readiness.py): the outer joins make the
    person drive the loop (people, their assignments, the modules of each: index look-ups),
    ``item_id + 0`` keeps the planner from starting at the assignments of each item, and the
    best score is a look-up per row on the (user, quiz, number) index. A query that uses
    ``best`` more than once asks for ``materialized``, so that look-up runs once per row.
    PostgreSQL hashes instead: there the best scores are one grouped aggregate joined in.
    """
    cover = _cover(catalogue, items)
    a, mp = Assignment, ModuleProgress
    a2, c2 = aliased(Assignment), cover.alias("c2")
    at, s = aliased(Attempt), aliased(Submission)
    earlier = (select(ONE).select_from(a2)
               .join(c2, c2.c.item_id == a2.item_id + ZERO)
               .where(a2.user_id == a.user_id, a2.withdrawn_at.is_(None), a2.id < a.id,
                      c2.c.module_id == cover.c.module_id).exists())
    grouped = db.engine.dialect.name == "postgresql"
    if grouped:
        # One hashed aggregate of the people's graded attempts, joined by (person, quiz), as
        # the bare aggregate does: 400,000 look-ups (10,000 people) took PostgreSQL 2 s.
        best_of = (select(at.user_id, at.quiz_id, func.max(s.percent).label("best"))
                   .join(s, s.attempt_id == at.id)
                   .where(at.user_id.in_(select(people.c.user_id)))
                   .group_by(at.user_id, at.quiz_id).subquery("best_of"))
        best = best_of.c.best
    else:
        best = (select(func.max(s.percent)).select_from(at).join(s, s.attempt_id == at.id)
                .where(at.user_id == a.user_id, at.quiz_id == cover.c.quiz_id)
                .scalar_subquery())
    keep = case((cover.c.module_id.is_(None), ZERO), (cover.c.shared == ZERO, ONE),
                (~earlier, ONE), else_=ZERO)
    columns = [people.c.user_id, a.id.label("assignment_id"), a.due_date, cover.c.module_id,
               cover.c.quiz_id, keep.label("keep"),
               case((mp.completed_at.is_not(None), ONE), else_=ZERO).label("done"),
               case((mp.id.is_not(None), ONE), else_=ZERO).label("opened"),
               case((cover.c.quiz_id > ZERO, best)).label("best")]
    query = (select().select_from(people)
             .outerjoin(a, and_(a.user_id == people.c.user_id, a.withdrawn_at.is_(None))))
    if valid_at is not None:
        # Joined before the modules, so it is one look-up per assignment, not per module.
        pc = PathCompletion
        query = query.outerjoin(pc, and_(pc.user_id == a.user_id, pc.path_id == a.item_id))
        columns.append(case((pc.expires_at <= valid_at, ONE), else_=ZERO).label("lapsed"))
    scored = (
        query.add_columns(*columns)
        .outerjoin(cover, cover.c.item_id == a.item_id + ZERO)
        .outerjoin(mp, and_(mp.user_id == a.user_id, mp.module_id == cover.c.module_id)))
    if grouped:
        scored = scored.outerjoin(best_of, and_(best_of.c.user_id == a.user_id,
                                                best_of.c.quiz_id == cover.c.quiz_id))
    scored = scored.cte("scored")
    if materialized and _materialized_ctes():
        scored = scored.prefix_with("MATERIALIZED")
    return scored


def _materialized_ctes() -> bool:
    """``AS MATERIALIZED``: PostgreSQL 12+, SQLite 3.35+."""
    if db.engine.dialect.name == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version_info >= (3, 35)
    return db.engine.dialect.name == "postgresql"


#: How ``packed`` carries two numbers in one sum (see ``unpack_scores``).
PACK = 10_000_000.0


def unpack_scores(packed: float | None) -> tuple[int, float | None]:
    """(how many best scores, their average) from ``sum(PACK + best)``.

    The report needs the count and the average of the best scores, and asking SQL for both
    would run the best-score look-up twice per row (SQLite and PostgreSQL substitute the
    expression into each aggregate). One sum of ``PACK + best`` carries both: best scores are
    0-100, so while a person has fewer than 50,000 assigned quizzes the scores add up to less
    than PACK / 2, and the count is the sum divided by PACK, rounded.
    """
    if packed is None:
        return 0, None
    count = round(packed / PACK)
    if count <= 0:
        return 0, None
    return count, (packed - count * PACK) / count


def _report_statement(scope: Scope, catalogue: Catalogue, items: frozenset[int],
                      today: date):  # noqa: ANN202
    """One row per person in the scope, in name order."""
    sc = scored_cte(people_cte(scope), catalogue, items, valid_at=start_of(today)).c
    kept = sc.keep == ONE
    per_person = (select(
        sc.user_id, func.sum(sc.keep).label("assigned"),
        func.sum(sc.keep * sc.done).label("completed"),
        func.sum(case((and_(kept, sc.quiz_id > ZERO), ONE), else_=ZERO)).label("with_quiz"),
        # The count and the average of the best scores, in one sum (see unpack_scores).
        func.sum(case((kept, sc.best + literal_column(repr(PACK), Float)))).label("packed"),
        func.sum(sc.keep * sc.opened).label("started"),
        # An assignment is overdue when it is past due and not complete: one of its modules
        # is not done, or it is a path whose certificate has expired (as the assignment list
        # and the reminders judge it).
        func.count(distinct(case((and_(sc.module_id.is_not(None),
                                       or_(sc.done == ZERO, sc.lapsed == ONE),
                                       sc.due_date < today), sc.assignment_id))))
        .label("overdue"),
    ).group_by(sc.user_id).subquery("per_person"))
    # Last activity: the person's latest attempt (its submission, or its start while it is
    # open) and latest reading (opening a module updates last_opened_at; completing one
    # happens on reading it or on submitting its quiz, so these two cover every kind of
    # activity). Both are one index look-up per person. Returned as stored (text on SQLite)
    # and parsed by ``_as_datetime``, which is several times faster than the DateTime type.
    at, s, mp = aliased(Attempt), aliased(Submission), ModuleProgress
    last_quiz = (select(func.coalesce(s.submitted_at, at.started_at))
                 .select_from(at).outerjoin(s, s.attempt_id == at.id)
                 .where(at.user_id == User.id).order_by(at.id.desc()).limit(1)
                 .correlate(User).scalar_subquery())
    last_opened = (select(func.max(mp.last_opened_at)).where(mp.user_id == User.id)
                   .correlate(User).scalar_subquery())
    return (
        select(User.id, User.name, User.email, User.team_id, Team.name.label("team"),
               per_person.c.assigned, per_person.c.completed, per_person.c.with_quiz,
               per_person.c.packed, per_person.c.started, per_person.c.overdue,
               type_coerce(last_quiz, String).label("last_quiz"),
               type_coerce(last_opened, String).label("last_opened"))
        .select_from(per_person)
        .join(User, User.id == per_person.c.user_id)
        .outerjoin(Team, Team.id == User.team_id)
        .order_by(func.lower(User.name), User.id)
    )

@contextmanager
def _without_jit(connection: Connection) -> Iterator[None]:
    """PostgreSQL: no JIT compilation for the report statement, then the setting as it was.

    The planner prices the look-up for a module a person has twice (``keep``) into each of
    the statement's sums, though it rarely runs, so the estimate passes the JIT thresholds: for
    10,000 people compiling took 0.75-1.1 s of a 3.5 s report and sped up nothing.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    was = connection.exec_driver_sql(
        "SELECT current_setting('jit'), set_config('jit', 'off', true)").scalar_one()
    try:
        yield
    finally:
        connection.exec_driver_sql("SELECT set_config('jit', %(was)s, true)", {"was": was})


# --- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    user_id: int
    name: str
    email: str
    team_id: int | None
    team: str | None
    figures: Figures
    assessment: Assessment
    last_activity: datetime | None
    #: Spaced boosters (lms/boosters/): over all the person's cards; None without boosters.
    retained: Retention | None = None
    #: Modules whose predicted recall is below LMS_RETENTION_AT_RISK.
    modules_at_risk: int = 0

    def record(self) -> dict[str, Any]:
        """Every field, as the JSON API, the CLI and the CSV export give it."""
        f, a, kept = self.figures, self.assessment, self.retained
        share = kept.correct_share if kept else None
        return {
            "user_id": self.user_id, "name": self.name, "email": self.email,
            "team": self.team, "assigned_modules": f.assigned, "completed_modules": f.completed,
            "completion_percent": None if a.completion is None else round(a.completion, 1),
            "quizzes_assigned": f.with_quiz, "quizzes_taken": f.attempted,
            "average_best_score": a.score,
            "retained_percent": (None if kept is None or kept.recall is None
                                 else round(100 * kept.recall, 1)),
            "booster_correct_percent": None if share is None else round(100 * share, 1),
            "modules_at_risk": self.modules_at_risk, "overdue_items": f.overdue,
            "last_activity": self.last_activity.isoformat() if self.last_activity else None,
            "readiness_index": a.index, "status": a.status.value,
            "status_label": a.status.label,
        }


@dataclass(frozen=True)
class ReadinessReport:
    rows: list[PersonRow]
    summary: Summary
    rules: Rules
    today: date
    computed_at: datetime


def _as_datetime(value: datetime | str | None) -> datetime | None:
    """A stored UTC time (a datetime on PostgreSQL, ISO text on SQLite), aware."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


def _latest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def compute_report(scope: Scope, rules: Rules, today: date,
                   catalogue: Catalogue | None = None) -> ReadinessReport:
    """The report without the cache: three statements (five when the content must be read;
    two more on PostgreSQL, for the JIT setting)."""
    from lms.boosters.report import retention_in_scope, threshold
    catalogue = catalogue or load_catalogue()
    items = assigned_items(scope)
    statement = catalogue.statements.get_or_make(
        (scope.key, items, today), lambda: _report_statement(scope, catalogue, items, today))
    rows = []
    connection = db.session.connection()
    # Core execution: rows of plain columns need none of the ORM's loading machinery.
    with _without_jit(connection):
        for (user_id, name, email, team_id, team, assigned, completed, with_quiz, packed,
             started, overdue, last_quiz, last_opened) in connection.execute(statement):
            attempted, average_best = unpack_scores(packed)
            figures = Figures(assigned=int(assigned or 0), completed=int(completed or 0),
                              with_quiz=int(with_quiz or 0), attempted=attempted,
                              average_best=average_best, overdue=int(overdue or 0),
                              started=int(started or 0))
            rows.append(PersonRow(user_id, name, email, team_id, team, figures,
                                  assess(figures, rules),
                                  _latest(_as_datetime(last_quiz), _as_datetime(last_opened))))
    # Retention from boosters: one more statement for everyone in the scope.
    kept, limit = retention_in_scope(scope), threshold()
    rows = [replace(row, retained=combine(kept[row.user_id].values()),
                    modules_at_risk=sum(m.at_risk(limit) for m in kept[row.user_id].values()))
            if row.user_id in kept else row for row in rows]
    return ReadinessReport(rows, summarise((p.figures, p.assessment) for p in rows), rules,
                           today, utcnow())


def readiness_report(scope: Scope, rules: Rules, today: date) -> ReadinessReport:
    """The report, from the cache when the data has not changed since it was computed."""
    return cached("report", scope, today, rules,
                   lambda catalogue: compute_report(scope, rules, today, catalogue))
