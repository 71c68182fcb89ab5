"""The managers' sales pages: "Sales performance" (the ten measures per person over a period,
sortable, with a CSV export) and "Training impact" (how training scores relate to later sales).
Thin views over lms.analytics; team-scoped through lms.security.choose_scope (a team out of
scope answers 404, as if it did not exist)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.analytics import impact as impact_service
from lms.analytics import impact_training, measures
from lms.analytics.event_chart import event_study_svg
from lms.analytics.impact_report import (
    fmt_diff,
    fmt_p,
    fmt_q,
    interval,
    people_csv,
    training_text,
)
from lms.analytics.impact_rules import q_table
from lms.analytics.impact_sql import load_catalogue
from lms.analytics.measures import (
    MEASURE_KEYS,
    MEASURES,
    SKILL_RATING,
    format_value,
    register_goal_measures,
    sort_rows,
)
from lms.analytics.measures import OUTCOME_BY_KEY as BY_KEY
from lms.analytics.performance_cache import Performance, cached_sales_performance
from lms.analytics.scatter import scatter_svg, shaded
from lms.analytics.training_effect import for_params
from lms.bounds import parse_whole
from lms.clock import local_today
from lms.errors import DomainError
from lms.fragments import rendered
from lms.i18n import format_money, format_number, format_percent, locale_code
from lms.inputs import date_arg, page_arg
from lms.models import Role
from lms.security import choose_scope_or_404, role_required

bp = Blueprint("sales_reports", __name__)

DEFAULT_DAYS = 90
PAGE_SIZE = 100
SORT_KEYS = ("name", "team", "closed_deals", *MEASURE_KEYS)


@bp.record_once
def _plug_into_goals(_state: Any) -> None:
    # People's performance goals (revenue, won deals ...) are measured by the same code.
    register_goal_measures(lambda: int(current_app.config["FOLLOW_UP_DAYS"]))




class _Performance:
    """The period, team and sort order of the sales performance page, from the query string."""

    def __init__(self) -> None:
        choice = choose_scope_or_404(current_user, request.args.get("team"))
        self.viewer, self.team_id, self.scope = choice.visibility, choice.team_id, choice.scope
        self.team_label = choice.label
        self.today = local_today()
        self.errors: list[str] = []
        start, last = self._day("from", _("From")), self._day("to", _("To"))
        self.last = last or self.today
        self.start = start or self.last - timedelta(days=DEFAULT_DAYS - 1)
        if self.start > self.last:
            self.errors.append(_("The period must start on or before its last day."))
        sort = request.args.get("sort", "revenue")
        self.sort = sort if sort in SORT_KEYS else "revenue"
        direction = request.args.get("dir")
        default_desc = self.sort not in ("name", "team")
        self.descending = default_desc if direction is None else direction == "desc"
        self.follow_up_days = int(current_app.config["FOLLOW_UP_DAYS"])
        self.page = page_arg()

    def _day(self, name: str, label: str) -> date | None:
        try:
            return date_arg(name)
        except ValueError as exc:
            self.errors.append(_("%(field)s: %(problem)s", field=label, problem=exc))
            return None

    def args(self, **changes: Any) -> dict[str, Any]:
        args = {"team": self.team_id, "from": self.start.isoformat(),
                "to": self.last.isoformat(), "sort": self.sort,
                "dir": "desc" if self.descending else "asc"}
        args.update(changes)
        return {k: v for k, v in args.items() if v not in (None, "")}

    def sort_link(self, key: str) -> str:
        # A new column sorts best first (names A-Z); the current one flips.
        descending = not self.descending if key == self.sort else key not in ("name", "team")
        return url_for("sales_reports.performance",
                       **self.args(sort=key, dir="desc" if descending else "asc"))

    def aria_sort(self, key: str) -> str | None:
        if key != self.sort:
            return None
        return "descending" if self.descending else "ascending"

    def performance(self) -> Performance:
        return cached_sales_performance(self.scope, self.start, self.last + timedelta(days=1),
                                        follow_up_days=self.follow_up_days, as_of=self.today)

    def rows(self) -> list:
        return sort_rows(self.performance().rows, self.sort, self.descending)


@bp.route("/")
@role_required(Role.MANAGER)
def performance():  # noqa: ANN201
    req = _Performance()
    if req.errors:
        return render_template("sales_reports/performance.html", req=req, total=0,
                               measures=MEASURES, fmt=format_value), 400
    table = req.performance()
    total = len(table.rows)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(req.page, pages)

    def render_rows() -> str:
        rows = sort_rows(table.rows, req.sort, req.descending)
        return render_template("sales_reports/_performance_rows.html", measures=MEASURES,
                               rows=rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE],
                               fmt=format_value)

    # Sorting and rendering thousands of rows once per sort, page and language, not per view.
    rows_html = rendered(table, ("rows", locale_code(), req.sort, req.descending, page),
                         render_rows)
    return render_template("sales_reports/performance.html", req=req, total=total,
                           rows_html=rows_html, page=page, pages=pages, measures=MEASURES,
                           fmt=format_value, here="sales_reports.performance")


@bp.route("/performance.csv")
@role_required(Role.MANAGER)
def performance_csv():  # noqa: ANN201
    req = _Performance()
    if req.errors:  # a download: the reason as text, not an error page without it
        return Response(" ".join(req.errors), status=400, mimetype="text/plain")
    response = Response(measures.performance_csv(req.rows(), req.start, req.last),
                        mimetype="text/csv")
    name = f"sales-performance-{req.start.isoformat()}-to-{req.last.isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- training impact ------------------------------------------------------------------------------

def _signed(value: float, digits: int) -> str:
    """"+1.5" / "-1,5" in the reader's numbers (the sign always shown)."""
    return ("-" if value < 0 else "+") + format_number(abs(value), digits)


