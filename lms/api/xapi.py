"""GET /api/v1/xapi/statements: the learning records as xAPI 1.0.3 statements, paged.

The answer is an xAPI StatementResult, ``{"statements": [...], "more": "<url or empty>"}``,
oldest first. A token sees the statements of the people its person may see (lms.security):
a learner's their own, a manager's their teams', an admin's everyone's. ``since`` (exclusive)
and the paging cursor work on the time each record came to be (lms/xapi/derive.py).
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _

from lms.api.auth import api_error, token_required, unknown_args
from lms.models import Role, utcnow
from lms.security import viewer_scope
from lms.xapi.derive import Key, build, current_site, keys, parse_since
from lms.xapi.lrs import VERSION

bp = Blueprint("api_xapi", __name__)
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
LIMIT = re.compile(r"[0-9]{1,4}")


@bp.get("/xapi/statements")
@token_required(Role.LEARNER, Role.TRAINER, Role.MANAGER)
def statements():  # noqa: ANN201
    error = unknown_args("since", "limit", "cursor")
    if error is not None:
        return error
    since = after = None
    if request.args.get("since") is not None:
        try:
            since = parse_since(request.args["since"], current_app.config["TIMEZONE"])
        except ValueError as exc:
            return api_error(400, _("since: %(problem)s", problem=str(exc)))
    raw_limit = request.args.get("limit", str(DEFAULT_LIMIT))
    if not LIMIT.fullmatch(raw_limit) or int(raw_limit) > MAX_LIMIT:
        return api_error(400, _("limit must be a whole number from 0 to %(most)d (0: as many "
                                "as the server gives, %(most)d).", most=MAX_LIMIT))
    limit = int(raw_limit) or MAX_LIMIT
    if request.args.get("cursor") is not None:
        try:
            after = Key.from_cursor(request.args["cursor"])
        except ValueError:
            return api_error(400, _("This cursor is not one the API gave out; follow the "
                                    "\"more\" link of the previous page."))
    now = utcnow()
    page = keys(viewer_scope(g.api_user), since=since, after=after, limit=limit + 1, now=now)
    more = ""
    if len(page) > limit:
        page = page[:limit]
        args = {"cursor": page[-1].cursor(), "limit": raw_limit}
        if since is not None:
            args["since"] = request.args["since"]
        more = url_for("api_xapi.statements", **args)
    out = []
    for derived in build(current_site(), page, now=now):
        if derived.problems:  # a bug, not the caller's: leave it out and say so in the log
            current_app.logger.warning("xAPI statement %s left out: %s",
                                       derived.statement.get("id"), "; ".join(derived.problems))
            continue
        out.append(derived.statement)
    response = jsonify(statements=out, more=more)
    response.headers["X-Experience-API-Version"] = VERSION
    return response
