"""POST /api/v1/sales: deals as JSON, for an API token of a manager or admin.

Body: ``{"records": [{...generic template fields...}], "dry_run": false, "options": {...}}``.
The same checks, upsert by ``crm_id``, log and undo as a file import, and just as all or
nothing: any bad record answers 422 with every problem (record index from 0, field, message)
and writes nothing. See docs/sales-import.md for the fields.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _

from lms.api.auth import api_error, token_required, unknown_args
from lms.errors import DomainError
from lms.extensions import db
from lms.models import Role
from lms.safeyaml import quote
from lms.sales.importer import ImportOptions, import_records
from lms.sales.parsing import currency_code

bp = Blueprint("api_sales", __name__)
MAX_RECORDS = 50_000
BODY_KEYS = frozenset({"records", "dry_run", "options"})
OPTION_TYPES: dict[str, tuple[type, ...]] = {
    "dayfirst": (bool,), "decimal": (str,), "currency": (str,), "satisfaction_scale": (int,),
}


def _options(raw: Any) -> ImportOptions:
    """The import options of the body; ``ValueError`` with a sentence for the answer when they
    are not valid."""
    if raw is None:
        return ImportOptions()
    if not isinstance(raw, dict):
        raise ValueError(_("%(name)s must be an object.", name="'options'"))
    for key, value in raw.items():
        if key not in OPTION_TYPES:
            raise ValueError(_("Unknown option %(name)s; use %(allowed)s.", name=quote(key),
                               allowed=", ".join(OPTION_TYPES)))
        if value is not None and not isinstance(value, OPTION_TYPES[key]):
            raise ValueError(_("Option %(name)s has the wrong type.", name=quote(key)))
    if raw.get("decimal") not in (None, "comma", "point"):
        raise ValueError(_("Option %(name)s must be %(first)s or %(second)s.",
                           name="'decimal'", first="'comma'", second="'point'"))
    if raw.get("satisfaction_scale") not in (None, 5, 10):
        raise ValueError(_("Option %(name)s must be %(first)s or %(second)s.",
                           name="'satisfaction_scale'", first="5", second="10"))
    currency = raw.get("currency")
    if currency is not None:
        try:
            currency = currency_code(currency)
        except ValueError as exc:
            raise ValueError(_("Option %(name)s: %(problem)s.", name="'currency'",
                               problem=str(exc).rstrip("."))) from None
    return ImportOptions(dayfirst=raw.get("dayfirst"), decimal=raw.get("decimal"),
                         currency=currency,
                         satisfaction_scale=raw.get("satisfaction_scale"))


@bp.post("/sales")
@token_required(Role.MANAGER)
def post_sales():  # noqa: ANN201
    error = unknown_args()
    if error is not None:
        return error
    try:
        body = current_app.json.loads(request.get_data() or b"null")
    except ValueError as exc:  # includes a body nested too deeply (lms.inputs.JSONProvider)
        return api_error(400, _("The body is not valid JSON: %(problem)s.", problem=exc))
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        return api_error(400, _("Send a JSON object: %(example)s.",
                                example='{"records": [{...}, ...], "dry_run": false}'))
    unknown = sorted(set(body) - BODY_KEYS)
    if unknown:
        return api_error(400, _("Unknown key %(name)s; use %(allowed)s.",
                                name=quote(unknown[0], 40), allowed="records, dry_run, options"))
    records = body["records"]
    if len(records) > MAX_RECORDS:
        return api_error(413, _("Send at most %(most)d records per request.", most=MAX_RECORDS))
    dry_run = body.get("dry_run", False)
    if not isinstance(dry_run, bool):
        return api_error(400, _("%(name)s must be true or false.", name="'dry_run'"))
    try:
        options = _options(body.get("options"))
    except ValueError as exc:
        return api_error(400, str(exc))
    try:
        report = import_records(records, options, actor=g.api_user, dry_run=dry_run)
    except DomainError as exc:
        db.session.rollback()
        return api_error(409, exc.message)
    if not report.ok:
        db.session.rollback()
        return jsonify(
            ok=False, written=False, received=len(records), rejected=report.rejected,
            error_count=report.error_count,
            errors=[{"index": e.line, "field": e.column, "message": e.message}
                    for e in report.errors],
        ), 422
    if not dry_run:
        db.session.commit()
    return jsonify(
        ok=True, dry_run=dry_run, import_id=report.import_id, received=len(records),
        added=report.added, updated=report.updated, unchanged=report.unchanged,
        unmatched_owners=[{"email": o.email, "crm_id": o.crm_id, "name": o.name, "deals": o.rows}
                          for o in report.unmatched],
    )
