"""The statistics of the impact analysis, as pure functions of plain lists of numbers.

No scipy at run time: the t distribution comes from the regularised incomplete beta function
(a continued fraction, as in Numerical Recipes §6.4), which is accurate to about 1e-12 here.
tests/unit/test_stats.py compares every function with scipy.stats on fixed data.

* ``pearson`` and ``spearman``: the coefficient, n, a 95 % confidence interval from Fisher's z
  (z = atanh r, standard error 1/sqrt(n - 3); for Spearman's ρ the same transform on the rank
  correlation, as scipy's ``pearsonr(rankdata(x), rankdata(y)).confidence_interval()``), and the
  two-sided p-value of t = r·sqrt((n - 2)/(1 - r²)) on n - 2 degrees of freedom. Ties get
  average ranks. Needs n >= 4 for the interval and at least two distinct values on each side.
* ``partial_pearson``: Pearson's r of x and y with a third variable held constant (the
  training score against a measure after training, with the measure before held constant).
* ``linear_fit``: least squares y = intercept + slope·x (scipy.stats.linregress).
* ``mean_difference``: mean(a) - mean(b) with Welch's t interval and p-value (unequal
  variances; scipy.stats.ttest_ind(a, b, equal_var=False)).
* ``difference_in_differences``: the mean change of the trained minus the mean change of the
  not-yet-trained over the same calendar period, with Welch's interval on the two sets of
  changes.

Every function returns None instead of a number it cannot honestly compute (too few values, no
spread); the callers decide separately whether n is large enough to show.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

CONFIDENCE = 0.95
_Z = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)


# --- the t distribution ---------------------------------------------------------------------

def _beta_cf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_cf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_cf(b, a, 1.0 - x) / b


def t_sf_two_sided(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with ``df`` degrees of freedom."""
    if math.isinf(t):
        return 0.0
    return betainc(df / 2.0, 0.5, df / (df + t * t))


def t_cdf(t: float, df: float) -> float:
    tail = t_sf_two_sided(t, df) / 2.0
    return 1.0 - tail if t >= 0 else tail


def t_ppf(p: float, df: float) -> float:
    """The quantile of Student's t (bisection on the CDF; p strictly between 0 and 1)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be between 0 and 1")
    if p == 0.5:
        return 0.0
    low, high = -1.0, 1.0
    while t_cdf(low, df) > p:
        low *= 2.0
    while t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-12 * max(1.0, abs(mid)):
            break
    return (low + high) / 2.0


# --- correlation ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Correlation:
    r: float
    n: int
    ci_low: float | None
    ci_high: float | None
    p_value: float


def _check_pairs(x: Sequence[float], y: Sequence[float]) -> None:
    if len(x) != len(y):
        raise ValueError("x and y must have the same length")


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _pearson_r(x: Sequence[float], y: Sequence[float]) -> float | None:
    mx, my = _mean(x), _mean(y)
    dx = [v - mx for v in x]
    dy = [v - my for v in y]
    # map(mul, ...) keeps the loops in C: these sums run over every person, several times.
    sxx = math.fsum(map(operator.mul, dx, dx))
    syy = math.fsum(map(operator.mul, dy, dy))
    if sxx <= 0.0 or syy <= 0.0:
        return None
    r = math.fsum(map(operator.mul, dx, dy)) / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


def _correlation(r: float, n: int, controls: int = 0) -> Correlation:
    """Interval and p-value of r on n pairs; each variable held constant (``controls``) takes
    one more degree of freedom."""
    df = n - 2 - controls
    t = math.inf if abs(r) >= 1.0 else r * math.sqrt(df / (1.0 - r * r))
    p_value = t_sf_two_sided(t, df)
    ci_low = ci_high = None
    if n > 3 + controls:
        if abs(r) >= 1.0:
            ci_low = ci_high = r
        else:
            z, se = math.atanh(r), 1.0 / math.sqrt(n - 3 - controls)
            ci_low, ci_high = math.tanh(z - _Z * se), math.tanh(z + _Z * se)
    return Correlation(r=r, n=n, ci_low=ci_low, ci_high=ci_high, p_value=min(p_value, 1.0))


def pearson(x: Sequence[float], y: Sequence[float]) -> Correlation | None:
    """Pearson's r; None with fewer than 3 pairs or no spread in x or y."""
    _check_pairs(x, y)
    if len(x) < 3:
        return None
    r = _pearson_r(x, y)
    return None if r is None else _correlation(r, len(x))


