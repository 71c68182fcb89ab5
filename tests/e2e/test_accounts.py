"""People's journeys through accounts, people and teams, in a real browser.

Elements are found the way a person finds them: by their label, role and visible text.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.demo import DEMO_PASSWORD
from lms.extensions import db
from lms.models import Team, User
from tests.e2e.conftest import BrowserIssues, log_in, log_out, page_overflow

TEMP_PASSWORD = re.compile(r"^[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}$")


def nav(page: Page):  # noqa: ANN201 - Locator
    return page.get_by_role("navigation", name="Main")


def admin_tabs(page: Page):  # noqa: ANN201 - Locator
    """The tab row above every page of the administration."""
    return page.get_by_role("navigation", name="Administration")


def nav_labels(page: Page) -> list[str]:
    return [t.strip() for t in nav(page).get_by_role("link").all_inner_texts()]


def team_members(app: Flask, team_name: str) -> list[tuple[int, str]]:
    with app.app_context():
        team = db.session.scalar(select(Team).where(Team.name == team_name))
        return [(u.id, u.name) for u in sorted(team.members, key=lambda u: u.name)]


# Logging in and out ---------------------------------------------------------------------------

ROLE_LANDINGS = [
    # email, path it lands on, h1, nav links it sees, nav links it must not see
    ("admin@demo.test", "/admin/people", "People",
     ["My training", "My goals", "My results", "My follow-ups", "My coaching", "Content",
      "Question statistics", "My teams", "Administration"], ["People", "Teams"]),
    ("trainer@demo.test", "/author/", "Training content",
     ["My training", "My goals", "Content", "Question statistics"],
     ["My teams", "Administration", "People", "Teams"]),
    ("manager1@demo.test", "/manage/", "My teams",
     ["My training", "My goals", "My results", "My teams"],
     ["Content", "Administration", "People", "Teams", "API tokens"]),
    ("rep01@demo.test", "/learn/", re.compile(r"^Welcome, \S+$"),
     ["My training", "My goals", "My results", "My follow-ups", "My coaching"],
     ["Content", "My teams", "Administration", "People", "Teams"]),
]


@pytest.mark.parametrize(("email", "path", "heading", "sees", "hidden"), ROLE_LANDINGS,
                         ids=["admin", "trainer", "manager", "learner"])
def test_each_role_logs_in_to_its_own_start_page_and_logs_out(
        demo_server: str, page: Page, email: str, path: str, heading, sees: list[str],
        hidden: list[str]) -> None:
    log_in(page, demo_server, email, DEMO_PASSWORD)

    expect(page).to_have_url(demo_server + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert nav_labels(page) == sees
    for label in hidden:
        expect(nav(page).get_by_role("link", name=label, exact=True)).to_have_count(0)
    # The current page is marked in the navigation, and the header names who is logged in.
    expect(nav(page).locator("[aria-current=page]")).to_have_count(1)
    if heading == "People":
        # The administration's pages are tabs under one entry, not five in the main menu.
        assert [t.strip() for t in admin_tabs(page).get_by_role("link").all_inner_texts()] == [
            "People", "Teams", "Settings", "API tokens", "Team chat"]
        expect(admin_tabs(page).locator("[aria-current=page]")).to_have_text("People")
    expect(page.get_by_role("banner").get_by_role("link", name=re.compile(r"(Salesperson|Admin|"
                                                                          r"Trainer|Manager)$")))\
        .to_be_visible()

    log_out(page)
    # Logged out means logged out: the start page asks to log in again...
    page.goto(demo_server + path)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Log in to continue.")
    # ...and logging in there goes back to the page that was asked for.
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(demo_server + path)


def test_a_learner_sees_no_admin_pages(demo_server: str, page: Page,
                                       browser_issues: BrowserIssues) -> None:
    browser_issues.expect_status(403)
    log_in(page, demo_server, "rep01@demo.test", DEMO_PASSWORD)
    expect(nav(page).get_by_role("link", name="People", exact=True)).to_have_count(0)

    response = page.goto(demo_server + "/admin/people")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_text("Your account does not give access to this page")).to_be_visible()
    # The way out of the error page goes back to the learner's own start page.
    page.get_by_role("link", name="Go to your start page").click()
    expect(page).to_have_url(demo_server + "/learn/")


def test_a_wrong_password_is_refused_with_a_message(demo_server: str, page: Page,
                                                    browser_issues: BrowserIssues) -> None:
    browser_issues.expect_status(401)
    log_in(page, demo_server, "rep01@demo.test", "not-the-password")

    expect(page).to_have_url(demo_server + "/login")
    expect(page.get_by_role("alert")).to_have_text(
        "The email address or password is not correct.")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    # The email stays filled in; the password does not.
    expect(page.get_by_label("Email", exact=True)).to_have_value("rep01@demo.test")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")

    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(demo_server + "/learn/")


def test_logging_in_with_the_keyboard_only(demo_server: str, page: Page) -> None:
    page.goto(demo_server + "/login")
    email = page.get_by_label("Email", exact=True)
    password = page.get_by_label("Password", exact=True)
    remember = page.get_by_label("Keep me logged in on this device")

    # The email field has the focus when the page opens.
    expect(email).to_be_focused()
    page.keyboard.type("manager1@demo.test")
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Tab")
    expect(remember).to_be_focused()
    page.keyboard.press("Space")
    expect(remember).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Log in")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(password).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(demo_server + "/manage/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My teams")
    # "Keep me logged in" survives the browser forgetting its session cookie (a restart).
    cookies = page.context.cookies()
    assert "remember_token" in {c["name"] for c in cookies}, cookies
    page.context.clear_cookies()
    page.context.add_cookies([c for c in cookies if c["name"] != "session"])
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("My teams")

    # The skip link is the first stop for the keyboard and moves past the header.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


# People ----------------------------------------------------------------------------------------

def test_admin_adds_a_person_who_then_chooses_their_own_password(demo_server: str,
                                                                 page: Page) -> None:
    log_in(page, demo_server, "admin@demo.test", DEMO_PASSWORD)
    admin_tabs(page).get_by_role("link", name="People", exact=True).click()
    page.get_by_role("link", name="Add a person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a person")

    page.get_by_label("Full name").fill("Nina Nieuwkomer")
    page.get_by_label("Email").fill("nina.nieuwkomer@example.nl")
    page.get_by_label("Role").select_option(label="Salesperson")
    page.get_by_label("Hire date").fill("2026-01-12")
    page.get_by_label("Team", exact=True).select_option(label="Team Noord")
    page.get_by_label("Manager", exact=True).select_option(
        label="Sanne Bakker (manager1@demo.test)")
    page.get_by_label("CRM names").fill("N. Nieuwkomer")
    page.get_by_role("button", name="Add person").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Account created")
    expect(page.get_by_text("Give Nina Nieuwkomer this temporary password")).to_be_visible()
    temporary = page.locator("code.secret").inner_text().strip()
    assert TEMP_PASSWORD.match(temporary), temporary

    # The list shows the new person with their team, manager and the temporary-password flag.
    page.get_by_role("link", name="All people").click()
    row = page.get_by_role("row", name=re.compile("Nina Nieuwkomer"))
    expect(row).to_contain_text("Team Noord")
    expect(row).to_contain_text("Sanne Bakker")
    expect(row).to_contain_text("Temporary password")
    log_out(page)

    log_in(page, demo_server, "nina.nieuwkomer@example.nl", temporary)
    expect(page).to_have_url(demo_server + "/account/password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your own password")
    expect(page.get_by_role("status")).to_have_text(
        "Welcome! Choose your own password before you continue.")
    # Nothing else opens until the password is chosen.
    page.goto(demo_server + "/learn/")
    expect(page).to_have_url(demo_server + "/account/password")

    page.get_by_label("Current password").fill(temporary)
    page.get_by_label("New password", exact=True).fill("zomer-aan-zee-2026")
    page.get_by_label("Repeat the new password").fill("zomer-aan-zee-2026")
    page.get_by_role("button", name="Change password").click()

    expect(page).to_have_url(demo_server + "/learn/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Nina")
    expect(page.get_by_role("status")).to_have_text("Your password has been changed.")
    expect(page.get_by_text("Sanne Bakker")).to_be_visible()
    log_out(page)

    # The chosen password works from now on and the person is not asked again.
    log_in(page, demo_server, "nina.nieuwkomer@example.nl", "zomer-aan-zee-2026")
    expect(page).to_have_url(demo_server + "/learn/")


BAD_CSV = """email,name,role,team,manager_email,hire_date,crm_name
goed.persoon@example.nl,Goed Persoon,learner,Team Noord,manager1@demo.test,2026-02-01,
not-an-email,Zonder Email,learner,Team Noord,,2026-02-01,
derde.persoon@example.nl,,boss,Team Noord,,31-02-2026,
rep02@demo.test,Bestaat Al,learner,,,,
"""

GOOD_CSV = """email;name;role;team;manager_email;hire_date;crm_name
joris.nieuw@example.nl;Joris Nieuw;manager;Team Oost;;2026-03-01;J. Nieuw
fenna.nieuw@example.nl;Fenna Nieuw;learner;Team Oost;joris.nieuw@example.nl;02-03-2026;Fenna Nieuw
gijs.nieuw@example.nl;Gijs Nieuw;learner;Team Noord;manager1@demo.test;2026-03-02;
"""


def upload(page: Page, name: str, text: str) -> None:
    page.get_by_label("CSV file").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode()})
    page.get_by_role("button", name="Check the file").click()


def search_people(page: Page, base_url: str, query: str) -> None:
    page.goto(base_url + "/admin/people")
    page.get_by_label("Name or email").fill(query)
    page.get_by_role("button", name="Filter").click()


def test_admin_imports_people_from_a_csv_file(demo_server: str, page: Page) -> None:
    log_in(page, demo_server, "admin@demo.test", DEMO_PASSWORD)
    page.get_by_role("link", name="Import from CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import people from a CSV file")

    # A file with bad rows: every problem with its line, and nothing imported.
    upload(page, "bad.csv", BAD_CSV)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import of bad.csv")
    expect(page.get_by_role("alert")).to_contain_text("Nothing was imported")
    problems = page.get_by_role("table", name="Problems in bad.csv")
    expect(problems).to_be_visible()
    rows = problems.locator("tbody tr")
    lines = [r.split("\t")[0].strip() for r in rows.all_inner_texts()]
    assert set(lines) == {"3", "4", "5"}, rows.all_inner_texts()
    expect(problems.get_by_role("row", name=re.compile(r"^3 email "))).to_contain_text(
        "not-an-email")
    expect(problems.get_by_role("row", name=re.compile(r"^4 name "))).to_be_visible()
    expect(problems.get_by_role("row", name=re.compile(r"^4 role "))).to_contain_text("boss")
    expect(problems.get_by_role("row", name=re.compile(r"^4 hire_date "))).to_contain_text(
        "31-02-2026")
    expect(problems.get_by_role("row", name=re.compile(r"^5 email "))).to_contain_text(
        "already has an account")
    expect(page.get_by_role("button", name="Import these people")).to_have_count(0)

    search_people(page, demo_server, "goed.persoon")
    expect(page.get_by_text("No one matches these filters.")).to_be_visible()
    expect(page.get_by_text("0 people", exact=True)).to_be_visible()

    # A good file (semicolons, as Dutch Excel writes them): preview, confirm, passwords.
    page.get_by_role("link", name="Import from CSV").click()
    upload(page, "nieuw.csv", GOOD_CSV)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import of nieuw.csv")
    expect(page.get_by_text("The file is valid: 3 new people, 0 to update, and 1 new team "
                            "(Team Oost)")).to_be_visible()
    preview = page.get_by_role("table", name="What will be imported")
    expect(preview.locator("tbody tr")).to_have_count(3)
    expect(preview.get_by_role("row", name=re.compile("Fenna Nieuw"))).to_contain_text(
        "2 Mar 2026")
    page.get_by_role("button", name="Import these people").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Import finished")
    expect(page.get_by_text("3 created, 0 updated, new teams: Team Oost.")).to_be_visible()
    passwords = page.get_by_role("table", name="New accounts and their temporary passwords")
    expect(passwords.locator("tbody tr")).to_have_count(3)
    for code in passwords.locator("code").all_inner_texts():
        assert TEMP_PASSWORD.match(code.strip()), code

    page.get_by_role("link", name="All people").click()
    page.get_by_label("Name or email").fill("nieuw")
    page.get_by_label("Team", exact=True).select_option(label="Team Oost")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("2 people", exact=True)).to_be_visible()
    fenna = page.get_by_role("row", name=re.compile("Fenna Nieuw"))
    expect(fenna).to_contain_text("Joris Nieuw")
    expect(fenna).to_contain_text("Temporary password")
    search_people(page, demo_server, "gijs.nieuw@example.nl")
    expect(page.get_by_role("row", name=re.compile("Gijs Nieuw"))).to_contain_text("Team Noord")


# Teams -----------------------------------------------------------------------------------------

def test_admin_creates_archives_and_restores_a_team(demo_server: str, page: Page) -> None:
    log_in(page, demo_server, "admin@demo.test", DEMO_PASSWORD)
    admin_tabs(page).get_by_role("link", name="Teams", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teams")
    page.get_by_role("link", name="Add a team").click()

    page.get_by_label("Team name").fill("Team Oost")
    page.get_by_label("Description").fill("Gelderland and Overijssel")
    page.get_by_label("Reports into").select_option(label="Team Noord")
    page.get_by_role("group", name="Managers").get_by_label(
        "Daan Visser (manager2@demo.test)").check()
    page.get_by_role("button", name="Add team").click()

    expect(page).to_have_url(demo_server + "/admin/teams")
    expect(page.get_by_role("status")).to_have_text("Team Oost created.")
    row = page.get_by_role("row", name=re.compile("^Team Oost"))
    expect(row).to_contain_text("Daan Visser")
    expect(row).to_contain_text("Team Noord")
    expect(row).to_contain_text("Active")

    row.get_by_role("button", name="Archive").click()
    expect(page.get_by_role("status")).to_have_text("Team Oost is archived.")
    row = page.get_by_role("row", name=re.compile("^Team Oost"))
    expect(row).to_contain_text("Archived")
    expect(row.get_by_role("button", name="Restore")).to_be_visible()
    # An archived team is no longer offered when adding a person.
    page.goto(demo_server + "/admin/people/new")
    expect(page.get_by_label("Team", exact=True).locator("option", has_text="Team Oost"))\
        .to_have_count(0)

    admin_tabs(page).get_by_role("link", name="Teams", exact=True).click()
    page.get_by_role("row", name=re.compile("^Team Oost")).get_by_role(
        "button", name="Restore").click()
    expect(page.get_by_role("status")).to_have_text("Team Oost is active again.")
    row = page.get_by_role("row", name=re.compile("^Team Oost"))
    expect(row).to_contain_text("Active")
    expect(row.get_by_role("button", name="Archive")).to_be_visible()


def _noord_reports_into_oost_form(demo_server: str, live_app: Flask, page: Page) -> None:
    """Team Oost reports into Team Noord; the admin tries to make Noord report into Oost."""
    from lms.people.services import TeamFields, create_team

    with live_app.app_context():
        noord = db.session.scalar(select(Team).where(Team.name == "Team Noord"))
        create_team(TeamFields(name="Team Oost", parent=noord))
        db.session.commit()
        noord_id = noord.id
    log_in(page, demo_server, "admin@demo.test", DEMO_PASSWORD)
    page.goto(f"{demo_server}/admin/teams/{noord_id}")
    page.get_by_label("Reports into").select_option(label="Team Oost")
    page.get_by_role("button", name="Save changes").click()


def test_a_team_cannot_report_into_a_team_below_it(demo_server: str, live_app: Flask,
                                                   page: Page) -> None:
    _noord_reports_into_oost_form(demo_server, live_app, page)
    expect(page.get_by_text("A team cannot report into itself or a team below it.",
                            exact=True)).to_be_visible()
    admin_tabs(page).get_by_role("link", name="Teams", exact=True).click()
    expect(page.get_by_role("row", name=re.compile("^Team Noord"))).to_contain_text("—")
    expect(page.get_by_role("row", name=re.compile("^Team Oost"))).to_contain_text("Team Noord")


def test_the_reports_into_error_is_shown_at_the_field(demo_server: str, live_app: Flask,
                                                      page: Page) -> None:
    _noord_reports_into_oost_form(demo_server, live_app, page)
    expect(page.get_by_label("Reports into")).to_have_attribute("aria-invalid", "true",
                                                                timeout=1_000)


# Managers --------------------------------------------------------------------------------------

def test_a_manager_sees_only_their_own_team(demo_server: str, live_app: Flask, page: Page,
                                            browser_issues: BrowserIssues) -> None:
    browser_issues.expect_status(404)
    own = team_members(live_app, "Team Noord")
    other = team_members(live_app, "Team Randstad")
    log_in(page, demo_server, "manager1@demo.test", DEMO_PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_have_text("My teams")
    expect(page.get_by_role("heading", level=2)).to_have_text(re.compile(r"^Team Noord"))
    table = page.get_by_role("table", name="People in Team Noord")
    own_reps = [name for _, name in own if name != "Sanne Bakker"]
    expect(table.locator("tbody tr")).to_have_count(len(own_reps))
    shown = [t.strip() for t in table.locator("tbody th").all_inner_texts()]
    assert sorted(shown, key=str.lower) == sorted(own_reps, key=str.lower)
    body = page.locator("main").inner_text()
    for _, name in other:
        assert name not in body, f"{name} of Team Randstad is on manager1's page"
    expect(page.get_by_text("Team Randstad")).to_have_count(0)

    # Their own people open; someone else's gives the same answer as a page that does not exist.
    table.get_by_role("link", name=own_reps[0]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(own_reps[0])
    expect(page.locator("main")).to_contain_text("Team Noord")

    other_id, other_name = other[0]
    response = page.goto(f"{demo_server}/manage/reports/people/{other_id}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator("main")).not_to_contain_text(other_name)


# Widths ----------------------------------------------------------------------------------------

def test_the_managers_tables_fit_a_1280_pixel_screen(demo_server: str, page: Page) -> None:
    """The widest tables a manager reads every week need no sideways scrolling on an ordinary
    laptop screen (the readiness report and the follow-ups used to scroll)."""
    log_in(page, demo_server, "manager1@demo.test", DEMO_PASSWORD)
    for path in ("/manage/reports/", "/manage/follow-ups/", "/manage/sales-reports/",
                 "/manage/"):
        page.goto(demo_server + path)
        wide = page.eval_on_selector_all(
            ".table-wrap", "els => els.filter(e => e.scrollWidth > e.clientWidth + 1)"
                           ".map(e => [e.scrollWidth, e.clientWidth])")
        assert wide == [], f"{path}: tables wider than their frame: {wide}"


# Phones ----------------------------------------------------------------------------------------

def assert_no_sideways_scroll(page: Page) -> None:
    scroll_width, inner_width, device_width = page_overflow(page)
    assert scroll_width <= inner_width + 1 and inner_width == device_width, (
        f"{page.url}: the page is {scroll_width}px wide (window {inner_width}px) "
        f"on a {device_width}px wide screen")


def test_login_and_people_list_fit_a_phone(demo_server: str, phone_page: Page) -> None:
    page = phone_page
    page.goto(demo_server + "/login")
    assert_no_sideways_scroll(page)
    expect(page.get_by_role("link", name="Verkoopklaar")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()

    log_in(page, demo_server, "admin@demo.test", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    assert_no_sideways_scroll(page)
    expect(nav(page)).to_be_visible()
    for link in nav(page).get_by_role("link").all():
        expect(link).to_be_in_viewport()
    expect(page.get_by_role("button", name="Log out")).to_be_in_viewport()
    expect(page.get_by_role("link", name="Add a person")).to_be_visible()
    # The wide table becomes one card per person, each value labelled by its column.
    cell = page.get_by_role("row").nth(1).get_by_role("cell").first
    assert cell.evaluate("el => getComputedStyle(el).display") == "block"
    assert cell.evaluate("el => getComputedStyle(el, '::before').content") == '"Email: "'
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), "table still scrolls"


def test_the_teams_list_fits_a_phone(demo_server: str, phone_page: Page) -> None:
    log_in(phone_page, demo_server, "admin@demo.test", DEMO_PASSWORD)
    phone_page.goto(demo_server + "/admin/teams")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Teams")
    assert_no_sideways_scroll(phone_page)


# Console and CSP -------------------------------------------------------------------------------

PAGES_BY_ROLE = {
    "rep01@demo.test": ["/learn/", "/account", "/account/password"],
    "trainer@demo.test": ["/author/", "/learn/", "/account"],
    "manager1@demo.test": ["/manage/", "/learn/"],
    "admin@demo.test": ["/admin/people", "/admin/people/new", "/admin/people?q=an&role=learner",
                        "/admin/teams", "/admin/teams/new", "/admin/people/import",
                        "/manage/", "/author/"],
}


def test_pages_load_without_console_errors_or_csp_violations(
        demo_server: str, live_app: Flask, page: Page, browser_issues: BrowserIssues) -> None:
    with live_app.app_context():
        rep = db.session.scalar(select(User).where(User.email == "rep01@demo.test"))
        rep_id, team_id = rep.id, rep.team_id
    extra = {"manager1@demo.test": [f"/manage/reports/people/{rep_id}"],
             "admin@demo.test": [f"/admin/people/{rep_id}", f"/admin/teams/{team_id}"]}
    seen = []
    for email, paths in PAGES_BY_ROLE.items():
        log_in(page, demo_server, email, DEMO_PASSWORD)
        for path in [*paths, *extra.get(email, [])]:
            response = page.goto(demo_server + path)
            assert response is not None and response.status == 200, (path, response)
            # The stylesheet applied (a CSP or path mistake would leave the page unstyled).
            background = page.evaluate(
                "() => getComputedStyle(document.querySelector('.site-header')).backgroundColor")
            assert background == "rgb(11, 93, 91)", (path, background)
            seen.append(path)
        log_out(page)
    assert browser_issues.unexpected() == [], browser_issues.unexpected()
    assert len(seen) >= 18
