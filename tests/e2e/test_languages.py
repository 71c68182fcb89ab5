"""Dutch and English in a real browser (issue 13): the login page follows the browser, a Dutch
new hire completes the New hire onboarding path entirely in Dutch (the translated modules and
quizzes), and a manager who chose English reads that person's readiness in English.

Questions are answered from the quiz version the attempt is pinned to (the Dutch one), so the
test follows whatever the sample content asks; everything else is found by visible text.
Screenshots go to ``test-artifacts/screenshots/languages-*.png``.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.dates import format_date
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.clock import local_today
from lms.content.documents import Matching, MultipleResponse, Numeric, ShortText, SingleChoice
from lms.extensions import db
from lms.learning.assignments import assign
from lms.learning.catalog import live_item, quiz_doc
from lms.models import Attempt, ContentKind, ContentTranslation, PathCompletion, Team
from tests.e2e.conftest import use_content_copy
from tests.factories import PASSWORD, make_team, make_user
from tests.learning_helpers import sync

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("LMS_SCREENSHOT_DIR") or REPO / "test-artifacts" / "screenshots")
ONBOARDING = "new-hire-onboarding"
ATTEMPT_URL = re.compile(r"/learn/attempts/(\d+)$")


def test_the_login_page_speaks_the_browsers_language(new_page, live_server):
    dutch = new_page(locale="nl-NL")
    dutch.goto(f"{live_server}/login")
    expect(dutch.get_by_role("heading", name="Inloggen", level=1)).to_be_visible()
    expect(dutch.get_by_label("Wachtwoord", exact=True)).to_be_visible()
    assert dutch.locator("html").get_attribute("lang") == "nl"
    english = new_page(locale="en-GB")
    english.goto(f"{live_server}/login")
    expect(english.get_by_role("heading", name="Log in", level=1)).to_be_visible()
    assert english.locator("html").get_attribute("lang") == "en"


@pytest.fixture
def onboarding(live_app: Flask, live_server: str, tmp_path: Path) -> dict:
    """The real content (with its Dutch translations), a Dutch new hire with the onboarding
    path assigned, and their manager, who chose English on their account."""
    root = use_content_copy(live_app, tmp_path)
    with live_app.app_context():
        sync(root)
        manager = make_user("manager", email="mark.manager@example.com", name="Mark Manager")
        manager.locale = "en"
        team = make_team("Noord", managers=[manager])
        hire = make_user(email="sanne.smit@example.com", name="Sanne Smit", team=team)
        path = live_item(ContentKind.PATH, ONBOARDING)
        due = local_today() + timedelta(days=30)
        assign(hire, path, due_date=due, by=manager)
        db.session.commit()
        dutch_titles = {(row.item.kind, row.item.slug): row.version.title
                        for row in db.session.scalars(select(ContentTranslation)
                                                      .where(ContentTranslation.language == "nl"))}
        modules = [entry.module for entry in quiz_or_path_doc(path).modules]
        return {"base": live_server, "hire_id": hire.id, "due": due, "titles": dutch_titles,
                "modules": modules}


def quiz_or_path_doc(item):  # noqa: ANN001, ANN201
    from lms.learning.catalog import doc_of

    return doc_of(item.current_version)


def answer_correctly(page: Page, live_app: Flask, attempt_id: int) -> None:
    """Fill in the right answer to every drawn question, as the attempt's version has it."""
    with live_app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.language == "nl", "the attempt is taken on the Dutch quiz"
        doc = quiz_doc(attempt.quiz_version)
        by_id = {q.id: q for q in doc.questions}
        drawn = [by_id[row.question_id] for row in attempt.questions]
    for question in drawn:
        name = f"q-{question.id}"
        if isinstance(question, SingleChoice):
            right = next(i for i, o in enumerate(question.options) if o.correct)
            page.locator(f"#{name}-o{right}").check()
        elif isinstance(question, MultipleResponse):
            for i, option in enumerate(question.options):
                if option.correct or (option.weight or 0) > 0:
                    page.locator(f"#{name}-o{i}").check()
        elif isinstance(question, Numeric):
            answer = max(question.answers, key=lambda a: a.weight)
            value = answer.value if answer.value is not None else answer.min
            # As a Dutch salesperson types a number: with a decimal comma.
            page.locator(f"#{name}").fill(f"{value:g}".replace(".", ","))
        elif isinstance(question, ShortText):
            page.locator(f"#{name}").fill(max(question.answers, key=lambda a: a.weight).text)
        elif isinstance(question, Matching):
            for k, pair in enumerate(question.pairs):
                page.locator(f"#{name}-{k}").select_option(pair.right)
        else:  # true/false
            page.locator(f"#{name}-{'true' if question.answer else 'false'}").check()