def _y_format(key: str):  # noqa: ANN202 - a formatter
    unit = BY_KEY[key].unit
    if unit == "share":
        return lambda v: format_percent(v, fraction=True)
    if unit == "euros":
        return lambda v: (_("%(amount)sk", amount=format_money(v / 1000, digits=0))
                          if abs(v) >= 10_000 else format_money(v, digits=0))
    if unit == "days":
        return lambda v: _("%(days)s d", days=format_number(float(f"{v:g}")))
    return lambda v: format_number(float(f"{v:g}"))


def _effect_format(key: str):  # noqa: ANN202 - a formatter of differences
    unit = BY_KEY[key].unit
    if unit == "share":
        return lambda v: _("%(points)s percentage points", points=_signed(v * 100, 1))
    if unit == "euros":
        return lambda v: _("%(amount)s €", amount=_signed(v, 0))
    if unit == "days":
        return lambda v: _("%(days)s days", days=_signed(v, 1))
    return lambda v: _signed(v, 2)


def _tick_format(key: str):  # noqa: ANN202 - a short formatter of differences, for a chart
    unit = BY_KEY[key].unit
    if unit == "share":
        return lambda v: _("%(points)s pts", points=_signed(v * 100, 1))
    if unit == "euros":
        return lambda v: _("%(amount)s €", amount=_signed(v, 0))
    return lambda v: ("+" if v >= 0 else "-") + format_number(float(f"{abs(v):.2g}"))


#: Rows of a per-person table on the impact page; the rest are in its CSV download.
MOST_ROWS = 200


@dataclass
class _ImpactRequest:
    """The impact page's choices from the query string, checked, and the analysis they ask
    for (``result``; None with an ``error``)."""

    choice: Any
    training: str
    measure: str
    window: str
    training_measure: str
    skills: dict[str, str]
    measure_choices: tuple
    error: str | None = None
    params: Any = None
    result: Any = None

    @classmethod
    def from_args(cls) -> _ImpactRequest:
        choice = choose_scope_or_404(current_user, request.args.get("team"))
        default = impact_service.default_training()
        skills = impact_training.skill_choices()
        req = cls(choice=choice,
                  training=request.args.get("training", "")
                  or (":".join(default) if default else ""),
                  measure=request.args.get("measure", "win_rate"),
                  window=request.args.get("window", "90").strip(),
                  training_measure=request.args.get("training_measure", "").strip() or "score",
                  # The skills rated so far: the skill rating is offered once there are some.
                  skills=skills,
                  measure_choices=(*MEASURES, SKILL_RATING) if skills else MEASURES)
        window_days = parse_whole(req.window)
        kind, _sep, slug = req.training.partition(":")
        if req.measure not in {m.key for m in req.measure_choices}:
            req.error = _("Choose one of the measures in the list.")
        elif not _offered(req.training_measure, skills):
            req.error = _("Choose one of the training measures in the list.")
        elif not (impact_service.WINDOW_RANGE[0] <= (window_days or 0)
                  <= impact_service.WINDOW_RANGE[1]):
            req.error = _("The window must be a whole number of days from 30 to 365.")
        elif kind not in ("path", "module") or not slug:
            req.error = _("Choose a learning path or a module.")
        if req.error is None:
            try:
                req.params = impact_service.params_from(
                    current_app.config, kind=kind, slug=slug, measure=req.measure,
                    window_days=window_days, today=local_today(),
                    training_measure=req.training_measure)
                req.result = impact_service.run(choice.scope, req.params)
            except DomainError as exc:
                req.error = exc.message
        return req

    def args(self) -> dict[str, str]:
        """The choices as query arguments (the CSV link)."""
        args = {"training": self.training, "measure": self.measure, "window": self.window,
                "training_measure": self.training_measure}
        return {**args, "team": str(self.choice.team_id)} if self.choice.team_id else args


