"""Effects of training that tell cause from coincidence: the randomised rollout, and q-values.

Pure functions of plain numbers; docs/impact.md writes the formulas down. The difference in
differences for staggered and self-paced rollouts is in ``causal_did``.

* ``itt_ancova``: first wave against waitlist over the same calendar window (intention to
  treat), by least squares of the value after on the group and the value before (ANCOVA),
  with statsmodels' OLS. Standard errors: HC2 (statsmodels; unbiased when the variance is
  the same in both groups), or when whole teams were assigned, cluster-robust by team in
  its bias-reduced form CR2 (``cr2_covariance``, checked against statsmodels' HC2 with one
  person per team), with the t distribution on G - 1 degrees of freedom.
* ``effect_of_completing``: when some of the first wave did not complete (or some of the
  waitlist did), the intention-to-treat effect divided by the difference in completion (the
  Wald ratio), computed as two-stage least squares with the group as the instrument and the
  same covariates, with a sandwich variance (cluster-robust by team or HC1). Hand-written in
  numpy because statsmodels has IV only in its sandbox; tests/unit/test_causal.py checks it
  against the ratio of statsmodels' regressions and against linearmodels' IV2SLS.
* ``q_values``: Benjamini–Hochberg adjusted p-values (statsmodels' ``multipletests``).

An interval resting on fewer than ``MIN_CLUSTERS`` teams is not shown: the estimate is, with
``trustworthy_interval`` False and a note saying so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import statsmodels.api as sm
from flask import has_app_context
from scipy import stats
from statsmodels.stats.multitest import multipletests

from lms.i18n import _l, format_percent

CONFIDENCE = 0.95
#: Fewer people than this in either group: "not enough data" (as IMPACT_MIN_N).
MIN_PER_GROUP = 8
#: Fewer teams than this and a cluster-robust interval is too narrow to be trusted.
MIN_CLUSTERS = 8
#: Below this difference in completion between the groups, the effect of completing is a
#: ratio over almost nothing (a weak instrument) and is not estimated.
MIN_COMPLETION_GAP = 0.2
#: The summary speaks of an effect only where the q-value is below this.
Q_THRESHOLD = 0.05

class _Percent:
    """A share written as a percentage when the (lazy) note it is in is read."""

    def __init__(self, share: float) -> None:
        self.share = share

    def __str__(self) -> str:
        if has_app_context():
            return format_percent(self.share, fraction=True)
        return f"{self.share:.0%}"


# Lazy strings (the estimates are cached and read in each viewer's language).
RANDOMISED = _l("randomised: a causal estimate")
PARALLEL_TRENDS = _l("an estimate that holds if, without training, trained and untrained "
                     "people's results would have moved alike")
NOT_ENOUGH_DATA = _l("not enough data")


@dataclass(frozen=True)
class Effect:
    """One estimated effect of training on one measure, with what it rests on."""

    design: str  # randomised, staggered, self_paced, everyone_now
    estimator: str  # ancova_itt, effect_of_completing, callaway_santanna
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    n_treated: int
    n_control: int
    clusters: int | None  # teams behind a cluster-robust interval; None when by person
    assumption: str
    trustworthy_interval: bool
    note: str = ""

    def as_json(self, q_value: float | None = None) -> dict:
        """The API's ``effect`` object, q-value included (it depends on the whole table)."""
        data = asdict(self)
        data["assumption"], data["note"] = str(self.assumption), str(self.note)
        data["q_value"] = q_value
        return data


@dataclass(frozen=True)
class RolloutRow:
    """One person in a randomised rollout, with the measure before and after."""

    person_id: int
    team_id: int | None
    first_wave: bool
    completed: bool
    pre: float | None  # the measure in the window before the rollout; None if no value
    post: float  # the measure in the same window after the rollout started