def test_a_dutch_new_hire_completes_onboarding_in_dutch(new_page, live_app, onboarding):
    base, titles = onboarding["base"], onboarding["titles"]
    assert {("module", m) for m in onboarding["modules"]} <= set(titles), \
        "every onboarding module is in Dutch"
    page = new_page(locale="nl-NL")
    log_in_as(page, base, "sanne.smit@example.com")
    expect(page.get_by_role("heading", name="Welkom, Sanne", level=1)).to_be_visible()
    # The path and its due date, in Dutch ("3 dec 2026").
    expect(page.get_by_text(titles[("path", ONBOARDING)]).first).to_be_visible()
    expect(page.locator("main")).to_contain_text(format_date(onboarding["due"], "d MMM y",
                                                             locale="nl"))
    page.screenshot(path=str(SHOTS / "languages-dutch-dashboard.png"), full_page=True)

    timed: list[str] = []
    for slug in onboarding["modules"]:
        page.goto(f"{base}/learn/modules/{slug}")
        expect(page.get_by_role("heading", name=titles[("module", slug)], level=1)) \
            .to_be_visible()
        page.get_by_role("button", name="Gelezen: naar de toets").click()
        expect(page.get_by_role("heading", name=titles[("quiz", slug)], level=1)).to_be_visible()
        page.get_by_role("button", name="Start de toets").click()
        match = ATTEMPT_URL.search(page.url)
        assert match, page.url
        answer_correctly(page, live_app, int(match.group(1)))
        if page.locator("#timer-left").count():  # a timed quiz: the script counts in Dutch
            timed.append(slug)
            expect(page.locator("#timer-left")).to_contain_text(re.compile(r"^\d+ minuten$"))
        if slug == onboarding["modules"][0]:
            page.screenshot(path=str(SHOTS / "languages-dutch-quiz.png"), full_page=True)
        page.get_by_role("button", name="Antwoorden inleveren").click()
        expect(page.get_by_text("Geslaagd").first).to_be_visible()

    page.screenshot(path=str(SHOTS / "languages-dutch-result.png"), full_page=True)
    assert timed, "the onboarding path has a timed quiz (objection handling)"
    with live_app.app_context():
        assert db.session.scalar(select(PathCompletion).where(
            PathCompletion.user_id == onboarding["hire_id"])) is not None

    # Her manager chose English on his account: after logging in on a Dutch browser, the same
    # person's readiness is in English.
    manager = new_page(locale="nl-NL")
    log_in_as(manager, base, "mark.manager@example.com")
    manager.goto(f"{base}/manage/reports/")
    expect(manager.get_by_role("heading", name="Readiness", level=1)).to_be_visible()
    row = manager.get_by_role("row").filter(has_text="Sanne Smit")
    expect(row).to_contain_text("Ready")
    manager.screenshot(path=str(SHOTS / "languages-english-readiness.png"), full_page=True)


def log_in_as(page: Page, base: str, email: str) -> None:
    """Log in on a Dutch browser's login page, by its Dutch labels."""
    page.goto(f"{base}/login")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen", exact=True).click()


def test_a_dutch_manager_reads_readiness_in_dutch(new_page, live_app, onboarding):
    """The same report as the English manager's, in Dutch words and Dutch dates."""
    with live_app.app_context():
        manager = make_user("manager", email="marieke.manager@example.com",
                            name="Marieke Manager")
        team = db.session.scalar(select(Team).where(Team.name == "Noord"))
        team.managers.append(manager)
        db.session.commit()
    page = new_page(locale="nl-NL")
    log_in_as(page, onboarding["base"], "marieke.manager@example.com")
    page.goto(f"{onboarding['base']}/manage/reports/")
    expect(page.get_by_role("heading", name="Gereedheid", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Sanne Smit")
    expect(row).to_contain_text("Niet begonnen")
    page.screenshot(path=str(SHOTS / "languages-dutch-readiness.png"), full_page=True)
