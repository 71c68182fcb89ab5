"""What the impact analysis reads from the database, in a fixed number of statements.

1. the live modules, quizzes and paths (one statement; parses cached per content hash);
2. the salespeople in scope (one);
3. when each finished the chosen path or module (one);
4. every person's result on every quiz, with what the grading method needs (one): the first,
   last, best and mean percentage, the number of graded attempts, and whether the first passed;
5. the ten measures over each person's windows (two, ``lms.analytics.measures``). The windows
   are built inside SQL from the completion dates, so no list of people travels back to the
   database whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    case,
    cast,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import contains_eager

from lms.analytics.measures import Totals, window_totals
from lms.analytics.sqldates import add_days, day_of
from lms.content.documents import ModuleDoc, PathDoc, QuizDoc
from lms.extensions import db
from lms.learning.catalog import doc_of
from lms.models import (
    Attempt,
    ContentItem,
    ContentVersion,
    ModuleProgress,
    PathCompletion,
    Submission,
    Team,
    User,
)
from lms.quiz import rules
from lms.security import Scope, scope_condition

# --- content ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModuleInfo:
    id: int
    slug: str
    title: str
    quiz_id: int | None
    #: the quiz's grading method (highest, last, first, average); None without a quiz
    method: str | None


@dataclass(frozen=True)
class PathInfo:
    id: int
    slug: str
    title: str
    #: the modules whose results make the path's score: its required modules with a quiz (all
    #: its modules with a quiz when none of the required ones has one)
    scored_module_ids: tuple[int, ...]


@dataclass(frozen=True)
class Catalogue:
    modules: dict[int, ModuleInfo]
    paths: dict[int, PathInfo]

    def module_by_slug(self, slug: str) -> ModuleInfo | None:
        return next((m for m in self.modules.values() if m.slug == slug), None)

    def path_by_slug(self, slug: str) -> PathInfo | None:
        return next((p for p in self.paths.values() if p.slug == slug), None)

    def quiz_modules(self) -> list[ModuleInfo]:
        return sorted((m for m in self.modules.values() if m.quiz_id is not None),
                      key=lambda m: m.title.casefold())


def load_catalogue() -> Catalogue:
    versions = db.session.scalars(
        select(ContentVersion)
        .join(ContentItem, ContentItem.current_version_id == ContentVersion.id)
        .options(contains_eager(ContentVersion.item))
        .where(ContentItem.retired_at.is_(None))
        .order_by(ContentItem.id)).all()
    quizzes: dict[str, tuple[int, str]] = {}
    module_docs: list[tuple[int, str, ModuleDoc]] = []
    path_docs: list[tuple[int, str, PathDoc]] = []
    for version in versions:
        doc = doc_of(version)
        if isinstance(doc, QuizDoc):
            quizzes[version.item.slug] = (version.item_id, doc.settings.grading_method)
        elif isinstance(doc, ModuleDoc):
            module_docs.append((version.item_id, version.item.slug, doc))
        elif isinstance(doc, PathDoc):
            path_docs.append((version.item_id, version.item.slug, doc))
    modules = {}
    for item_id, slug, doc in module_docs:
        quiz = quizzes.get(doc.quiz) if doc.quiz else None
        modules[item_id] = ModuleInfo(item_id, slug, doc.title, quiz[0] if quiz else None,
                                      quiz[1] if quiz else None)
    by_slug = {m.slug: m for m in modules.values()}
    paths = {}
    for item_id, slug, doc in path_docs:
        entries = [(by_slug.get(e.module), e.required) for e in doc.modules]
        with_quiz = [(m, required) for m, required in entries if m and m.quiz_id is not None]
        scored = [m.id for m, required in with_quiz if required] or [m.id for m, _ in with_quiz]
        paths[item_id] = PathInfo(item_id, slug, doc.title, tuple(dict.fromkeys(scored)))
    return Catalogue(modules, paths)


# --- people, completions and quiz results ---------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str
    team: str | None
    active: bool


def load_people(scope: Scope) -> list[Person]:
    """Every salesperson in scope, people who have left included (their sales are history)."""
    rows = db.session.connection().execute(
        select(User.id, User.name, User.email, Team.name, User.active)
        .outerjoin(Team, Team.id == User.team_id)
        .where(scope_condition(scope))
        .order_by(func.lower(User.name), User.id))
    return [Person(*row[:4], bool(row[4])) for row in rows]


def people_ids(scope: Scope) -> Any:
    return select(User.id.label("user_id")).where(scope_condition(scope)).cte("people")


def _completions(kind: str, item_id: int, people: Any) -> Any:
    """(user_id, completed_at) of the chosen path or module."""
    if kind == "path":
        return (select(PathCompletion.user_id.label("user_id"),
                       PathCompletion.completed_at.label("completed_at"))
                .join(people, people.c.user_id == PathCompletion.user_id)
                .where(PathCompletion.path_id == item_id))
    return (select(ModuleProgress.user_id.label("user_id"),
                   ModuleProgress.completed_at.label("completed_at"))
            .join(people, people.c.user_id == ModuleProgress.user_id)
            .where(ModuleProgress.module_id == item_id, ModuleProgress.completed_at.is_not(None)))


def load_completions(kind: str, item_id: int, people: Any) -> dict[int, datetime]:
    return {uid: at for uid, at in db.session.execute(_completions(kind, item_id, people))}


class QuizResult(NamedTuple):
    """One person's graded attempts on one quiz (a tuple: there are many of them)."""

    first: float
    last: float
    best: float
    mean: float
    attempts: int
    first_passed: bool

    def result(self, method: str) -> float:
        """The result under the grading method, as ``lms.quiz.rules.module_result`` has it."""
        if method == "highest":
            return self.best
        if method == "average":
            return round(self.mean, 4)
        if method == "first":
            return self.first
        if method == "last":
            return self.last
        raise KeyError(method)


