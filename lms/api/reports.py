"""GET /api/v1/reports/readiness: the readiness report as JSON for an API token.

A token acts as its user: a manager's token sees their teams and the teams below (and their
direct reports), an admin's everyone. ``?team=NAME`` narrows the report to that team and the
teams below it; a team the token's user may not see answers 404, like one that does not exist.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify

from lms.analytics.readiness import rules_from_config
from lms.analytics.readiness_sql import readiness_report
from lms.analytics.report_table import report_payload
from lms.api.auth import requested_scope, token_required, unknown_args
from lms.clock import local_today
from lms.models import Role

bp = Blueprint("api_reports", __name__)


@bp.get("/reports/readiness")
@token_required(Role.MANAGER)
def readiness():  # noqa: ANN201
    choice, error = requested_scope(g.api_user)
    error = unknown_args("team") or error
    if error is not None:
        return error
    report = readiness_report(choice.scope, rules_from_config(current_app.config), local_today())
    return jsonify(report_payload(report, team=choice.label if choice.team_id else None))
