"""The score correlation with the value before held constant, q-values over a table of
figures, and the event-study chart: checked against statsmodels and by what a reader sees."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.stats.multitest import multipletests

from lms.analytics.causal_did import EventPoint
from lms.analytics.event_chart import event_study_svg
from lms.analytics.impact_rules import Figure, q_table
from lms.analytics.stats import Correlation, partial_pearson


def _data(n: int, seed: int) -> tuple[list[float], list[float], list[float]]:
    rng = random.Random(seed)
    before = [rng.gauss(0.5, 0.1) for _ in range(n)]
    score = [60 + 80 * b + rng.gauss(0, 8) for b in before]  # the able score higher ...
    after = [0.7 * b + 0.002 * s + rng.gauss(0, 0.05) for b, s in zip(before, score,
                                                                      strict=True)]
    return score, after, before


@pytest.mark.parametrize(("n", "seed"), [(12, 1), (40, 2), (200, 3)])
def test_partial_correlation_matches_the_regression_on_both(n, seed):
    x, y, z = _data(n, seed)
    got = partial_pearson(x, y, z)
    fit = sm.OLS(np.array(y), sm.add_constant(np.column_stack([x, z]))).fit()
    # r² = t² / (t² + df): the partial correlation and the coefficient's t-test agree.
    t, df = fit.tvalues[1], fit.df_resid
    assert got.r == pytest.approx(math.copysign(math.sqrt(t * t / (t * t + df)), t), abs=1e-9)
    assert got.p_value == pytest.approx(fit.pvalues[1], rel=1e-6)
    assert got.n == n
    z_half = 1.959963984540054 / math.sqrt(n - 4)
    assert got.ci_low == pytest.approx(math.tanh(math.atanh(got.r) - z_half))


def test_holding_the_value_before_constant_removes_a_correlation_it_carried():
    rng = random.Random(7)
    before = [rng.gauss(0.5, 0.1) for _ in range(300)]
    score = [60 + 200 * b + rng.gauss(0, 5) for b in before]
    after = [b + rng.gauss(0, 0.02) for b in before]  # the score itself changes nothing
    plain = np.corrcoef(score, after)[0, 1]
    adjusted = partial_pearson(score, after, before)
    assert plain > 0.8 and abs(adjusted.r) < 0.15 and adjusted.p_value > 0.01


def test_partial_correlation_needs_five_people_and_spread():
    assert partial_pearson([1, 2, 3, 4], [1, 2, 3, 5], [0, 1, 0, 1]) is None
    assert partial_pearson([1, 2, 3, 4, 5], [1, 2, 3, 5, 4], [1, 1, 1, 1, 1]) is None


def _fig(p: float | None, enough: bool = True) -> Figure:
    corr = None if p is None else Correlation(0.3, 30, 0.1, 0.5, p)
    return Figure("win_rate", 30, enough, corr, corr, None, corr)


def test_q_values_of_a_table_are_benjamini_hochberg_per_column():
    ps = {"a": 0.001, "b": 0.02, "c": 0.04, "d": None, "e": 0.5}
    figures = {k: _fig(p) for k, p in ps.items()}
    figures["f"] = _fig(0.0001, enough=False)  # not shown: not tested
    got = q_table(figures)
    _, expected, _, _ = multipletests([0.001, 0.02, 0.04, 0.5], method="fdr_bh")
    assert [got[k]["pearson"] for k in "abce"] == pytest.approx(list(expected))
    assert got["d"]["pearson"] is None and got["f"]["adjusted"] is None
    assert got["c"]["spearman"] == got["c"]["pearson"] > ps["c"]


def test_the_event_study_chart_marks_training_and_the_base():
    points = [EventPoint(e * 30, None if e == -6 else (0.0 if e == -1 else 0.01 * max(e, 0)),
                         None if e in (-6, -1) else -0.02 + 0.01 * max(e, 0),
                         None if e in (-6, -1) else 0.02 + 0.01 * max(e, 0), 20, 40)
              for e in range(-6, 7)]
    svg = str(event_study_svg(chart_id="es", title="Win rate per month", desc="Dots.",
                              points=points, y_format=lambda v: f"{v * 100:+.1f} pts"))
    assert svg.startswith("<svg") and 'aria-labelledby="es-title es-desc"' in svg
    assert svg.count("<circle") == 12  # -180 has no estimate
    assert "-30 days: the base period, 0 by construction" in svg and ">training<" in svg
    assert "+60 days: +2.0 pts (95 % interval +0.0 pts to +4.0 pts)" in svg
    assert event_study_svg(chart_id="x", title="t", desc="d",
                           points=[EventPoint(-30, 0.0, None, None, 0, 0)]) is None
