"""Booster cards: made when a quiz is passed, due ones shown a few a day, answered and graded
with the quiz's own grading, and retired when their question leaves the quiz.

A booster shows the question from the quiz's current version (in the reader's language when
it is translated) and is graded on it; when that question's content differs from the one the
person learned, the booster says so, and after the answer the card counts the new version as
learned. Services flush; the view commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select, update

from lms.boosters import scheduling
from lms.boosters.questions import fingerprint
from lms.boosters.rows import add_or_get
from lms.boosters.switches import switched_on
from lms.content.documents import ModuleDoc, Question, QuizDoc
from lms.extensions import db
from lms.learning.catalog import current_doc, doc_of, live_items, shown_version
from lms.learning.standing import standing
from lms.models import (
    Attempt,
    BoosterCard,
    BoosterPause,
    BoosterReview,
    ContentItem,
    ContentKind,
    ContentVersion,
    Submission,
    User,
    utcnow,
)
from lms.quiz.grading import Graded, grade

# --- making cards -------------------------------------------------------------------------------


def _modules_ending_with(quiz: ContentItem, on: dict[int, int]) -> list[ContentItem]:
    return [m for m in live_items(ContentKind.MODULE).values()
            if m.id in on and isinstance(doc := current_doc(m), ModuleDoc)
            and doc.quiz == quiz.slug]


def _original(version: ContentVersion, quiz: ContentItem) -> ContentVersion:
    """Fingerprints are taken on the original: a translation is the same question."""
    return quiz.current_version if version.translated else version


def cards_for_pass(user_id: int, quiz: ContentItem, *, now: datetime | None = None,
                   on: dict[int, int] | None = None) -> int:
    """After a graded attempt: when the quiz is passed and a module ending with it has
    boosters on, a card for each question of the passing attempt that has none yet.
    Returns the number of cards made."""
    now = now or utcnow()
    on = switched_on() if on is None else on
    if not on:
        return 0
    modules = _modules_ending_with(quiz, on)
    if not modules:
        return 0
    user = db.session.get(User, user_id)
    if user is None or not standing(user, quiz, now=now).passed:
        return 0
    attempt = db.session.scalar(
        select(Attempt).join(Submission, Submission.attempt_id == Attempt.id)
        .where(Attempt.user_id == user_id, Attempt.quiz_id == quiz.id)
        .order_by(Submission.passed.desc(), Submission.submitted_at.desc()).limit(1))
    if attempt is None:
        return 0
    have = set(db.session.scalars(select(BoosterCard.question_id).where(
        BoosterCard.user_id == user_id, BoosterCard.quiz_id == quiz.id)))
    original = doc_of(_original(attempt.quiz_version, quiz))
    by_id = {q.id: q for q in original.questions} if isinstance(original, QuizDoc) else {}
    learned_at = attempt.submission.submitted_at
    made = 0
    for row in attempt.questions:
        if row.question_id in have or row.question_id not in by_id:
            continue
        first = scheduling.first_review(0, learned_at, row.result or "incorrect")
        db.session.add(BoosterCard(
            user_id=user_id, module_id=modules[0].id, quiz_id=quiz.id,
            question_id=row.question_id, learned_version_id=attempt.quiz_version_id,
            fingerprint=fingerprint(by_id[row.question_id]), state=first.state,
            due_at=first.due, last_review_at=first.last_review, stability=first.stability,
            created_at=now))
        made += 1
    db.session.flush()
    return made


def backfill(*, now: datetime | None = None) -> int:
    """Cards for everyone who passed a quiz of a switched-on module before it was switched on."""
    on = switched_on()
    quizzes = live_items(ContentKind.QUIZ)
    made = 0
    for module in live_items(ContentKind.MODULE).values():
        doc = current_doc(module)
        if module.id not in on or not isinstance(doc, ModuleDoc) or doc.quiz not in quizzes:
            continue
        quiz = quizzes[doc.quiz]
        people = db.session.scalars(
            select(Attempt.user_id).join(Submission, Submission.attempt_id == Attempt.id)
            .where(Attempt.quiz_id == quiz.id, Submission.passed.is_(True))
            .where(~select(BoosterCard.id).where(BoosterCard.user_id == Attempt.user_id,
                                                 BoosterCard.quiz_id == quiz.id).exists())
            .distinct()).all()
        for user_id in people:
            made += cards_for_pass(user_id, quiz, now=now, on=on)
    return made


# --- today's boosters ---------------------------------------------------------------------------


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the organisation's time zone, in UTC."""
    name = current_app.config.get("TIMEZONE")
    start = (datetime.combine(day, time(0), tzinfo=ZoneInfo(name)) if name
             else datetime.combine(day, time(0)).astimezone())
    return start.astimezone(UTC)


@dataclass(frozen=True)
class Booster:
    card: BoosterCard
    quiz: ContentItem
    version: ContentVersion
    question: Question
    #: the question was updated since the person learned it
    changed: bool
    multiple_response_scoring: str


@dataclass
class Today:
    limit: int = 0
    answered: int = 0
    paused_until: date | None = None
    due: list[Booster] = None  # type: ignore[assignment]
    has_cards: bool = False

    @property
    def left(self) -> int:
        return max(self.limit - self.answered, 0)

    @property
    def next(self) -> Booster | None:
        return self.due[0] if self.due else None


def paused_until(user_id: int, today: date) -> date | None:
    until = db.session.scalar(select(BoosterPause.until).where(BoosterPause.user_id == user_id))
    return until if until is not None and until >= today else None


