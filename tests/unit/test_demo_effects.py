"""--effect PATH:MEASURE=DELTA: parsing, the checks, and the odds a deal is drawn with."""

from __future__ import annotations

import pytest

from lms.demo.effects import (
    BASE,
    SUPPORTED,
    Effect,
    EffectError,
    built_in_odds,
    given_odds,
    parse_effect,
    parse_effects,
)


def test_a_good_effect_parses():
    assert parse_effect(" customer-insight:follow_up_rate=0.08 ") == Effect(
        "customer-insight", "follow_up_rate", 0.08)
    assert parse_effect("new-hire-onboarding:avg_deal_size=-150") == Effect(
        "new-hire-onboarding", "avg_deal_size", -150.0)
    assert str(Effect("customer-insight", "resolve_days", -1.5)) == (
        "customer-insight:resolve_days=-1.5")


def test_several_effects_parse_together():
    effects = parse_effects(["customer-insight:follow_up_rate=0.08",
                             "new-hire-onboarding:follow_up_rate=0.1",
                             "new-hire-onboarding:win_rate=0.05"])
    assert [e.measure for e in effects] == ["follow_up_rate", "follow_up_rate", "win_rate"]
    assert parse_effects([]) == ()


@pytest.mark.parametrize(("texts", "message"), [
    (["customer-insight"], "is not PATH:MEASURE=DELTA"),
    (["customer-insight:follow_up_rate"], "is not PATH:MEASURE=DELTA"),
    (["customer-insight:follow_up_rate=0.1=2"], "'0.1=2' in "
                                                 "'customer-insight:follow_up_rate=0.1=2' is not "
                                                 "a number"),
    (["product-basics:win_rate=0.1"], "unknown path 'product-basics'"),
    (["customer-insight:cycle_days=-2"], "supported measures are win_rate, follow_up_rate"),
    (["customer-insight:won_deals=3"], "the demo cannot cause 'won_deals'"),
    (["customer-insight:win_rate=ten"], "'ten' in 'customer-insight:win_rate=ten' is not a "
                                        "number"),
    (["customer-insight:win_rate=nan"], "is not a finite number"),
    (["customer-insight:win_rate=0.1", "customer-insight:win_rate=0.2"],
     "customer-insight:win_rate is given twice"),
    (["new-hire-onboarding:win_rate=0.9"], "new-hire-onboarding:win_rate=0.9 would take the "
                                            "win probability from 0.28 to 1.18; it must stay "
                                            "between 0 and 1."),
    (["new-hire-onboarding:win_rate=-0.3"], "from 0.28 to -0.02; it must stay between 0 and 1"),
    # Either alone is possible; a rep who completed both paths would pass 1.
    (["customer-insight:follow_up_rate=0.3", "new-hire-onboarding:follow_up_rate=0.3"],
     "customer-insight:follow_up_rate=0.3, new-hire-onboarding:follow_up_rate=0.3 would take "
     "the probability of a follow-up within 14 days from 0.5 to 1.1"),
    (["customer-insight:repeat_rate=0.72"], "between 0 and 0.95"),
    (["customer-insight:satisfaction=0.4"], "the mean satisfaction on 0-1 from 0.625 to 1.025"),
    (["customer-insight:complaints_per_10=-2"], "complaints per 10 won deals from 1.6 to -0.4"),
    (["customer-insight:resolve_days=-7.5"], "from 8 to 0.5; it must stay at least 1."),
    (["new-hire-onboarding:avg_deal_size=-500"], "the smallest deal in euros from 414 to -86"),
    (["new-hire-onboarding:revenue=-5000"], "from 0 to -5000; it must stay at least -2000."),
])
def test_bad_effects_are_refused_with_a_reason(texts, message):
    with pytest.raises(EffectError) as caught:
        parse_effects(texts)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_every_supported_measure_is_a_sales_measure():
    from lms.analytics.measures import MEASURE_KEYS

    assert set(SUPPORTED) <= set(MEASURE_KEYS)


def test_without_effects_the_odds_are_the_baseline_in_both_worlds():
    assert given_odds({}, 70.0) == built_in_odds(0.0, 0.0)
    odds = given_odds({}, 70.0)
    assert (odds.win, odds.follow_up, odds.repeat, odds.complaint) == (
        BASE["win"], BASE["follow_up"], BASE["repeat"], BASE["complaint"])


def test_given_odds_move_each_drawn_quantity_by_the_delta():
    odds = given_odds({"win_rate": 0.05, "follow_up_rate": 0.08, "repeat_rate": -0.05,
                       "satisfaction": 0.1, "complaints_per_10": -0.5, "resolve_days": -2,
                       "avg_deal_size": 100.0}, 70.0)
    assert odds.win == pytest.approx(0.33) and odds.follow_up == pytest.approx(0.58)
    assert odds.repeat == pytest.approx(0.20) and odds.complaint == pytest.approx(0.11)
    # 0.1 on the 0-1 scale: 0.4 stars on 1-5, 1 point on 0-10.
    assert odds.stars == pytest.approx(3.9) and odds.ten == pytest.approx(7.25)
    assert odds.resolve_days == 6.0 and (odds.amount_factor, odds.amount_add) == (1.0, 100.0)


def test_a_revenue_effect_is_spread_over_the_expected_wins_of_the_window():
    deals = 70.0
    odds = given_odds({"revenue": 1000.0, "win_rate": 0.02}, deals)
    # Expected wins in the window × the amount added to each = the delta.
    assert deals * odds.win * odds.amount_add == pytest.approx(1000.0)


def test_the_built_in_odds_grow_with_the_score():
    odds = built_in_odds(1.0, 1.0)  # a score of 80 on both paths
    assert odds.win == pytest.approx(0.38) and odds.follow_up == pytest.approx(0.62)
    assert odds.amount_factor == pytest.approx(1.05) and odds.resolve_days == pytest.approx(7.2)
