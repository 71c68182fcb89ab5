"""The manager's journey in a real browser, on the demo organisation with its content synced:
assign a learning path to one person with a relative due date, read the readiness report,
sort it, drill down to one person, and export the report as CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.demo import DEMO_PASSWORD
from lms.extensions import db
from lms.models import Assignment, ContentItem, Role, Team, User
from tests.e2e.conftest import log_in


def _team_people(app: Flask, team_name: str) -> list[str]:
    with app.app_context():
        team = db.session.scalar(select(Team).where(Team.name == team_name))
        return list(db.session.scalars(
            select(User.name).where(User.team_id == team.id, User.active.is_(True),
                                    User.role == Role.LEARNER.value).order_by(User.name)))


def _without_path(app: Flask, names: list[str], slug: str) -> str:
    """A person among ``names`` who has no live assignment of the path ``slug``."""
    with app.app_context():
        item = db.session.scalar(select(ContentItem).where(ContentItem.slug == slug))
        assigned = set(db.session.scalars(
            select(User.name).join(Assignment, Assignment.user_id == User.id)
            .where(Assignment.item_id == item.id, Assignment.withdrawn_at.is_(None))))
    free = [n for n in names if n not in assigned]
    return free[0] if free else names[0]


def test_the_managers_journey(content_demo: str, live_app: Flask, page: Page) -> None:
    mine = _team_people(live_app, "Team Noord")          # manager1's team
    theirs = _team_people(live_app, "Team Randstad")     # manager2's team
    assert len(mine) == 12 and theirs
    person = _without_path(live_app, mine, "customer-insight")

    log_in(page, content_demo, "manager1@demo.test", DEMO_PASSWORD)
    main_nav = page.get_by_role("navigation", name="Main")
    main_nav.get_by_role("link", name="My teams", exact=True).click()
    expect(page.get_by_role("heading", name="My teams", level=1)).to_be_visible()
    tabs = page.get_by_role("navigation", name="Team pages")

    # 1. Assign the "Customer insight" path to one person, due within 30 days of starting.
    tabs.get_by_role("link", name="Assignments", exact=True).click()
    expect(page.get_by_role("heading", name="Assignments", level=1)).to_be_visible()
    page.get_by_role("link", name="Assign training", exact=True).first.click()
    expect(page.get_by_role("heading", name="Assign training", level=1)).to_be_visible()
    page.get_by_label("Assign to", exact=True).select_option(
        label=f"{person} (Team Noord)")
    page.get_by_label("Learning path or module", exact=True).select_option(
        label="Customer insight")
    page.get_by_label("Within a number of days of the hire date", exact=True).check()
    page.get_by_label("Days after the hire date", exact=True).fill("30")
    page.get_by_role("button", name="Assign", exact=True).click()

    success = page.locator(".flash--success")
    expect(success).to_have_text(
        re.compile(rf"Customer insight (assigned to {re.escape(person)}\.|.*due date is updated)"))
    rows = page.get_by_role("table").get_by_role("row").filter(has_text="Customer insight")
    row = rows.filter(has=page.get_by_role("rowheader", name=person, exact=True))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("30 days after hire")

    # 2. The readiness report: the team's people only, the summary, the formula.
    tabs.get_by_role("link", name="Readiness", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Readiness"), level=1)).to_be_visible()
    table = page.get_by_role("table", name=re.compile("Readiness per salesperson"))
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(len(mine) + 1)  # heading row + people
    for name in mine:
        expect(table.get_by_role("link", name=name, exact=True)).to_be_visible()
    for name in theirs:
        expect(table.get_by_role("link", name=name, exact=True)).to_have_count(0)
    summary = page.get_by_role("region", name="Summary")
    expect(summary).to_contain_text("Salespeople")
    expect(summary.locator("dt", has_text="Salespeople").locator("xpath=../dd")
           ).to_have_text(str(len(mine)))
    expect(summary).to_contain_text("Average readiness")
    formula = page.get_by_role("region", name="How readiness is worked out")
    expect(formula.get_by_role("listitem").first).to_be_visible()

    # Sort by a column heading: Name, ascending, then descending.
    table.get_by_role("columnheader", name=re.compile("^Name")).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"sort=name(?!.*dir=desc)"))
    expect(page.get_by_role("columnheader", name=re.compile("^Name"))
           ).to_have_attribute("aria-sort", "ascending")
    names = table.get_by_role("rowheader").all_inner_texts()
    assert names == sorted(names, key=str.casefold) and len(names) == len(mine)
    table.get_by_role("columnheader", name=re.compile("^Name")).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"sort=name.*dir=desc"))
    expect(page.get_by_role("columnheader", name=re.compile("^Name"))
           ).to_have_attribute("aria-sort", "descending")
    names_desc = table.get_by_role("rowheader").all_inner_texts()
    assert names_desc == list(reversed(names))

    # 4. Export: the CSV of the report as shown (done before leaving the page).
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV", exact=True).click()
    download = info.value
    assert re.fullmatch(r"readiness-.*\.csv", download.suggested_filename)
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    records = list(csv.reader(io.StringIO(text)))
    # Headed for people, in the manager's language (an English browser here).
    assert records[0][:2] == ["Person id", "Name"] and "Readiness index" in records[0]
    assert [r[1] for r in records[1:]] == names_desc
    assert not set(theirs) & {r[1] for r in records[1:]}

    # 3. Drill down: sort by completed (most first) and open that person's page.
    table.get_by_role("columnheader", name=re.compile("^Completed")).get_by_role("link").click()
    table.get_by_role("columnheader", name=re.compile("^Completed")).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"sort=completed.*dir=desc"))
    first = table.get_by_role("rowheader").first
    busiest = first.inner_text().strip()
    first.get_by_role("link").click()
    expect(page.get_by_role("heading", name=busiest, level=1)).to_be_visible()
    who = re.escape(busiest)
    attempts = page.get_by_role("table", name=re.compile(f"Every quiz attempt of {who}"))
    expect(attempts.get_by_role("row").nth(1)).to_be_visible()
    started = attempts.get_by_role("rowheader").first
    expect(started).to_have_text(re.compile(r"^\d{1,2} \w{3} \d{4}, \d{2}:\d{2}$"))
    expect(attempts.locator("td[data-label='Version']").first).to_have_text(re.compile(r"^v\d+$"))
    modules = page.get_by_role("table", name=re.compile(f"Module progress of {who}"))
    expect(modules.get_by_role("row").nth(1)).to_be_visible()
    expect(modules.locator("td[data-label='Completed']").first).to_be_visible()
