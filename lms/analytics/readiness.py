"""The readiness formula: how ready a salesperson is to sell, judged on their assigned training.

Everything here is a pure function of a few figures per person (worked out by the database in
``lms.analytics.readiness_sql``) and of the rules in the configuration, so the formula can be
tested on hand-made cases and explained, word for word, on the report page.

What counts
    A person's *assigned modules* are the modules assigned to them directly plus the required
    modules of the learning paths assigned to them. Optional modules of a path, withdrawn
    assignments and retired content do not count. A module assigned twice counts once.

Readiness index, 0 to 100 ::

    completion = completed assigned modules / assigned modules
    score      = the average, over the assigned modules whose quiz the person has taken, of the
                 best graded attempt in percent (0 while they have taken none of those quizzes)
    index      = 100 × (Wc × completion + Ws × score / 100) / (Wc + Ws)

    Wc = READINESS_COMPLETION_WEIGHT (default 0.5), Ws = READINESS_SCORE_WEIGHT (default 0.5)

When none of the assigned modules ends with a quiz there is no score to weigh, and the index is
the completion alone. The index is rounded to one decimal before it is compared with the
thresholds, so the number shown and the status always agree.

Status: the first rule that applies

    ================  =======================================================================
    Nothing assigned  no assigned modules, so there is nothing to judge (and no index)
    Overdue           an assignment is past its due date and not complete: whatever the
                      index, an overdue item pulls the status down to Overdue
    Not started       no assigned module opened and none of their quizzes taken
    Ready             every assigned module complete and index >= READINESS_READY_AT (80)
    At risk           index < READINESS_AT_RISK_BELOW (50)
    On track          everything else
    ================  =======================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask import has_app_context
from flask_babel import gettext as _

from lms.i18n import _l, format_number


class Status(StrEnum):
    READY = "ready"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    NOT_STARTED = "not_started"
    NOTHING_ASSIGNED = "nothing_assigned"

    @property
    def label(self) -> str:
        """The status's name in the language being spoken (a plain ``str``)."""
        return str(STATUS_LABELS[self])

    @property
    def badge(self) -> str:
        """The badge class the pages show the status with (always beside its label)."""
        return STATUS_BADGES[self]

    @property
    def severity(self) -> int:
        """Sort order: the people who need help first."""
        return STATUS_ORDER.index(self)


STATUS_LABELS = {
    Status.READY: _l("Ready"), Status.ON_TRACK: _l("On track"), Status.AT_RISK: _l("At risk"),
    Status.OVERDUE: _l("Overdue"), Status.NOT_STARTED: _l("Not started"),
    Status.NOTHING_ASSIGNED: _l("Nothing assigned"),
}
STATUS_BADGES = {
    Status.READY: "badge--ok", Status.ON_TRACK: "badge--info", Status.AT_RISK: "badge--warn",
    Status.OVERDUE: "badge--bad", Status.NOT_STARTED: "badge--muted",
    Status.NOTHING_ASSIGNED: "badge--muted",
}
STATUS_ORDER = (Status.OVERDUE, Status.AT_RISK, Status.NOT_STARTED, Status.ON_TRACK,
                Status.READY, Status.NOTHING_ASSIGNED)


@dataclass(frozen=True)
class Rules:
    """Weights and thresholds; the defaults are the documented ones."""

    completion_weight: float = 0.5
    score_weight: float = 0.5
    ready_at: float = 80.0
    at_risk_below: float = 50.0

    def __post_init__(self) -> None:
        if self.completion_weight < 0 or self.score_weight < 0:
            raise ValueError("readiness weights cannot be negative")
        if self.completion_weight + self.score_weight <= 0:
            raise ValueError("at least one readiness weight must be above 0")
        if not 0 <= self.at_risk_below <= self.ready_at <= 100:
            raise ValueError("readiness thresholds must satisfy "
                             "0 <= READINESS_AT_RISK_BELOW <= READINESS_READY_AT <= 100")

    @property
    def completion_share(self) -> float:
        """The completion weight as a share of both weights (0.5 by default)."""
        return self.completion_weight / (self.completion_weight + self.score_weight)

    @property
    def score_share(self) -> float:
        return 1 - self.completion_share

    def as_dict(self) -> dict[str, float]:
        return {"completion_weight": self.completion_weight, "score_weight": self.score_weight,
                "ready_at": self.ready_at, "at_risk_below": self.at_risk_below}


def rules_from_config(config: Mapping[str, Any]) -> Rules:
    """The rules from the app config (READINESS_* keys); missing keys keep the defaults."""
    defaults = Rules()
    return Rules(
        completion_weight=float(config.get("READINESS_COMPLETION_WEIGHT",
                                           defaults.completion_weight)),
        score_weight=float(config.get("READINESS_SCORE_WEIGHT", defaults.score_weight)),
        ready_at=float(config.get("READINESS_READY_AT", defaults.ready_at)),
        at_risk_below=float(config.get("READINESS_AT_RISK_BELOW", defaults.at_risk_below)),
    )


@dataclass(frozen=True)
class Figures:
    """What the database counts for one person (see the module docstring)."""

    #: assigned modules (direct, and required modules of assigned paths)
    assigned: int = 0
    #: of those, completed
    completed: int = 0
    #: of those, ending with a quiz
    with_quiz: int = 0
    #: of those with a quiz, the ones with at least one graded attempt
    attempted: int = 0
    #: average of the best graded percent over the attempted ones; None when none
    average_best: float | None = None
    #: assignments (paths or modules) past their due date and not complete
    overdue: int = 0
    #: assigned modules opened, or whose quiz was attempted
    started: int = 0


