"""The statements of the learning records the app keeps, for the people a viewer may see.

Nothing is recorded for xAPI's sake: a module's first opening and its completion come from
``module_progress``, each answer from the questions of a submitted attempt, passed or failed
from its submission. The keys of all four come in one UNION query, ordered by the time the
record came to be (an answer counts from its attempt's submission: before that it could still
change), then kind and record id; a page of keys is turned into statements with a fixed
handful of queries, whatever its size. ``since`` and the paging cursor work on that order.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Integer, and_, literal, or_, select, union_all

from lms.bounds import MAX_ID
from lms.content.documents import (
    Matching,
    MultipleResponse,
    Numeric,
    QuestionBase,
    QuizDoc,
    SingleChoice,
    TrueFalse,
)
from lms.extensions import db
from lms.learning.catalog import doc_of, live_items
from lms.models import (
    Attempt,
    AttemptQuestion,
    ContentItem,
    ContentKind,
    ContentVersion,
    ModuleProgress,
    Submission,
    User,
    utcnow,
)
from lms.progress import Progress, quiet
from lms.quiz.grading import parse_number
from lms.safeyaml import quote
from lms.security import Scope
from lms.xapi import statements as st
from lms.xapi.validate import parse_timestamp, problems


@dataclass(frozen=True, order=True)
class Key:
    """Where a statement sits in the order: when its record came to be, its kind, the record."""

    at: datetime
    kind: int
    record_id: int

    def cursor(self) -> str:
        raw = f"{self.at.isoformat()}|{self.kind}|{self.record_id}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def from_cursor(cls, cursor: str) -> Key:
        """``ValueError`` for anything ``cursor()`` did not make."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            at, kind, record_id = raw.split("|")
            key = cls(datetime.fromisoformat(at), int(kind), int(record_id))
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError("not a cursor") from exc
        if (key.at.tzinfo is None or key.kind not in st.KINDS
                or not 0 <= key.record_id <= MAX_ID):
            raise ValueError("not a cursor")
        return key


@dataclass(frozen=True)
class Derived:
    key: Key
    statement: dict[str, Any]
    #: The rules it breaks (lms.xapi.validate); empty for a valid statement.
    problems: tuple[str, ...] = ()


def site_of(config: Mapping[str, Any]) -> st.Site:
    return st.Site(base_url=str(config["BASE_URL"]), agent_email=bool(config["XAPI_AGENT_EMAIL"]))


def current_site() -> st.Site:
    return site_of(current_app.config)


# Keys ---------------------------------------------------------------------------------------

def _keys_union(scope: Scope | None):  # noqa: ANN202 - a subquery
    people = select(User.id).where(scope.condition()) if scope is not None else None

    def kind(number: int):  # noqa: ANN202
        return literal(number, Integer).label("kind")

    mp = ModuleProgress
    sources = [
        select(mp.first_opened_at.label("at"), kind(st.EXPERIENCED), mp.id.label("record_id"),
               mp.user_id.label("user_id")),
        select(mp.completed_at, kind(st.COMPLETED), mp.id, mp.user_id)
        .where(mp.completed_at.is_not(None)),
        select(Submission.submitted_at, kind(st.ANSWERED), AttemptQuestion.id, Attempt.user_id)
        .join(Attempt, AttemptQuestion.attempt_id == Attempt.id)
        .join(Submission, Submission.attempt_id == Attempt.id)
        .where(AttemptQuestion.result.is_not(None), AttemptQuestion.result != "unanswered"),
        select(Submission.submitted_at, kind(st.GRADED), Submission.id, Attempt.user_id)
        .join(Attempt, Submission.attempt_id == Attempt.id),
    ]
    if people is not None:
        sources = [s.where(s.selected_columns[3].in_(people)) for s in sources]
    return union_all(*sources).subquery("xapi_keys")


def keys(scope: Scope | None, *, since: datetime | None = None, after: Key | None = None,
         limit: int | None = None, now: datetime | None = None) -> list[Key]:
    """Statement keys in order: of the people in ``scope`` (None: everyone), whose records came
    to be after ``since`` and no later than ``now``, following ``after``."""
    k = _keys_union(scope)
    query = select(k.c.at, k.c.kind, k.c.record_id).where(k.c.at <= (now or utcnow()))
    if since is not None:
        query = query.where(k.c.at > since)
    if after is not None:
        query = query.where(or_(k.c.at > after.at, and_(k.c.at == after.at, or_(
            k.c.kind > after.kind, and_(k.c.kind == after.kind, k.c.record_id > after.record_id)))))
    query = query.order_by(k.c.at, k.c.kind, k.c.record_id)
    if limit is not None:
        query = query.limit(limit)
    return [Key(row.at, row.kind, row.record_id) for row in db.session.execute(query)]


# Statements ---------------------------------------------------------------------------------

