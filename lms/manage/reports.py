"""The managers' readiness report: the table, the heat map, the charts, one person's drill-down
and their CSV exports. Thin views over lms.analytics; every page is team-scoped through
lms.security (a team or person out of scope answers 404, as if it did not exist)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.analytics import charts
from lms.analytics.csvsafe import csv_text
from lms.analytics.person_report import person_report
from lms.analytics.readiness import STATUS_ORDER, Status, explain, fmt, fmt1, rules_from_config
from lms.analytics.readiness_charts import SCORE_BANDS, chart_data, heatmap
from lms.analytics.readiness_sql import readiness_report
from lms.analytics.report_table import (
    COLUMNS,
    DEFAULT_SORT,
    filter_rows,
    heatmap_csv,
    report_csv,
    sort_rows,
    stamp,
)
from lms.boosters.report import person_retention, threshold
from lms.clock import local_today
from lms.coaching.history import skill_history, sparkline
from lms.fragments import rendered
from lms.i18n import locale_code
from lms.inputs import page_arg
from lms.learning.goal_progress import goals_overview
from lms.models import Role
from lms.security import choose_scope_or_404, get_visible_user_or_404, role_required

bp = Blueprint("reports", __name__)


@bp.context_processor
def _report_helpers() -> dict:
    return {"sort_columns": COLUMNS, "fmt1": fmt1}

PAGE_SIZE = 200
#: The SVG heat map gets unreadable beyond this; the table below it has everyone.
SVG_HEATMAP_ROWS = 60


class _Request:
    """The filters and sort order of a report page, from the query string."""

    def __init__(self) -> None:
        choice = choose_scope_or_404(current_user, request.args.get("team"))
        self.viewer, self.team_id, self.scope = choice.visibility, choice.team_id, choice.scope
        self.team_label = choice.label
        status = request.args.get("status", "")
        self.status = status if status in {s.value for s in Status} else ""
        sort = request.args.get("sort", DEFAULT_SORT)
        self.sort = sort if sort in COLUMNS else DEFAULT_SORT
        self.descending = request.args.get("dir") == "desc"
        self.page = page_arg()
        self.rules = rules_from_config(current_app.config)
        self.today = local_today()

    def args(self, **changes: Any) -> dict[str, Any]:
        """The current query string with some values changed (None drops a value)."""
        args = {"team": self.team_id, "status": self.status or None,
                "sort": None if self.sort == DEFAULT_SORT else self.sort,
                "dir": "desc" if self.descending else None}
        args.update(changes)
        return {k: v for k, v in args.items() if v not in (None, "")}

    def sort_link(self, endpoint: str, key: str) -> str:
        descending = not self.descending if key == self.sort else False
        return url_for(endpoint, **self.args(sort=key, dir="desc" if descending else None))

    def aria_sort(self, key: str) -> str | None:
        if key != self.sort:
            return None
        return "descending" if self.descending else "ascending"

    def rows(self):  # noqa: ANN201 - (report, rows)
        report = readiness_report(self.scope, self.rules, self.today)
        rows = sort_rows(filter_rows(report.rows, self.status), self.sort, self.descending)
        return report, rows


def _csv(text: str, name: str) -> Response:
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    # Personal data: never kept in a shared cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(rows: list, page: int) -> tuple[list, int, int]:
    pages = max((len(rows) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(page, pages)
    return rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], page, pages


@bp.route("/")
@role_required(Role.MANAGER)
def readiness():  # noqa: ANN201
    req = _Request()
    report, rows = req.rows()
    shown, page, pages = _page(rows, req.page)
    # The rows' labels are in the reader's language: one fragment per language.
    rows_html = rendered(report, ("rows", locale_code(), req.status, req.sort, req.descending,
                                  page),
                         lambda: render_template("reports/_readiness_rows.html", rows=shown,
                                                 fmt=fmt))
    return render_template(
        "reports/readiness.html", req=req, report=report, rows=shown, total=len(rows),
        page=page, pages=pages, columns=COLUMNS, statuses=STATUS_ORDER, rows_html=rows_html,
        explanation=explain(report.rules), fmt=fmt, stamp=stamp, Status=Status)


@bp.route("/readiness.csv")
@role_required(Role.MANAGER)
def readiness_csv():  # noqa: ANN201
    req = _Request()
    report, rows = req.rows()
    return _csv(report_csv(rows), f"readiness-{stamp(report.today)}.csv")


@bp.route("/heatmap")
@role_required(Role.MANAGER)
def heat_map():  # noqa: ANN201
    req = _Request()
    report, rows = req.rows()
    heat = heatmap(req.scope, req.today)
    shown, page, pages = _page(rows, req.page)
    return render_template("reports/heatmap.html", req=req, report=report, rows=shown,
                           total=len(rows), page=page, pages=pages, heat=heat,
                           statuses=STATUS_ORDER, band=charts.heat_band, fmt=fmt)


@bp.route("/heatmap.csv")
@role_required(Role.MANAGER)
def heat_map_csv():  # noqa: ANN201
    req = _Request()
    report, rows = req.rows()
    return _csv(heatmap_csv(rows, heatmap(req.scope, req.today)),
                f"readiness-heatmap-{stamp(report.today)}.csv")


@bp.route("/charts")
@role_required(Role.MANAGER)
def chart_page():  # noqa: ANN201
    req = _Request()
    period = request.args.get("period", "month")
    period = period if period in ("week", "month") else "month"
    report, rows = req.rows()
    data = chart_data(req.scope, req.today)
    heat = heatmap(req.scope, req.today)
    periods = charts.bucket_by_period(data.completions_by_day, period, until=req.today)
    who = req.team_label
    first, last = (periods[0][1], periods[-1][1]) if periods else ("", "")
    if period == "week":
        title = _("Modules completed per week")
        desc = _("%(who)s: the number of modules completed in each week, %(first)s to "
                 "%(last)s. The numbers are in the table beside the chart.",
                 who=who, first=first, last=last)
    else:
        title = _("Modules completed per month")
        desc = _("%(who)s: the number of modules completed in each month, %(first)s to "
                 "%(last)s. The numbers are in the table beside the chart.",
                 who=who, first=first, last=last)
    completion_svg = charts.bar_chart(
        chart_id="completions", title=title, desc=desc,
        labels=[label for _start, label, _n in periods], values=[n for _s, _label, n in periods])
    band_labels = [f"{low}-{high - 1 if high < 100 else 100}" for low, high in SCORE_BANDS]
    score_svg = charts.bar_chart(
        chart_id="scores", title=_("Best scores on assigned modules"),
        desc=_("%(who)s: how many best scores (one per person and assigned module quiz taken) "
               "fall in each band of 10 percentage points. The numbers are in the table beside "
               "the chart.", who=who), labels=band_labels, values=data.score_bands)
    svg_rows = rows[:SVG_HEATMAP_ROWS]
    heat_svg = charts.heatmap_svg(
        chart_id="heatmap", title=_("Best score per person and module"),
        desc=_("%(who)s: one row per salesperson and one column per assigned module; each cell "
               "shows the best quiz score in percent, a dash when the quiz was not taken, and "
               "n/a when the module is not assigned to that person.", who=who),
        rows=[r.name for r in svg_rows], columns=[m.title for m in heat.modules],
        values=[[_best_or_none(heat, r.user_id, m.id) for m in heat.modules]
                for r in svg_rows],
        absent=[[(r.user_id, m.id) not in heat.cells for m in heat.modules]
                for r in svg_rows]) if heat.modules and svg_rows else None
    return render_template(
        "reports/charts.html", req=req, report=report, rows=rows, period=period,
        periods=periods, completion_svg=completion_svg, score_svg=score_svg,
        band_labels=band_labels, bands=data.score_bands, heat_svg=heat_svg, heat=heat,
        svg_rows=svg_rows, svg_limit=SVG_HEATMAP_ROWS, statuses=STATUS_ORDER,
        band=charts.heat_band, fmt=fmt)


def _best_or_none(heat, user_id: int, module_id: int) -> float | None:  # noqa: ANN001
    cell = heat.cells.get((user_id, module_id))
    return None if cell is None else cell.best


@bp.route("/people/<int:user_id>")
@role_required(Role.MANAGER)
def person(user_id: int):  # noqa: ANN201
    user = get_visible_user_or_404(current_user, user_id)
    rules = rules_from_config(current_app.config)
    today = local_today()
    data = person_report(user, rules, today)
    goals = goals_overview(user, today)
    return render_template("reports/person.html", person=user, data=data, goals=goals,
                           today=today, fmt=fmt, skills=skill_history(user.id),
                           sparkline=sparkline, retention=person_retention(user.id),
                           retention_threshold=threshold())


@bp.route("/people/<int:user_id>/attempts.csv")
@role_required(Role.MANAGER)
def person_attempts_csv(user_id: int):  # noqa: ANN201
    user = get_visible_user_or_404(current_user, user_id)
    data = person_report(user, rules_from_config(current_app.config), local_today())
    # Headings in the reader's language: a spreadsheet for people (scripts use the API).
    header = [_("Started"), _("Submitted"), _("Quiz"), _("Quiz slug"), _("Quiz version"),
              _("Attempt"), _("Score (%)"), _("Passed"), _("Late"), _("Ended by")]
    text = csv_text(header, [
        (a.started_at, a.submitted_at, a.quiz_title, a.quiz_slug, a.version_number, a.number,
         a.percent, a.passed, a.late, a.reason) for a in data.attempts])
    return _csv(text, f"attempts-{user.id}-{stamp(local_today())}.csv")
