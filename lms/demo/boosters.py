"""The demo organisation's spaced boosters: switched on for the onboarding path, answered by
every salesperson since they passed its quizzes, with a forgetting curve that depends on their
aptitude (lms/demo/training.py), so retention varies from person to person.

The model (also in the README): person ``a`` (aptitude, standard normal) remembers a question
with a half-life of ``h = 20 · e^(0.6·a)`` days, doubled by every right booster answer to it.
A booster answered ``t`` days after the question was last practised is right with probability
``0.2 + 0.8 · 2^(−t / h)`` (0.2: a lucky guess). A person opens the dashboard on about 70 % of
working days and answers the day's boosters (at most three); right answers are quick (rated
Easy) one time in five. Everything goes through the same scheduler as the site's, up to
yesterday, so some boosters are due today.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from lms.boosters import scheduling
from lms.boosters.switches import save_setting
from lms.demo.training import ONBOARDING, aptitude
from lms.extensions import db
from lms.learning.catalog import live_item
from lms.models import BoosterCard, BoosterReview, ContentKind, User

PER_DAY = 3


def p_recall(a: float, days: float, right_before: int) -> float:
    """The chance of a right answer ``days`` after the last practice."""
    half_life = 20 * 2.718281828 ** (0.6 * a) * 2 ** right_before
    return 0.2 + 0.8 * 2 ** (-days / half_life)


def simulate_boosters(reps: list[User], *, seed: int, today: date) -> int:
    """Switch boosters on for onboarding and answer them; returns the number of answers."""
    path = live_item(ContentKind.PATH, ONBOARDING)
    if path is None:
        return 0
    save_setting(path, enabled=True, per_day=PER_DAY, by=None,
                 now=datetime.combine(today, time(6), tzinfo=UTC))
    by_person: dict[int, list[BoosterCard]] = {}
    for card in db.session.scalars(select(BoosterCard).order_by(BoosterCard.id)):
        by_person.setdefault(card.user_id, []).append(card)
    answers = 0
    end = today - timedelta(days=1)
    for rep in reps:
        cards = by_person.get(rep.id)
        if not cards:
            continue
        rng = random.Random(f"{seed}:boosters:{rep.email}")
        a = aptitude(seed, rep)
        right = {card.id: 0 for card in cards}
        day = min(c.last_review_at for c in cards).date()  # the first pass
        while day < end:  # up to yesterday (end), never today
            day += timedelta(days=1)
            if day.weekday() >= 5 or rng.random() > 0.7:
                continue
            moment = datetime.combine(day, time(8), tzinfo=UTC) + timedelta(
                minutes=rng.randint(0, 600))
            due = sorted((c for c in cards if c.due_at <= moment), key=lambda c: (c.due_at, c.id))
            for card in due[:PER_DAY]:
                days = (moment - card.last_review_at).total_seconds() / 86400
                correct = rng.random() < p_recall(a, days, right[card.id])
                outcome = "correct" if correct else "incorrect"
                rating = scheduling.rating_for(outcome, 8 if rng.random() < 0.2 else 40)
                after = scheduling.review(card.state, rating, moment)
                db.session.add(BoosterReview(
                    card_id=card.id, user_id=rep.id, quiz_version_id=card.learned_version_id,
                    response=None, correct=correct, outcome=outcome, rating=int(rating),
                    answered_at=moment))
                card.state, card.due_at = after.state, after.due
                card.last_review_at, card.stability = after.last_review, after.stability
                right[card.id] += correct
                answers += 1
    db.session.flush()
    return answers
