"""The authorisation policy, checked over every route the app has, so new routes are covered
the day they are added."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from lms.models import Role
from tests.conftest import login, page_token
from tests.factories import make_team, make_user

# The single sign-on routes exist only when it is configured (tests/web/test_sso.py).
PUBLIC_ENDPOINTS = {"static", "auth.login", "api_openapi.openapi", "sso.start", "sso.callback"}
# Endpoints each role may use; admins may use everything.
ROLE_AREAS = {
    "author.": {Role.TRAINER},
    "author_reactions.": {Role.TRAINER},
    "manage.": {Role.MANAGER},
    "reports.": {Role.MANAGER},
    "assignments.": {Role.MANAGER},
    "rollouts.": {Role.MANAGER},
    "sales.": {Role.MANAGER},
    "sales_reports.": {Role.MANAGER},
    "question_stats.": {Role.TRAINER, Role.MANAGER},
    "admin.": set(),
    "settings.": set(),
    "admin_tokens.": set(),
    "chat.": set(),
}


def concrete_url(rule) -> str:  # noqa: ANN001
    """Fill every URL parameter with 1: enough to reach the view's access checks."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)


def routes(app: Flask):  # noqa: ANN201
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_the_app_has_routes_to_check(app):
    assert len(list(routes(app))) > 15


def test_anonymous_people_are_sent_to_the_login_page_everywhere(app):
    client = app.test_client()
    token = page_token(client)  # a valid token, so a 400 can only mean the policy is missing
    for rule, method in routes(app):
        url = concrete_url(rule)
        response = client.open(url, method=method, data={"csrf_token": token})
        if rule.rule.startswith("/api/"):
            # The API has no login page: it answers 401 and says how to authenticate.
            assert response.status_code == 401, f"{method} {url}: {response.status_code}"
            assert response.is_json and "token" in response.json["error"]["message"]
            continue
        assert response.status_code == 302, f"{method} {url} answered {response.status_code}"
        assert response.headers["Location"].startswith("/login"), f"{method} {url}"


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER, Role.MANAGER])
def test_roles_get_403_outside_their_area(app, role):
    make_user(role, email="me@example.com")
    client = app.test_client()
    login(client, "me@example.com")
    token = page_token(client, "/account")
    checked = 0
    for rule, method in routes(app):
        area = next((a for a in ROLE_AREAS if rule.endpoint.startswith(a)), None)
        if area is None or role in ROLE_AREAS[area] or rule.rule.startswith("/api/"):
            continue
        url = concrete_url(rule)
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 403, f"{role} {method} {url}: {response.status_code}"
        assert "Not allowed" in response.get_data(as_text=True)
        checked += 1
    assert checked > 5


def test_admin_reaches_every_area(app):
    make_user(Role.ADMIN, email="root@example.com")
    client = app.test_client()
    login(client, "root@example.com")
    for url in ("/learn/", "/author/", "/manage/", "/admin/people", "/admin/teams"):
        assert client.get(url).status_code == 200, url


def test_manager_sees_own_teams_and_the_teams_below_them_only(app):
    boss = make_user(Role.MANAGER, email="boss@example.com", name="Big Boss")
    lead = make_user(Role.MANAGER, email="lead@example.com", name="Team Lead")
    other = make_user(Role.MANAGER, email="other@example.com", name="Other Manager")
    region = make_team("Region", managers=[boss])
    squad = make_team("Squad", managers=[lead], parent=region)
    elsewhere = make_team("Elsewhere", managers=[other])
    in_region = make_user(team=region, name="Rita Region")
    in_squad = make_user(team=squad, name="Sam Squad")
    outsider = make_user(team=elsewhere, name="Olga Outsider")

    client = app.test_client()
    login(client, "boss@example.com")
    page = client.get("/manage/").get_data(as_text=True)
    assert "Rita Region" in page and "Sam Squad" in page
    assert "Olga Outsider" not in page
    assert client.get(f"/manage/reports/people/{in_squad.id}").status_code == 200
    assert client.get(f"/manage/reports/people/{outsider.id}").status_code == 404

    lead_client = app.test_client()
    login(lead_client, "lead@example.com")
    page = lead_client.get("/manage/").get_data(as_text=True)
    assert "Sam Squad" in page and "Rita Region" not in page
    assert lead_client.get(f"/manage/reports/people/{in_region.id}").status_code == 404


def test_security_headers_forbid_inline_script(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.get_data(as_text=True)


def test_error_pages_are_friendly(app):
    @app.route("/busy")
    def busy():  # noqa: ANN202
        import sqlite3

        from sqlalchemy.exc import OperationalError

        raise OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))

    @app.route("/boom")
    def boom():  # noqa: ANN202
        raise RuntimeError("internal detail that must not leak")

    app.testing = False  # let the 500 handler answer, as in production
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    response = client.get("/busy")
    assert response.status_code == 503
    assert "Nothing you submitted was saved" in response.get_data(as_text=True)
    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body
    assert "internal detail" not in body and "Traceback" not in body
