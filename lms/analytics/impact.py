"""The impact analysis: does a better training score go with better sales afterwards?

For every salesperson in scope (people who have left included):

* the **training day**: the (UTC) day they completed the chosen learning path, or the day the
  chosen module was completed (read and its quiz passed);
* the **training score**: the module's quiz result under the quiz's grading method, or for a
  path the mean of the results of its required modules that end with a quiz;
* the **group**: passed every counted quiz at the first attempt, passed after a retake, or not
  yet trained (no training day by the analysis date);
* the ten measures (``lms.analytics.measures``) over the window **after** training (the
  ``window_days`` days after the training day) and the window **before** it (the same number of
  days before the training day); the training day itself is in neither. People not yet trained
  are measured over the same windows around the **reference day**: the (lower) median training
  day of the trained whose after-window is over, so both sides cover the same calendar period
  on average.

The training measure can be the score (the default), booster retention or predicted recall, or
a coaching skill rating, and the skill rating joins the measures once observations exist
(``lms.analytics.impact_training``): one more statement each.

Honesty rules, applied per measure and per analysis:

* an after-window that has not ended yet does not count (the person is listed);
* a window with fewer than ``min_closed`` closed deals (won + lost) does not count, nor one in
  which the measure has no value (no satisfaction scores, no resolved complaint ...); every
  person left out is listed with the reason;
* a figure resting on fewer than ``min_n`` people (each group in a comparison) is replaced by
  "not enough data";
* every result is a correlation, not proof of cause.

Across people: Pearson's r and Spearman's ρ between training score and each measure after
training, with n, 95 % interval and p-value, and the least-squares line for the scatter; the
same correlation for every module's quiz result (over the same people and windows), ranked;
the after-training mean per group with Welch's mean differences; and the difference in
differences of the before→after change of the trained against that of the not yet trained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.analytics import impact_sql as q
from lms.analytics import impact_training as training_measures
from lms.analytics.impact_rules import (
    ANALYSES,
    COMPARISONS,
    GROUPS,
    NOTE,
    WINDOW_RANGE,
    Comparison,
    DidFigure,
    Exclusion,
    Figure,
    GroupSummary,
    ModuleRank,
    Params,
    PersonResult,
    counts_for_score,
    did_figure,
    exclusions,
    group_figures,
    module_ranking,
    score_figures,
)
from lms.analytics.impact_training import SKILL, TRAINING_MEASURES, parse_training_measure
from lms.analytics.measures import MEASURE_KEYS, Totals, measure_values, window_totals
from lms.analytics.measures import OUTCOME_BY_KEY as BY_KEY
from lms.analytics.report_cache import ReportCache, data_version, gc_paused
from lms.errors import DomainError
from lms.extensions import db
from lms.i18n import _l
from lms.models import Observation, PathCompletion, Sale, SaleAction, SalesImport, utcnow
from lms.safeyaml import quote
from lms.security import Scope

__all__ = [  # the rules' names, for callers of this module
    "ANALYSES", "COMPARISONS", "GROUPS", "NOTE", "WINDOW_RANGE", "Comparison", "DidFigure",
    "DomainError", "Exclusion", "Figure", "GroupSummary", "Impact", "ModuleRank", "Params",
    "PersonResult", "analyse", "compute", "default_training", "impact_cache", "params_from",
    "reference_day", "run", "sales_version",
]


# --- the whole analysis -----------------------------------------------------------------------

class ByMeasure(dict):
    """Figures per measure, each worked out the first time it is asked for: the page shows the
    chosen measure's, the JSON all ten."""

    def __init__(self, make: Callable[[str], Any]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: str) -> Any:
        if key not in BY_KEY:
            raise KeyError(key)
        value = self[key] = self._make(key)
        return value

    def work_out(self, key: str) -> None:
        self.__getitem__(key)


@dataclass
class Impact:
    params: Params
    item_title: str
    item_kind_label: str
    #: the module slugs whose scores make the training score
    scored_modules: list[str]
    reference_date: date | None
    people: list[PersonResult]
    figures: dict[str, Figure]
    modules: list[ModuleRank]
    #: per measure: list[GroupSummary], list[Comparison] and DidFigure
    groups: ByMeasure
    comparisons: ByMeasure
    did: ByMeasure
    excluded: list[Exclusion]
    #: the measures related to training: the ten sales measures, and the skill rating when
    #: observations have been recorded
    outcomes: tuple[str, ...] = MEASURE_KEYS
    #: the chosen skill's name (training measure skill_rating of one skill)
    skill_name: str | None = None

    @property
    def trained_count(self) -> int:
        return sum(p.trained for p in self.people)

    @property
    def without_training_value(self) -> int:
        """Trained people without a value of the training measure (left out of the score
        figures)."""
        return sum(p.trained and p.training_value is None for p in self.people)

    @property
    def training_label(self) -> str:
        label = str(TRAINING_MEASURES[self.params.training_measure][0])
        return f"{label}: {self.skill_name}" if self.skill_name else label

    @property
    def training_short(self) -> str:
        return str(TRAINING_MEASURES[self.params.training_measure][1])

    @property
    def figure(self) -> Figure:
        return self.figures[self.params.measure]

    def scatter_points(self) -> list[tuple[PersonResult, float, float]]:
        key = self.params.measure
        return [(p, p.training_score, p.after[key]) for p in self.people  # type: ignore[misc]
                if counts_for_score(p, key, self.params.min_closed)]


