"""The rules of the impact analysis, as pure functions of per-person rows: who counts in which
figure (and why not), and the figures themselves. ``lms.analytics.impact`` reads the rows from
the database and explains the method in its docstring."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from flask_babel import lazy_ngettext

from lms.analytics import impact_sql as q
from lms.analytics.causal import q_values
from lms.analytics.impact_training import NO_SKILL_VALUE, NO_VALUE, SKILL
from lms.analytics.measures import MEASURE_KEYS
from lms.analytics.measures import OUTCOME_BY_KEY as BY_KEY
from lms.analytics.stats import (
    Correlation,
    DiffInDiff,
    LinearFit,
    MeanDifference,
    difference_in_differences,
    linear_fit,
    mean_difference,
    partial_pearson,
    pearson,
    spearman,
)
from lms.i18n import _l

# Lazy strings, read in the viewer's language: the analysis is cached across requests.
NOTE = _l("Correlation, not proof of cause.")
GROUPS: dict[str, str] = {
    "first_attempt": _l("Passed at the first attempt"),
    "later": _l("Passed after a retake"),
    "not_trained": _l("Not yet trained"),
}
COMPARISONS = (("first_attempt", "later"), ("first_attempt", "not_trained"),
               ("later", "not_trained"))
WINDOW_RANGE = (30, 365)


@dataclass(frozen=True)
class Params:
    kind: str  # "path" or "module"
    slug: str
    measure: str
    window_days: int
    min_n: int
    min_closed: int
    follow_up_days: int
    today: date
    #: what stands for "how well trained" (lms.analytics.impact_training): score, retention,
    #: recall or skill_rating, the last of every skill or of ``skill``
    training_measure: str = "score"
    skill: str | None = None


@dataclass
class PersonResult:
    person: q.Person
    group: str
    training_date: date | None
    training_score: float | None
    #: every quiz module's result under its grading method, by module slug
    module_scores: dict[str, float]
    before_window: tuple[date, date] | None
    after_window: tuple[date, date] | None
    #: the after-window (or, for the not yet trained, the reference after-window) is over
    after_complete: bool
    before_closed: int = 0
    after_closed: int = 0
    before: dict[str, float | None] = field(default_factory=dict)
    after: dict[str, float | None] = field(default_factory=dict)
    #: the chosen training measure's value, 0-100 (the quiz score by default)
    training_value: float | None = None
    #: rated coaching observations in each window (for the skill rating outcome)
    before_observations: int = 0
    after_observations: int = 0

    @property
    def trained(self) -> bool:
        return self.group != "not_trained"


# --- who counts (pure) -----------------------------------------------------------------------

# The reasons are lazy strings: the analysis is cached and read in each viewer's language.

def deals_needed(measure: str, closed: int, min_closed: int) -> bool:
    """A sales measure's window needs ``min_closed`` closed deals; the skill rating, which is
    not a sales measure, needs a rated observation instead (a value)."""
    return measure != SKILL and closed < min_closed


def after_problem(p: PersonResult, measure: str, min_closed: int) -> str | None:
    """Why the person's after-training value cannot be used, or None."""
    if p.after_window is None:
        return _l("no reference period (nobody's after-training window is over yet)")
    last = p.after_window[1] - timedelta(days=1)
    if not p.after_complete:
        return _l("the window after training is not over until %(day)s", day=last.isoformat())
    if deals_needed(measure, p.after_closed, min_closed):
        if p.trained:
            return lazy_ngettext("%(num)d closed deal after training (at least %(min)d needed)",
                                 "%(num)d closed deals after training (at least %(min)d needed)",
                                 p.after_closed, min=min_closed)
        return lazy_ngettext(
            "%(num)d closed deal after the reference day (at least %(min)d needed)",
            "%(num)d closed deals after the reference day (at least %(min)d needed)",
            p.after_closed, min=min_closed)
    if p.after.get(measure) is None:
        return _l("no %(measure)s value after training", measure=_Lower(BY_KEY[measure].label))
    return None


def before_problem(p: PersonResult, measure: str, min_closed: int) -> str | None:
    if p.before_window is None:
        return _l("no reference period")
    if deals_needed(measure, p.before_closed, min_closed):
        if p.trained:
            return lazy_ngettext(
                "%(num)d closed deal before training (at least %(min)d needed)",
                "%(num)d closed deals before training (at least %(min)d needed)",
                p.before_closed, min=min_closed)
        return lazy_ngettext(
            "%(num)d closed deal before the reference day (at least %(min)d needed)",
            "%(num)d closed deals before the reference day (at least %(min)d needed)",
            p.before_closed, min=min_closed)
    if p.before.get(measure) is None:
        return _l("no %(measure)s value before training", measure=_Lower(BY_KEY[measure].label))
    return None