def rankdata(values: Sequence[float]) -> list[float]:
    """Ranks 1..n, ties sharing the average of their ranks (scipy's ``method="average"``)."""
    n = len(values)
    order = sorted(range(n), key=values.__getitem__)
    ordered = [values[i] for i in order]
    ranks = [0.0] * n
    i = 0
    while i < n:
        j, value = i + 1, ordered[i]
        while j < n and ordered[j] == value:
            j += 1
        shared = (i + j + 1) / 2.0  # the mean of ranks i+1 .. j
        for k in order[i:j]:
            ranks[k] = shared
        i = j
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> Correlation | None:
    """Spearman's ρ: Pearson's r on the ranks."""
    _check_pairs(x, y)
    if len(x) < 3:
        return None
    r = _pearson_r(rankdata(x), rankdata(y))
    return None if r is None else _correlation(r, len(x))


def _residuals(y: Sequence[float], z: Sequence[float]) -> list[float] | None:
    """y minus its least-squares line on z; None when z has no spread."""
    fit = linear_fit(z, y)
    if fit is None:
        return None
    return [v - fit.intercept - fit.slope * w for v, w in zip(y, z, strict=True)]


def partial_pearson(x: Sequence[float], y: Sequence[float],
                    z: Sequence[float]) -> Correlation | None:
    """Pearson's r of x and y with z held constant: the correlation of what is left of each
    after its least-squares line on z; t on n - 3 degrees of freedom, Fisher's z with standard
    error 1/sqrt(n - 4). Its p-value is that of x's coefficient in the regression of y on x
    and z. None with fewer than 5 triples or no spread."""
    _check_pairs(x, y)
    _check_pairs(x, z)
    if len(x) < 5:
        return None
    rx, ry = _residuals(x, z), _residuals(y, z)
    if rx is None or ry is None:
        return None
    r = _pearson_r(rx, ry)
    return None if r is None else _correlation(r, len(x), controls=1)


# --- the line through the scatter -----------------------------------------------------------

@dataclass(frozen=True)
class LinearFit:
    slope: float
    intercept: float


def linear_fit(x: Sequence[float], y: Sequence[float]) -> LinearFit | None:
    """Least-squares line; None with fewer than 2 points or all x equal."""
    _check_pairs(x, y)
    if len(x) < 2:
        return None
    mx, my = _mean(x), _mean(y)
    dx = [v - mx for v in x]
    sxx = math.fsum(map(operator.mul, dx, dx))
    if sxx <= 0.0:
        return None
    sxy = math.fsum(map(operator.mul, dx, [v - my for v in y]))
    slope = sxy / sxx
    return LinearFit(slope=slope, intercept=my - slope * mx)


# --- comparing groups -----------------------------------------------------------------------

@dataclass(frozen=True)
class MeanDifference:
    """mean_a - mean_b with Welch's 95 % interval."""

    difference: float
    mean_a: float
    mean_b: float
    n_a: int
    n_b: int
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    df: float | None


def _variance(values: Sequence[float], mean: float) -> float:
    return math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1)


def mean_difference(a: Sequence[float], b: Sequence[float]) -> MeanDifference | None:
    """Welch's comparison; None unless each group has at least 2 values. The interval and
    p-value are None when both groups have no spread at all."""
    if len(a) < 2 or len(b) < 2:
        return None
    ma, mb = _mean(a), _mean(b)
    va, vb = _variance(a, ma) / len(a), _variance(b, mb) / len(b)
    diff = ma - mb
    se2 = va + vb
    if se2 <= 0.0:
        return MeanDifference(diff, ma, mb, len(a), len(b), None, None, None, None)
    df = se2 * se2 / (va * va / (len(a) - 1) + vb * vb / (len(b) - 1))
    se = math.sqrt(se2)
    half = t_ppf(0.5 + CONFIDENCE / 2, df) * se
    p_value = t_sf_two_sided(diff / se, df)
    return MeanDifference(diff, ma, mb, len(a), len(b), diff - half, diff + half,
                          min(p_value, 1.0), df)


@dataclass(frozen=True)
class DiffInDiff:
    """(after - before) of the trained minus the same for the not-yet-trained."""

    estimate: float
    change_trained: float
    change_untrained: float
    n_trained: int
    n_untrained: int
    ci_low: float | None
    ci_high: float | None
    p_value: float | None


def difference_in_differences(trained_before: Sequence[float], trained_after: Sequence[float],
                              untrained_before: Sequence[float],
                              untrained_after: Sequence[float]) -> DiffInDiff | None:
    """Each person contributes their own before and after value (paired by position)."""
    _check_pairs(trained_before, trained_after)
    _check_pairs(untrained_before, untrained_after)
    trained = [a - b for b, a in zip(trained_before, trained_after, strict=True)]
    untrained = [a - b for b, a in zip(untrained_before, untrained_after, strict=True)]
    diff = mean_difference(trained, untrained)
    if diff is None:
        return None
    return DiffInDiff(estimate=diff.difference, change_trained=diff.mean_a,
                      change_untrained=diff.mean_b, n_trained=diff.n_a, n_untrained=diff.n_b,
                      ci_low=diff.ci_low, ci_high=diff.ci_high, p_value=diff.p_value)
