"""Difference in differences for rollouts where people train at different times.

Group-time average effects in the manner of Callaway and Sant'Anna (2021), with people not yet
trained as the comparison group; never a two-way fixed-effects regression, which would use
already-trained people as controls and can get even the sign wrong when the effect grows.

Time runs in calendar periods of ``PERIOD_DAYS`` days from a fixed origin. A person's cohort g
is the period in which they trained; period g − 1, the last wholly before training, is the base.

* ATT(g, t) = mean over cohort g of [(Y_t − Y_{g−1}) − m_b],
  m_b = mean over the people not yet trained in t or g (cohort > max(g, t), or never trained
        in the data) in the trained person's tenure band b of (Y_t − Y_{g−1}),
  each mean over the people with a value in both periods (parallel trends conditional on
  tenure: the comparison in the manner of Callaway and Sant'Anna with a discrete covariate).
  Without hire dates everyone shares one band and m_b is the plain mean. A band with fewer
  than ``MIN_PER_BUCKET`` comparison people drops its trained people; a cell with fewer than
  ``MIN_TRAINED`` trained or ``MIN_NOT_YET_TRAINED`` comparison people is not estimated.
* The effect per cohort: the mean of its ATT(g, t) over the periods 0..H−1 after training
  (H = ``HORIZON_PERIODS``, 180 days); the overall effect: the cohorts' effects averaged with
  weights proportional to cohort size.
* The event study: for each offset e from −6 to +6 periods, the cohort-size-weighted mean of
  ATT(g, g + e); e = −1 is the base and 0 by construction. Before training these should be
  near 0 if the trends were parallel.
* Variance from the influence functions: each estimate minus its truth is, to first order,
  a sum Σ_i ψ_i over people (for a trained person ψ_i = (ΔY_i − m_b − ATT)/n_t; for a
  comparison person of band b, ψ_j = −(n_tb/n_t)(ΔY_j − m_b)/n_cb; estimated cohort weights
  add (θ_g − θ)/n_K). Summed per team,
  V = G/(G−1) Σ_teams (Σ_{i∈team} ψ_i)², and the interval uses t on G − 1 degrees of freedom;
  by person (``by_team`` False), V = n/(n−1) Σ_i ψ_i² and the normal distribution.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import stats

from lms.analytics.causal import (
    CONFIDENCE,
    MIN_CLUSTERS,
    PARALLEL_TRENDS,
    Effect,
)
from lms.i18n import _l

PERIOD_DAYS = 30
#: The event study runs from −EVENT_PERIODS to +EVENT_PERIODS periods (−180 to +180 days).
EVENT_PERIODS = 6
#: Periods after training averaged into the overall effect (0..5: the first 180 days).
HORIZON_PERIODS = 6
#: A group-time cell needs at least this many trained people with both values ...
MIN_TRAINED = 3
#: ... and this many not-yet-trained people with both values (as IMPACT_MIN_N).
MIN_NOT_YET_TRAINED = 8
#: Tenure in the base period, in whole periods since the hire period: a trained person is
#: compared only with not-yet-trained people of the same band, because a new salesperson's
#: results climb for months whether or not they train (bands: 0, 1, 2, 3-5, 6-11, 12+).
TENURE_BUCKETS = (1, 2, 3, 6, 12)
#: A tenure band is used when it holds at least this many not-yet-trained people.
MIN_PER_BUCKET = 2


@dataclass(frozen=True)
class PanelPerson:
    """One person's measure per period, and the period they trained in (None: not yet)."""

    person_id: int
    team_id: int | None
    trained_period: int | None
    values: Mapping[int, float]  # period -> value; periods without a value are left out
    #: the period the person was hired in (None: unknown); see TENURE_BUCKETS
    hired_period: int | None = None


@dataclass(frozen=True)
class EventPoint:
    """The estimate for one 30-day period around training (offset_days = e × 30)."""

    offset_days: int
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n_treated: int
    n_control: int


@dataclass(frozen=True)
class CohortEffect:
    """One training month's effect: the mean of its ATT(g, t) over ``periods``."""

    estimate: float
    size: int  # people who trained in that period: the cohort's weight
    periods: tuple[int, ...]  # the periods t after training that could be estimated


@dataclass(frozen=True)
class DidResult:
    effect: Effect
    cohorts: dict[int, CohortEffect]  # by training period g
    event_study: tuple[EventPoint, ...]


def period_of(day: date, origin: date) -> int:
    """The calendar period a day falls in, counted in PERIOD_DAYS from ``origin``."""
    return (day - origin).days // PERIOD_DAYS