def load_results(people: Any, quiz_ids: list[int]) -> dict[tuple[int, int], QuizResult]:
    """Each person's graded attempts per quiz, reduced to what any grading method needs, in
    one grouped pass over their attempts.

    Attempts are numbered in the order they start and a person has at most one open attempt
    per quiz, so the lowest and highest numbered graded attempts are the first and the last to
    finish. Their percents (and the first one's pass) travel in one whole number per attempt,
    number × 10⁷ + passed × 10⁶ + percent × 100 (percents are 0-100 with two decimals): its
    minimum and maximum are the first and the last attempt, and SQL takes them apart again."""
    if not quiz_ids:
        return {}
    a, s = Attempt, Submission
    key = (cast(a.number, BigInteger) * 10_000_000
           + case((s.passed.is_(True), 1_000_000), else_=0)
           + cast(func.round(s.percent * 100), BigInteger))
    first, last = func.min(key), func.max(key)
    # Core execution: one plain row per person and quiz, and there are many of them.
    rows = db.session.connection().execute(
        select(a.user_id, a.quiz_id, (first % 1_000_000) / 100.0, (last % 1_000_000) / 100.0,
               func.max(s.percent), func.avg(s.percent), func.count(),
               first % 10_000_000 >= 1_000_000)
        .join(s, s.attempt_id == a.id)
        .join(people, people.c.user_id == a.user_id)
        .where(a.quiz_id.in_(quiz_ids))
        .group_by(a.user_id, a.quiz_id))
    return {(uid, qid): QuizResult(first, last, best, mean, count, bool(first_passed))
            for uid, qid, first, last, best, mean, count, first_passed in rows}


def module_result(results: dict[tuple[int, int], QuizResult], user_id: int,
                  module: ModuleInfo) -> QuizResult | None:
    if module.quiz_id is None:
        return None
    return results.get((user_id, module.quiz_id))


def training_score(results: dict[tuple[int, int], QuizResult], user_id: int,
                   modules: list[ModuleInfo]) -> tuple[float | None, bool]:
    """(score, passed every counted quiz at the first attempt): a module's result under its
    grading method, or a path's mean of its scored modules' results (rounded to 4 decimals,
    as ``rules.module_result`` rounds a mean). None when a counted quiz has no result."""
    scores, first_time = [], True
    for module in modules:
        result = module_result(results, user_id, module)
        if result is None or module.method is None:
            return None, False
        scores.append(result.result(module.method))
        first_time = first_time and result.first_passed
    if not scores:
        return None, False
    score = scores[0] if len(scores) == 1 else rules.module_result(scores, "average")
    return score, first_time


# --- the measures over each person's windows ----------------------------------------------------


def windows_around(day: date, window_days: int) -> tuple[tuple[date, date], tuple[date, date]]:
    """([start, end) before, [start, end) after) a day; the day itself is in neither."""
    return ((day - timedelta(days=window_days), day),
            (day + timedelta(days=1), day + timedelta(days=window_days + 1)))



def window_table(kind: str, item_id: int, people: Any, window_days: int,
                 reference: date | None) -> Any:
    """The windows, as SQL: for the trained, ``before`` = the ``window_days`` days before the
    training day and ``after`` = the ``window_days`` days after it (the training day itself is
    in neither); for people not trained, ``ref_before`` and ``ref_after`` around ``reference``
    in the same way."""
    done = _completions(kind, item_id, people).subquery("done")
    trained = select(done.c.user_id, day_of(done.c.completed_at).label("day")).cte("trained")
    days = literal(window_days, Integer)
    parts = [
        select(trained.c.user_id.label("user_id"), literal("before").label("period"),
               add_days(trained.c.day, -days).label("start"), trained.c.day.label("end")),
        select(trained.c.user_id, literal("after"), add_days(trained.c.day, literal(1, Integer)),
               add_days(trained.c.day, days + 1)),
    ]
    if reference is not None:
        untrained = (select(people.c.user_id)
                     .outerjoin(trained, trained.c.user_id == people.c.user_id)
                     .where(trained.c.user_id.is_(None)).cte("untrained"))
        before, after = windows_around(reference, window_days)
        parts += [
            select(untrained.c.user_id, literal("ref_before"), literal(before[0], Date),
                   literal(before[1], Date)),
            select(untrained.c.user_id, literal("ref_after"), literal(after[0], Date),
                   literal(after[1], Date)),
        ]
    return union_all(*parts).cte("windows")


def load_totals(kind: str, item_id: int, people: Any, window_days: int,
                reference: date | None, follow_up_days: int,
                as_of: date) -> dict[tuple[int, str], Totals]:
    return window_totals(window_table(kind, item_id, people, window_days, reference),
                         follow_up_days=follow_up_days, as_of=as_of)

