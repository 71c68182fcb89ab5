"""My results: a person's own sales measures month by month over the last twelve months, with
their training milestones and goals on the same timeline.

Registered under /learn/results. Everyone sees only their own results, whatever their role (a
manager sees their own sales here; their team's are under Sales performance).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.analytics.charts import period_label
from lms.analytics.measures import MEASURES, format_value
from lms.analytics.my_results import MyResults, my_results
from lms.analytics.results_chart import measure_chart_svg, timeline_svg
from lms.clock import local_today
from lms.extensions import db
from lms.i18n import format_money, format_number
from lms.models import Role

bp = Blueprint("results", __name__)

#: Totals are bars; rates and averages are lines.
BARS = {"revenue", "won_deals"}


def tick_format(unit: str) -> Callable[[float], str]:
    """Axis labels: short, in the reader's language."""
    if unit == "euros":
        return lambda v: format_money(v, digits=0)
    if unit == "share":
        return lambda v: f"{format_number(v * 100, 0)} %"
    if unit == "per10":
        return lambda v: format_number(v, 1)
    return lambda v: format_number(v)


def _charts(data: MyResults) -> list[dict]:
    out = []
    path_marks = [m for m in data.milestones]
    for measure in MEASURES:
        values = [data.values[m.key][measure.key] for m in data.months]
        goals = [g for g in data.goals if g.measure == measure.key]
        known = [(m, v) for m, v in zip(data.months, values, strict=True) if v is not None]
        full = [(m, v) for m, v in known if not m.partial]
        if full:
            month, value = full[-1]
            latest = _("Latest full month, %(month)s: %(value)s.",
                       month=period_label(month.start, "month"),
                       value=format_value(measure.key, value))
        else:
            latest = _("No full month with a value yet.")
        desc = " ".join([str(measure.help), latest, _("The numbers are in the table below.")])
        svg = measure_chart_svg(
            chart_id=f"chart-{measure.key}", title=str(measure.label), desc=desc,
            timeline=data.timeline, values=values, bars=measure.key in BARS,
            milestones=path_marks, goals=goals,
            y_format=tick_format(measure.unit), share=measure.unit == "share")
        out.append({"measure": measure, "svg": svg, "latest": latest, "goals": goals})
    return out


@bp.route("/")
@login_required
def index():  # noqa: ANN201
    today = local_today()
    data = my_results(current_user, today=today,
                      follow_up_days=int(current_app.config["FOLLOW_UP_DAYS"]))
    timeline = timeline_svg(
        chart_id="results-timeline", title=_("Your training and goals over time"),
        desc=_("The last twelve months: completed learning paths and modules (numbered) and "
               "goals from their start to their deadline (lettered). The same are listed "
               "below."),
        timeline=data.timeline, milestones=data.milestones, goals=data.goals, today=today)
    can_import = current_user.has_role(Role.MANAGER, Role.ADMIN)
    page = render_template(
        "learn/results.html", data=data, charts=_charts(data) if data.closed_in_window else [],
        timeline=timeline, measures=MEASURES, format_value=format_value,
        period_label=period_label, can_import=can_import)
    # A performance goal met since the last look keeps the day (as on My goals); after the
    # page is rendered, so the commit does not expire what it shows.
    if data.recorded:
        db.session.commit()
    return page
