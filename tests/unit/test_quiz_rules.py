"""Attempt rules: percentages, grading methods, limits, cooldowns, time limits, revealing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms.quiz.rules import (
    GRACE_SECONDS,
    StartDecision,
    attempts_left,
    can_start,
    deadline,
    is_late,
    module_result,
    next_attempt_at,
    passed,
    percent,
    reveal_answers,
)

NOON = datetime(2024, 5, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("points", "max_points", "expected"), [
    (7, 10, 70.0), (2.1, 3, 70.0), (1, 3, 33.3333), (0, 5, 0.0), (5, 5, 100.0), (3, 0, 0.0),
])
def test_percent(points: float, max_points: float, expected: float) -> None:
    assert percent(points, max_points) == expected


@pytest.mark.parametrize(("score", "pass_mark", "expected"), [
    (70, 70, True), (69.9999, 70, False), (100, 100, True), (0, 0, True), (99, 100, False),
])
def test_passed_means_reaching_the_pass_mark(score: float, pass_mark: float,
                                             expected: bool) -> None:
    assert passed(score, pass_mark) is expected


@pytest.mark.parametrize(("method", "expected"), [
    ("highest", 90.0), ("last", 60.0), ("first", 40.0), ("average", 63.3333),
])
def test_module_result_by_grading_method(method: str, expected: float) -> None:
    assert module_result([40.0, 90.0, 60.0], method) == expected


def test_module_result_edges() -> None:
    assert all(module_result([], method) is None
               for method in ("highest", "last", "first", "average"))
    assert module_result([55.5], "average") == 55.5
    # Passing under the method: a pass then a fail counts as a fail under "last" only.
    scores = [80.0, 50.0]
    assert [passed(module_result(scores, m) or 0, 70) for m in ("highest", "last", "first")] == [
        True, False, True]
    assert passed(module_result(scores, "average") or 0, 65) is True
    with pytest.raises(ValueError):
        module_result([1.0], "best")


@pytest.mark.parametrize(("max_attempts", "used", "expected"), [
    (None, 0, None), (None, 99, None), (3, 0, 3), (3, 2, 1), (3, 3, 0), (3, 5, 0), (1, 0, 1),
])
def test_attempts_left(max_attempts: int | None, used: int, expected: int | None) -> None:
    assert attempts_left(max_attempts, used) == expected


def test_next_attempt_at() -> None:
    assert next_attempt_at(None, 60) is None
    assert next_attempt_at(NOON, 0) is None
    assert next_attempt_at(NOON, 65) == NOON + timedelta(minutes=65)


def start(now: datetime = NOON, **overrides: object) -> StartDecision:
    values: dict = dict(max_attempts=3, used=1, last_finished_at=NOON - timedelta(hours=2),
                        cooldown_minutes=60, passed_already=False, has_open_attempt=False)
    values.update(overrides)
    return can_start(now, **values)


def test_can_start_when_nothing_blocks() -> None:
    assert start() == StartDecision(True, None, None)
    assert start(max_attempts=None, used=50, last_finished_at=None).allowed


def test_can_start_attempt_limit() -> None:
    assert start(used=3) == StartDecision(False, "You have used all 3 attempts.", None)
    assert start(max_attempts=1, used=1).reason == "You have used your only attempt."
    assert start(used=2).allowed


def test_can_start_cooldown_boundaries() -> None:
    finished = datetime(2024, 5, 3, 13, 5, tzinfo=UTC)
    retry = datetime(2024, 5, 3, 14, 5, tzinfo=UTC)
    waiting = start(retry - timedelta(seconds=1), last_finished_at=finished)
    assert waiting == StartDecision(
        False, "You can try again at 14:05 (cooldown of 60 minutes).", retry)
    assert start(retry, last_finished_at=finished).allowed           # exactly at the end: allowed
    assert start(finished, last_finished_at=finished).retry_at == retry
    assert start(retry, last_finished_at=finished, cooldown_minutes=0).allowed
    one = start(finished, last_finished_at=finished, cooldown_minutes=1)
    assert one.reason == "You can try again at 13:06 (cooldown of 1 minute)."


def test_cooldown_over_midnight_names_the_date() -> None:
    finished = datetime(2024, 5, 3, 23, 30, tzinfo=UTC)
    decision = start(finished, last_finished_at=finished, cooldown_minutes=90)
    assert decision.reason == "You can try again at 01:00 on 2024-05-04 (cooldown of 90 minutes)."


def test_can_start_reasons_come_in_order_of_importance() -> None:
    everything = dict(used=3, last_finished_at=NOON, passed_already=True, has_open_attempt=True)
    assert start(**everything).reason == "You have an attempt in progress: continue that one."
    everything["has_open_attempt"] = False
    assert start(**everything).reason == "You have already passed this quiz."
    everything["passed_already"] = False
    # No retry time when waiting would not help.
    assert start(**everything) == StartDecision(False, "You have used all 3 attempts.", None)


def test_deadline_and_grace() -> None:
    assert deadline(NOON, None) is None
    end = deadline(NOON, 20)
    assert end == NOON + timedelta(minutes=20)
    assert GRACE_SECONDS == 30
    assert not is_late(end - timedelta(minutes=5), end)
    assert not is_late(end + timedelta(seconds=GRACE_SECONDS), end)         # grace included
    assert is_late(end + timedelta(seconds=GRACE_SECONDS, microseconds=1), end)
    assert not is_late(NOON + timedelta(days=3), None)


@pytest.mark.parametrize(("setting", "passed_", "left", "expected"), [
    ("never", True, 0, False),
    ("after_submit", False, 2, True),
    ("after_pass", False, 0, False),
    ("after_pass", True, 2, True),
    ("after_last_attempt", False, 1, False),
    ("after_last_attempt", False, 0, True),
    ("after_last_attempt", True, 1, True),         # passed: no further attempt can be started
    ("after_last_attempt", False, None, False),    # unlimited attempts: only after a pass
    ("after_last_attempt", True, None, True),
])
def test_reveal_answers(setting: str, passed_: bool, left: int | None, expected: bool) -> None:
    assert reveal_answers(setting, passed=passed_, attempts_left=left) is expected


def test_reveal_answers_refuses_unknown_settings() -> None:
    with pytest.raises(ValueError):
        reveal_answers("sometimes", passed=True, attempts_left=0)
