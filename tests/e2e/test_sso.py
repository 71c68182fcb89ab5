"""Single sign-on in a real browser: the login page's button, the stand-in identity provider
(tests/oidc_standin.py, asking the person to approve) and back, logged in; and a refusal.

The app under test is configured for the stand-in provider: ``live_app`` is overridden here,
so ``live_server`` (tests/e2e/conftest.py) serves this one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from lms import create_app
from lms.extensions import db
from lms.models import Role
from tests.conftest import base_config
from tests.e2e.conftest import BrowserIssues, log_out
from tests.factories import make_team, make_user
from tests.oidc_standin import StandInIdP


@pytest.fixture
def idp() -> Iterator[StandInIdP]:
    with StandInIdP(interactive=True) as provider:
        yield provider


@pytest.fixture
def live_app(database_url: str, tmp_path: Path, idp: StandInIdP) -> Iterator[Flask]:
    app = create_app({**base_config(tmp_path, database_url),
                      **idp.app_config(OIDC_CREATE_USERS=True, OIDC_TEAM_CLAIM="department")})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def sign_in_at_the_provider(page: Page, base_url: str, next_path: str = "") -> None:
    page.goto(f"{base_url}/login{next_path}")
    page.get_by_role("link", name="Log in with Acme").click()
    expect(page.get_by_role("heading", name="Stand-in provider")).to_be_visible()
    page.get_by_role("button", name="Approve").click()


def test_a_salesperson_logs_in_through_the_identity_provider(
        live_app: Flask, live_server: str, idp: StandInIdP, page: Page) -> None:
    with live_app.app_context():
        make_user(Role.LEARNER, email="sam@example.com", name="Sam Seller")
    sign_in_at_the_provider(page, live_server)
    expect(page).to_have_url(f"{live_server}/learn/")
    expect(page.get_by_role("heading", name="Welcome, Sam", level=1)).to_be_visible()
    # Logging out ends the login; the next sign-in is one click and an approval away.
    log_out(page)
    sign_in_at_the_provider(page, live_server, "?next=/learn/results/")
    expect(page).to_have_url(f"{live_server}/learn/results/")


def test_a_newcomer_gets_an_account_in_their_team(
        live_app: Flask, live_server: str, idp: StandInIdP, page: Page) -> None:
    with live_app.app_context():
        make_team("North")
    idp.sign_in_as("idp-new", "nina@example.com", name="Nina New", department="North")
    sign_in_at_the_provider(page, live_server)
    expect(page.get_by_role("status")).to_contain_text("Your account was made from your Acme "
                                                       "sign-in")
    expect(page.get_by_role("heading", name="Welcome, Nina", level=1)).to_be_visible()


@pytest.mark.parametrize(("failure", "status", "says"), [
    ("expired", 400, "The answer from Acme was refused: it had expired"),
    ("unverified-email", 403, "Acme has not confirmed your email address sam@example.com"),
])
def test_a_refused_sign_in_says_why_and_leads_back_to_the_login_page(
        live_app: Flask, live_server: str, idp: StandInIdP, page: Page,
        browser_issues: BrowserIssues, failure: str, status: int, says: str) -> None:
    browser_issues.expect_status(status)
    with live_app.app_context():
        make_user(Role.LEARNER, email="sam@example.com", name="Sam Seller")
    idp.fail_next(failure)
    sign_in_at_the_provider(page, live_server)
    expect(page.get_by_role("heading", name="You are not logged in")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(says)
    page.get_by_role("link", name="Back to the login page").click()
    expect(page.get_by_role("heading", name="Log in", level=1)).to_be_visible()
    # Nothing was half done: the next sign-in works.
    sign_in_at_the_provider(page, live_server)
    expect(page.get_by_role("heading", name="Welcome, Sam", level=1)).to_be_visible()