@dataclass
class _Cell:
    att: float
    psi: np.ndarray  # influence function over all people (sum scale)
    treated: np.ndarray  # bool masks of who took part
    controls: np.ndarray


class _Panel:
    """The people as arrays: values[i, t - first], cohort (inf = not trained), team codes."""

    def __init__(self, people: Sequence[PanelPerson]):
        periods = [t for p in people for t in p.values]
        self.first = min(periods) if periods else 0
        last = max(periods) if periods else -1
        self.values = np.full((len(people), last - self.first + 1), np.nan)
        for i, person in enumerate(people):
            for t, v in person.values.items():
                self.values[i, t - self.first] = v
        self.cohort = np.array([np.inf if p.trained_period is None else p.trained_period
                                for p in people], dtype=float)
        _, self.teams = np.unique([-1 if p.team_id is None else p.team_id for p in people],
                                  return_inverse=True)
        self.hired = np.array([np.nan if p.hired_period is None else p.hired_period
                               for p in people], dtype=float)

    def tenure_bands(self, base: int) -> np.ndarray:
        """Each person's tenure band in period ``base`` (-1: hire date unknown)."""
        months = base - self.hired
        bands = np.searchsorted(TENURE_BUCKETS, months, side="right")
        return np.where(np.isnan(months), -1, bands)

    def column(self, t: int) -> np.ndarray | None:
        j = t - self.first
        return self.values[:, j] if 0 <= j < self.values.shape[1] else None

    def cell(self, g: int, t: int) -> _Cell | None:
        """ATT(g, t) with not-yet-trained controls of the same tenure band, or None when it
        cannot be estimated. Trained people of a band without controls are left out."""
        now, base = self.column(t), self.column(g - 1)
        if now is None or base is None or t == g - 1:
            return None
        change = now - base
        seen = ~np.isnan(change)
        treated = seen & (self.cohort == g)
        controls = seen & (self.cohort > max(g, t))
        bands = self.tenure_bands(g - 1)
        # The controls' mean change in each trained person's band (NaN: too few there).
        expected = np.full(len(change), np.nan)
        used_controls = np.zeros(len(change), dtype=bool)
        for band in np.unique(bands[treated]):
            mine = controls & (bands == band)
            if mine.sum() >= MIN_PER_BUCKET:
                expected[treated & (bands == band)] = change[mine].mean()
                used_controls |= mine
        treated &= ~np.isnan(expected)
        n_t, n_c = int(treated.sum()), int(used_controls.sum())
        if n_t < MIN_TRAINED or n_c < MIN_NOT_YET_TRAINED:
            return None
        gap = change[treated] - expected[treated]
        att = float(gap.mean())
        psi = np.zeros(len(change))
        psi[treated] = (gap - att) / n_t
        for band in np.unique(bands[treated]):
            mine = used_controls & (bands == band)
            share = (treated & (bands == band)).sum() / n_t
            psi[mine] = -share * (change[mine] - change[mine].mean()) / mine.sum()
        return _Cell(att, psi, treated, used_controls)


def _aggregate(cells: dict[int, _Cell], sizes: dict[int, int], n: int
               ) -> tuple[float, np.ndarray] | None:
    """Σ_g w_g θ_g with w_g ∝ cohort size, and its influence function (weights included)."""
    if not cells:
        return None
    total = sum(sizes[g] for g in cells)
    theta = float(sum(sizes[g] / total * c.att for g, c in cells.items()))
    psi = np.zeros(n)
    for g, c in cells.items():
        psi += sizes[g] / total * c.psi
    return theta, psi


def _interval(theta: float, psi: np.ndarray, teams: np.ndarray | None, used: np.ndarray):
    """(low, high, p) from the influence function, by team or by person."""
    if teams is None:
        n = int(used.sum())
        var = n / (n - 1) * float(psi @ psi)
        dist = stats.norm
    else:
        sums = np.bincount(teams[used], weights=psi[used])
        g = len(np.unique(teams[used]))
        var = g / (g - 1) * float(sums @ sums)
        dist = stats.t(g - 1)
    se = var ** 0.5
    if se == 0:
        return None, None, None
    half = dist.ppf(0.5 + CONFIDENCE / 2) * se
    return float(theta - half), float(theta + half), float(2 * dist.sf(abs(theta) / se))


def _mean_cell(cells: list[_Cell]) -> _Cell:
    """The plain mean of a cohort's cells over the horizon (one cohort: no weights)."""
    k = len(cells)
    return _Cell(sum(c.att for c in cells) / k, sum(c.psi for c in cells) / k,
                 np.logical_or.reduce([c.treated for c in cells]),
                 np.logical_or.reduce([c.controls for c in cells]))