@dataclass(frozen=True)
class Assessment:
    index: float | None  # 0-100, one decimal; None when nothing is assigned
    status: Status
    completion: float | None  # percent of assigned modules completed
    score: float | None  # average best score in percent; None when nothing was attempted


def completion_percent(assigned: int, completed: int) -> float | None:
    if assigned <= 0:
        return None
    return 100 * min(completed, assigned) / assigned


def readiness_index(figures: Figures, rules: Rules = Rules()) -> float | None:
    """The index (0-100, one decimal), or None when nothing is assigned."""
    completion = completion_percent(figures.assigned, figures.completed)
    if completion is None:
        return None
    if figures.with_quiz <= 0:
        return round(completion, 1)
    score = figures.average_best if figures.attempted > 0 and figures.average_best is not None \
        else 0.0
    score = min(max(score, 0.0), 100.0)
    return round(rules.completion_share * completion + rules.score_share * score, 1)


def readiness_status(figures: Figures, index: float | None, rules: Rules = Rules()) -> Status:
    """The first rule that applies, in the order of the module docstring."""
    if figures.assigned <= 0 or index is None:
        return Status.NOTHING_ASSIGNED
    if figures.overdue > 0:
        return Status.OVERDUE
    if figures.started <= 0 and figures.attempted <= 0 and figures.completed <= 0:
        return Status.NOT_STARTED
    if figures.completed >= figures.assigned and index >= rules.ready_at:
        return Status.READY
    if index < rules.at_risk_below:
        return Status.AT_RISK
    return Status.ON_TRACK


def assess(figures: Figures, rules: Rules = Rules()) -> Assessment:
    index = readiness_index(figures, rules)
    score = figures.average_best if figures.attempted > 0 else None
    return Assessment(index=index, status=readiness_status(figures, index, rules),
                      completion=completion_percent(figures.assigned, figures.completed),
                      score=None if score is None else round(score, 1))


@dataclass(frozen=True)
class Summary:
    """The team's figures above the table."""

    people: int
    by_status: dict[Status, int]
    average_index: float | None  # over people with something assigned
    average_completion: float | None
    average_score: float | None  # over people with a score
    overdue_items: int
    people_overdue: int

    @property
    def ready_percent(self) -> float | None:
        judged = self.people - self.by_status.get(Status.NOTHING_ASSIGNED, 0)
        return None if judged <= 0 else 100 * self.by_status.get(Status.READY, 0) / judged


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def summarise(rows: Iterable[tuple[Figures, Assessment]]) -> Summary:
    """Team figures from the per-person figures and assessments (no further database work)."""
    rows = list(rows)
    by_status = {status: 0 for status in STATUS_ORDER}
    for _figures, assessment in rows:
        by_status[assessment.status] += 1
    return Summary(
        people=len(rows),
        by_status=by_status,
        average_index=_mean([a.index for _, a in rows if a.index is not None]),
        average_completion=_mean([a.completion for _, a in rows if a.completion is not None]),
        average_score=_mean([a.score for _, a in rows if a.score is not None]),
        overdue_items=sum(f.overdue for f, _ in rows),
        people_overdue=sum(1 for f, _ in rows if f.overdue > 0),
    )


def explain(rules: Rules) -> list[str]:
    """The formula in plain words with the configured numbers, for the report page."""
    wc, ws = fmt(100 * rules.completion_share, "%"), fmt(100 * rules.score_share, "%")
    return [
        _("Assigned modules are the modules assigned to a salesperson directly and the required "
          "modules of the learning paths assigned to them."),
        _("Readiness index = %(wc)s × the share of assigned modules completed + %(ws)s × the "
          "average best quiz score (the best graded attempt on each assigned module's quiz, "
          "averaged over the quizzes taken; 0 while none is taken). When none of the assigned "
          "modules has a quiz, the index is the completion alone.", wc=wc, ws=ws),
        _("Overdue: an assignment is past its due date and not complete (a learning path whose "
          "certificate has expired is not complete until it is renewed). This is checked first: "
          "an overdue item makes the status Overdue whatever the index."),
        _("Not started: none of the assigned modules opened and none of their quizzes taken."),
        _("Ready: every assigned module complete and an index of %(ready)s or more.",
          ready=fmt(rules.ready_at)),
        _("At risk: an index below %(below)s.", below=fmt(rules.at_risk_below)),
        _("On track: everyone else with training assigned."),
    ]


def local_number(value: float, digits: int | None = None) -> str:
    """``value`` written the way the language being spoken writes numbers ("82,5" in Dutch,
    "82.5" in English): exactly ``digits`` decimals, or up to one when None (80 rather than
    80.0). Outside an application (pure unit tests) the English way, without grouping."""
    if not has_app_context():
        text = f"{value:.{1 if digits is None else digits}f}"
        return text.rstrip("0").rstrip(".") if digits is None and "." in text else text
    if digits is None:
        rounded = round(float(value), 1)
        return format_number(0.0 if rounded == 0 else rounded)
    return format_number(value, digits)


def fmt1(value: float | None, suffix: str = "") -> str:
    """A figure with exactly one decimal, so a column of them lines up; a dash for no value."""
    return "—" if value is None else f"{local_number(value, 1)}{suffix}"


def fmt(value: float | None, suffix: str = "") -> str:
    """A figure as people read it: 80 rather than 80.0, a dash for no value."""
    if value is None:
        return "—"
    return f"{local_number(value)}{suffix}"
