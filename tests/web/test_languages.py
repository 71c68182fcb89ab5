"""Which language a person reads, and numbers, money and dates in it (issue 13)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from lms import create_app
from lms.extensions import db
from lms.i18n import format_date, format_datetime, format_money, format_number, format_percent
from lms.models import User
from tests.conftest import base_config, login, post_form
from tests.factories import make_team, make_user


def heading(client, path: str, **headers: str) -> str:  # noqa: ANN001
    html = client.get(path, headers=headers).get_data(as_text=True)
    return html.split("<h1", 1)[1].split("</h1>", 1)[0]


def test_anonymous_pages_follow_the_browser(client):
    assert "Inloggen" in heading(client, "/login", **{"Accept-Language": "nl-BE,nl;q=0.9"})
    assert "Log in" in heading(client, "/login", **{"Accept-Language": "en-US,en;q=0.8"})
    page = client.get("/login", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert '<html lang="nl">' in page
    missing = client.get("/no-such-page", headers={"Accept-Language": "nl"})
    assert missing.status_code == 404
    assert "Pagina niet gevonden" in missing.get_data(as_text=True)


def test_a_browser_asking_for_neither_gets_the_organisation_default(tmp_path, database_url):
    for default, word in (("nl", "Inloggen"), ("en", "Log in")):
        app = create_app(base_config(tmp_path, database_url) | {"DEFAULT_LOCALE": default})
        with app.test_client() as client:
            assert word in heading(client, "/login", **{"Accept-Language": "fr-FR,de;q=0.8"})


def test_the_account_setting_beats_the_browser_and_can_be_undone(app, client):
    user = make_user(email="sanne@example.com")
    login(client, "sanne@example.com")
    dutch_browser = {"Accept-Language": "nl-NL"}
    assert "Mijn training" in client.get("/learn/", headers=dutch_browser).get_data(as_text=True)

    response = post_form(client, "/account/language", {"locale": "en"})
    assert response.status_code == 302
    page = client.get("/account", headers=dutch_browser).get_data(as_text=True)
    assert "Your language is saved." in page and "My training" in page
    assert db.session.get(User, user.id).locale == "en"
    # "As my browser asks" clears the setting: the Dutch browser decides again.
    post_form(client, "/account/language", {"locale": ""})
    assert "Mijn training" in client.get("/learn/", headers=dutch_browser).get_data(as_text=True)


def test_an_unknown_language_is_refused_with_a_message(app, client):
    make_user(email="sanne@example.com")
    login(client, "sanne@example.com")
    response = post_form(client, "/account/language", {"locale": "xx"}, follow_redirects=True)
    assert "Choose one of the languages offered." in response.get_data(as_text=True)


@pytest.mark.parametrize(("language", "expected"), [
    ("nl", ["€ 1.234,56", "3 december 2026", "3 dec 2026", "12.345,5", "42,5%", "€ 1.235"]),
    ("en", ["€1,234.56", "3 December 2026", "3 Dec 2026", "12,345.5", "42.5%", "€1,235"]),
])
def test_money_numbers_and_dates_follow_the_language(app, language, expected):
    with app.test_request_context(headers={"Accept-Language": language}):
        got = [format_money(Decimal("1234.56")), format_date(date(2026, 12, 3), long=True),
               format_date(date(2026, 12, 3)), format_number(12345.5),
               format_percent(42.5, 1), format_money(1234.56, digits=0)]
    # Babel keeps the amount with its currency sign: a non-breaking space.
    assert [value.replace("\xa0", " ") for value in got] == expected


def test_times_are_shown_in_the_organisation_zone(app):
    app.config["TIMEZONE"] = "Europe/Amsterdam"
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        shown = format_datetime(datetime(2026, 12, 3, 23, 30, tzinfo=UTC))
    assert shown == "4 dec 2026, 00:30"


def test_plural_forms_are_right_in_both_languages(app):
    from flask_babel import ngettext, refresh

    for language, one, many in (("en", "1 day left", "2 days left"),
                                ("nl", "Nog 1 dag", "Nog 2 dagen")):
        with app.test_request_context(headers={"Accept-Language": language}):
            refresh()  # the test's app context outlives each request context
            assert ngettext("%(num)d day left", "%(num)d days left", 1) == one
            assert ngettext("%(num)d day left", "%(num)d days left", 2) == many


def test_csv_downloads_are_headed_in_the_readers_language(app, client):
    """Spreadsheets are for people: a Dutch manager's readiness CSV says "Naam", an English
    one's "Name"; the values stay data (the API keeps the keys)."""
    manager = make_user("manager", email="mark@example.com")
    make_team("Noord", managers=[manager])
    login(client, "mark@example.com")
    dutch = client.get("/manage/reports/readiness.csv", headers={"Accept-Language": "nl"})
    english = client.get("/manage/reports/readiness.csv", headers={"Accept-Language": "en"})
    assert dutch.get_data(as_text=True).startswith("Persoons-id,Naam,E-mail,Team,")
    assert english.get_data(as_text=True).startswith("Person id,Name,Email,Team,")


def test_an_unknown_language_code_is_shown_as_it_is(app):
    """Content may say ``language: zz``; the note naming it must not fail."""
    from lms.i18n import language_name

    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert language_name("zz") == "zz" and language_name("en") == "Engels"