def build(site: st.Site, page: Sequence[Key], *, now: datetime | None = None) -> list[Derived]:
    """The statements of ``page``'s keys, in the same order, each checked against the rules."""
    now = now or utcnow()
    by_kind: dict[int, list[int]] = {}
    for key in page:
        by_kind.setdefault(key.kind, []).append(key.record_id)
    progress_ids = by_kind.get(st.EXPERIENCED, []) + by_kind.get(st.COMPLETED, [])
    loader = _Loader(site)
    progress: dict[int, ModuleProgress] = {}
    if progress_ids:
        for row in db.session.scalars(select(ModuleProgress)
                                      .where(ModuleProgress.id.in_(set(progress_ids)))):
            loader.want(row.user_id, module_id=row.module_id, version_id=row.read_version_id)
            progress[row.id] = row
    answers = _answers(by_kind.get(st.ANSWERED, []), loader)
    submissions = _submissions(by_kind.get(st.GRADED, []), loader)
    loader.load()
    out: list[Derived] = []
    for key in page:
        statement = _statement(site, key, progress, answers, submissions, loader)
        if statement is None:  # the record went between the two queries
            continue
        out.append(Derived(key, statement, tuple(problems(statement, now))))
    return out


def _statement(site: st.Site, key: Key, progress: dict[int, ModuleProgress], answers: dict,
               submissions: dict, loader: _Loader) -> dict[str, Any] | None:
    if key.kind in (st.EXPERIENCED, st.COMPLETED):
        row = progress.get(key.record_id)
        if row is None:
            return None
        person, module = loader.person(row.user_id), loader.module(row.module_id,
                                                                   row.read_version_id)
        if key.kind == st.EXPERIENCED:
            return st.experienced(site, row.id, person, module, row.first_opened_at)
        if row.completed_at is None:
            return None
        return st.completed(site, row.id, person, module, row.completed_at)
    if key.kind == st.ANSWERED:
        found = answers.get(key.record_id)
        if found is None:
            return None
        question, attempt, submitted_at = found
        quiz = loader.quiz(attempt.quiz_id, attempt.quiz_version_id)
        doc = loader.quiz_doc(attempt.quiz_version_id)
        answer = _answered_question(question, doc, submitted_at)
        return st.answered(site, question.id, loader.person(attempt.user_id), attempt.id, quiz,
                           loader.module_of_quiz(quiz.slug), answer)
    found = submissions.get(key.record_id)
    if found is None:
        return None
    submission, attempt = found
    quiz = loader.quiz(attempt.quiz_id, attempt.quiz_version_id)
    graded = st.Graded(points=submission.points, max_points=submission.max_points,
                       passed=submission.passed, started_at=attempt.started_at,
                       submitted_at=submission.submitted_at)
    return st.graded(site, submission.id, loader.person(attempt.user_id), attempt.id, quiz,
                     loader.module_of_quiz(quiz.slug), graded)


def _answers(ids: list[int], loader: _Loader) -> dict[int, tuple]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(AttemptQuestion, Attempt, Submission.submitted_at)
        .join(Attempt, AttemptQuestion.attempt_id == Attempt.id)
        .join(Submission, Submission.attempt_id == Attempt.id)
        .where(AttemptQuestion.id.in_(set(ids)))).all()
    for _question, attempt, _at in rows:
        loader.want(attempt.user_id, quiz_id=attempt.quiz_id, version_id=attempt.quiz_version_id)
    return {question.id: (question, attempt, at) for question, attempt, at in rows}


def _submissions(ids: list[int], loader: _Loader) -> dict[int, tuple]:
    if not ids:
        return {}
    rows = db.session.execute(select(Submission, Attempt)
                              .join(Attempt, Submission.attempt_id == Attempt.id)
                              .where(Submission.id.in_(set(ids)))).all()
    for _submission, attempt in rows:
        loader.want(attempt.user_id, quiz_id=attempt.quiz_id, version_id=attempt.quiz_version_id)
    return {submission.id: (submission, attempt) for submission, attempt in rows}


