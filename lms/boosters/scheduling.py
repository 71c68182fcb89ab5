"""When a booster question comes back: a pure service around ``fsrs.Scheduler``.

The mapping from a graded answer to an FSRS rating:

=====================================  ============
Answer                                 Rating
=====================================  ============
wrong, unanswered or not recognised    Again
partly right (partial credit)          Hard
right                                  Good
right within ``QUICK_SECONDS``         Easy
=====================================  ============

A wrong answer therefore brings the question back sooner than a right one, and an easy one
later. Boosters are daily: the scheduler has no learning or relearning steps of minutes, so
every review schedules whole days. Fuzzing is off, so the same answers give the same days.

A card is born when its quiz is passed: that first retrieval is reviewed at the pass time,
rated from the question's own result in the passing attempt (a question missed in a passed
quiz starts out weak and comes back the next day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler

#: A right answer given within this many seconds counts as easy.
QUICK_SECONDS = 20

SCHEDULER = Scheduler(desired_retention=0.9, learning_steps=(), relearning_steps=(),
                      enable_fuzzing=False)


def rating_for(outcome: str, seconds: float | None = None) -> Rating:
    """The FSRS rating of a graded answer (``outcome`` as grading gives it)."""
    if outcome == "correct":
        return Rating.Easy if seconds is not None and 0 <= seconds <= QUICK_SECONDS \
            else Rating.Good
    if outcome == "partial":
        return Rating.Hard
    return Rating.Again


@dataclass(frozen=True)
class Scheduled:
    """A card's state after a review, with the figures stored beside it."""

    state: dict
    due: datetime
    last_review: datetime
    stability: float


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given")
    return moment.astimezone(UTC)


def _scheduled(card: Card) -> Scheduled:
    assert card.last_review is not None and card.stability is not None
    return Scheduled(card.to_dict(), card.due, card.last_review, card.stability)


def first_review(card_id: int, learned_at: datetime, outcome: str) -> Scheduled:
    """A new card, reviewed once at the moment the quiz was passed."""
    learned_at = _utc(learned_at)
    card = Card(card_id=card_id, due=learned_at)
    card, _log = SCHEDULER.review_card(card, rating_for(outcome), learned_at)
    return _scheduled(card)


def review(state: dict, rating: Rating, now: datetime) -> Scheduled:
    """The card (``state`` as stored) after a review at ``now``."""
    card, _log = SCHEDULER.review_card(Card.from_dict(state), rating, _utc(now))
    return _scheduled(card)


def retrievability(stability: float | None, last_review: datetime | None,
                   now: datetime) -> float:
    """FSRS's predicted chance of recalling the card at ``now`` (0 to 1; 0 without a review)."""
    if stability is None or last_review is None:
        return 0.0
    return SCHEDULER.get_card_retrievability(
        Card(card_id=0, due=last_review, stability=stability, difficulty=5.0,
             last_review=_utc(last_review)), _utc(now))