def analyse(people: list[PersonResult], params: Params, *, item_title: str,
            item_kind_label: str, scored_modules: list[str], reference_date: date | None,
            modules: list[q.ModuleInfo], outcomes: tuple[str, ...] = MEASURE_KEYS,
            skill_name: str | None = None) -> Impact:
    """Every figure from the per-person rows (pure)."""
    groups = ByMeasure(lambda key: group_figures(people, key, params))
    impact = Impact(params, item_title, item_kind_label, scored_modules, reference_date, people,
                    score_figures(people, params, outcomes),
                    module_ranking(people, modules, params),
                    ByMeasure(lambda key: groups[key][0]), ByMeasure(lambda key: groups[key][1]),
                    ByMeasure(lambda key: did_figure(people, key, params)),
                    exclusions(people, params), outcomes, skill_name)
    # The chosen measure's figures now, so that a cached analysis renders without work.
    for figures in (impact.groups, impact.comparisons, impact.did):
        figures.work_out(params.measure)
    return impact


def reference_day(days: list[date]) -> date | None:
    """The lower median of the training days (a day someone actually trained)."""
    if not days:
        return None
    ordered = sorted(days)
    return ordered[(len(ordered) - 1) // 2]


def _training_values(params: Params, people_cte: Any, counted: list[q.ModuleInfo]
                     ) -> tuple[dict[int, float | None] | None, str | None]:
    """(person id -> the training measure's value, the chosen skill's name); None for the
    quiz score, which comes with the results. One statement (two for one skill)."""
    key = params.training_measure
    if key in ("retention", "recall"):
        return training_measures.load_retention_values(
            people_cte, [m.id for m in counted], key, utcnow()), None
    if key == SKILL:
        name = None
        if params.skill is not None:
            skills = training_measures.skill_choices()
            if params.skill not in skills:
                raise DomainError(_("No coaching observation rates a skill %(skill)s.",
                                    skill=quote(params.skill)))
            name = skills[params.skill]
        means = training_measures.load_skill_means(people_cte, params.skill, params.today)
        return {uid: round(100 * v, 2) for uid, v in means.items()}, name
    return None, None


def compute(scope: Scope, params: Params, catalogue: q.Catalogue,
            with_skill: bool = False) -> Impact:
    """Read everything (a fixed number of statements) and analyse it. ``with_skill``: relate
    training to later skill ratings too (observations have been recorded)."""
    if params.kind == "path":
        item = catalogue.path_by_slug(params.slug)
        if item is None:
            raise DomainError(_("There is no learning path %(slug)s.", slug=quote(params.slug)))
        counted = [catalogue.modules[m] for m in item.scored_module_ids]
        title, kind_label = item.title, _l("learning path")
    else:
        item = catalogue.module_by_slug(params.slug)
        if item is None:
            raise DomainError(_("There is no module %(slug)s.", slug=quote(params.slug)))
        counted = [item] if item.quiz_id is not None else []
        title, kind_label = item.title, _l("module")
    people_cte = q.people_ids(scope)
    people = q.load_people(scope)
    completed = q.load_completions(params.kind, item.id, people_cte)
    quiz_modules = catalogue.quiz_modules()
    results = q.load_results(people_cte, [m.quiz_id for m in quiz_modules])  # type: ignore[misc]
    window = params.window_days
    days = {uid: at.date() for uid, at in completed.items()}
    over = [d for d in days.values()
            if q.windows_around(d, window)[1][1] <= params.today]
    reference = reference_day(over)
    windows = q.window_table(params.kind, item.id, people_cte, window, reference)
    totals = window_totals(windows, follow_up_days=params.follow_up_days, as_of=params.today)
    skill_windows = training_measures.load_skill_windows(windows) if with_skill else {}
    outcomes = (*MEASURE_KEYS, SKILL) if with_skill else MEASURE_KEYS
    values, skill_name = _training_values(params, people_cte, counted)
    rows = []
    quizzes = [(m.slug, m.quiz_id, m.method) for m in quiz_modules if m.quiz_id is not None]
    for person in people:
        scores = {slug: r.result(method) for slug, quiz_id, method in quizzes  # type: ignore[arg-type]
                  if (r := results.get((person.id, quiz_id))) is not None}
        day = days.get(person.id)
        if day is not None:
            score, first_time = q.training_score(results, person.id, counted)
            group = "first_attempt" if first_time else "later"
            before_w, after_w = q.windows_around(day, window)
            periods = ("before", "after")
        else:
            score, group = None, "not_trained"
            before_w, after_w = (q.windows_around(reference, window) if reference
                                 else (None, None))
            periods = ("ref_before", "ref_after")
        before = totals.get((person.id, periods[0]), Totals())
        after = totals.get((person.id, periods[1]), Totals())
        before_values, after_values = measure_values(before), measure_values(after)
        observed = [0, 0]
        if with_skill:
            for i, (period, out) in enumerate(zip(periods, (before_values, after_values),
                                                  strict=True)):
                mean, observed[i] = skill_windows.get((person.id, period), (None, 0))
                out[SKILL] = mean
        value = score if values is None else values.get(person.id) if day else None
        rows.append(PersonResult(
            person=person, group=group, training_date=day, training_score=score,
            module_scores=scores, before_window=before_w, after_window=after_w,
            after_complete=after_w is not None and after_w[1] <= params.today,
            before_closed=before.closed, after_closed=after.closed,
            before=before_values, after=after_values, training_value=value,
            before_observations=observed[0], after_observations=observed[1]))
    return analyse(rows, params, item_title=title, item_kind_label=kind_label,
                   scored_modules=[m.slug for m in counted], reference_date=reference,
                   modules=quiz_modules, outcomes=outcomes, skill_name=skill_name)


# --- caching ------------------------------------------------------------------------------------

def sales_version() -> tuple:
    """What changes when sales or path completions do: imports (and their undo), deals linked
    to people, follow-ups and resolutions recorded in Verkoopklaar (lms.sales.actions), path
    completions, and coaching observations (recorded with their ratings, never edited; the
    change counters do not watch them). One statement of small counts and maxima; the last
    two are the observations' count and newest id (``observations_recorded``)."""
    def sub(*cols: Any) -> Any:
        return select(*cols).scalar_subquery()

    return tuple(db.session.execute(select(
        sub(func.count(SalesImport.id)), sub(func.max(SalesImport.id)),
        sub(func.max(SalesImport.finished_at)), sub(func.count(SalesImport.undone_at)),
        select(func.count()).select_from(Sale).where(Sale.user_id.is_(None)).scalar_subquery(),
        sub(func.count(PathCompletion.id)), sub(func.max(PathCompletion.completed_at)),
        sub(func.max(SaleAction.id)), sub(func.max(SaleAction.recorded_at)),
        sub(func.count(Observation.id)), sub(func.max(Observation.id)),
    )).one())


def observations_recorded(version: tuple) -> bool:
    """Whether any coaching observation exists, from ``sales_version()``."""
    return bool(version[-2])


def params_from(config: Any, *, kind: str, slug: str, measure: str, window_days: int,
                today: date, training_measure: str | None = None) -> Params:
    """Parameters with the limits from the site's settings (IMPACT_MIN_N, ...).
    ``training_measure`` as written (``skill_rating:SKILL_ID`` ...): a DomainError when it is
    not one."""
    chosen = parse_training_measure(training_measure)
    return Params(kind=kind, slug=slug, measure=measure, window_days=window_days,
                  min_n=int(config["IMPACT_MIN_N"]),
                  min_closed=int(config["IMPACT_MIN_CLOSED_DEALS"]),
                  follow_up_days=int(config["FOLLOW_UP_DAYS"]), today=today,
                  training_measure=chosen.key, skill=chosen.skill)


def default_training() -> tuple[str, str] | None:
    """The learning path most people completed, the one completed first on a tie (usually the
    onboarding): the page's first choice."""
    catalogue = q.load_catalogue()
    counts = {pid: (n, first) for pid, n, first in db.session.execute(
        select(PathCompletion.path_id, func.count(), func.min(PathCompletion.completed_at))
        .group_by(PathCompletion.path_id))}

    def order(path: q.PathInfo) -> tuple:
        done, first = counts.get(path.id, (0, None))
        return (-done, first is None, first.timestamp() if first else 0.0,
                path.title.casefold())

    paths = sorted(catalogue.paths.values(), key=order)
    return ("path", paths[0].slug) if paths else None


def impact_cache() -> ReportCache:
    return current_app.extensions.setdefault("impact_cache", ReportCache(size=32))


def run(scope: Scope, params: Params) -> Impact:
    """The analysis, from the cache while the data has not changed."""
    if params.measure not in BY_KEY:
        raise DomainError(_("Unknown measure %(measure)s: use one of %(measures)s.",
                            measure=quote(params.measure),
                            measures=", ".join((*MEASURE_KEYS, SKILL))))
    parse_training_measure(params.training_measure)  # a DomainError when it is not one
    if not WINDOW_RANGE[0] <= params.window_days <= WINDOW_RANGE[1]:
        raise DomainError(_("The window must be %(low)d to %(high)d days.",
                            low=WINDOW_RANGE[0], high=WINDOW_RANGE[1]))
    cache = impact_cache()
    learning = data_version()
    version = (learning, sales_version())
    with_skill = observations_recorded(version[1])
    if not with_skill and SKILL in (params.measure, params.training_measure):
        raise DomainError(_("No coaching observation has been recorded yet, so there is no "
                            "skill rating to analyse."))
    catalogue = cache.get_or_make(("catalogue", learning.content), q.load_catalogue)

    def make() -> Impact:
        with gc_paused():
            return compute(scope, params, catalogue, with_skill)

    return cache.get_or_make(("impact", scope.key, params, version), make)
