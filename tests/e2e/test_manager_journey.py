"""The manager's journey in a real browser, on the demo organisation with its content synced:
assign a learning path to one person with a relative due date, read the readiness report,
sort it, drill down to one person, and export the report as CSV.

The journey runs twice: with an English browser and with a Dutch one (issue 13). Every label
is looked up in the language's catalogue, so the Dutch run fails when a page it passes through
shows English, and when the catalogue lacks the words the test looks for."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from babel.support import Translations
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.demo import DEMO_PASSWORD
from lms.extensions import db
from lms.models import Assignment, ContentItem, Role, Team, User

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


class Words:
    """The interface's words in one language, from the compiled catalogue the site uses."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.catalogue = (Translations.load(str(TRANSLATIONS), [language])
                          if language != "en" else None)
        assert self.catalogue is None or isinstance(self.catalogue, Translations), \
            f"no compiled catalogue for {language}"

    def __call__(self, msgid: str, **values: object) -> str:
        text = msgid
        if self.catalogue is not None:
            assert msgid in self.catalogue._catalog, f"{msgid!r} is not translated"
            text = self.catalogue.gettext(msgid)
        return text % values if values else text

    def plural(self, singular: str, plural: str, num: int, **values: object) -> str:
        text = singular if num == 1 else plural
        if self.catalogue is not None:
            assert (singular, 0) in self.catalogue._catalog, f"{singular!r} is not translated"
            text = self.catalogue.ngettext(singular, plural, num)
        return text % dict(values, num=num)


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


def log_in_speaking(page: Page, base_url: str, email: str, w: Words) -> None:
    """Log in with the labels of ``w``'s language, checking the page speaks it."""
    page.goto(f"{base_url}/login")
    assert page.locator("html").get_attribute("lang") == w.language
    page.get_by_label(w("Email"), exact=True).fill(email)
    page.get_by_label(w("Password"), exact=True).fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=w("Log in"), exact=True).click()


