"""Every route, as every role, with hostile path values, query strings and form fields (huge
integers, the calendar's ends, unicode, NUL, empty, very long): never a 5xx.

The routes come from ``app.url_map``, so a route added tomorrow is covered the day it is added.
Each route gets a fixed set of worst cases as an admin (who reaches every view's parsing) and a
few hypothesis-drawn mixtures as each role.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.models import Role
from tests.conftest import REPO, login, page_token
from tests.factories import make_team, make_user
from tests.learning_helpers import sync

HUGE_INTS = ["18446744073709551616", "9223372036854775808", "9" * 23, "9223372036854775807",
             "0", "-1", "1" * 400]
DATES = ["9999-12-31", "0001-01-01", "2026-02-30", "10000-01-01", "2200-01-01"]
TEXTS = ["", "²", "٣", "\x00", "a b", "UPPER", "x" * 5000, "1e9999", "\U0001f600"]
HOSTILE = HUGE_INTS + DATES + TEXTS
#: Query parameters the views read (grep request.args in lms/) and form fields the forms have;
#: each request sets them all to hostile values.
QUERY_NAMES = ["team", "person", "item", "page", "from", "to", "version", "window", "q", "role",
               "status", "sort", "dir", "period", "training", "measure", "path", "module",
               "kind", "next"]
FORM_NAMES = ["team_id", "manager_id", "parent_id", "manager_ids", "hire_date", "due_date",
              "due_kind", "days_after_hire", "item_id", "target", "deadline", "starts_on",
              "within_days", "kind", "path", "module", "email", "name", "role", "currency",
              "enabled", "text", "action", "title", "note", "slug", "category"]
ROLES = [None, Role.LEARNER, Role.TRAINER, Role.MANAGER, Role.ADMIN]
_PARAM = re.compile(r"<(?:([^:>(]+)(?:\([^)]*\))?:)?([^>]+)>")


def _routes(app: Flask) -> list[tuple[str, str]]:
    return sorted((rule.rule, method) for rule in app.url_map.iter_rules()
                  if rule.endpoint != "static"
                  for method in rule.methods - {"HEAD", "OPTIONS"})


def _url(rule: str, value: str, query: dict[str, str]) -> str:
    path = _PARAM.sub(lambda m: quote(value, safe="") or "x", rule)
    return path + ("?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())
                   if query else "")


@pytest.fixture
def clients(app: Flask):  # noqa: ANN201 - role -> (client, csrf token)
    sync(REPO)  # real content, so the slug routes reach their views
    manager = make_user(Role.MANAGER, email="manager@example.com")
    team = make_team("Team Noord", managers=[manager])
    make_user(Role.LEARNER, email="learner@example.com", team=team, manager=manager)
    make_user(Role.TRAINER, email="trainer@example.com")
    make_user(Role.ADMIN, email="admin@example.com")
    result = {}
    for role in ROLES:
        client = app.test_client()
        if role is not None:
            assert login(client, f"{role}@example.com").status_code == 302
        result[role] = (client, page_token(client, "/login" if role is None else "/account"))
    return result


def _send(client, method: str, url: str, token: str, value: str):  # noqa: ANN001, ANN201
    data = {name: value for name in FORM_NAMES} if method == "POST" else None
    if data is not None:
        data["csrf_token"] = token
    response = client.open(url, method=method, data=data)
    assert response.status_code < 500, f"{method} {url[:200]!r}: {response.status_code}"
    return response


def test_every_route_survives_the_worst_cases_as_an_admin(app, clients):
    client, token = clients[Role.ADMIN]
    routes = _routes(app)
    assert len(routes) > 40
    for rule, method in routes:
        for value in HOSTILE:
            _send(client, method, _url(rule, value, dict.fromkeys(QUERY_NAMES, value)),
                  token, value)


def _mixtures(client, method: str, rule: str, token: str):  # noqa: ANN001, ANN202
    hostile = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30),
                        st.integers(min_value=-2**70, max_value=2**70).map(str))

    @given(value=hostile,
           query=st.dictionaries(st.sampled_from(QUERY_NAMES), hostile, max_size=4))
    @settings(max_examples=3, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def send(value: str, query: dict[str, str]) -> None:
        _send(client, method, _url(rule, value, query), token, value)

    return send


@pytest.mark.parametrize("role", ROLES, ids=lambda r: str(r or "anonymous"))
def test_every_route_survives_hypothesis_mixtures_as_each_role(app, clients, role):
    client, token = clients[role]
    for rule, method in _routes(app):
        _mixtures(client, method, rule, token)()
