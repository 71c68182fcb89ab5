"""Every form that changes something refuses a POST without a valid CSRF token."""

from __future__ import annotations

import re

from lms.models import Role
from tests.conftest import login
from tests.factories import make_user


def post_rules(app):  # noqa: ANN001, ANN201
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or set()):
            yield rule


def test_every_post_route_requires_a_csrf_token(app):
    make_user(Role.ADMIN, email="root@example.com")
    client = app.test_client()
    login(client, "root@example.com")
    checked = 0
    for rule in post_rules(app):
        if rule.rule.startswith("/api/"):
            continue  # token-authenticated, no cookies: CSRF does not apply (tested there)
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
        for data in ({}, {"csrf_token": "forged"}):
            response = client.post(url, data=data)
            assert response.status_code == 400, f"POST {url} without a token: " \
                f"{response.status_code}"
            assert "Reload the page" in response.get_data(as_text=True)
        checked += 1
    assert checked >= 8


def test_login_form_requires_a_csrf_token(client):
    make_user(email="a@example.com")
    response = client.post("/login", data={"email": "a@example.com",
                                           "password": "correct-horse-battery"})
    assert response.status_code == 400
