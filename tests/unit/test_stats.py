"""The impact statistics against scipy.stats on fixed data."""

from __future__ import annotations

import math

import pytest

from lms.analytics import stats

scipy_stats = pytest.importorskip("scipy.stats")
scipy_special = pytest.importorskip("scipy.special")

# Training scores and a later measure for 12 people (ties on purpose), and a few more sets.
SCORES = [62.5, 71.0, 88.0, 93.5, 71.0, 55.0, 80.0, 97.0, 66.0, 84.5, 71.0, 90.0]
REVENUE = [21_400.0, 18_950.0, 33_010.5, 41_200.0, 25_600.0, 15_300.0, 30_100.0, 39_900.0,
           24_000.0, 27_500.0, 18_950.0, 35_750.0]
WIN_RATE = [0.31, 0.42, 0.29, 0.51, 0.33, 0.36, 0.40, 0.38, 0.27, 0.45, 0.35, 0.30]
SMALL_X = [1.0, 2.0, 3.0, 4.0, 5.0]
SMALL_Y = [2.0, 1.5, 3.5, 3.0, 5.5]
DATASETS = [(SCORES, REVENUE), (SCORES, WIN_RATE), (SMALL_X, SMALL_Y),
            (REVENUE, WIN_RATE), ([3, 1, 4, 1, 5, 9, 2, 6], [2, 7, 1, 8, 2, 8, 1, 8])]


@pytest.mark.parametrize(("x", "y"), DATASETS)
def test_pearson_matches_scipy(x, y):
    expected = scipy_stats.pearsonr(x, y)
    ci = expected.confidence_interval(0.95)
    got = stats.pearson(x, y)
    assert got is not None and got.n == len(x)
    assert got.r == pytest.approx(expected.statistic, abs=1e-12)
    assert got.p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-14)
    assert got.ci_low == pytest.approx(ci.low, abs=1e-10)
    assert got.ci_high == pytest.approx(ci.high, abs=1e-10)


@pytest.mark.parametrize(("x", "y"), DATASETS)
def test_spearman_matches_scipy(x, y):
    expected = scipy_stats.spearmanr(x, y)
    got = stats.spearman(x, y)
    assert got is not None and got.n == len(x)
    assert got.r == pytest.approx(expected.statistic, abs=1e-12)
    assert got.p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-14)
    # The interval: Fisher's z on the rank correlation, as pearsonr on the ranks gives it.
    ci = scipy_stats.pearsonr(scipy_stats.rankdata(x), scipy_stats.rankdata(y)) \
        .confidence_interval(0.95)
    assert got.ci_low == pytest.approx(ci.low, abs=1e-10)
    assert got.ci_high == pytest.approx(ci.high, abs=1e-10)


def test_ranks_share_ties_like_scipy():
    values = [71.0, 62.5, 71.0, 88.0, 71.0, 62.5]
    assert stats.rankdata(values) == list(scipy_stats.rankdata(values))


@pytest.mark.parametrize(("x", "y"), DATASETS)
def test_linear_fit_matches_linregress(x, y):
    expected = scipy_stats.linregress(x, y)
    got = stats.linear_fit(x, y)
    assert got is not None
    assert got.slope == pytest.approx(expected.slope, rel=1e-10)
    assert got.intercept == pytest.approx(expected.intercept, rel=1e-10, abs=1e-9)


@pytest.mark.parametrize("df", [1, 2, 3.5, 7, 11.2, 30, 120])
@pytest.mark.parametrize("t", [-6.0, -2.1, -0.3, 0.0, 0.7, 1.96, 4.5])
def test_t_distribution_matches_scipy(t, df):
    assert stats.t_cdf(t, df) == pytest.approx(scipy_stats.t.cdf(t, df), abs=1e-12)
    assert stats.t_sf_two_sided(t, df) == pytest.approx(2 * scipy_stats.t.sf(abs(t), df),
                                                        rel=1e-10, abs=1e-15)


@pytest.mark.parametrize("df", [1, 2, 4.3, 9, 25.7, 200])
@pytest.mark.parametrize("p", [0.025, 0.3, 0.5, 0.975, 0.999])
def test_t_quantile_matches_scipy(p, df):
    assert stats.t_ppf(p, df) == pytest.approx(scipy_stats.t.ppf(p, df), rel=1e-9, abs=1e-12)


