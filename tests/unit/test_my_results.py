"""My results' month windows and chart geometry: pure functions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lms.analytics.my_results import (
    GoalMark,
    Milestone,
    last_months,
    month_after,
    month_before,
    months_ahead,
)
from lms.analytics.results_chart import (
    TimeAxis,
    lanes,
    measure_chart_svg,
    month_slots,
    runs,
    time_axis,
    timeline_svg,
    value_axis,
)


@pytest.mark.parametrize("today, first, last_start", [
    (date(2026, 12, 3), date(2026, 1, 1), date(2026, 12, 1)),
    (date(2026, 1, 31), date(2025, 2, 1), date(2026, 1, 1)),
    (date(2024, 2, 29), date(2023, 3, 1), date(2024, 2, 1)),
    (date(2026, 3, 1), date(2025, 4, 1), date(2026, 3, 1)),
])
def test_twelve_calendar_months_up_to_and_including_today(today, first, last_start):
    months = last_months(today)
    assert len(months) == 12
    assert months[0].start == first and months[-1].start == last_start
    for earlier, later in zip(months, months[1:], strict=False):
        assert earlier.end == later.start and earlier.counted_until == earlier.end
        assert earlier.start.day == 1 and not earlier.partial
    # The current month counts up to and including today, and says it is partial.
    assert months[-1].partial and months[-1].counted_until == today + timedelta(days=1)
    assert months[-1].end == month_after(last_start)


def test_month_lengths_follow_the_calendar_and_leap_years():
    months = {m.start: m.days for m in last_months(date(2024, 12, 31))}
    assert months[date(2024, 2, 1)] == 29 and months[date(2024, 4, 1)] == 30
    assert months[date(2024, 12, 1)] == 31
    assert {m.start: m.days for m in last_months(date(2023, 12, 31))}[date(2023, 2, 1)] == 28
    # The last day of a month is counted in the current month (partial, yet whole).
    current = last_months(date(2024, 2, 29))[-1]
    assert current.counted_until == date(2024, 3, 1) == current.end and current.partial


def test_month_steps_across_years():
    assert month_after(date(2025, 12, 1)) == date(2026, 1, 1)
    assert month_before(date(2026, 1, 1)) == date(2025, 12, 1)
    assert month_before(date(2026, 3, 1)) == date(2026, 2, 1)
    with pytest.raises(ValueError):
        last_months(date(2026, 1, 1), count=0)


def test_months_ahead_reach_the_latest_deadline_at_most_six_months_on():
    today = date(2026, 11, 20)
    assert months_ahead(today, None) == []
    assert months_ahead(today, date(2026, 11, 30)) == []
    ahead = months_ahead(today, date(2027, 2, 1))
    assert [m.start for m in ahead] == [date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]
    assert all(m.future for m in ahead)
    assert len(months_ahead(today, date(2030, 1, 1))) == 6


def test_the_time_axis_puts_days_where_they_are_in_their_month():
    months = last_months(date(2024, 12, 15))
    axis = time_axis(months, 50, 366)  # 2024 from Jan: 366 days over 366 pixels
    assert axis.days == 366
    assert axis.edge(date(2024, 1, 1)) == 50 and axis.edge(date(2025, 1, 1)) == 416
    assert axis.x(date(2024, 1, 1)) == 50.5
    assert axis.x(date(2024, 3, 1)) == 50 + 31 + 29 + 0.5  # after a leap February
    slots = month_slots(months, axis)
    assert slots[1] == (81, 110)  # February 2024: 29 pixels wide
    assert all(a[1] == b[0] for a, b in zip(slots, slots[1:], strict=False))
    # Days outside the axis stay on it.
    assert axis.x(date(2023, 6, 1)) == 50.5 and axis.x(date(2026, 1, 1)) == 415.5
    assert axis.contains(date(2024, 12, 31)) and not axis.contains(date(2025, 1, 1))


def test_the_value_axis_starts_at_zero_and_covers_values_and_targets():
    vaxis = value_axis([120.0, None, 480.0], top=10, height=100)
    assert vaxis.ticks[0] == 0 and vaxis.ticks[-1] >= 480
    assert vaxis.y(0) == 110 and vaxis.y(vaxis.ticks[-1]) == 10
    assert value_axis([1.0, 2500.0], 0, 100).ticks[-1] >= 2500
    # Shares: at most 100 %, and never a scale squashed below 10 %.
    assert value_axis([0.45, 0.9], 0, 100, share=True).ticks[-1] == 1.0
    assert value_axis([0.01], 0, 100, share=True).ticks[-1] == pytest.approx(0.1)
    assert value_axis([None, None], 0, 100).ticks == [0.0, 1.0]
    assert vaxis.y(-5) == 110 and vaxis.y(10_000) == 10  # kept inside the plot


def test_lines_break_at_months_without_a_value():
    points = [(1, 5.0), (2, None), (3, 4.0), (4, 3.0), (5, None), (6, None)]
    assert runs(points) == [[(1, 5.0)], [(3, 4.0), (4, 3.0)]]
    assert runs([]) == [] and runs([(1, None)]) == []


def test_marks_that_would_touch_go_to_the_next_lane():
    assert lanes([10, 15, 40, 41, 42], gap=18) == [0, 1, 0, 1, 2]
    assert lanes([0, 100, 200], gap=18) == [0, 0, 0]
    assert lanes([], gap=18) == []


def _goal(kind_measure, target, starts, deadline, number=1):  # noqa: ANN001, ANN202
    return GoalMark(goal=None, title="Goal", starts_on=starts, deadline=deadline,
                    measure=kind_measure, target=target, view=None, achieved=False,
                    number=number)


def test_a_running_total_goal_is_drawn_at_its_monthly_pace():
    quarter = _goal("revenue", 30_000.0, date(2026, 1, 1), date(2026, 3, 31))
    assert quarter.monthly_pace() == pytest.approx(30_000 * 30.4375 / 90)
    rate = _goal("satisfaction", 0.8, date(2026, 1, 1), date(2026, 3, 31))
    assert rate.monthly_pace() == 0.8 and not rate.cumulative
    assert _goal(None, None, date(2026, 1, 1), date(2026, 1, 2)).monthly_pace() is None
    assert [g.letter for g in (_goal(None, None, date.today(), date.today(), n)
                               for n in (1, 2, 26, 27))] == ["A", "B", "Z", "G27"]


def test_the_measure_chart_draws_months_marks_and_targets():
    today = date(2026, 6, 15)
    months = last_months(today)
    timeline = months + months_ahead(today, date(2026, 8, 31))
    values = [None] * 10 + [0.5, 0.25]
    svg = str(measure_chart_svg(
        chart_id="c", title="Win rate", desc="Won / closed", timeline=timeline, values=values,
        bars=False, share=True,
        milestones=[Milestone(date(2026, 5, 2), "path", "Onboarding", 1),
                    Milestone(date(2026, 5, 3), "module", "Pricing", 2),
                    Milestone(date(2024, 1, 1), "path", "Long ago", 3)],
        goals=[_goal("win_rate", 0.4, date(2026, 5, 1), date(2026, 8, 31))]))
    assert svg.startswith("<svg") and 'aria-labelledby="c-title c-desc"' in svg
    assert svg.count("<circle") == 2 + 1  # two months with a value, one path marker
    assert 'fill="#ffffff" stroke="#0b5d5b"' in svg  # the current month: hollow (so far)
    assert "stroke-dasharray=\"4 3\"" in svg  # the line into the partial month is dashed
    assert "Onboarding" in svg and "Pricing" in svg and "Long ago" not in svg
    assert "target 0.4" in svg and "Months ahead" in svg
    with pytest.raises(ValueError):
        measure_chart_svg(chart_id="c", title="t", desc="d", timeline=timeline,
                          values=[1.0], bars=True)


def test_bars_leave_months_without_a_value_empty_and_outline_the_current_one():
    months = last_months(date(2026, 6, 15))
    svg = str(measure_chart_svg(chart_id="r", title="Revenue", desc="d", timeline=months,
                                values=[None] * 9 + [100.0, 200.0, 50.0], bars=True))
    assert svg.count("<rect") == 3
    assert svg.count('stroke-dasharray="3 2"') == 1


def test_the_timeline_stacks_milestones_and_lists_goals():
    today = date(2026, 6, 15)
    months = last_months(today)
    marks = [Milestone(date(2026, 5, 2), "module", "A", 1),
             Milestone(date(2026, 5, 3), "module", "B", 2),
             Milestone(date(2026, 5, 4), "path", "C", 3)]
    goals = [_goal(None, None, date(2026, 5, 1), date(2026, 6, 30), 1),
             _goal("revenue", 1000.0, date(2026, 6, 1), date(2027, 3, 1), 2),
             _goal(None, None, date(2024, 1, 1), date(2024, 2, 1), 3)]
    svg = str(timeline_svg(chart_id="t", title="T", desc="D", timeline=months,
                           milestones=marks, goals=goals, today=today))
    # Three milestones a day apart sit in three lanes: the axis moves down for them.
    assert svg.count("<circle") == 3
    assert 'y1="86" y2="86"' in svg  # 14 + 3 lanes of 20 + 12
    assert svg.count("Goal “Goal”") == 2  # the goal long before the timeline is left out
    assert "B →" in svg  # a deadline beyond the timeline points on
    axis = TimeAxis(months[0].start, months[-1].end, 16, 928)
    assert f'x1="{axis.x(today):.1f}"' in svg