def q_values(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini–Hochberg q-values beside the p-values; None stays None (not tested)."""
    present = [i for i, p in enumerate(p_values) if p is not None]
    out: list[float | None] = [None] * len(p_values)
    if present:
        _, adjusted, _, _ = multipletests([p_values[i] for i in present], method="fdr_bh")
        for i, q in zip(present, adjusted, strict=True):
            out[i] = float(q)
    return out


def speaks_of_effect(q_value: float | None) -> bool:
    """Whether the summary may call this an effect (q < 0.05)."""
    return q_value is not None and q_value < Q_THRESHOLD


# --- the randomised rollout -----------------------------------------------------------------

@dataclass(frozen=True)
class _Design:
    y: np.ndarray
    assigned: np.ndarray
    completed: np.ndarray
    covariates: np.ndarray  # n × k: the centred value before, and a missing-value indicator
    teams: np.ndarray  # integer codes


def _design(rows: Sequence[RolloutRow]) -> _Design:
    pre = np.array([np.nan if r.pre is None else r.pre for r in rows], dtype=float)
    missing = np.isnan(pre)
    columns = []
    if (~missing).sum() >= 2 and np.ptp(pre[~missing]) > 0:
        # People without a value before get the mean and an indicator of their own, so
        # nobody is dropped and the comparison stays the randomised one (White & Thompson).
        columns.append(np.where(missing, 0.0, pre - np.nanmean(pre)))
        if missing.any():
            columns.append(missing.astype(float))
    covariates = np.column_stack(columns) if columns else np.empty((len(rows), 0))
    _, teams = np.unique([-1 if r.team_id is None else r.team_id for r in rows],
                         return_inverse=True)
    return _Design(
        y=np.array([r.post for r in rows], dtype=float),
        assigned=np.array([r.first_wave for r in rows], dtype=float),
        completed=np.array([r.completed for r in rows], dtype=float),
        covariates=covariates,
        teams=teams,
    )


def _empty(estimator: str, n_treated: int, n_control: int, clusters: int | None,
           note: str) -> Effect:
    return Effect("randomised", estimator, None, None, None, None, n_treated, n_control,
                  clusters, RANDOMISED, False, note)


def _guard(rows: Sequence[RolloutRow], by_team: bool, estimator: str) -> Effect | None:
    """The "not enough data" answer, or None when the groups are big enough."""
    n_treated = sum(r.first_wave for r in rows)
    n_control = len(rows) - n_treated
    clusters = len({r.team_id for r in rows}) if by_team else None
    if min(n_treated, n_control) < MIN_PER_GROUP:
        return _empty(estimator, n_treated, n_control, clusters,
                      _l("not enough data: fewer than %(min)d people in a group",
                         min=MIN_PER_GROUP))
    return None


def _finish(estimator: str, estimate: float, se: float, df: float, rows, by_team: bool,
            note: str = "") -> Effect:
    """The interval and p-value on t(df), or no interval when there are too few teams."""
    n_treated = sum(r.first_wave for r in rows)
    clusters = len({r.team_id for r in rows}) if by_team else None
    if clusters is not None and clusters < MIN_CLUSTERS:
        note = _l("%(teams)d teams: fewer than %(min)d, so the interval cannot be trusted "
                  "and is not shown", teams=clusters, min=MIN_CLUSTERS)
        return Effect("randomised", estimator, estimate, None, None, None, n_treated,
                      len(rows) - n_treated, clusters, RANDOMISED, False, note)
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, df) * se
    p = 2 * stats.t.sf(abs(estimate) / se, df) if se > 0 else None
    return Effect("randomised", estimator, estimate, float(estimate - half),
                  float(estimate + half),
                  None if p is None else float(p), n_treated, len(rows) - n_treated,
                  clusters, RANDOMISED, True, note)


def itt_ancova(rows: Sequence[RolloutRow], *, by_team: bool) -> Effect:
    """First wave minus waitlist after the rollout, adjusted for the value before.

    ``by_team``: whether whole teams were assigned to a group, so people in one team are
    alike and the interval must be cluster-robust by team.
    """
    refused = _guard(rows, by_team, "ancova_itt")
    if refused:
        return refused
    d = _design(rows)
    x = sm.add_constant(np.column_stack([d.assigned, d.covariates]), has_constant="add")
    model = sm.OLS(d.y, x)
    if by_team:
        fit = model.fit()
        se = float(np.sqrt(cr2_covariance(x, fit.resid, d.teams)[1, 1]))
        df = len(np.unique(d.teams)) - 1
    else:
        fit = model.fit(cov_type="HC2", use_t=True)
        se, df = float(fit.bse[1]), fit.df_resid
    return _finish("ancova_itt", float(fit.params[1]), se, df, rows, by_team)


def cr2_covariance(x: np.ndarray, resid: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """The bias-reduced cluster-robust covariance (CR2, Bell and McCaffrey 2002).

    (X'X)⁻¹ [Σ_g X_g' A_g e_g e_g' A_g X_g] (X'X)⁻¹ with A_g = (I − X_g (X'X)⁻¹ X_g')^(−1/2):
    the cluster version of HC2 (with one person per cluster it is HC2 exactly). With a dozen
    teams, the usual CR1 (statsmodels' "cluster") calls a zero effect significant in about 7 %
    of worlds at 0.05 (bench/calibration.py); CR2 keeps to the 5 %. Hand-written because
    statsmodels has no CR2.
    """
    bread = np.linalg.inv(x.T @ x)
    meat = np.zeros_like(bread)
    for g in np.unique(clusters):
        xg, eg = x[clusters == g], resid[clusters == g]
        values, vectors = np.linalg.eigh(np.eye(len(eg)) - xg @ bread @ xg.T)
        # A cluster that fits its own coefficient exactly has a zero eigenvalue: leave it.
        inv_sqrt = np.where(values > 1e-12, 1 / np.sqrt(np.clip(values, 1e-12, None)), 0.0)
        score = xg.T @ (vectors * inv_sqrt) @ vectors.T @ eg
        meat += np.outer(score, score)
    return bread @ meat @ bread


def two_stage_least_squares(y: np.ndarray, x: np.ndarray, z: np.ndarray,
                            clusters: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Just-identified 2SLS: coefficients and their sandwich covariance.

    b = (Z'X)⁻¹ Z'y; V = (Z'X)⁻¹ (Σ_g s_g s_g') (X'Z)⁻¹ with s_g = Σ_{i∈g} z_i u_i, scaled by
    G/(G−1)·(n−1)/(n−k) for clusters, or with s_i = z_i u_i scaled by n/(n−k) (HC1).
    """
    n, k = x.shape
    zx_inv = np.linalg.inv(z.T @ x)
    beta = zx_inv @ (z.T @ y)
    scores = z * (y - x @ beta)[:, None]
    if clusters is None:
        meat = scores.T @ scores * n / (n - k)
    else:
        groups = np.unique(clusters)
        summed = np.vstack([scores[clusters == g].sum(axis=0) for g in groups])
        g = len(groups)
        meat = summed.T @ summed * g / (g - 1) * (n - 1) / (n - k)
    return beta, zx_inv @ meat @ zx_inv.T


def effect_of_completing(rows: Sequence[RolloutRow], *, by_team: bool) -> Effect | None:
    """The effect of completing the training on those who complete when offered it.

    None when completion followed the assignment exactly (everyone in the first wave
    completed, nobody on the waitlist did): then the intention-to-treat effect is already
    the effect of completing.
    """
    refused = _guard(rows, by_team, "effect_of_completing")
    if refused:
        return refused
    d = _design(rows)
    first = d.assigned == 1
    gap = d.completed[first].mean() - d.completed[~first].mean()
    if d.completed[first].all() and not d.completed[~first].any():
        return None
    if gap < MIN_COMPLETION_GAP:
        n_treated = int(first.sum())
        return _empty("effect_of_completing", n_treated, len(rows) - n_treated,
                      len(np.unique(d.teams)) if by_team else None,
                      _l("not enough data: completion differs by %(gap)s between the groups, "
                         "less than %(min)s", gap=_Percent(gap), min=_Percent(MIN_COMPLETION_GAP)))
    ones = np.ones((len(rows), 1))
    x = np.column_stack([ones, d.completed, d.covariates])
    z = np.column_stack([ones, d.assigned, d.covariates])
    beta, cov = two_stage_least_squares(d.y, x, z, d.teams if by_team else None)
    df = len(np.unique(d.teams)) - 1 if by_team else len(rows) - x.shape[1]
    note = _l("completion: %(first)s of the first wave, %(waitlist)s of the waitlist",
              first=_Percent(float(d.completed[first].mean())),
              waitlist=_Percent(float(d.completed[~first].mean())))
    return _finish("effect_of_completing", float(beta[1]), float(np.sqrt(cov[1, 1])), df,
                   rows, by_team, note)