def booster_for(card: BoosterCard, quizzes: dict[int, ContentItem],
                now: datetime) -> Booster | None:
    """The card's question as the current version has it; retires the card (returning None)
    when the quiz or the question is gone."""
    quiz = quizzes.get(card.quiz_id)
    version = shown_version(quiz) if quiz is not None else None
    doc = doc_of(version) if version is not None else None
    question = next((q for q in doc.questions if q.id == card.question_id), None) \
        if isinstance(doc, QuizDoc) else None
    if question is None:
        card.retired_at = now
        return None
    original = doc_of(quiz.current_version)
    source = next((q for q in original.questions if q.id == card.question_id), question) \
        if isinstance(original, QuizDoc) else question
    return Booster(card, quiz, version, question, fingerprint(source) != card.fingerprint,
                   doc.settings.multiple_response_scoring)


def todays_boosters(user: User, today: date, *, now: datetime | None = None) -> Today:
    """The questions due for ``user`` today, at most the day's limit less those answered."""
    now = now or utcnow()
    on = switched_on()
    board = Today(due=[])
    if not on:
        return board
    board.paused_until = paused_until(user.id, today)
    cards = db.session.scalars(
        select(BoosterCard).where(BoosterCard.user_id == user.id,
                                  BoosterCard.retired_at.is_(None),
                                  BoosterCard.module_id.in_(on))
        .order_by(BoosterCard.due_at, BoosterCard.id)).all()
    if not cards:
        return board
    board.has_cards = True
    board.limit = max(on[c.module_id] for c in cards)
    board.answered = db.session.scalar(
        select(func.count()).select_from(BoosterReview).where(
            BoosterReview.user_id == user.id, BoosterReview.answered_at >= day_start(today))
    ) or 0
    if board.paused_until is not None:
        return board
    quizzes = {q.id: q for q in live_items(ContentKind.QUIZ).values()}
    for card in cards:
        if len(board.due) >= board.left or card.due_at > now:
            break
        booster = booster_for(card, quizzes, now)
        if booster is not None:
            board.due.append(booster)
    db.session.flush()
    return board


# --- answering ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    review: BoosterReview
    graded: Graded
    changed: bool


def answer(booster: Booster, response: Any, *, now: datetime | None = None,
           seconds: float | None = None) -> Answered | None:
    """Grade the answer as the quiz would, record it and schedule the card's next time; None
    when another request answered the card since it was read (two tabs, a double click)."""
    now = now or utcnow()
    graded = grade(booster.question, response,
                   multiple_response_scoring=booster.multiple_response_scoring)
    rating = scheduling.rating_for(graded.correct, seconds)
    card = booster.card
    after = scheduling.review(card.state, rating, now)
    # Claim the card: only the request that still sees the due time it read moves it on.
    db.session.flush()
    claimed = db.session.execute(
        update(BoosterCard).where(BoosterCard.id == card.id, BoosterCard.due_at == card.due_at)
        .values(due_at=after.due), execution_options={"synchronize_session": False}).rowcount
    if claimed != 1:
        return None
    review = BoosterReview(card_id=card.id, user_id=card.user_id,
                           quiz_version_id=booster.version.id, response=response,
                           correct=graded.correct == "correct", outcome=graded.correct,
                           rating=int(rating), answered_at=now)
    db.session.add(review)
    card.state, card.due_at = after.state, after.due
    card.last_review_at, card.stability = after.last_review, after.stability
    if booster.changed:
        # Answered on the new version: that is what the person knows now.
        original = doc_of(booster.quiz.current_version)
        source = next(q for q in original.questions if q.id == card.question_id)
        card.fingerprint = fingerprint(source)
        card.learned_version_id = booster.quiz.current_version_id
    db.session.flush()
    return Answered(review, graded, booster.changed)


def pause(user: User, until: date | None) -> None:
    """Pause boosters until ``until`` (inclusive); None resumes them."""
    if until is None:
        row = db.session.get(BoosterPause, user.id)
        if row is not None:
            db.session.delete(row)
    else:
        add_or_get(BoosterPause, user.id,
                   lambda: BoosterPause(user_id=user.id, until=until)).until = until
    db.session.flush()


def next_due(user_id: int) -> datetime | None:
    return db.session.scalar(select(func.min(BoosterCard.due_at)).where(
        BoosterCard.user_id == user_id, BoosterCard.retired_at.is_(None)))


MAX_PAUSE = timedelta(days=366)


@dataclass(frozen=True)
class Feedback:
    """A booster just answered, for the dashboard to show."""

    question: Question
    graded: Graded
    changed: bool
    next_due: datetime


def feedback_for(user: User, review_id: int | None) -> Feedback | None:
    """The person's own review ``review_id``, graded again on its version; None for anyone
    else's or an unknown one."""
    if review_id is None:
        return None
    review = db.session.get(BoosterReview, review_id)
    if review is None or review.user_id != user.id:
        return None
    card = db.session.get(BoosterCard, review.card_id)
    version = db.session.get(ContentVersion, review.quiz_version_id)
    doc = doc_of(version)
    question = next((q for q in doc.questions if q.id == card.question_id), None) \
        if isinstance(doc, QuizDoc) and card is not None else None
    if question is None:
        return None
    graded = grade(question, review.response,
                   multiple_response_scoring=doc.settings.multiple_response_scoring)
    return Feedback(question, graded, False, card.due_at)