class _Lower:
    """A (lazy) label in lower case when it is finally written."""

    def __init__(self, text: object) -> None:
        self.text = text

    def __str__(self) -> str:
        return str(self.text).lower()


def correlation_problem(p: PersonResult, measure: str, min_closed: int,
                        training: str = "score", skill: str | None = None) -> str | None:
    if not p.trained:
        return _l("not yet trained")
    if p.training_value is None:
        return NO_SKILL_VALUE if training == SKILL and skill else NO_VALUE[training]
    return after_problem(p, measure, min_closed)


# The same rules as yes/no, for choosing samples quickly (the *_problem functions say why not).

def counts_after(p: PersonResult, measure: str, min_closed: int) -> bool:
    return (p.after_complete and p.after_window is not None
            and not deals_needed(measure, p.after_closed, min_closed)
            and p.after.get(measure) is not None)


def counts_before(p: PersonResult, measure: str, min_closed: int) -> bool:
    return (p.before_window is not None
            and not deals_needed(measure, p.before_closed, min_closed)
            and p.before.get(measure) is not None)


def counts_for_score(p: PersonResult, measure: str, min_closed: int) -> bool:
    return p.trained and p.training_value is not None and counts_after(p, measure, min_closed)


# --- figures (pure) ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    """Training score (or one module's score) against a measure after training."""

    measure: str
    n: int
    enough: bool
    pearson: Correlation | None
    spearman: Correlation | None
    fit: LinearFit | None
    #: Pearson's r with the measure before training held constant (the people of the sample
    #: with a value before as well; None below the minimum n)
    adjusted: Correlation | None = None


def figure(measure: str, x: list[float], y: list[float], min_n: int) -> Figure:
    enough = len(x) >= min_n
    if not enough:
        return Figure(measure, len(x), False, None, None, None)
    return Figure(measure, len(x), True, pearson(x, y), spearman(x, y), linear_fit(x, y))


def adjusted_correlation(sample: list[PersonResult], measure: str,
                         params: Params) -> Correlation | None:
    """The score against the measure after training, with the measure before held constant:
    does the score say more than where the person already stood?"""
    both = [p for p in sample if counts_before(p, measure, params.min_closed)]
    if len(both) < params.min_n:
        return None
    return partial_pearson([p.training_value for p in both],  # type: ignore[misc]
                           [p.after[measure] for p in both],  # type: ignore[misc]
                           [p.before[measure] for p in both])  # type: ignore[misc]


def q_table(figures: Mapping[str, Figure]) -> dict[str, dict[str, float | None]]:
    """Benjamini–Hochberg q-values for each column of p-values of a table of figures (one
    family per column: Pearson, Spearman, adjusted), by row key."""
    keys = list(figures)
    out: dict[str, dict[str, float | None]] = {k: {} for k in keys}
    for column in ("pearson", "spearman", "adjusted"):
        ps = [c.p_value if (c := getattr(figures[k], column)) is not None and figures[k].enough
              else None for k in keys]
        for key, adjusted in zip(keys, q_values(ps), strict=True):
            out[key][column] = adjusted
    return out


@dataclass(frozen=True)
class ModuleRank:
    slug: str
    title: str
    figure: Figure


@dataclass(frozen=True)
class GroupSummary:
    group: str
    n: int
    mean: float | None


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    n_a: int
    n_b: int
    enough: bool
    result: MeanDifference | None


@dataclass(frozen=True)
class DidFigure:
    measure: str
    n_trained: int
    n_untrained: int
    enough: bool
    means: dict[str, float | None]  # trained_before, trained_after, untrained_before, ...
    result: DiffInDiff | None


@dataclass(frozen=True)
class Exclusion:
    person: q.Person
    #: the figures the person is left out of: "score", "groups", "before-after"
    analyses: tuple[str, ...]
    reason: str


