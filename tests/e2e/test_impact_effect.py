"""The impact page leading with a randomised rollout's effect, in a real browser: a manager's
admin chooses the training and the measure, reads the effect with its interval, the table of
every measure with q-values, and follows the link to the rollout's waves.

Screenshots: ``test-artifacts/screenshots/impact-effect-*.png``.
"""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import Page, expect

from lms.extensions import db
from lms.models import Role
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.e2e.test_impact_page import shot
from tests.effect_worlds import randomised_world, self_paced_world
from tests.factories import make_user


def _admin(app: Flask) -> None:
    with app.app_context():
        make_user(Role.ADMIN, email="admin@example.com")
        db.session.commit()


def test_a_randomised_rollout_leads_the_page(live_app: Flask, live_server: str,
                                             page: Page) -> None:
    with live_app.app_context():
        randomised_world(live_app.test_cli_runner(), effect=0.15, seed=1)
    _admin(live_app)
    log_in(page, live_server, "admin@example.com", PASSWORD)
    page.goto(f"{live_server}/manage/sales-reports/impact")
    page.get_by_label("Training", exact=True).select_option(label="Customer insight")
    page.get_by_label("Measure", exact=True).select_option(label="Win rate")
    page.get_by_role("button", name="Show", exact=True).click()

    effect = page.get_by_role("region", name=re.compile("^What the training changed"))
    expect(effect).to_contain_text("Randomised rollout")
    expect(effect).to_contain_text(re.compile(
        r"Effect of Customer insight on win rate: \+\d+\.\d percentage points \(95 % interval "))
    expect(effect).to_contain_text("Randomised: a causal estimate.")
    expect(effect).to_contain_text("That is an effect")
    table = effect.get_by_role("table", name=re.compile("Effect of the training on every measure"))
    expect(table.get_by_role("row")).to_have_count(11)
    chosen = table.get_by_role("row", name=re.compile("^Win rate"))
    expect(chosen.locator("td[data-label='q']")).to_have_text(re.compile(r"q [=<] 0\.0\d\d"))
    expect(chosen.locator("td[data-label='Verdict']")).to_have_text("effect")
    # The descriptive figures stay, under a heading that says what they are.
    expect(page.get_by_role("heading", name="What goes together: descriptive figures")
           ).to_be_visible()
    shot(page, "effect-randomised")

    effect.get_by_role("link", name="The rollout and its waves").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Customer insight")
    expect(page.get_by_text(re.compile("waitlist", re.I)).first).to_be_visible()


def test_without_a_rollout_the_page_shows_the_event_study(live_app: Flask, live_server: str,
                                                          page: Page) -> None:
    with live_app.app_context():
        self_paced_world(live_app.test_cli_runner(), effect=0.12, seed=3)
    _admin(live_app)
    log_in(page, live_server, "admin@example.com", PASSWORD)
    page.goto(f"{live_server}/manage/sales-reports/impact?training=path:customer-insight"
              "&measure=win_rate&window=90")
    effect = page.get_by_role("region", name=re.compile("^What the training changed"))
    expect(effect).to_contain_text("would have moved alike")
    chart = effect.get_by_role("img", name=re.compile("trained against not yet trained"))
    expect(chart).to_be_visible()
    effect.get_by_text("The numbers behind the chart").click()
    events = effect.get_by_role("table", name=re.compile("per 30 days around training"))
    expect(events.get_by_role("row")).to_have_count(14)  # heading and −180 … +180
    expect(events.get_by_role("row", name=re.compile(r"^-30 "))).to_contain_text("the base")
    shot(page, "effect-event-study")
