"""Difference in differences with not-yet-trained controls (Callaway and Sant'Anna)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from lms.analytics.causal import PARALLEL_TRENDS
from lms.analytics.causal_did import (
    MIN_NOT_YET_TRAINED,
    PanelPerson,
    period_of,
    staggered_effect,
)


def _panel(cohorts: dict[int | None, int], periods: int, effect, seed: int = 1,
           teams: int = 12, noise: float = 0.3) -> list[PanelPerson]:
    """People per cohort (None: never trained), person and period levels, effect(e)."""
    rng = np.random.default_rng(seed)
    time_level = rng.normal(0, 1, periods).cumsum()
    people, pid = [], 0
    for g, count in cohorts.items():
        for _ in range(count):
            level = rng.normal(0, 2)
            values = {t: float(level + time_level[t] + rng.normal(0, noise)
                               + (effect(t - g) if g is not None and t >= g else 0.0))
                      for t in range(periods)}
            people.append(PanelPerson(pid, pid % teams, g, values))
            pid += 1
    return people


def _twfe(people: list[PanelPerson]) -> float:
    """The two-way fixed-effects regression the page must not use, by statsmodels."""
    rows = [(p.person_id, t, v, float(p.trained_period is not None and t >= p.trained_period))
            for p in people for t, v in p.values.items()]
    person, period, y, d = (np.array(c) for c in zip(*rows, strict=True))
    x = np.column_stack([d, (person[:, None] == np.unique(person)).astype(float),
                         (period[:, None] == np.unique(period)[1:]).astype(float)])
    return float(sm.OLS(y, x).fit().params[0])


def test_one_cohort_one_period_is_a_difference_of_mean_changes_with_ols_errors():
    people = _panel({3: 20, None: 30}, periods=5, effect=lambda e: 1.0)
    result = staggered_effect(people, design="self_paced", by_team=False, horizon=1)
    change = np.array([p.values[3] - p.values[2] for p in people])
    trained = np.array([p.trained_period == 3 for p in people], dtype=float)
    fit = sm.OLS(change, sm.add_constant(trained)).fit(cov_type="HC0")
    assert result.effect.estimate == pytest.approx(fit.params[1])
    # The influence-function variance by person is HC0 times n/(n - 1).
    se = (result.effect.ci_high - result.effect.estimate) / 1.959963984540054
    assert se == pytest.approx(fit.bse[1] * np.sqrt(50 / 49))
    assert result.effect.assumption == PARALLEL_TRENDS
    assert result.effect.n_treated == 20 and result.effect.n_control == 30


def test_cluster_robust_variance_matches_statsmodels_by_team():
    people = _panel({3: 40, None: 60}, periods=5, effect=lambda e: 1.0, teams=10)
    result = staggered_effect(people, design="staggered", by_team=True, horizon=1)
    change = np.array([p.values[3] - p.values[2] for p in people])
    trained = np.array([p.trained_period == 3 for p in people], dtype=float)
    teams = np.array([p.team_id for p in people])
    fit = sm.OLS(change, sm.add_constant(trained)).fit(
        cov_type="cluster", cov_kwds={"groups": teams}, use_t=True)
    # statsmodels also scales by (n - 1)/(n - k); the influence function has no such factor.
    n, k = 100, 2
    bse = fit.bse[1] * np.sqrt((n - k) / (n - 1))
    assert result.effect.clusters == 10
    assert result.effect.p_value == pytest.approx(2 * stats.t.sf(abs(fit.params[1]) / bse, 9))


def test_already_trained_people_are_never_controls():
    # Whatever happens to the first cohort after it trained cannot move the second
    # cohort's estimate: only people not yet trained are its comparison group.
    people = _panel({2: 15, 6: 15, None: 20}, periods=10, effect=lambda e: 0.5)
    before = staggered_effect(people, design="staggered", by_team=False)
    shaken = [PanelPerson(p.person_id, p.team_id, p.trained_period,
                          {t: v + (50.0 * t if p.trained_period == 2 and t >= 2 else 0.0)
                           for t, v in p.values.items()})
              for p in people]
    after = staggered_effect(shaken, design="staggered", by_team=False)
    assert after.cohorts[6].estimate == pytest.approx(before.cohorts[6].estimate)


def test_growing_effects_fool_two_way_fixed_effects_but_not_group_time_effects():
    # Everyone trains in the end; the effect grows by 1 per period after training. TWFE
    # compares the late cohorts with the early ones, whose results are still rising.
    effect = lambda e: float(e + 1)  # noqa: E731
    people = _panel({2: 20, 5: 20, 8: 20}, periods=11, effect=effect, noise=0.1)
    result = staggered_effect(people, design="staggered", by_team=False)
    total = sum(c.size for c in result.cohorts.values())
    truth = sum(c.size / total * np.mean([effect(t - g) for t in c.periods])
                for g, c in result.cohorts.items())
    assert result.effect.estimate == pytest.approx(truth, abs=0.1)
    assert abs(_twfe(people) - truth) > 1.0
    # The last cohort has nobody left to compare with, so it is left out, and said so.
    assert 8 not in result.cohorts
    assert "left out" in result.effect.note


def test_event_study_is_flat_before_training_and_shows_the_effect_after():
    people = _panel({4: 30, 7: 30, None: 40}, periods=14, effect=lambda e: 2.0, noise=0.2)
    points = {p.offset_days: p for p in
              staggered_effect(people, design="self_paced", by_team=True).event_study}
    assert sorted(points) == list(range(-180, 181, 30))
    assert points[-30].estimate == 0.0 and points[-30].ci_low is None  # the base period
    for days in (-120, -90, -60):
        assert points[days].ci_low <= 0.0 <= points[days].ci_high
    for days in (0, 30, 60):
        assert points[days].estimate == pytest.approx(2.0, abs=0.3)
    # Five and six periods before training lie before the data for the first cohort: only the
    # second (30 people) is behind that point.
    assert points[-180].n_treated == 30 and points[-120].n_treated == 60


def test_everyone_trained_at_once_is_not_enough_data():
    people = _panel({3: 100}, periods=8, effect=lambda e: 1.0)
    effect = staggered_effect(people, design="everyone_now").effect
    assert effect.estimate is None and effect.ci_low is None and effect.p_value is None
    assert effect.note.startswith("not enough data")


def test_too_few_not_yet_trained_people_is_not_enough_data():
    people = _panel({3: 50, None: MIN_NOT_YET_TRAINED - 1}, periods=8, effect=lambda e: 1.0)
    assert staggered_effect(people, design="self_paced").effect.estimate is None
    people = _panel({3: 50, None: MIN_NOT_YET_TRAINED}, periods=8, effect=lambda e: 1.0)
    assert staggered_effect(people, design="self_paced").effect.estimate is not None


def test_fewer_than_eight_teams_shows_no_interval():
    people = _panel({3: 40, None: 40}, periods=8, effect=lambda e: 1.0, teams=5)
    effect = staggered_effect(people, design="staggered", by_team=True).effect
    assert effect.estimate is not None and effect.ci_low is None
    assert not effect.trustworthy_interval and "cannot be trusted" in effect.note


def test_periods_are_thirty_days_from_the_origin():
    origin = date(2026, 1, 1)
    assert period_of(date(2026, 1, 30), origin) == 0
    assert period_of(date(2026, 1, 31), origin) == 1
    assert period_of(date(2025, 12, 31), origin) == -1


def _ramp_up_world(seed: int, *, with_hire_dates: bool) -> list[PanelPerson]:
    """New salespeople sell little in their first two months whatever they do; most train in
    their second or third month, so training coincides with the climb. Veterans, hired long
    before and never trained, sell steadily. Training does nothing."""
    rng = np.random.default_rng(seed)
    people = []
    for pid in range(600):
        veteran = pid < 150
        hired = -24 if veteran else int(rng.integers(0, 14))
        trained = None if veteran or rng.random() < 0.25 else hired + int(rng.integers(1, 3))
        level = rng.normal(0, 1)
        values = {t: float(level + 4 * min(t - hired, 2) / 2 + rng.normal(0, 0.5))
                  for t in range(18) if t >= hired}
        people.append(PanelPerson(pid, pid % 12, trained, values,
                                  hired if with_hire_dates else None))
    return people


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_new_hires_climb_is_not_taken_for_an_effect_of_training(seed):
    plain = staggered_effect(_ramp_up_world(seed, with_hire_dates=False), design="self_paced",
                             by_team=False).effect
    # Compared with everyone not yet trained (mostly veterans), the climb looks like an effect.
    assert plain.ci_low > 0.5
    matched = staggered_effect(_ramp_up_world(seed, with_hire_dates=True), design="self_paced",
                               by_team=False).effect
    # Compared within the same month of tenure, it is not.
    assert matched.estimate is not None and matched.ci_low <= 0 <= matched.ci_high
    assert matched.n_control < plain.n_control
