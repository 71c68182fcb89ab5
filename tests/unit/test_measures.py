"""The ten sales measures on hand-made deals, worked out by the database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.analytics.measures import (
    MEASURE_KEYS,
    PersonMeasures,
    Totals,
    format_value,
    measure_values,
    median,
    sales_performance,
    sort_rows,
)
from lms.clock import local_today
from lms.extensions import db
from lms.learning.goal_progress import goals_overview
from lms.learning.goals import GoalFields, create_goal
from lms.security import Scope
from tests.factories import make_team, make_user
from tests.impact_helpers import add_sale, d, statements

JAN, FEB = d("2026-01-01"), d("2026-02-01")
AS_OF = d("2026-06-01")


def measures_of(user, start=JAN, end=FEB, *, follow_up_days=14, as_of=AS_OF):  # noqa: ANN001, ANN201
    rows = sales_performance(Scope(user_ids=frozenset({user.id})), start, end,
                             follow_up_days=follow_up_days, as_of=as_of)
    [row] = rows
    return row


@pytest.fixture
def january(app):  # noqa: ANN001, ANN201
    """Anna's January 2026, by hand: three won deals, one lost, one open, two outside."""
    anna, bert = make_user(name="Anna"), make_user(name="Bert")
    # Bert won customer C1 in November: Anna's C1 deal in January is repeat business.
    add_sale(bert, closed="2025-11-20", customer="C1")
    add_sale(anna, created="2025-12-20", closed="2026-01-05", amount=1000, customer="C1",
             satisfaction=5, scale=5, complaint="2026-01-10", resolved="2026-01-14",
             follow_up="2026-01-10")
    add_sale(anna, created="2026-01-01", closed="2026-01-11", amount=3000.50, customer="C2",
             satisfaction=7, scale=10, complaint="2026-01-20", resolved="2026-01-30",
             follow_up="2026-02-10")
    add_sale(anna, created=None, closed="2026-01-31", amount=500, customer="C2",
             complaint="2026-02-02", follow_up="2026-01-31")
    add_sale(anna, stage="lost", created="2026-01-02", closed="2026-01-15", amount=9999)
    add_sale(anna, stage="open", created="2026-01-20", amount=5000)
    add_sale(anna, closed="2026-02-01", amount=777)  # the end day is outside
    add_sale(anna, closed="2025-12-31", amount=888)  # before the start
    db.session.commit()
    return anna


def test_the_ten_measures_on_a_hand_made_month(january):
    row = measures_of(january)
    assert row.closed_deals == 4
    assert row.values == {
        "revenue": 4500.5,
        "won_deals": 3,
        "win_rate": 0.75,
        "avg_deal_size": 1500.17,  # 4500.50 / 3
        "cycle_days": 13.0,  # (16 + 10) / 2: the deal without a created date is left out
        "satisfaction": 0.85,  # (5-1)/4 = 1.0 and 7/10 = 0.7
        "repeat_rate": 0.6667,  # C1 (Bert, November) and C2 (Anna, 11 January) were won before
        "complaints_per_10": 10.0,  # three won deals, three complaints
        "resolve_days": 7.0,  # median of 4 and 10; the unresolved complaint does not count
        "follow_up_rate": 0.6667,  # 5 days and 0 days count, 30 days does not
    }


def test_the_follow_up_days_are_a_setting(january):
    assert measures_of(january, follow_up_days=30).values["follow_up_rate"] == 1.0
    assert measures_of(january, follow_up_days=4).values["follow_up_rate"] == pytest.approx(
        0.3333)


def test_deals_won_too_recently_to_be_followed_up_do_not_count(january):
    # On 20 January only the deal closed on 5 January had its 14 days: it was followed up.
    assert measures_of(january, as_of=d("2026-01-20")).values["follow_up_rate"] == 1.0
    # On 15 January no deal had its 14 days yet.
    assert measures_of(january, as_of=d("2026-01-15")).values["follow_up_rate"] is None