ANALYSES = {"score": _l("Score figures"), "groups": _l("Groups"),
            "before-after": _l("Before and after")}


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def score_figures(people: list[PersonResult], params: Params,
                  keys: tuple[str, ...] = MEASURE_KEYS) -> dict[str, Figure]:
    """The training measure against each measure after training (``keys``: the ten sales
    measures, and the skill rating when there are observations)."""
    out = {}
    for key in keys:
        sample = [p for p in people if counts_for_score(p, key, params.min_closed)]
        fig = figure(key, [p.training_value for p in sample],  # type: ignore[misc]
                     [p.after[key] for p in sample], params.min_n)  # type: ignore[misc]
        out[key] = replace(fig, adjusted=adjusted_correlation(sample, key, params))
    return out


def module_ranking(people: list[PersonResult], modules: list[q.ModuleInfo],
                   params: Params) -> list[ModuleRank]:
    """Each quiz module's result against the chosen measure after training (the same people
    and windows as the training score), strongest relation in the measure's good direction
    first; modules without enough data last."""
    key = params.measure
    sample = [p for p in people if p.trained and counts_after(p, key, params.min_closed)]
    ranks = []
    for module in modules:
        pairs = [(p.module_scores[module.slug], p.after[key]) for p in sample
                 if module.slug in p.module_scores]
        ranks.append(ModuleRank(module.slug, module.title,
                                figure(key, [a for a, _ in pairs], [b for _, b in pairs],
                                       params.min_n)))
    sign = 1 if BY_KEY[key].higher_is_better else -1

    def order(rank: ModuleRank) -> tuple:
        r = rank.figure.pearson.r if rank.figure.pearson else None
        return (r is None, -sign * r if r is not None else 0.0, rank.title.casefold())

    return sorted(ranks, key=order)


def group_values(people: list[PersonResult], measure: str, min_closed: int
                 ) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {g: [] for g in GROUPS}
    for p in people:
        if counts_after(p, measure, min_closed):
            out[p.group].append(p.after[measure])  # type: ignore[arg-type]
    return out


def group_figures(people: list[PersonResult], measure: str, params: Params
                  ) -> tuple[list[GroupSummary], list[Comparison]]:
    values = group_values(people, measure, params.min_closed)
    # Below the minimum n a group's mean is not shown at all, as every other figure.
    summaries = [GroupSummary(g, len(v), _mean(v) if len(v) >= params.min_n else None)
                 for g, v in values.items()]
    comparisons = []
    for a, b in COMPARISONS:
        enough = len(values[a]) >= params.min_n and len(values[b]) >= params.min_n
        comparisons.append(Comparison(a, b, len(values[a]), len(values[b]), enough,
                                      mean_difference(values[a], values[b]) if enough
                                      else None))
    return summaries, comparisons


def did_figure(people: list[PersonResult], measure: str, params: Params) -> DidFigure:
    pairs: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for p in people:
        if (counts_after(p, measure, params.min_closed)
                and counts_before(p, measure, params.min_closed)):
            pairs[p.trained].append((p.before[measure], p.after[measure]))  # type: ignore[arg-type]
    t, u = pairs[True], pairs[False]
    # Below the minimum n a side's means are not shown at all, as every other figure.
    t_ok, u_ok = len(t) >= params.min_n, len(u) >= params.min_n
    means = {"trained_before": _mean([b for b, _ in t]) if t_ok else None,
             "trained_after": _mean([a for _, a in t]) if t_ok else None,
             "untrained_before": _mean([b for b, _ in u]) if u_ok else None,
             "untrained_after": _mean([a for _, a in u]) if u_ok else None}
    enough = t_ok and u_ok
    result = (difference_in_differences([b for b, _ in t], [a for _, a in t],
                                        [b for b, _ in u], [a for _, a in u])
              if enough else None)
    return DidFigure(measure, len(t), len(u), enough, means, result)


def exclusions(people: list[PersonResult], params: Params) -> list[Exclusion]:
    """Everyone left out of a figure of the chosen measure: which figures, and the first
    reason."""
    key, low = params.measure, params.min_closed
    out = []
    for p in people:
        score = (correlation_problem(p, key, low, params.training_measure, params.skill)
                 if p.trained else None)
        after = after_problem(p, key, low)
        both = after if after is not None else before_problem(p, key, low)
        # "is not None": a reason is a lazy string, and its truth would translate it here,
        # for each of 10,000 people, only to translate it again where it is shown.
        problems = [(name, why) for name, why in (("score", score), ("groups", after),
                                                  ("before-after", both)) if why is not None]
        if problems:
            out.append(Exclusion(p.person, tuple(name for name, _ in problems), problems[0][1]))
    return out
