"""GET /api/v1/openapi.json: an OpenAPI 3.1 description of every API endpoint.

Kept true by tests: every /api/v1 rule is described here and every path here is a rule
(tests/web/test_openapi.py), and schemathesis sends generated requests against it and checks
each answer against the schemas. The description is public: it holds no data.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from lms.analytics.impact_rules import COMPARISONS, GROUPS, WINDOW_RANGE
from lms.analytics.impact_training import SKILL, TRAINING_KEYS
from lms.analytics.measures import MEASURE_KEYS
from lms.analytics.readiness import Status
from lms.analytics.training_effect import DESIGNS
from lms.api.sales import MAX_RECORDS
from lms.api.xapi import MAX_LIMIT
from lms.sales.presets import FIELDS

bp = Blueprint("api_openapi", __name__)


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def _object(properties: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(properties)
    return schema


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
STRING = {"type": "string"}
DAY = {"type": "string", "format": "date"}
MEASURE_VALUES = _object({key: _nullable("number") for key in MEASURE_KEYS})

ERROR = _object({"error": {
    "type": "object", "required": ["status", "message"],
    "properties": {"status": INTEGER, "title": STRING, "message": STRING}}})

READINESS_PERSON = _object({
    "user_id": INTEGER, "name": STRING, "email": STRING, "team": _nullable("string"),
    "assigned_modules": INTEGER, "completed_modules": INTEGER,
    "completion_percent": _nullable("number"), "quizzes_assigned": INTEGER,
    "quizzes_taken": INTEGER, "average_best_score": _nullable("number"),
    "retained_percent": _nullable("number"), "booster_correct_percent": _nullable("number"),
    "modules_at_risk": INTEGER,
    "overdue_items": INTEGER, "last_activity": _nullable("string", format="date-time"),
    "readiness_index": _nullable("number"),
    "status": {"type": "string", "enum": [s.value for s in Status]}, "status_label": STRING,
})
READINESS = _object({
    "team": _nullable("string"), "today": DAY,
    "computed_at": {"type": "string", "format": "date-time"},
    "rules": _object({k: NUMBER for k in ("completion_weight", "score_weight", "ready_at",
                                          "at_risk_below")}),
    "summary": _object({
        "people": INTEGER,
        "by_status": {"type": "object", "additionalProperties": INTEGER},
        "ready_percent": _nullable("number"), "average_readiness_index": _nullable("number"),
        "average_completion_percent": _nullable("number"),
        "average_best_score": _nullable("number"), "overdue_items": INTEGER,
        "people_with_overdue_items": INTEGER,
    }),
    "people": {"type": "array", "items": _ref("ReadinessPerson")},
})

CORRELATION = {"oneOf": [{"type": "null"}, _object({
    "r": NUMBER, "n": INTEGER, "ci_low": _nullable("number"), "ci_high": _nullable("number"),
    "p_value": _nullable("number"), "q_value": _nullable("number")})]}
FIGURE = _object({
    "measure": STRING, "n": INTEGER, "enough_data": {"type": "boolean"},
    "pearson": CORRELATION, "spearman": CORRELATION, "adjusted_for_before": CORRELATION,
    "line": {"oneOf": [{"type": "null"}, _object({"slope": NUMBER, "intercept": NUMBER})]},
})
WINDOW = {"oneOf": [{"type": "null"}, _object({"first_day": DAY, "last_day": DAY})]}
IMPACT_PERSON = _object({
    "id": INTEGER, "name": STRING, "email": STRING, "team": _nullable("string"),
    "active": {"type": "boolean"}, "group": {"type": "string", "enum": list(GROUPS)},
    "wave": _nullable("integer"),
    "training_date": _nullable("string", format="date"),
    "training_score": _nullable("number"),
    "training_value": _nullable("number"),
    "module_scores": {"type": "object", "additionalProperties": _nullable("number")},
    "before": _object({"window": WINDOW, "closed_deals": INTEGER, "observations": INTEGER,
                       "values": MEASURE_VALUES}),
    "after": _object({"window": WINDOW, "complete": {"type": "boolean"},
                      "closed_deals": INTEGER, "observations": INTEGER,
                      "values": MEASURE_VALUES}),
})
COMPARISON = _object({
    "a": STRING, "b": STRING, "n_a": INTEGER, "n_b": INTEGER, "enough_data": {"type": "boolean"},
    "difference": _nullable("number"), "ci_low": _nullable("number"),
    "ci_high": _nullable("number"), "p_value": _nullable("number")})
DID = {"type": "object",
       "required": ["n_trained", "n_untrained", "enough_data", "estimate", "ci_low", "ci_high",
                    "p_value"],
       "properties": {"n_trained": INTEGER, "n_untrained": INTEGER,
                      "enough_data": {"type": "boolean"}, "estimate": _nullable("number"),
                      "ci_low": _nullable("number"), "ci_high": _nullable("number"),
                      "p_value": _nullable("number")},
       "additionalProperties": _nullable("number")}  # mean_<group>_<before|after>
IMPACT = _object({
    "analysis": _object({
        "training": _object({"kind": {"type": "string", "enum": ["path", "module"]},
                             "slug": STRING, "title": STRING,
                             "scored_modules": {"type": "array", "items": STRING}}),
        "training_measure": {"type": "string", "enum": list(TRAINING_KEYS)},
        "skill": _nullable("string"), "skill_name": _nullable("string"),
        "training_measure_label": STRING, "without_training_value": INTEGER,
        "measure": {"type": "string", "enum": [*MEASURE_KEYS, SKILL]},
        "window_days": {"type": "integer", "minimum": WINDOW_RANGE[0],
                        "maximum": WINDOW_RANGE[1]},
        "as_of": DAY, "team": _nullable("string"), "min_n": INTEGER,
        "min_closed_deals": INTEGER, "follow_up_days": INTEGER,
        "reference_date": _nullable("string", format="date"), "people_in_scope": INTEGER,
        "trained": INTEGER, "rules": {"type": "object", "additionalProperties": STRING},
        "note": STRING,
    }),
    "measures": {"type": "array", "items": _object({
        "key": STRING, "label": STRING, "unit": STRING, "higher_is_better": {"type": "boolean"}})},
    "people": {"type": "array", "items": _ref("ImpactPerson")},
    "correlations": {"type": "array", "items": _ref("Figure")},
    "modules": {"type": "array", "items": {"allOf": [
        _ref("Figure"), _object({"slug": STRING, "title": STRING})]}},
    "groups": _object({key: _object({
        "groups": {"type": "array", "items": _object({
            "group": {"type": "string", "enum": list(GROUPS)}, "label": STRING, "n": INTEGER,
            "mean": _nullable("number")})},
        "comparisons": {"type": "array", "maxItems": len(COMPARISONS),
                        "items": _ref("Comparison")}}) for key in MEASURE_KEYS}),
    "difference_in_differences": _object({key: DID for key in MEASURE_KEYS}),
    "excluded": {"type": "array", "items": _object({
        "id": INTEGER, "name": STRING, "left_out_of": {"type": "array", "items": STRING},
        "reason": STRING})},
    # The causal estimate for the chosen measure, and for every measure.
    "effect": {"oneOf": [{"type": "null"}, _ref("Effect")]},
    "effects": {"oneOf": [{"type": "null"}, _object({key: _ref("Effect")
                                                      for key in MEASURE_KEYS})]},
})
EFFECT_FIELDS = _object({
    "design": {"type": "string", "enum": list(DESIGNS)}, "estimator": STRING,
    "estimate": _nullable("number"), "ci_low": _nullable("number"),
    "ci_high": _nullable("number"), "p_value": _nullable("number"),
    "q_value": _nullable("number"), "n_treated": INTEGER, "n_control": INTEGER,
    "clusters": _nullable("integer"), "assumption": STRING,
    "trustworthy_interval": {"type": "boolean"}, "note": STRING})
EFFECT = {"allOf": [EFFECT_FIELDS, {"type": "object", "properties": {
    "design_label": STRING, "claimed": {"type": "boolean"},
    "effect_of_completing": {"oneOf": [{"type": "null"}, EFFECT_FIELDS]},
    "event_study": {"type": "array", "items": _object({
        "offset_days": INTEGER, "estimate": _nullable("number"), "ci_low": _nullable("number"),
        "ci_high": _nullable("number"), "n_treated": INTEGER, "n_control": INTEGER})},
    "rollout": {"oneOf": [{"type": "null"}, {"type": "object"}]}}}]}

FIELD_VALUE = {"type": ["string", "number", "boolean", "null"]}
SALES_REQUEST = {
    "type": "object", "required": ["records"], "additionalProperties": False,
    "properties": {
        "records": {"type": "array", "maxItems": MAX_RECORDS, "items": {
            "type": "object", "properties": {f: FIELD_VALUE for f in FIELDS},
            "additionalProperties": False}},
        "dry_run": {"type": "boolean", "default": False},
        "options": {"type": ["object", "null"], "additionalProperties": False, "properties": {
            "dayfirst": {"type": ["boolean", "null"]},
            "decimal": {"type": ["string", "null"], "enum": ["comma", "point", None]},
            "currency": {"type": ["string", "null"], "pattern": "^[A-Za-z]{3}$"},
            "satisfaction_scale": {"type": ["integer", "null"], "enum": [5, 10, None]},
        }},
    },
}
SALES_WRITTEN = _object({
    "ok": {"const": True}, "dry_run": {"type": "boolean"},
    "import_id": _nullable("integer"), "received": INTEGER, "added": INTEGER,
    "updated": INTEGER, "unchanged": INTEGER,
    "unmatched_owners": {"type": "array", "items": _object({
        "email": _nullable("string"), "crm_id": _nullable("string"),
        "name": _nullable("string"), "deals": INTEGER})},
})
SALES_REJECTED = _object({
    "ok": {"const": False}, "written": {"const": False}, "received": INTEGER,
    "rejected": INTEGER, "error_count": INTEGER,
    "errors": {"type": "array", "items": _object({
        "index": INTEGER, "field": _nullable("string"), "message": STRING})},
})

# An xAPI 1.0.3 statement as this API gives it (lms/xapi/statements.py); the specification
# (xAPI-Data.md) describes every part.
XAPI_STATEMENT = {
    "type": "object", "required": ["id", "actor", "verb", "object", "timestamp"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "actor": {"type": "object"},
        "verb": _object({"id": {"type": "string", "format": "iri"},
                         "display": {"type": "object",
                                     "additionalProperties": STRING}}, required=False),
        "object": {"type": "object", "required": ["id"],
                   "properties": {"id": {"type": "string", "format": "iri"}}},
        "result": {"type": "object"}, "context": {"type": "object"},
        "timestamp": {"type": "string", "format": "date-time"},
    },
}
XAPI_RESULT = _object({"statements": {"type": "array", "items": _ref("XapiStatement")},
                       "more": STRING})


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": _ref("Error")}}}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


AUTH_ERRORS = {"401": _error("No token, or a token that is unknown, revoked or of a "
                             "deactivated account."),
               "403": _error("The token's account may not use this endpoint.")}
TEAM = {"name": "team", "in": "query", "required": False, "schema": STRING,
        "description": "Only this team and the teams below it (a team out of the token's "
                       "sight answers 404, like one that does not exist)."}


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Verkoopklaar API", "version": "1",
                 "description": "Reports, sales import and xAPI statements for API tokens "
                                "(`lms token create EMAIL`). A token acts as its person: the "
                                "same role and team scope as in the browser."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/reports/readiness": {"get": {
                "operationId": "readiness", "summary": "The readiness report",
                "parameters": [TEAM],
                "responses": {"200": _json("The report.", _ref("Readiness")),
                              "400": _error("An unknown query parameter."),
                              "404": _error("No such team among the teams the token sees."),
                              **AUTH_ERRORS}}},
            "/api/v1/reports/impact": {"get": {
                "operationId": "impact", "summary": "The training impact analysis",
                "parameters": [
                    {"name": "path", "in": "query", "schema": STRING,
                     "description": "Training = completing this learning path."},
                    {"name": "module", "in": "query", "schema": STRING,
                     "description": "Training = completing this module (not with path)."},
                    {"name": "measure", "in": "query",
                     "schema": {"type": "string", "enum": [*MEASURE_KEYS, SKILL],
                                "default": "win_rate"},
                     "description": "The measure after training; skill_rating (the mean "
                                    "coaching rating) once observations have been recorded."},
                    {"name": "training_measure", "in": "query",
                     "schema": {"type": "string", "default": "score",
                                "pattern": "^(|score|retention|recall|skill_rating"
                                           "(:[^:]+)?)$"},
                     "description": "What stands for how well trained: the quiz score, "
                                    "retention (booster answers right, last 60 days), recall "
                                    "(predicted recall), or the mean coaching skill rating "
                                    "(skill_rating:SKILL_ID for one skill). People without a "
                                    "value are left out of the score figures."},
                    {"name": "window", "in": "query",
                     "schema": {"type": "integer", "minimum": WINDOW_RANGE[0],
                                "maximum": WINDOW_RANGE[1], "default": 90}},
                    TEAM,
                ],
                "responses": {"200": _json("The analysis.", _ref("Impact")),
                              "400": _error("A parameter is unknown or not valid (the message "
                                            "says which), or there is no learning path yet."),
                              "404": _error("No such team among the teams the token sees."),
                              **AUTH_ERRORS}}},
            "/api/v1/sales": {"post": {
                "operationId": "importSales", "summary": "Import deals (all or nothing)",
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": _ref("SalesImport")}}},
                "responses": {
                    "200": _json("Imported (or checked, with dry_run).", _ref("SalesWritten")),
                    "400": _error("The body is not JSON of the documented shape."),
                    "409": _error("The import conflicts with the data (the message says how)."),
                    "413": _error(f"More than {MAX_RECORDS} records."),
                    "422": _json("Some records are not valid; nothing was written.",
                                 _ref("SalesRejected")),
                    **AUTH_ERRORS}}},
            "/api/v1/xapi/statements": {"get": {
                "operationId": "xapiStatements",
                "summary": "Learning records as xAPI 1.0.3 statements (a StatementResult)",
                "description": "Oldest first: a module opened (experienced) and completed, "
                               "each answer of a submitted attempt (answered), each graded "
                               "attempt (passed or failed). A learner's token sees their own, "
                               "a manager's their teams', an admin's everyone's. Follow "
                               "`more` for the next page; empty when there is none.",
                "parameters": [
                    {"name": "since", "in": "query", "schema": STRING,
                     "description": "Only records after this moment (ISO 8601 with a time "
                                    "zone), or since this day (YYYY-MM-DD, from midnight in "
                                    "the organisation's time zone)."},
                    {"name": "limit", "in": "query",
                     "schema": {"type": "integer", "minimum": 0, "maximum": MAX_LIMIT,
                                "default": 100},
                     "description": f"Statements per page; 0 gives the most, {MAX_LIMIT}."},
                    {"name": "cursor", "in": "query", "schema": STRING,
                     "description": "Where the page starts: as given in `more`."},
                ],
                "responses": {"200": _json("One page of statements.", _ref("XapiResult")),
                              "400": _error("A parameter is unknown or not valid (the "
                                            "message says which)."),
                              **AUTH_ERRORS}}},
            "/api/v1/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This description", "security": [],
                "responses": {"200": {"description": "The OpenAPI document.",
                                      "content": {"application/json": {
                                          "schema": {"type": "object"}}}}}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": ERROR, "Readiness": READINESS, "ReadinessPerson": READINESS_PERSON,
                "Impact": IMPACT, "ImpactPerson": IMPACT_PERSON, "Figure": FIGURE,
                "Effect": EFFECT,
                "Comparison": COMPARISON, "SalesImport": SALES_REQUEST,
                "SalesWritten": SALES_WRITTEN, "SalesRejected": SALES_REJECTED,
                "XapiStatement": XAPI_STATEMENT, "XapiResult": XAPI_RESULT,
            },
        },
    }


@bp.get("/openapi.json")
def openapi():  # noqa: ANN201
    return jsonify(document())