def test_the_window_is_half_open(january):
    assert measures_of(january, d("2026-01-31"), d("2026-02-02")).values["won_deals"] == 2
    assert measures_of(january, d("2025-12-31"), d("2026-01-01")).values["revenue"] == 888.0


@pytest.mark.parametrize(("score", "scale", "expected"), [
    (1, 5, 0.0), (3, 5, 0.5), (5, 5, 1.0), (4, 5, 0.75),
    (0, 10, 0.0), (10, 10, 1.0), (8, 10, 0.8),
])
def test_satisfaction_is_normalised_to_0_to_1(app, score, scale, expected):
    user = make_user()
    add_sale(user, satisfaction=score, scale=scale)
    db.session.commit()
    assert measures_of(user).values["satisfaction"] == expected


def test_a_score_without_a_scale_or_on_a_lost_deal_is_left_out(app):
    user = make_user()
    add_sale(user, satisfaction=4, scale=None)
    add_sale(user, stage="lost", satisfaction=1, scale=5)
    add_sale(user, satisfaction=9, scale=10)
    db.session.commit()
    assert measures_of(user).values["satisfaction"] == 0.9


def test_repeat_means_a_won_deal_of_the_same_customer_on_an_earlier_day(app):
    anna, bert = make_user(), make_user()
    add_sale(bert, closed="2026-01-10", customer="SAME-DAY")
    add_sale(anna, closed="2026-01-10", customer="SAME-DAY")  # same day: not earlier
    add_sale(bert, stage="lost", closed="2026-01-02", customer="LOST-FIRST")
    add_sale(anna, closed="2026-01-12", customer="LOST-FIRST")  # an earlier loss is no sale
    add_sale(bert, closed="2024-05-01", customer="OLD")
    add_sale(anna, closed="2026-01-20", customer="OLD")  # any earlier won deal, by anyone
    db.session.commit()
    assert measures_of(anna).values["repeat_rate"] == pytest.approx(0.3333)


def test_median_days_to_resolve_odd_count_and_odd_data(app):
    user = make_user()
    for raised, resolved in (("2026-01-05", "2026-01-06"), ("2026-01-05", "2026-01-07"),
                             ("2026-01-05", "2026-01-14"),
                             ("2026-01-08", "2026-01-02")):  # resolved before raised: ignored
        add_sale(user, closed="2026-01-04", complaint=raised, resolved=resolved)
    add_sale(user, stage="lost", closed="2026-01-04", complaint="2026-01-05",
             resolved="2026-03-01")  # a lost deal's complaint: not a customer's complaint
    db.session.commit()
    values = measures_of(user).values
    assert values["resolve_days"] == 2.0
    assert values["complaints_per_10"] == 10.0


def test_a_person_without_deals(app):
    user = make_user()
    values = measures_of(user).values
    assert values["revenue"] == 0.0 and values["won_deals"] == 0
    assert all(values[k] is None for k in MEASURE_KEYS if k not in ("revenue", "won_deals"))


def test_a_person_with_only_lost_deals(app):
    user = make_user()
    add_sale(user, stage="lost")
    db.session.commit()
    row = measures_of(user)
    assert row.closed_deals == 1 and row.values["win_rate"] == 0.0
    assert row.values["avg_deal_size"] is None and row.values["repeat_rate"] is None


@pytest.mark.parametrize(("totals", "key", "expected"), [
    (Totals(), "win_rate", None),
    (Totals(lost=2), "win_rate", 0.0),
    (Totals(won=1, lost=2), "win_rate", 0.3333),
    (Totals(won=3, revenue=100.0), "avg_deal_size", 33.33),
    (Totals(won=3, complaints=1), "complaints_per_10", 3.3333),
    (Totals(won=2, followed_up=1, follow_up_due=1), "follow_up_rate", 1.0),
    (Totals(won=2, resolve_median=3.5, resolve_n=2), "resolve_days", 3.5),
    (Totals(won=2, resolve_median=None, resolve_n=0), "resolve_days", None),
])
def test_measure_values_divide_only_by_something(totals, key, expected):
    assert measure_values(totals)[key] == expected


