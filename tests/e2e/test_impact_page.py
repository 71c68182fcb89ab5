"""The managers' sales pages in a real browser, on the demo organisation with its content and
its 15 months of sales: the training impact page (figures, the honest guards, changing the
question) and the sales performance table (sorting, the CSV link), as an admin and as a
manager who sees one team.

Screenshots for a person to look at go to ``test-artifacts/screenshots/impact-*.png``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from lms.demo import DEMO_PASSWORD
from tests.e2e.conftest import log_in

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("LMS_SCREENSHOT_DIR") or REPO / "test-artifacts" / "screenshots")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"impact-{name}.png"), full_page=True)


def test_the_impact_page_on_the_demo_organisation(content_demo: str, page: Page) -> None:
    log_in(page, content_demo, "admin@demo.test", DEMO_PASSWORD)
    page.goto(f"{content_demo}/manage/")
    page.get_by_role("link", name="Training impact", exact=True).first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Training impact"), level=1)
           ).to_be_visible()
    # The first question: the onboarding path against the win rate, everyone, 90 days.
    expect(page.get_by_label("Training", exact=True)).to_have_value("path:new-hire-onboarding")
    expect(page.get_by_label("Measure", exact=True)).to_have_value("win_rate")
    expect(page.get_by_label("Window (days)", exact=True)).to_have_value("90")
    basis = page.get_by_role("region", name="What these figures rest on")
    expect(basis).to_contain_text("the 90 days after each person's training day")
    expect(basis).to_contain_text("Everyone: 36 salespeople")
    expect(page.get_by_text("Correlation, not proof of cause.").first).to_be_visible()

    score = page.get_by_role("region", name="Training score and win rate after training")
    chart = score.get_by_role("img", name=re.compile("Training score and win rate"))
    expect(chart).to_be_visible()
    expect(score.get_by_text("Pearson r")).to_be_visible()
    score.get_by_text(re.compile(r"The numbers behind the chart \(\d+ people\)")).click()
    expect(score.get_by_role("table")).to_be_visible()
    every = page.get_by_role("table", name=re.compile("^Correlation of training score"))
    # A heading row, the ten sales measures and the coaching skill rating (the demo coaches).
    expect(every.get_by_role("row")).to_have_count(12)
    expect(page.get_by_role("table", name=re.compile("Modules ranked"))).to_be_visible()
    # New hires have no deals before onboarding: the before/after figure declines to answer.
    did = page.get_by_role("region", name="Before and after training")
    expect(did).to_contain_text("Not enough data")
    left_out = page.get_by_role("region", name=re.compile("^Left out"))
    expect(left_out.get_by_role("row").nth(1)).to_be_visible()
    shot(page, "admin-onboarding")

    # Another question: customer insight and the follow-up rate over 120 days.
    page.get_by_label("Training", exact=True).select_option(label="Customer insight")
    page.get_by_label("Measure", exact=True).select_option(label="Follow-up rate")
    page.get_by_label("Window (days)", exact=True).fill("120")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(r"training=path%3Acustomer-insight.*window=120"))
    expect(page.get_by_role("heading", name="Training score and follow-up rate after training")
           ).to_be_visible()
    expect(page.get_by_role("region", name="What these figures rest on")).to_contain_text(
        "the 120 days after each person's training day")
    shot(page, "admin-customer-insight")


def test_a_manager_sees_one_team_and_the_guards(content_demo: str, page: Page) -> None:
    log_in(page, content_demo, "manager1@demo.test", DEMO_PASSWORD)
    page.goto(f"{content_demo}/manage/sales-reports/impact")
    basis = page.get_by_role("region", name="What these figures rest on")
    expect(basis).to_contain_text("All your teams: 12 salespeople")
    # Twelve people are too few: no correlation is shown, only the reason.
    expect(page.get_by_text(re.compile(r"at least 8 are needed"))).to_be_visible()
    shot(page, "manager-impact")

    page.get_by_role("link", name="Sales performance", exact=True).first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Sales performance"), level=1)
           ).to_be_visible()
    table = page.get_by_role("table", name=re.compile("The ten measures per salesperson"))
    expect(table.get_by_role("row")).to_have_count(13)  # the heading row and twelve people
    table.get_by_role("link", name="Win rate").click()
    expect(page).to_have_url(re.compile(r"sort=win_rate&dir=desc"))
    header = page.get_by_role("columnheader", name=re.compile("Win rate"))
    expect(header).to_have_attribute("aria-sort", "descending")
    rates = [float(t.strip().rstrip(" %")) for t in
             page.locator("td[data-label='Win rate']").all_inner_texts() if t.strip() != "—"]
    assert rates == sorted(rates, reverse=True) and len(rates) >= 10
    expect(page.get_by_role("link", name="Download CSV")).to_have_attribute(
        "href", re.compile(r"performance\.csv\?"))
    shot(page, "manager-performance")