class _Loader:
    """The people, items and versions a page of statements names, each loaded once."""

    def __init__(self, site: st.Site) -> None:
        self.site = site
        self.user_ids: set[int] = set()
        self.item_ids: set[int] = set()
        self.version_ids: set[int] = set()
        self.people: dict[int, st.Person] = {}
        self.items: dict[int, ContentItem] = {}
        self.versions: dict[int, ContentVersion] = {}
        self._by_quiz: dict[str, st.Titled] | None = None

    def want(self, user_id: int, *, module_id: int | None = None, quiz_id: int | None = None,
             version_id: int | None = None) -> None:
        self.user_ids.add(user_id)
        self.item_ids.update(i for i in (module_id, quiz_id) if i is not None)
        if version_id is not None:
            self.version_ids.add(version_id)

    def load(self) -> None:
        if self.user_ids:
            self.people = {row.id: st.Person(row.id, row.email) for row in db.session.execute(
                select(User.id, User.email).where(User.id.in_(self.user_ids)))}
        if self.item_ids:
            self.items = {item.id: item for item in db.session.scalars(
                select(ContentItem).where(ContentItem.id.in_(self.item_ids)))}
            self.version_ids.update(item.current_version_id for item in self.items.values()
                                    if item.current_version_id is not None)
        if self.version_ids:
            self.versions = {v.id: v for v in db.session.scalars(
                select(ContentVersion).where(ContentVersion.id.in_(self.version_ids)))}

    def person(self, user_id: int) -> st.Person:
        return self.people[user_id]

    def _titled(self, item_id: int, version_id: int | None) -> st.Titled:
        item = self.items[item_id]
        version = self.versions.get(version_id) if version_id else None
        version = version or self.versions.get(item.current_version_id or 0)
        if version is None:
            return st.Titled(item.slug, item.slug, "en")
        return st.Titled(item.slug, version.title, version.language)

    def module(self, module_id: int, version_id: int | None) -> st.Titled:
        return self._titled(module_id, version_id)

    def quiz(self, quiz_id: int, version_id: int) -> st.Titled:
        return self._titled(quiz_id, version_id)

    def quiz_doc(self, version_id: int) -> QuizDoc | None:
        version = self.versions.get(version_id)
        doc = doc_of(version) if version is not None else None
        return doc if isinstance(doc, QuizDoc) else None

    def module_of_quiz(self, quiz_slug: str) -> st.Titled | None:
        """The live module that ends with this quiz (its parent activity), if any."""
        if self._by_quiz is None:
            self._by_quiz = {}
            for slug, module in sorted(live_items(ContentKind.MODULE).items()):
                version = module.current_version
                doc = doc_of(version) if version is not None else None
                quiz = getattr(doc, "quiz", None)
                if quiz and quiz not in self._by_quiz:
                    self._by_quiz[quiz] = st.Titled(slug, version.title, version.language)
        return self._by_quiz.get(quiz_slug)


def _answered_question(question: AttemptQuestion, doc: QuizDoc | None,
                       submitted_at: datetime) -> st.AnsweredQuestion:
    asked = next((q for q in doc.questions if q.id == question.question_id), None) if doc else None
    return st.AnsweredQuestion(
        question_id=question.question_id,
        question_type=asked.type if asked is not None else None,
        prompt=(asked.title or asked.prompt) if asked is not None else "",
        response=response_text(asked, question.response),
        correct=question.result == "correct",
        saved_at=min(question.saved_at or submitted_at, submitted_at))


def response_text(question: QuestionBase | None, response: Any) -> str:
    """The response in xAPI's syntax for the question's interaction type (Appendix C):
    choices by their index in the file, ``[,]`` between items, ``[.]`` in a matching pair."""
    if isinstance(question, SingleChoice) and isinstance(response, int):
        return str(response)
    if isinstance(question, MultipleResponse) and isinstance(response, list):
        return "[,]".join(str(i) for i in sorted(set(response)) if isinstance(i, int))
    if isinstance(question, TrueFalse) and isinstance(response, bool):
        return "true" if response else "false"
    if isinstance(question, Numeric) and isinstance(response, str):
        number = parse_number(response, question.unit)
        return format(number.normalize(), "f") if number is not None else response.strip()
    if isinstance(question, Matching) and isinstance(response, list):
        targets = [pair.right for pair in question.pairs] + list(question.distractors)
        return "[,]".join(f"{i}[.]{targets.index(chosen)}"
                          for i, chosen in enumerate(response) if chosen in targets)
    if isinstance(response, str):
        return response.strip()
    return "" if response is None else str(response)


def statements(site: st.Site, scope: Scope | None, *, since: datetime | None = None,
               now: datetime | None = None, chunk: int = 500,
               progress: Progress = quiet) -> Iterator[Derived]:
    """Every statement of ``scope`` after ``since``, in order: the keys in one query, then
    the statements a chunk at a time (``progress``: phase "statements")."""
    now = now or utcnow()
    todo = keys(scope, since=since, now=now)
    progress("statements", 0, len(todo))
    for start in range(0, len(todo), chunk):
        yield from build(site, todo[start:start + chunk], now=now)
        progress("statements", min(start + chunk, len(todo)), len(todo))


def parse_since(text: str, timezone: str) -> datetime:
    """A ``since`` from the API or the command line: an ISO 8601 date and time with its time
    zone, or a day (from midnight in the organisation's ``timezone``). ``ValueError`` with a
    message a person can act on."""
    text = text.strip()
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if len(text) > 10 and text[10] == " ":
        text = text[:10] + "T" + text[11:]
    # An unencoded "+02:00" in a query string arrives as " 02:00".
    moment = parse_timestamp(text.replace(" ", "+")) if day is None else \
        datetime.combine(day, time(), ZoneInfo(timezone))
    try:
        if moment is not None:
            return moment.astimezone(UTC)
    except OverflowError:  # the first or last day there is, in a zone that leaves the range
        pass
    raise ValueError(_("%(value)s is not a date (YYYY-MM-DD) or an ISO 8601 date and time "
                       "with a time zone (2026-05-02T09:30:00Z).", value=quote(text, 40)))