def test_median_and_formatting(app):  # noqa: ANN001 - the language comes from the app
    assert median([]) is None and median([3]) == 3 and median([4, 1, 10, 2]) == 3
    assert format_value("revenue", 12345.6) == "€12,346"
    assert format_value("win_rate", 0.4567) == "45.7 %"
    assert format_value("cycle_days", 12.25) == "12.2 d"
    assert format_value("complaints_per_10", 1.5) == "1.50"
    assert format_value("won_deals", 12) == "12"
    assert format_value("satisfaction", None) == "—"


def test_sorting_keeps_people_without_a_value_last():
    def row(name: str, rate: float | None, closed: int = 0) -> PersonMeasures:
        return PersonMeasures(1, name, "", None, True, closed, {"win_rate": rate})

    rows = [row("Bo", 0.2), row("Al", None), row("Cy", 0.5), row("Di", 0.2)]
    assert [r.name for r in sort_rows(rows, "win_rate", True)] == ["Cy", "Di", "Bo", "Al"]
    assert [r.name for r in sort_rows(rows, "win_rate", False)] == ["Bo", "Di", "Cy", "Al"]
    assert [r.name for r in sort_rows(rows, "name", False)] == ["Al", "Bo", "Cy", "Di"]


def test_the_report_covers_the_scope_and_people_who_left_with_deals(app):
    manager = make_user("manager")
    team, other = make_team(managers=[manager]), make_team()
    here = make_user(name="Here", team=team)
    left = make_user(name="Left with deals", team=team, active=False)
    make_user(name="Left without deals", team=team, active=False)
    elsewhere = make_user(name="Elsewhere", team=other)
    make_user("manager", name="A manager", team=team)  # not a salesperson
    for person in (here, left, elsewhere):
        add_sale(person)
    db.session.commit()
    rows = sales_performance(Scope(team_ids=frozenset({team.id})), JAN, FEB,
                             follow_up_days=14, as_of=AS_OF)
    assert [(r.name, r.active, r.values["won_deals"]) for r in rows] == [
        ("Here", True, 1), ("Left with deals", False, 1)]


def test_the_statements_do_not_grow_with_the_people(app):
    def run(count: int) -> int:
        people = [make_user() for _ in range(count)]
        for person in people:
            add_sale(person, complaint="2026-01-12", resolved="2026-01-15")
        db.session.commit()
        with statements() as seen:
            rows = sales_performance(Scope(everyone=True), JAN, FEB, follow_up_days=14,
                                     as_of=AS_OF)
        assert all(r.values["resolve_days"] == 3.0 for r in rows)
        return len(seen)

    assert run(2) == run(25) == 2  # the people, and one aggregate


def test_performance_goals_are_measured_on_sales(app):
    user = make_user()
    today = local_today()
    deadline = today + timedelta(days=20)
    create_goal(user, GoalFields(kind="revenue", target=10000, deadline=deadline,
                                 starts_on=today - timedelta(days=10)))
    create_goal(user, GoalFields(kind="complaints_resolved", target=50, within_days=5,
                                 deadline=deadline, starts_on=today - timedelta(days=30)))
    db.session.commit()
    assert [v.progress for v in goals_overview(user)] == [None, None]  # no sales at all yet
    iso = (today - timedelta(days=3)).isoformat()
    add_sale(user, closed=iso, amount=2500)
    add_sale(user, closed=(today - timedelta(days=11)).isoformat(), amount=99999)  # before
    add_sale(user, closed=iso, complaint=(today - timedelta(days=20)).isoformat(),
             resolved=(today - timedelta(days=18)).isoformat())  # in time
    add_sale(user, closed=iso, complaint=(today - timedelta(days=20)).isoformat())  # late
    add_sale(user, closed=iso, complaint=(today - timedelta(days=1)).isoformat())  # not yet due
    db.session.commit()
    revenue, complaints = goals_overview(user)
    assert revenue.progress == pytest.approx((2500 + 2 * 1000 + 1000) / 10000)
    assert revenue.detail == "€5,500 so far, of €10,000."
    assert complaints.progress == 1.0  # 1 of 2 resolved in time = the 50 % target