@pytest.mark.parametrize(("language", "browser_locale"), [("en", "en-GB"), ("nl", "nl-NL")])
def test_the_managers_journey(content_demo: str, live_app: Flask, new_page,  # noqa: ANN001
                              language: str, browser_locale: str) -> None:
    w = Words(language)
    page: Page = new_page(locale=browser_locale)
    mine = _team_people(live_app, "Team Noord")          # manager1's team
    theirs = _team_people(live_app, "Team Randstad")     # manager2's team
    assert len(mine) == 12 and theirs
    person = _without_path(live_app, mine, "customer-insight")

    log_in_speaking(page, content_demo, "manager1@demo.test", w)
    main_nav = page.get_by_role("navigation", name=w("Main"))
    main_nav.get_by_role("link", name=w("My teams"), exact=True).click()
    expect(page.get_by_role("heading", name=w("My teams"), level=1)).to_be_visible()
    tabs = page.get_by_role("navigation", name=w("Team pages"))

    # 1. Assign the "Customer insight" path to one person, due within 30 days of starting.
    tabs.get_by_role("link", name=w("Assignments"), exact=True).click()
    expect(page.get_by_role("heading", name=w("Assignments"), level=1)).to_be_visible()
    page.get_by_role("link", name=w("Assign training"), exact=True).first.click()
    expect(page.get_by_role("heading", name=w("Assign training"), level=1)).to_be_visible()
    page.get_by_label(w("Assign to"), exact=True).select_option(
        label=f"{person} (Team Noord)")
    page.get_by_label(w("Learning path or module"), exact=True).select_option(
        label="Customer insight")
    page.get_by_label(w("Within a number of days of the hire date"), exact=True).check()
    page.get_by_label(w("Days after the hire date"), exact=True).fill("30")
    page.get_by_role("button", name=w("Assign"), exact=True).click()

    success = page.locator(".flash--success")
    assigned = w("%(title)s assigned to %(name)s.", title="Customer insight", name=person)
    updated = w("%(name)s already had %(title)s; the due date is updated.",
                title="Customer insight", name=person)
    expect(success).to_have_text(re.compile(f"^({re.escape(assigned)}|{re.escape(updated)})$"))
    rows = page.get_by_role("table").get_by_role("row").filter(has_text="Customer insight")
    row = rows.filter(has=page.get_by_role("rowheader", name=person, exact=True))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(
        w.plural("%(num)d day after hire", "%(num)d days after hire", 30))

    # 2. The readiness report: the team's people only, the summary, the formula.
    tabs.get_by_role("link", name=w("Readiness"), exact=True).click()
    heading = page.get_by_role("heading", name=re.compile("^" + w("Readiness")), level=1)
    expect(heading).to_be_visible()
    caption = w.plural("Readiness per salesperson: %(num)d person.",
                       "Readiness per salesperson: %(num)d people.", len(mine))
    table = page.get_by_role("table", name=caption)
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(len(mine) + 1)  # heading row + people
    for name in mine:
        expect(table.get_by_role("link", name=name, exact=True)).to_be_visible()
    for name in theirs:
        expect(table.get_by_role("link", name=name, exact=True)).to_have_count(0)
    summary = page.get_by_role("region", name=w("Summary"))
    expect(summary).to_contain_text(w("Salespeople"))
    expect(summary.locator("dt", has_text=w("Salespeople")).locator("xpath=../dd")
           ).to_have_text(str(len(mine)))
    expect(summary).to_contain_text(w("Average readiness"))
    formula = page.get_by_role("region", name=w("How readiness is worked out"))
    expect(formula.get_by_role("listitem").first).to_be_visible()

    # Sort by a column heading: Name, ascending, then descending.
    table.get_by_role("columnheader", name=re.compile("^" + w("Name"))).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"sort=name(?!.*dir=desc)"))
    expect(page.get_by_role("columnheader", name=re.compile("^" + w("Name")))
           ).to_have_attribute("aria-sort", "ascending")
    names = table.get_by_role("rowheader").all_inner_texts()
    assert names == sorted(names, key=str.casefold) and len(names) == len(mine)
    table.get_by_role("columnheader", name=re.compile("^" + w("Name"))).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"sort=name.*dir=desc"))
    expect(page.get_by_role("columnheader", name=re.compile("^" + w("Name")))
           ).to_have_attribute("aria-sort", "descending")
    names_desc = table.get_by_role("rowheader").all_inner_texts()
    assert names_desc == list(reversed(names))

    # 4. Export: the CSV of the report as shown (done before leaving the page).
    with page.expect_download() as info:
        page.get_by_role("link", name=w("Download CSV"), exact=True).click()
    download = info.value
    assert re.fullmatch(r"readiness-.*\.csv", download.suggested_filename)
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    records = list(csv.reader(io.StringIO(text)))
    # Headed for people, in the manager's language.
    assert records[0][:2] == [w("Person id"), w("Name")] and w("Readiness index") in records[0]
    assert [r[1] for r in records[1:]] == names_desc
    assert not set(theirs) & {r[1] for r in records[1:]}

    # 3. Drill down: sort by completed (most first) and open that person's page.
    completed = table.get_by_role("columnheader", name=re.compile("^" + w("Completed")))
    completed.get_by_role("link").click()
    completed.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"sort=completed.*dir=desc"))
    first = table.get_by_role("rowheader").first
    busiest = first.inner_text().strip()
    first.get_by_role("link").click()
    expect(page.get_by_role("heading", name=busiest, level=1)).to_be_visible()
    attempts = page.get_by_role(
        "table", name=w("Every quiz attempt of %(name)s, newest first", name=busiest))
    expect(attempts.get_by_role("row").nth(1)).to_be_visible()
    started = attempts.get_by_role("rowheader").first
    expect(started).to_have_text(re.compile(r"^\d{1,2} \w{3}\.? \d{4}, \d{2}:\d{2}$"))
    expect(attempts.locator(f"td[data-label='{w('Version')}']").first).to_have_text(re.compile(r"^v\d+$"))
    modules = page.get_by_role("table", name=w("Module progress of %(name)s", name=busiest))
    expect(modules.get_by_role("row").nth(1)).to_be_visible()
    expect(modules.locator(f"td[data-label='{w('Completed')}']").first).to_be_visible()