@bp.route("/impact")
@role_required(Role.MANAGER)
def impact():  # noqa: ANN201
    req = _ImpactRequest.from_args()
    result, measure = req.result, req.measure
    body = None
    if result is not None:
        # The causal estimates cover the ten sales measures, not the skill rating.
        effect = for_params(req.choice.scope, req.params) if measure in MEASURE_KEYS else None
        csv_url = url_for("sales_reports.impact_csv", **req.args())
        # The charts, tables and estimates once per cached result, estimate and choice.
        body = rendered(result, ("impact", locale_code(), req.choice.team_id, req.training,
                                 measure, req.window, req.training_measure),
                        lambda: _impact_body(result, effect, req.choice.label, measure,
                                             req.window, csv_url),
                        also=(effect,))
    return render_template(
        "sales_reports/impact.html", viewer=req.choice.visibility, team_id=req.choice.team_id,
        team_label=req.choice.label, catalogue=load_catalogue(), training=req.training,
        measure=measure, window=req.window, error=req.error, body=body,
        measures=req.measure_choices, training_measure=req.training_measure,
        training_measures=impact_training.TRAINING_MEASURES,
        skills=req.skills), 400 if req.error else 200


@bp.route("/impact.csv")
@role_required(Role.MANAGER)
def impact_csv():  # noqa: ANN201
    """Every person of the impact page's analysis, with the figures and why they are left out
    of any: the page shows the first ``MOST_ROWS`` of each table."""
    req = _ImpactRequest.from_args()
    if req.error:  # a download: the reason as text, not an error page without it
        return Response(req.error, status=400, mimetype="text/plain")
    result = req.result
    response = Response(people_csv(result), mimetype="text/csv")
    kind, _sep, slug = req.training.partition(":")
    name = f"training-impact-{kind}-{slug}-{req.measure}-{req.window}d.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _offered(training_measure: str, skills: dict[str, str]) -> bool:
    """A training measure the form offers: the skill rating once there are observations."""
    key, sep, skill = training_measure.partition(":")
    if key not in impact_training.TRAINING_MEASURES:
        return False
    if key == impact_training.SKILL:
        return bool(skills) and (not sep or skill in skills)
    return not sep


def _impact_body(result: Any, effect: Any, team_label: str, measure: str, window: str,
                 csv_url: str) -> str:
    chart = event_chart = None
    if effect is not None and measure in effect.event_study:
        info = BY_KEY[measure]
        event_chart = event_study_svg(
            chart_id="event-study",
            title=_("%(measure)s: trained against not yet trained, per 30 days around training",
                    measure=info.label),
            desc=_("Each dot is the difference in the change of %(measure)s since the 30 days "
                   "before training, between the people trained and those not yet trained, "
                   "with its 95 %% interval. Left of the dashed line is before training: there "
                   "the dots should sit around 0. The numbers are in the table below.",
                   measure=info.label.lower()),
            points=effect.event_study[measure], y_format=_tick_format(measure))
    if result.figure.enough:
        info = BY_KEY[measure]
        points = result.scatter_points()
        chart = scatter_svg(
            chart_id="impact-scatter",
            title=_("%(training)s and %(measure)s in the %(days)s days after training",
                    training=result.training_label, measure=info.label.lower(), days=window),
            desc=(_("Squares shaded by how many people fall in them, darker for more "
                    "(n = %(n)d): %(training)s for %(title)s across, %(measure)s after "
                    "training up. The dashed line is the least-squares line. The numbers are "
                    "in the table below.", n=len(points),
                    training=result.training_label.lower(), title=result.item_title,
                    measure=info.label.lower()) if shaded(len(points)) else
                  _("One dot per person (n = %(n)d): %(training)s for %(title)s across, "
                    "%(measure)s after training up. The dashed line is the least-squares line. "
                    "The numbers are in the table below.", n=len(points),
                    training=result.training_label.lower(), title=result.item_title,
                    measure=info.label.lower())),
            points=[(p.person.name, x, y) for p, x, y in points], fit=result.figure.fit,
            x_label=_("%(training)s (%%)", training=result.training_label),
            y_label=str(info.label), y_format=_y_format(measure))
    return render_template(
        "sales_reports/_impact_body.html", effect=effect, event_chart=event_chart,
        figure_q=q_table(result.figures),
        module_q=q_table({r.slug: r.figure for r in result.modules}),
        fmt_q=fmt_q, measure_label={m.key: m.label for m in BY_KEY.values()},
        interval=interval, fmt_effect=_effect_format(measure) if measure in BY_KEY else None,
        team_label=team_label, measure=measure, result=result, chart=chart,
        dense=chart is not None and shaded(len(points)), most_rows=MOST_ROWS,
        csv_url=csv_url,
        measures=list(BY_KEY.values()), info=BY_KEY.get(measure), groups=impact_service.GROUPS,
        analyses=impact_service.ANALYSES, note=impact_service.NOTE, fmt=format_value,
        fmt_p=fmt_p, fmt_diff=fmt_diff, training_text=training_text(result),
        skill_key=impact_training.SKILL)
