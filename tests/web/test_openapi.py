"""The API's OpenAPI 3.1 description (/api/v1/openapi.json) is true: it describes every API
route and only those, and schemathesis's generated requests (valid and invalid) never get a
5xx or an answer that breaks the described schemas."""

from __future__ import annotations

import re

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from lms.api.auth import create_token
from lms.extensions import db
from lms.models import Role
from tests.conftest import REPO
from tests.factories import make_team, make_user
from tests.learning_helpers import sync

API = "/api/v1"


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def test_every_api_route_is_described_and_nothing_else(app: Flask, client):
    document = client.get(f"{API}/openapi.json").json
    assert document["openapi"].startswith("3.1")
    routes = {(_openapi_path(rule.rule), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith(API + "/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    described = {(path, method) for path, operations in document["paths"].items()
                 for method in operations}
    assert routes == described
    assert len(routes) >= 4


def test_the_description_is_served_without_a_token_and_is_valid_openapi(app, client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200 and response.is_json
    # Loading validates the document against the OpenAPI 3.1 meta-schema.
    schema = schemathesis.openapi.from_dict(response.json)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/reports/readiness", "/api/v1/sales"}


def _isolated(app: Flask):  # noqa: ANN202 - a WSGI callable
    """The app, each request in its own app context as on a real server (the test's own
    context would otherwise share its session and ``g`` with the requests)."""
    def wsgi(environ, start_response):  # noqa: ANN001, ANN202
        with app.app_context():
            return list(app(environ, start_response))
    return wsgi


@pytest.fixture
def api_schema(app: Flask):  # noqa: ANN201
    sync(REPO)  # the repository's content: the impact report has a default path to analyse
    manager = make_user(Role.MANAGER, email="boss@example.com")
    team = make_team("Team Noord", managers=[manager])
    make_user(email="rep@example.com", team=team)
    _, plain = create_token(manager)
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", _isolated(app))
    return schema, {"Authorization": f"Bearer {plain}"}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_get_no_server_error_and_match_the_schema(api_schema, mode):
    schema, headers = api_schema
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=15, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def call(case) -> None:  # noqa: ANN001
            # Every other check runs (no 5xx, status codes, content types, response schemas,
            # invalid data rejected). Not "valid data accepted": a schema-valid slug or team
            # name that names nothing is rightly a 4xx, as is a deal the import rejects.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        call()
        checked += 1
    assert checked >= 3  # the description itself is not fuzzed