GROUPS = [
    ([0.42, 0.51, 0.38, 0.47, 0.55, 0.44, 0.49], [0.33, 0.36, 0.41, 0.29, 0.35]),
    ([21_400.0, 33_010.5, 41_200.0, 30_100.0], [18_950.0, 15_300.0, 24_000.0, 18_950.0, 27_500.0]),
    ([1.0, 2.0], [1.5, 2.5, 3.5]),
]


@pytest.mark.parametrize(("a", "b"), GROUPS)
def test_mean_difference_matches_welch(a, b):
    expected = scipy_stats.ttest_ind(a, b, equal_var=False)
    ci = expected.confidence_interval(0.95)
    got = stats.mean_difference(a, b)
    assert got is not None and (got.n_a, got.n_b) == (len(a), len(b))
    assert got.difference == pytest.approx(sum(a) / len(a) - sum(b) / len(b), rel=1e-12)
    assert got.p_value == pytest.approx(expected.pvalue, rel=1e-8)
    assert got.df == pytest.approx(expected.df, rel=1e-10)
    assert got.ci_low == pytest.approx(ci.low, rel=1e-8)
    assert got.ci_high == pytest.approx(ci.high, rel=1e-8)


def test_difference_in_differences_is_welch_on_the_changes():
    trained_before = [0.30, 0.28, 0.35, 0.31, 0.27, 0.33, 0.29, 0.32]
    trained_after = [0.41, 0.36, 0.44, 0.35, 0.30, 0.45, 0.37, 0.40]
    other_before = [0.31, 0.30, 0.26, 0.34, 0.29, 0.33]
    other_after = [0.33, 0.29, 0.30, 0.33, 0.31, 0.35]
    got = stats.difference_in_differences(trained_before, trained_after, other_before,
                                          other_after)
    changes_t = [a - b for a, b in zip(trained_after, trained_before, strict=True)]
    changes_u = [a - b for a, b in zip(other_after, other_before, strict=True)]
    expected = scipy_stats.ttest_ind(changes_t, changes_u, equal_var=False)
    ci = expected.confidence_interval(0.95)
    assert got is not None and (got.n_trained, got.n_untrained) == (8, 6)
    assert got.change_trained == pytest.approx(sum(changes_t) / 8)
    assert got.change_untrained == pytest.approx(sum(changes_u) / 6)
    assert got.estimate == pytest.approx(got.change_trained - got.change_untrained)
    assert got.p_value == pytest.approx(expected.pvalue, rel=1e-8)
    assert (got.ci_low, got.ci_high) == (pytest.approx(ci.low, rel=1e-8),
                                         pytest.approx(ci.high, rel=1e-8))


# --- the edges: no number rather than a wrong one ----------------------------------------------

def test_too_few_or_flat_values_give_no_result():
    assert stats.pearson([1, 2], [3, 4]) is None
    assert stats.spearman([1, 2], [3, 4]) is None
    assert stats.pearson([1, 1, 1], [1, 2, 3]) is None
    assert stats.pearson([1, 2, 3], [5, 5, 5]) is None
    assert stats.linear_fit([2, 2, 2], [1, 2, 3]) is None
    assert stats.linear_fit([1], [1]) is None
    assert stats.mean_difference([1.0], [1.0, 2.0]) is None
    assert stats.difference_in_differences([1], [2], [1, 2], [2, 3]) is None
    with pytest.raises(ValueError):
        stats.pearson([1, 2, 3], [1, 2])


def test_three_pairs_have_a_p_value_but_no_interval():
    got = stats.pearson([1, 2, 3], [1, 3, 2])
    assert got is not None and got.ci_low is None and got.ci_high is None
    assert got.p_value == pytest.approx(scipy_stats.pearsonr([1, 2, 3], [1, 3, 2]).pvalue)


def test_a_perfect_line():
    got = stats.pearson([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])
    assert got is not None and got.r == 1.0 and got.p_value == 0.0
    assert got.ci_low == got.ci_high == 1.0


def test_groups_without_spread_have_a_difference_but_no_interval():
    got = stats.mean_difference([2.0, 2.0, 2.0], [1.0, 1.0])
    assert got is not None and got.difference == 1.0
    assert got.ci_low is None and got.p_value is None


def test_incomplete_beta_edges():
    assert stats.betainc(2, 3, 0) == 0.0 and stats.betainc(2, 3, 1) == 1.0
    assert stats.betainc(2.5, 0.5, 0.3) == pytest.approx(scipy_special.betainc(2.5, 0.5, 0.3),
                                                         rel=1e-12)
    assert stats.t_sf_two_sided(math.inf, 5) == 0.0
    with pytest.raises(ValueError):
        stats.t_ppf(1.0, 3)
