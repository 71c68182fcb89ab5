"""The goal status rule: achieved / missed / no data / at risk / on track, on a table of cases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.learning.goal_progress import goal_status, time_elapsed

START = date(2025, 1, 1)
END = date(2025, 1, 10)  # ten days to work in: each day is 10 % of the time


def day(n: int) -> date:
    """Day n of the goal (day 1 is the start)."""
    return START + timedelta(days=n - 1)


@pytest.mark.parametrize(("today", "expected"), [
    (date(2024, 12, 20), 0.0),  # before the start
    (day(1), 0.0),
    (day(2), 0.1),
    (day(6), 0.5),
    (day(10), 0.9),  # the deadline day is still a day to work in
    (day(11), 1.0),
    (date(2026, 1, 1), 1.0),
])
def test_time_elapsed(today, expected):
    assert time_elapsed(START, END, today) == pytest.approx(expected)


def test_a_one_day_goal_has_all_its_time_left_on_that_day():
    assert time_elapsed(START, START, START) == 0
    assert time_elapsed(START, START, day(2)) == 1


@pytest.mark.parametrize(("progress", "today", "achieved", "expected"), [
    # achieved wins, whatever the date or the measured progress, and stays achieved
    (1.0, day(5), True, "achieved"),
    (0.3, day(5), True, "achieved"),
    (None, day(5), True, "achieved"),
    (0.2, day(30), True, "achieved"),
    # after the deadline without being achieved: missed, even at 100 % or without data
    (0.99, day(11), False, "missed"),
    (1.0, day(11), False, "missed"),
    (None, day(11), False, "missed"),
    (0.0, date(2026, 1, 1), False, "missed"),
    # no data while the goal runs
    (None, day(1), False, "no_data"),
    (None, day(10), False, "no_data"),
    # before the start and on the first day nothing is expected yet
    (0.0, date(2024, 12, 1), False, "on_track"),
    (0.0, day(1), False, "on_track"),
    # behind the time gone by at most 15 points: on track; by more: at risk
    (0.0, day(2), False, "on_track"),    # 10 % gone, 10 behind
    (0.05, day(3), False, "on_track"),   # 20 % gone, exactly 15 behind
    (0.04, day(3), False, "at_risk"),    # 16 behind
    (0.35, day(6), False, "on_track"),   # 50 % gone, exactly 15 behind (no float drift)
    (0.34, day(6), False, "at_risk"),
    (0.9, day(6), False, "on_track"),    # ahead of time
    # exactly 20 % of the time left is not the final stretch; less than 20 % is
    (0.7, day(9), False, "on_track"),    # 80 % gone, 20 % left, 10 behind
    (0.99, day(10), False, "at_risk"),   # 10 % left and not done
    (0.95, day(10), False, "at_risk"),
    # done but not counted as achieved (a rate whose period is still running): on track
    (1.0, day(10), False, "on_track"),
    (1.0, day(2), False, "on_track"),
    # out-of-range progress is clamped
    (1.7, day(10), False, "on_track"),
    (-0.5, day(2), False, "on_track"),
    (-0.5, day(6), False, "at_risk"),
])
def test_goal_status(progress, today, achieved, expected):
    assert goal_status(progress=progress, started=START, deadline=END, today=today,
                       achieved=achieved) == expected


def test_a_long_goal_enters_the_final_stretch_below_20_percent_left():
    start, end = date(2025, 1, 1), date(2025, 4, 10)  # 100 days
    at_80 = start + timedelta(days=80)  # 80 % gone, 20 % left
    assert goal_status(progress=0.7, started=start, deadline=end, today=at_80,
                       achieved=False) == "on_track"
    assert goal_status(progress=0.7, started=start, deadline=end,
                       today=at_80 + timedelta(days=1), achieved=False) == "at_risk"


def test_a_one_day_goal():
    assert goal_status(progress=0.0, started=START, deadline=START, today=START,
                       achieved=False) == "on_track"
    assert goal_status(progress=0.0, started=START, deadline=START, today=day(2),
                       achieved=False) == "missed"


RANK = {"missed": 0, "at_risk": 1, "on_track": 2, "achieved": 3}
dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))


@given(start=dates, length=st.integers(0, 400), today=dates,
       low=st.floats(0, 1), high=st.floats(0, 1))
def test_more_progress_never_makes_the_status_worse(start, length, today, low, high):
    low, high = sorted((low, high))
    deadline = start + timedelta(days=length)
    kwargs = {"started": start, "deadline": deadline, "today": today, "achieved": False}
    assert RANK[goal_status(progress=low, **kwargs)] <= RANK[goal_status(progress=high, **kwargs)]


@given(start=dates, length=st.integers(0, 400), today=dates,
       progress=st.one_of(st.none(), st.floats(0, 1)))
def test_achieved_always_wins_and_missed_only_after_the_deadline(start, length, today, progress):
    deadline = start + timedelta(days=length)
    kwargs = {"progress": progress, "started": start, "deadline": deadline, "today": today}
    assert goal_status(achieved=True, **kwargs) == "achieved"
    status = goal_status(achieved=False, **kwargs)
    assert (status == "missed") == (today > deadline)
    if progress == 1.0 and today <= deadline:
        assert status == "on_track"
