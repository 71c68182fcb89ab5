"""Boosters by mail: the person's choice, and who has boosters waiting on a day.

A person who asked for it (``BoosterMail``) gets one mail a day from ``lms reminders send``
when boosters wait on their dashboard: as many as the dashboard would show them (the day's
limit less those answered), none while paused. The mail names the first question in the
person's language. The same rules as ``lms.boosters.cards.todays_boosters``, read for
everyone in a fixed number of queries. Services flush; the caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select

from lms.boosters.cards import booster_for, day_start
from lms.boosters.rows import add_or_get
from lms.boosters.switches import switched_on
from lms.content.documents import QuizDoc
from lms.content.plaintext import plain_excerpt
from lms.extensions import db
from lms.i18n import locale_code, speaking
from lms.learning.catalog import doc_of, live_items
from lms.models import (
    BoosterCard,
    BoosterMail,
    BoosterPause,
    BoosterReview,
    ContentKind,
    ContentTranslation,
    ContentVersion,
    User,
)

#: The first question is quoted up to this many characters.
QUESTION_LENGTH = 300


def mail_on(user_id: int) -> bool:
    return db.session.get(BoosterMail, user_id) is not None


def choose_mail(user: User, on: bool) -> None:
    """Boosters by mail each day, or not."""
    if on:
        add_or_get(BoosterMail, user.id, lambda: BoosterMail(user_id=user.id))
        return
    row = db.session.get(BoosterMail, user.id)
    if row is not None:
        db.session.delete(row)
    db.session.flush()


@dataclass(frozen=True)
class Waiting:
    """A person who asked for the mail, with boosters waiting for them."""

    user_id: int
    name: str
    email: str
    locale: str | None
    count: int
    #: The first question's prompt as plain text, in the person's language when translated.
    question: str


def waiting(today: date, now: datetime) -> list[Waiting]:
    """The people who asked for the mail and have boosters waiting on ``today`` (cards due by
    ``now``): active, not paused, not done for the day."""
    people = db.session.execute(
        select(User.id, User.name, User.email, User.locale)
        .join(BoosterMail, BoosterMail.user_id == User.id)
        .outerjoin(BoosterPause, BoosterPause.user_id == User.id)
        .where(User.active.is_(True),
               or_(BoosterPause.until.is_(None), BoosterPause.until < today))
        .order_by(User.name, User.id)).all()
    if not people:
        return []
    on = switched_on()
    if not on:
        return []
    ids = [p.id for p in people]
    live = BoosterCard.retired_at.is_(None), BoosterCard.module_id.in_(on)
    # The day's limit: the highest of the switched-on modules the person has cards for.
    limit: dict[int, int] = defaultdict(int)
    for user_id, module_id in db.session.execute(
            select(BoosterCard.user_id, BoosterCard.module_id).distinct()
            .where(BoosterCard.user_id.in_(ids), *live)):
        limit[user_id] = max(limit[user_id], on[module_id])
    answered = dict(db.session.execute(
        select(BoosterReview.user_id, func.count()).where(
            BoosterReview.user_id.in_(ids), BoosterReview.answered_at >= day_start(today),
            BoosterReview.answered_at < day_start(today + timedelta(days=1)))
        .group_by(BoosterReview.user_id)).all())
    due: dict[int, list[BoosterCard]] = defaultdict(list)
    for card in db.session.scalars(
            select(BoosterCard).where(BoosterCard.user_id.in_(ids), BoosterCard.due_at <= now,
                                      *live)
            .order_by(BoosterCard.user_id, BoosterCard.due_at, BoosterCard.id)):
        due[card.user_id].append(card)
    quizzes = {q.id: q for q in live_items(ContentKind.QUIZ).values()}
    translations = _translations({c.quiz_id for cards in due.values() for c in cards})
    out = []
    for person in people:
        left = max(limit[person.id] - answered.get(person.id, 0), 0)
        boosters = []
        for card in due.get(person.id, []):
            if len(boosters) >= left:
                break
            # Retires the card when its question left the quiz, as the dashboard does.
            booster = booster_for(card, quizzes, now)
            if booster is not None:
                boosters.append(booster)
        if boosters:
            first = boosters[0]
            with speaking(person.locale):  # theirs, else the organisation's
                language = locale_code()
            prompt = _prompt(translations.get((first.quiz.id, language)),
                             first.card.question_id) or first.question.prompt
            out.append(Waiting(person.id, person.name, person.email, person.locale,
                               len(boosters), plain_excerpt(prompt, QUESTION_LENGTH)))
    db.session.flush()
    return out


def _translations(quiz_ids: set[int]) -> dict[tuple[int, str], ContentVersion]:
    """(quiz id, language) -> the current translation of the quiz (one query)."""
    if not quiz_ids:
        return {}
    rows = db.session.execute(
        select(ContentTranslation.item_id, ContentTranslation.language, ContentVersion)
        .join(ContentVersion, ContentVersion.id == ContentTranslation.version_id)
        .where(ContentTranslation.item_id.in_(sorted(quiz_ids))))
    return {(item_id, language): version for item_id, language, version in rows}


def _prompt(version: ContentVersion | None, question_id: str) -> str | None:
    doc = doc_of(version) if version is not None else None
    if not isinstance(doc, QuizDoc):
        return None
    return next((q.prompt for q in doc.questions if q.id == question_id), None)
