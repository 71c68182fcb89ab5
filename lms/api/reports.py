"""GET /api/v1/reports/readiness: the readiness report as JSON for an API token.

A token acts as its user: a manager's token sees their teams and the teams below (and their
direct reports), an admin's everyone. ``?team=NAME`` narrows the report to that team and the
teams below it; a team the token's user may not see answers 404, like one that does not exist.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request

from lms.analytics.readiness import rules_from_config
from lms.analytics.readiness_sql import local_today, readiness_report
from lms.analytics.report_table import report_payload
from lms.analytics.scope import OutOfScope, ViewerScope
from lms.api.auth import api_error, token_required
from lms.models import Role

bp = Blueprint("api_reports", __name__)


@bp.get("/reports/readiness")
@token_required(Role.MANAGER)
def readiness():  # noqa: ANN201
    viewer = ViewerScope(g.api_user)
    name = request.args.get("team", "").strip()
    try:
        team_id = viewer.team_id_by_name(name) if name else None
        scope = viewer.scope(team_id)
    except OutOfScope:
        return api_error(404, f"There is no team named {name!r} among the teams you can see.")
    report = readiness_report(scope, rules_from_config(current_app.config), local_today())
    return jsonify(report_payload(report, team=viewer.team_name(team_id) if team_id else None))