def _with_weight_term(theta: float, psi: np.ndarray, cells: dict[int, _Cell],
                      cohort: np.ndarray) -> np.ndarray:
    """Add the estimated cohort weights' part: (θ_g − θ)/n_K for each person of cohort g."""
    included = np.isin(cohort, list(cells))
    n_k = included.sum()
    extra = np.zeros(len(psi))
    for g, c in cells.items():
        extra[cohort == g] = (c.att - theta) / n_k
    return psi + extra


@dataclass
class _Estimate:
    theta: float
    low: float | None
    high: float | None
    p: float | None
    n_treated: int
    n_control: int
    clusters: int


def _estimate(cells: dict[int, _Cell], panel: _Panel, sizes: dict[int, int],
              by_team: bool) -> _Estimate | None:
    """The cohort-size-weighted mean of ``cells`` with its interval (None if no cells)."""
    agg = _aggregate(cells, sizes, len(panel.cohort))
    if agg is None:
        return None
    theta, psi = agg
    psi = _with_weight_term(theta, psi, cells, panel.cohort)
    treated = np.logical_or.reduce([c.treated for c in cells.values()])
    controls = np.logical_or.reduce([c.controls for c in cells.values()])
    used = treated | controls | np.isin(panel.cohort, list(cells))
    clusters = len(np.unique(panel.teams[used]))
    low, high, p = _interval(theta, psi, panel.teams if by_team else None, used)
    if by_team and clusters < MIN_CLUSTERS:
        low = high = p = None
    return _Estimate(theta, low, high, p, int(treated.sum()), int(controls.sum()), clusters)


def staggered_effect(people: Sequence[PanelPerson], *, design: str, by_team: bool = True,
                     horizon: int = HORIZON_PERIODS) -> DidResult:
    """The overall effect, the effect per cohort and the event study for one measure.

    ``by_team``: intervals cluster-robust by team (people in one team share a manager and a
    market, so their results move together); with fewer than MIN_CLUSTERS teams no interval
    is shown.
    """
    panel = _Panel(people)
    cohorts = sorted({int(g) for g in panel.cohort if np.isfinite(g)})
    sizes = {g: int((panel.cohort == g).sum()) for g in cohorts}

    events = []
    for e in range(-EVENT_PERIODS, EVENT_PERIODS + 1):
        if e == -1:  # the base period: 0 by construction
            events.append(EventPoint(-PERIOD_DAYS, 0.0, None, None, 0, 0))
            continue
        cells = {g: c for g in cohorts if (c := panel.cell(g, g + e))}
        est = _estimate(cells, panel, sizes, by_team)
        events.append(EventPoint(e * PERIOD_DAYS, None, None, None, 0, 0) if est is None else
                      EventPoint(e * PERIOD_DAYS, est.theta, est.low, est.high,
                                 est.n_treated, est.n_control))

    per_cohort: dict[int, _Cell] = {}
    cohort_effects: dict[int, CohortEffect] = {}
    for g in cohorts:
        cells = {g + e: c for e in range(horizon) if (c := panel.cell(g, g + e))}
        if cells:
            per_cohort[g] = _mean_cell(list(cells.values()))
            cohort_effects[g] = CohortEffect(per_cohort[g].att, sizes[g], tuple(cells))

    est = _estimate(per_cohort, panel, sizes, by_team)
    if est is None:
        effect = Effect(design, "callaway_santanna", None, None, None, None,
                        int(np.isfinite(panel.cohort).sum()),
                        int((~np.isfinite(panel.cohort)).sum()),
                        len(np.unique(panel.teams)) if by_team else None, PARALLEL_TRENDS,
                        False, _l("not enough data: fewer than %(min)d not-yet-trained people "
                                  "in the same months", min=MIN_NOT_YET_TRAINED))
        return DidResult(effect, cohort_effects, tuple(events))

    note = ""
    if by_team and est.clusters < MIN_CLUSTERS:
        note = _l("%(teams)d teams: fewer than %(min)d, so the interval cannot be trusted "
                  "and is not shown", teams=est.clusters, min=MIN_CLUSTERS)
    elif skipped := [g for g in cohorts if g not in per_cohort]:
        note = _l("%(skipped)d of %(months)d training months left out: fewer than %(min)d "
                  "not-yet-trained people in the same months", skipped=len(skipped),
                  months=len(cohorts), min=MIN_NOT_YET_TRAINED)
    effect = Effect(design, "callaway_santanna", est.theta, est.low, est.high, est.p,
                    est.n_treated, est.n_control, est.clusters if by_team else None,
                    PARALLEL_TRENDS, est.low is not None, note)
    return DidResult(effect, cohort_effects, tuple(events))
