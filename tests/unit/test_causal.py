"""The randomised rollout's estimators and the q-values, against statsmodels and linearmodels."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from linearmodels.iv import IV2SLS
from scipy import linalg, stats
from statsmodels.stats.multitest import multipletests

from lms.analytics.causal import (
    MIN_CLUSTERS,
    PARALLEL_TRENDS,
    RANDOMISED,
    Effect,
    RolloutRow,
    cr2_covariance,
    effect_of_completing,
    itt_ancova,
    q_values,
    speaks_of_effect,
)
from lms.analytics.causal_worlds import randomised_world


def _rows(seed: int = 5, n: int = 160, teams: int = 10, effect: float = 0.4,
          complete: float = 0.7) -> list[RolloutRow]:
    rng = np.random.default_rng(seed)
    team = rng.integers(0, teams, n)
    first = rng.random(n) < 0.5
    completed = first & (rng.random(n) < complete)
    pre = rng.normal(0, 1, n) + 0.3 * team
    post = 0.8 * pre + effect * completed + rng.normal(0, 1, n) + 0.1 * team
    return [RolloutRow(i, int(team[i]), bool(first[i]), bool(completed[i]), float(pre[i]),
                       float(post[i])) for i in range(n)]


def _arrays(rows):
    y = np.array([r.post for r in rows])
    z = np.array([r.first_wave for r in rows], dtype=float)
    d = np.array([r.completed for r in rows], dtype=float)
    pre = np.array([r.pre for r in rows])
    teams = np.array([r.team_id for r in rows])
    return y, z, d, pre - pre.mean(), teams


def test_itt_by_team_is_statsmodels_ols_with_bias_reduced_cluster_robust_errors():
    rows = _rows()
    y, z, _, pre, teams = _arrays(rows)
    x = np.column_stack([np.ones(len(y)), z, pre])
    fit = sm.OLS(y, x).fit()
    effect = itt_ancova(rows, by_team=True)
    assert effect.estimate == pytest.approx(fit.params[1], rel=1e-12)
    # CR2 written out with a matrix square root from scipy, on G - 1 degrees of freedom.
    bread = np.linalg.inv(x.T @ x)
    meat = np.zeros((3, 3))
    for g in np.unique(teams):
        xg, eg = x[teams == g], fit.resid[teams == g]
        adjust = np.linalg.inv(linalg.sqrtm(np.eye(len(eg)) - xg @ bread @ xg.T))
        score = xg.T @ adjust @ eg
        meat += np.outer(score, score)
    se = np.sqrt((bread @ meat @ bread)[1, 1])
    g = len(np.unique(teams))
    half = stats.t.ppf(0.975, g - 1) * se
    assert effect.ci_high - effect.estimate == pytest.approx(half)
    assert effect.p_value == pytest.approx(2 * stats.t.sf(abs(fit.params[1]) / se, g - 1))
    assert effect.clusters == 10 and effect.trustworthy_interval
    assert effect.assumption == RANDOMISED == "randomised: a causal estimate"
    # CR2 is wider than statsmodels' usual cluster-robust (CR1) here, never narrower by much.
    cr1 = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": teams}).bse[1]
    assert se == pytest.approx(cr1, rel=0.25)


def test_cr2_with_one_person_per_cluster_is_statsmodels_hc2():
    rows = _rows()
    y, z, _, pre, _ = _arrays(rows)
    x = np.column_stack([np.ones(len(y)), z, pre])
    fit = sm.OLS(y, x).fit(cov_type="HC2")
    cov = cr2_covariance(x, y - x @ fit.params, np.arange(len(y)))
    assert np.sqrt(np.diag(cov)) == pytest.approx(fit.bse, rel=1e-9)


def test_itt_by_person_uses_hc2():
    rows = _rows()
    y, z, _, pre, _ = _arrays(rows)
    x = np.column_stack([np.ones(len(y)), z, pre])
    fit = sm.OLS(y, x).fit(cov_type="HC2", use_t=True)
    effect = itt_ancova(rows, by_team=False)
    assert effect.estimate == pytest.approx(fit.params[1], rel=1e-12)
    assert effect.ci_low == pytest.approx(fit.conf_int()[1][0])
    # HC2 by hand: squared residuals over (1 - leverage).
    bread = np.linalg.inv(x.T @ x)
    resid = y - x @ fit.params
    leverage = np.einsum("ij,jk,ik->i", x, bread, x)
    cov = bread @ (x.T * (resid**2 / (1 - leverage))) @ x @ bread
    assert fit.bse[1] == pytest.approx(np.sqrt(cov[1, 1]))
    assert effect.clusters is None


def test_people_without_a_value_before_are_kept_with_an_indicator():
    rows = _rows()
    rows = [r if i % 7 else RolloutRow(r.person_id, r.team_id, r.first_wave, r.completed,
                                       None, r.post) for i, r in enumerate(rows)]
    y = np.array([r.post for r in rows])
    z = np.array([r.first_wave for r in rows], dtype=float)
    pre = np.array([np.nan if r.pre is None else r.pre for r in rows])
    missing = np.isnan(pre)
    x = np.column_stack([np.ones(len(y)), z, np.where(missing, 0, pre - np.nanmean(pre)),
                         missing])
    fit = sm.OLS(y, x).fit(cov_type="HC2")
    effect = itt_ancova(rows, by_team=False)
    assert effect.estimate == pytest.approx(fit.params[1])
    assert effect.n_treated + effect.n_control == len(rows)


def test_effect_of_completing_is_the_itt_over_the_completion_gap():
    rows = _rows()
    y, z, d, pre, _ = _arrays(rows)
    x = np.column_stack([np.ones(len(y)), z, pre])
    itt = sm.OLS(y, x).fit().params[1]
    gap = sm.OLS(d, x).fit().params[1]
    effect = effect_of_completing(rows, by_team=False)
    assert effect.estimate == pytest.approx(itt / gap, rel=1e-10)
    assert effect.estimator == "effect_of_completing"
    assert "of the first wave" in effect.note


@pytest.mark.parametrize("by_team", [False, True])
def test_effect_of_completing_interval_matches_linearmodels_iv2sls(by_team):
    rows = _rows()
    y, z, d, pre, teams = _arrays(rows)
    exog = np.column_stack([np.ones(len(y)), pre])
    model = IV2SLS(y, exog, d[:, None], z[:, None])
    fit = (model.fit(cov_type="clustered", clusters=teams, debiased=True) if by_team
           else model.fit(cov_type="robust", debiased=True))
    effect = effect_of_completing(rows, by_team=by_team)
    beta, se = float(fit.params.iloc[-1]), float(fit.std_errors.iloc[-1])
    df = len(np.unique(teams)) - 1 if by_team else len(y) - 3
    assert effect.estimate == pytest.approx(beta, rel=1e-10)
    assert effect.ci_high - effect.estimate == pytest.approx(stats.t.ppf(0.975, df) * se)
    assert effect.p_value == pytest.approx(2 * stats.t.sf(abs(beta) / se, df))


def test_no_effect_of_completing_when_everyone_offered_completed():
    rows = [RolloutRow(r.person_id, r.team_id, r.first_wave, r.first_wave, r.pre, r.post)
            for r in _rows()]
    assert effect_of_completing(rows, by_team=False) is None


def test_a_weak_completion_gap_is_not_enough_data():
    effect = effect_of_completing(_rows(complete=0.1), by_team=False)
    assert effect.estimate is None and effect.note.startswith("not enough data")


def test_fewer_than_eight_teams_shows_no_interval():
    effect = itt_ancova(_rows(teams=MIN_CLUSTERS - 1), by_team=True)
    assert effect.estimate is not None
    assert (effect.ci_low, effect.ci_high, effect.p_value) == (None, None, None)
    assert not effect.trustworthy_interval
    assert "cannot be trusted" in effect.note


def test_too_few_people_in_a_group_is_not_enough_data():
    rows = _rows(n=160)
    few = [r for r in rows if not r.first_wave] + [r for r in rows if r.first_wave][:7]
    effect = itt_ancova(few, by_team=False)
    assert effect.estimate is None and effect.note.startswith("not enough data")


def test_q_values_are_benjamini_hochberg():
    p = [0.001, 0.04, 0.03, 0.5, 0.012, 0.2]
    expected = multipletests(p, method="fdr_bh")[1]
    assert q_values(p) == pytest.approx(list(expected))
    # Measures without a p-value stay out of the family.
    with_gaps = q_values([0.01, None, 0.04])
    assert with_gaps[1] is None
    assert with_gaps[0] == pytest.approx(multipletests([0.01, 0.04], method="fdr_bh")[1][0])
    assert q_values([]) == []


def test_the_summary_speaks_of_an_effect_only_below_q_005():
    assert speaks_of_effect(0.049)
    assert not speaks_of_effect(0.05)
    assert not speaks_of_effect(None)


def test_a_known_effect_is_covered_and_a_zero_effect_is_not_called_significant():
    world = randomised_world(seed=101, effect=1.0)
    effect = itt_ancova(world.rows, by_team=False)
    assert effect.ci_low <= world.true_itt <= effect.ci_high
    assert effect.p_value < 0.05
    complier = effect_of_completing(world.rows, by_team=False)
    assert complier.ci_low <= 1.0 <= complier.ci_high
    null = randomised_world(seed=102, effect=0.0)
    assert itt_ancova(null.rows, by_team=False).p_value > 0.05


def test_effect_json_has_the_fields_the_api_promises():
    effect = Effect("staggered", "callaway_santanna", 0.3, 0.1, 0.5, 0.01, 40, 60, 12,
                    PARALLEL_TRENDS, True)
    data = effect.as_json(q_value=0.03)
    assert {"design", "estimator", "estimate", "ci_low", "ci_high", "p_value", "q_value",
            "n_treated", "n_control", "clusters", "assumption"} <= set(data)
    assert data["q_value"] == 0.03
