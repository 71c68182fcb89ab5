"""The booster scheduler and retention figures: a wrong answer brings a question back sooner
than a right one, driven through several weeks with a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating

from lms.boosters.retention import Retention, combine, retention
from lms.boosters.scheduling import first_review, rating_for, retrievability, review

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def until(self, moment: datetime) -> None:
        self.now = max(self.now, moment)


@pytest.mark.parametrize(("outcome", "seconds", "rating"), [
    ("correct", 5, Rating.Easy), ("correct", 60, Rating.Good), ("correct", None, Rating.Good),
    ("partial", 5, Rating.Hard), ("incorrect", 5, Rating.Again),
    ("unanswered", None, Rating.Again),
])
def test_rating_mapping(outcome, seconds, rating):
    assert rating_for(outcome, seconds) == rating


def _drive(answers: list[str], seconds: float = 60) -> list[datetime]:
    """Answer each booster when it falls due; returns the due dates it was given."""
    clock = FakeClock(START)
    card = first_review(1, clock.now, "correct")
    dues = [card.due]
    for outcome in answers:
        clock.until(card.due)
        card = review(card.state, rating_for(outcome, seconds), clock.now)
        dues.append(card.due)
    return dues


def test_a_wrong_answer_comes_back_sooner_than_a_right_one():
    right = _drive(["correct", "correct", "correct"])
    wrong = _drive(["correct", "incorrect", "correct"])
    assert right[:2] == wrong[:2]
    # The wrong answer: back within days; the right one: weeks later.
    assert wrong[2] - wrong[1] <= timedelta(days=3)
    assert right[2] - right[1] > timedelta(days=14)
    assert wrong[3] < right[3]
    # Intervals grow with every right answer, over several weeks.
    gaps = [b - a for a, b in zip(right, right[1:], strict=False)]
    assert gaps == sorted(gaps) and right[-1] - START > timedelta(days=20)


def test_an_easy_answer_comes_back_later_than_a_good_one():
    assert _drive(["correct"], seconds=5)[-1] > _drive(["correct"], seconds=60)[-1]


def test_a_question_missed_in_the_passed_quiz_starts_weak():
    missed, right = first_review(1, START, "incorrect"), first_review(2, START, "correct")
    assert missed.due - START <= timedelta(days=1) < right.due - START


def test_predicted_recall_fades_and_the_state_round_trips():
    card = first_review(1, START, "correct")
    soon = retrievability(card.stability, card.last_review, START + timedelta(days=1))
    later = retrievability(card.stability, card.last_review, START + timedelta(days=60))
    assert 1 >= soon > later > 0
    assert retrievability(None, None, START) == 0
    # The stored dict is what the next review starts from.
    again = review(card.state, Rating.Good, card.due)
    assert again.stability > card.stability


def test_retention_figures():
    now = START + timedelta(days=10)
    fresh = first_review(1, now - timedelta(days=1), "correct")
    old = first_review(2, START - timedelta(days=200), "incorrect")
    figures = retention([(fresh.stability, fresh.last_review), (old.stability, old.last_review)],
                        answered=4, correct=3, now=now)
    assert figures.cards == 2 and figures.correct_share == 0.75
    assert 0 < figures.recall < 1
    assert figures.at_risk(0.99) and not figures.at_risk(0.01)
    empty = retention([], 0, 0, now)
    assert empty.recall is None and empty.correct_share is None and not empty.at_risk(0.7)
    both = combine([Retention(1, 2, 1, 1.0), Retention(3, 2, 2, 0.6)])
    assert both.cards == 4 and both.answered == 4 and both.correct == 3
    assert both.recall == pytest.approx(0.7)
    assert combine([]) is None
