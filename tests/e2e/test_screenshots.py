"""Full-page screenshots of every screen, for a person to look at; nothing visual is asserted.

The PNGs go to ``test-artifacts/screenshots/`` (git-ignored), or to ``LMS_SCREENSHOT_DIR``.
Each step checks only that the intended page is on screen, so a screenshot never silently shows
the wrong page. Desktop shots are 1280 wide; a few key pages are also taken 390 wide (a phone).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.demo import DEMO_PASSWORD
from lms.extensions import db
from lms.models import Team, User
from lms.people.services import reset_password
from tests.e2e.conftest import BrowserIssues, log_in

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("LMS_SCREENSHOT_DIR")
             or PROJECT_ROOT / "test-artifacts" / "screenshots")

BAD_CSV = """email,name,role,team,manager_email,hire_date,crm_name
goed.persoon@example.nl,Goed Persoon,learner,Team Noord,manager1@demo.test,2026-02-01,
not-an-email,Zonder Email,learner,Team Noord,,2026-02-01,
derde.persoon@example.nl,,boss,Team Noord,,31-02-2026,
rep02@demo.test,Bestaat Al,learner,,,,
vierde.persoon@example.nl,Vierde Persoon,learner,Team Noord,nobody@example.nl,2026-02-01,
"""
GOOD_CSV = """email,name,role,team,manager_email,hire_date,crm_name
joris.nieuw@example.nl,Joris Nieuw,manager,Team Oost,,2026-03-01,J. Nieuw
fenna.nieuw@example.nl,Fenna Nieuw,learner,Team Oost,joris.nieuw@example.nl,02-03-2026,F. Nieuw
gijs.nieuw@example.nl,Gijs Nieuw,learner,Team Noord,manager1@demo.test,2026-03-02,
"""


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True,
                    animations="disabled")


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def upload(page: Page, name: str, text: str) -> None:
    page.get_by_label("CSV file").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode()})
    page.get_by_role("button", name="Check the file").click()


def test_screenshots_of_every_screen(demo_server: str, live_app: Flask, new_page: Callable,
                                     browser_issues: BrowserIssues) -> None:
    browser_issues.expect_status(401, 403, 404)
    base = demo_server
    with live_app.app_context():
        noord = db.session.scalar(select(Team).where(Team.name == "Team Noord"))
        rep = db.session.scalar(select(User).where(User.email == "rep01@demo.test"))
        newcomer = db.session.scalar(select(User).where(User.email == "rep02@demo.test"))
        team_id, rep_id, noord_rep_id = noord.id, rep.id, noord.members[-1].id
        temporary = reset_password(newcomer)
        db.session.commit()

    # Logged out.
    page = new_page()
    page.goto(base + "/login")
    heading(page, "Log in")
    shot(page, "login")
    log_in(page, base, "rep01@demo.test", "wrong-password")
    expect(page.get_by_role("alert")).to_be_visible()
    shot(page, "login-error")

    # A salesperson.
    log_in(page, base, "rep01@demo.test", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    shot(page, "learner-dashboard")
    page.goto(base + "/account")
    heading(page, "Your account")
    shot(page, "account")
    page.goto(base + "/admin/people")
    heading(page, "Not allowed")
    shot(page, "error-403")
    page.goto(base + "/no/such/page")
    heading(page, "Page not found")
    shot(page, "error-404")

    # Someone with a temporary password.
    page = new_page()
    log_in(page, base, "rep02@demo.test", temporary)
    heading(page, "Choose your own password")
    shot(page, "change-password-forced")
    page.get_by_label("Current password").fill(temporary)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Repeat the new password").fill("different")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_be_visible()
    shot(page, "change-password-errors")

    # The trainer.
    page = new_page()
    log_in(page, base, "trainer@demo.test", DEMO_PASSWORD)
    heading(page, "Training content")
    shot(page, "trainer-content")

    # A manager, at both sizes.
    page = new_page()
    log_in(page, base, "manager1@demo.test", DEMO_PASSWORD)
    heading(page, "My teams")
    shot(page, "manager-my-teams")
    page.goto(f"{base}/manage/reports/people/{noord_rep_id}")
    expect(page.locator(".breadcrumb")).to_contain_text("Readiness")
    shot(page, "manager-person")

    # The admin.
    page = new_page()
    log_in(page, base, "admin@demo.test", DEMO_PASSWORD)
    heading(page, "People")
    shot(page, "admin-people")
    page.goto(f"{base}/admin/people/{rep_id}")
    expect(page.get_by_role("button", name="Save changes")).to_be_visible()
    shot(page, "admin-person-edit")
    page.goto(base + "/admin/people/new")
    page.get_by_label("Email").fill("not an email")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("alert")).to_be_visible()
    shot(page, "admin-person-add-errors")
    page.get_by_label("Full name").fill("Nina Nieuwkomer")
    page.get_by_label("Email").fill("nina@example.nl")
    page.get_by_role("button", name="Add person").click()
    heading(page, "Account created")
    shot(page, "admin-temporary-password")
    page.goto(base + "/admin/teams")
    heading(page, "Teams")
    shot(page, "admin-teams")
    page.goto(f"{base}/admin/teams/{team_id}")
    heading(page, "Team Noord")
    shot(page, "admin-team-edit")
    page.goto(base + "/admin/people/import")
    heading(page, "Import people from a CSV file")
    shot(page, "admin-import")
    upload(page, "bad.csv", BAD_CSV)
    expect(page.get_by_role("table", name="Problems in bad.csv")).to_be_visible()
    shot(page, "admin-import-preview-errors")
    page.goto(base + "/admin/people/import")
    upload(page, "nieuw.csv", GOOD_CSV)
    expect(page.get_by_role("button", name="Import these people")).to_be_visible()
    shot(page, "admin-import-preview-ok")
    page.get_by_role("button", name="Import these people").click()
    heading(page, "Import finished")
    shot(page, "admin-import-done")

    # Phones.
    phone = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(base + "/login")
    shot(phone, "login")
    log_in(phone, base, "admin@demo.test", DEMO_PASSWORD)
    heading(phone, "People")
    shot(phone, "admin-people")
    phone.goto(f"{base}/admin/people/{rep_id}")
    shot(phone, "admin-person-edit")
    phone = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(phone, base, "manager1@demo.test", DEMO_PASSWORD)
    heading(phone, "My teams")
    shot(phone, "manager-my-teams")

    assert len(list(SHOTS.glob("*.png"))) >= 20
