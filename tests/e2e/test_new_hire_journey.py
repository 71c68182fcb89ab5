"""The learner's side in a real browser: a new salesperson's whole journey through an assigned
learning path (dashboard, module, quiz with a failed and a passed attempt, the unlocked follow-up
module, completion), and the quiz's edges (resuming, a double submit, a locked module, the time
limit, no JavaScript, a phone).

Elements are found the way a person finds them: by role, label and visible text. The one
shortcut: the quiz's cooldown "passes" by moving a submission's time back in the database.
Screenshots for a person to look at go to ``test-artifacts/screenshots/learner-*.png``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import func, select

from lms.extensions import db
from lms.learning.assignments import assign
from lms.learning.catalog import live_item
from lms.models import Attempt, AttemptQuestion, ContentKind, Submission, utcnow
from tests.e2e.conftest import BrowserIssues, log_in, page_overflow, use_content_copy
from tests.factories import PASSWORD, make_user
from tests.learning_helpers import sync, write_practice

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("LMS_SCREENSHOT_DIR") or REPO / "test-artifacts" / "screenshots")
EMAIL = "nina.nieuw@example.com"
QUIZ = "/learn/quizzes/practice-quiz"
ATTEMPT_URL = re.compile(r"/learn/attempts/(\d+)$")
RESULT_URL = re.compile(r"/learn/attempts/(\d+)/result$")


# Set-up -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Learner:
    base: str
    user_id: int
    due: date


def day(value: date | datetime) -> str:
    """A date as the app shows it (lms/templating.py: "%-d %b %Y")."""
    return value.strftime("%-d %b %Y")


@pytest.fixture
def new_hire(live_app: Flask, live_server: str, tmp_path: Path) -> Callable[..., Learner]:
    """``new_hire(**quiz_settings)``: the practice content (tests/learning_helpers.py) in a copy
    of the content the live app reads, and a new salesperson with "practice-path" assigned,
    due in 30 days."""

    def setup(**quiz_settings: object) -> Learner:
        root = use_content_copy(live_app, tmp_path)
        write_practice(root, **quiz_settings)
        due = date.today() + timedelta(days=30)
        with live_app.app_context():
            sync(root)
            user = make_user(email=EMAIL, name="Nina Nieuw", hire_date=date.today())
            assign(user, live_item(ContentKind.PATH, "practice-path"), due_date=due)
            db.session.commit()
            return Learner(live_server, user.id, due)

    return setup


def submissions_of(app: Flask, user_id: int) -> list[tuple[int, int, datetime]]:
    """(attempt id, attempt number, submitted at) of each of the person's submissions."""
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(Attempt.id, Attempt.number, Submission.submitted_at)
            .join(Submission, Submission.attempt_id == Attempt.id)
            .where(Attempt.user_id == user_id).order_by(Attempt.number))]


# Page helpers -------------------------------------------------------------------------------

def shot(page: Page, name: str) -> None:
    """A full-page screenshot for a person to look at; nothing visual is asserted."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(SHOTS / f"learner-{name}-{width}.png"), full_page=True,
                    animations="disabled")


def h1(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def module_title(page: Page, title: str) -> Locator:
    """A module page's title (the Markdown may repeat it as a heading of its own)."""
    return page.get_by_role("heading", level=1, name=title, exact=True).first


def question(page: Page, number: int) -> Locator:
    """A question's fieldset: a group named by its legend, "Question N (1 point)"."""
    return page.get_by_role("group", name=re.compile(rf"^Question {number}\b"))


def feedback(page: Page, number: int) -> Locator:
    return page.get_by_role("listitem").filter(
        has=page.get_by_text(f"Question {number}", exact=True))


def step(page: Page, title: str) -> Locator:
    """A step of the path page, by its heading."""
    return page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=title, exact=True, level=2))


def fact(page: Page, term: str) -> Locator:
    """The <dd> after the <dt> ``term`` in the result's facts list."""
    return page.locator("dl.facts dt", has_text=term).locator("xpath=following-sibling::dd[1]")


def start_from_overview(page: Page, button: str) -> int:
    page.get_by_role("button", name=button, exact=True).click()
    expect(page).to_have_url(ATTEMPT_URL)
    return int(ATTEMPT_URL.search(page.url).group(1))


def answer_all_right(page: Page) -> None:
    question(page, 1).get_by_label("Your answer (in cups)").fill("60")
    question(page, 2).get_by_label("Office", exact=True).check()
    question(page, 3).get_by_label("False", exact=True).check()
    question(page, 4).get_by_label("Your answer", exact=True).fill(" brewline ")
    question(page, 5).get_by_label("C1", exact=True).select_option("25")
    question(page, 5).get_by_label("B60", exact=True).select_option("60")


def submit_answers(page: Page) -> None:
    page.get_by_role("button", name="Submit answers").click()
    expect(page).to_have_url(RESULT_URL)


def status_message(page: Page) -> Locator:
    return page.get_by_role("status")


# 1. The whole journey -----------------------------------------------------------------------

def test_new_hire_journey_from_assignment_to_completed_path(
        new_hire: Callable[..., Learner], live_app: Flask, page: Page) -> None:
    me = new_hire(cooldown_minutes=60, max_attempts=3)
    base = me.base
    log_in(page, base, EMAIL, PASSWORD)

    # The dashboard: the assignment with its due date, nothing done yet, and the next step.
    expect(page).to_have_url(base + "/learn/")
    expect(h1(page)).to_have_text("Welcome, Nina")
    assigned = page.get_by_role("region", name="Assigned to you")
    expect(assigned.get_by_role("link", name="Practice path")).to_be_visible()
    expect(assigned).to_contain_text("Learning path")
    expect(assigned).to_contain_text(f"Due {day(me.due)}")
    bar = assigned.get_by_role("progressbar", name="Progress in Practice path")
    expect(bar).to_have_attribute("value", "0")
    expect(assigned).to_contain_text("0 of 2 required modules complete")
    next_step = page.get_by_role("region", name="Your next step")
    expect(next_step).to_contain_text(f"part of Practice path, due {day(me.due)}")
    shot(page, "dashboard-assigned")

    # The module, opened from the next step: its contents, then reading it.
    next_step.get_by_role("link", name="Practice module").click()
    expect(page).to_have_url(base + "/learn/modules/practice-module")
    expect(module_title(page, "Practice module")).to_be_visible()
    toc = page.get_by_role("navigation", name="Contents of this module")
    expect(toc.get_by_role("link", name="The facts")).to_be_visible()
    expect(page.get_by_text("About 5 minutes")).to_be_visible()
    shot(page, "module")
    toc.get_by_role("link", name="The facts").click()
    expect(page).to_have_url(re.compile(r"#the-facts$"))
    expect(page.get_by_text("The Office B60 makes 60 cups a day.")).to_be_in_viewport()
    page.get_by_role("button", name="I have read this: go to the quiz").click()

    # The quiz overview explains the rules.
    expect(page).to_have_url(base + QUIZ)
    expect(status_message(page)).to_have_text(
        "Marked as read. Pass the quiz to complete the module.")
    expect(h1(page)).to_have_text("Practice quiz")
    rules = page.locator("section", has=page.get_by_role("heading", name="How this quiz works"))
    expect(rules).to_contain_text("5 questions.")
    expect(rules).to_contain_text("You pass with 60% or more.")
    expect(rules).to_contain_text("You have 3 attempts, with 60 minutes between attempts.")
    expect(rules).to_contain_text("You see the correct answers after each attempt.")
    expect(page.get_by_text("No attempts yet.")).to_be_visible()
    shot(page, "quiz-overview")

    # Attempt 1, answered badly; one question by keyboard only.
    first_id = start_from_overview(page, "Start the quiz")
    expect(h1(page)).to_have_text("Practice quiz attempt 1")
    expect(page.get_by_role("group", name=re.compile(r"^Question \d"))).to_have_count(5)
    shot(page, "attempt")
    page.get_by_label("Your answer (in cups)").fill("6")
    page.keyboard.press("Tab")  # into the single-choice radio group: its first option
    expect(page.get_by_label("Office", exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")  # arrows move the choice within the group
    expect(page.get_by_label("Compact", exact=True)).to_be_focused()
    expect(page.get_by_label("Compact", exact=True)).to_be_checked()
    page.keyboard.press("Tab")  # on to the true/false group
    expect(page.get_by_label("True", exact=True)).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label("True", exact=True)).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Your answer", exact=True)).to_be_focused()
    page.keyboard.type("Brewline")
    page.get_by_label("C1", exact=True).select_option("60")
    page.get_by_label("B60", exact=True).select_option("25")
    submit_answers(page)

    # The result: not passed, the score, feedback per question, attempts left, the cooldown.
    [(attempt_id, number, submitted_at)] = submissions_of(live_app, me.user_id)
    assert (attempt_id, number) == (first_id, 1)
    # Times are shown in the organisation's zone (LMS_TIMEZONE, Europe/Amsterdam by default).
    zone = ZoneInfo(live_app.config["TIMEZONE"])
    retry_at = (submitted_at + timedelta(minutes=60)).astimezone(zone)
    expect(h1(page)).to_have_text("Practice quiz: attempt 1")
    expect(page.locator(".score")).to_have_text(re.compile(r"^\s*20%\s+Not passed\s*$"))
    expect(page.get_by_text("1 of 5 points. The pass mark is 60%.")).to_be_visible()
    for n, verdict in [(1, "Incorrect"), (2, "Incorrect"), (3, "Incorrect"), (4, "Correct"),
                       (5, "Incorrect")]:
        expect(feedback(page, n).locator(".badge")).to_have_text(verdict)
    expect(feedback(page, 1)).to_contain_text("Correct answer:")
    expect(fact(page, "Attempts left")).to_have_text("2")
    expect(fact(page, "Next attempt")).to_contain_text(retry_at.strftime("%H:%M"))
    expect(page.get_by_role("link", name="Try again")).to_have_count(0)
    shot(page, "result-fail")

    # The overview refuses a new start and says why; so does the server, asked directly.
    page.get_by_role("link", name="Practice quiz").click()
    expect(page).to_have_url(base + QUIZ)
    cooldown = re.compile(rf"You can try again at {retry_at:%H:%M}.*\(cooldown of 60 minutes\)\.")
    expect(page.get_by_text(cooldown)).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Start"))).to_have_count(0)
    expect(page.get_by_text(re.compile(r"Best of 1 attempt · 2 left"))).to_be_visible()
    with page.expect_navigation():
        page.evaluate("""(action) => {
            const form = document.createElement('form');
            form.method = 'post';
            form.action = action;
            form.append(document.querySelector('input[name=csrf_token]').cloneNode());
            document.body.append(form);
            form.submit();
        }""", QUIZ + "/start")
    expect(page).to_have_url(base + QUIZ)
    expect(page.get_by_role("alert")).to_have_text(cooldown)

    # The cooldown passes (the one shortcut: the submission moves back 61 minutes).
    with live_app.app_context():
        submission = db.session.scalar(select(Submission).where(
            Submission.attempt_id == attempt_id))
        submission.submitted_at = submission.submitted_at - timedelta(minutes=61)
        db.session.commit()

    # Attempt 2, all right (with odd spacing in the short text).
    page.reload()
    second_id = start_from_overview(page, "Start attempt 2")
    assert second_id != first_id
    expect(h1(page)).to_have_text("Practice quiz attempt 2")
    expect(page.get_by_label("Your answer (in cups)")).to_have_value("")  # a fresh attempt
    answer_all_right(page)
    submit_answers(page)
    expect(page.locator(".score")).to_have_text(re.compile(r"^\s*100%\s+Passed\s*$"))
    expect(page.get_by_text("5 of 5 points.")).to_be_visible()
    for n in range(1, 6):
        expect(feedback(page, n).locator(".badge")).to_have_text("Correct")
    expect(fact(page, "Module result")).to_contain_text("passed")
    expect(fact(page, "Next attempt")).to_have_count(0)
    shot(page, "result-pass")

    # The module is complete and the follow-up module is open.
    page.get_by_role("link", name="Back to the module").click()
    expect(page).to_have_url(base + "/learn/modules/practice-module")
    expect(page.get_by_text(re.compile(r"^Completed \d"))).to_be_visible()
    expect(page.get_by_text("You have completed this module.")).to_be_visible()
    page.get_by_role("link", name="My training").first.click()
    expect(page.get_by_role("region", name="Assigned to you")
           .get_by_role("progressbar")).to_have_attribute("value", "50")
    page.get_by_role("link", name="Practice path").click()
    expect(h1(page)).to_have_text("Practice path")
    expect(step(page, "Practice module").locator(".badge")).to_have_text("Complete")
    expect(step(page, "Follow-up module").locator(".badge")).to_have_text("Not started")
    expect(page.get_by_text("Locked until")).to_have_count(0)
    shot(page, "path")

    # Reading the follow-up module completes it, and with it the path.
    page.get_by_role("link", name="Follow-up module").click()
    expect(module_title(page, "Follow-up module")).to_be_visible()
    page.get_by_role("button", name="Mark as read").click()
    expect(status_message(page)).to_have_text("“Follow-up module” is complete.")
    expect(page.get_by_text("You have completed this module.")).to_be_visible()
    page.get_by_role("link", name="My training").first.click()
    page.get_by_role("link", name="Practice path").click()
    expect(h1(page)).to_have_text("Practice path")
    expect(page.get_by_role("progressbar", name="Progress in Practice path")) \
        .to_have_attribute("value", "100")
    # The day in the organisation's zone, as the page shows it (not the UTC day).
    today_there = utcnow().astimezone(ZoneInfo(live_app.config["TIMEZONE"]))
    expect(page.get_by_text(re.compile(r"2 of 2 required modules complete\.\s+Completed "
                                       + re.escape(day(today_there))))).to_be_visible()

    page.get_by_role("link", name="My training").first.click()
    assigned = page.get_by_role("region", name="Assigned to you")
    expect(assigned.get_by_role("progressbar", name="Progress in Practice path")) \
        .to_have_attribute("value", "100")
    expect(assigned).to_contain_text("100%")
    expect(assigned.locator(".badge")).to_have_text("Complete")
    expect(page.get_by_role("heading", name="All assigned training is complete")).to_be_visible()
    expect(page.get_by_role("region", name="Your next step")).to_have_count(0)
    shot(page, "dashboard-complete")


# 2. Resuming --------------------------------------------------------------------------------

def test_saved_answers_survive_a_reload_and_continue(
        new_hire: Callable[..., Learner], live_app: Flask, page: Page) -> None:
    me = new_hire()
    log_in(page, me.base, EMAIL, PASSWORD)
    page.goto(me.base + QUIZ)
    attempt_id = start_from_overview(page, "Start the quiz")
    prompts = page.locator(".question__prompt").all_inner_texts()
    page.get_by_label("Your answer (in cups)").fill("58")
    page.get_by_label("Pro", exact=True).check()
    page.get_by_role("button", name="Save and continue later").click()
    expect(status_message(page)).to_have_text(
        "Your answers are saved. You can come back and finish later.")

    page.reload()
    page.goto(me.base + QUIZ)
    expect(page.get_by_text("Attempt 1 is in progress.")).to_be_visible()
    assert start_from_overview(page, "Continue attempt 1") == attempt_id
    expect(page.get_by_label("Your answer (in cups)")).to_have_value("58")
    expect(page.get_by_label("Pro", exact=True)).to_be_checked()
    expect(page.get_by_label("Office", exact=True)).not_to_be_checked()
    expect(page.get_by_label("True", exact=True)).not_to_be_checked()
    expect(page.get_by_label("False", exact=True)).not_to_be_checked()
    assert page.locator(".question__prompt").all_inner_texts() == prompts
    with live_app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 1
        saved = dict(db.session.execute(select(AttemptQuestion.question_id,
                                               AttemptQuestion.response)).all())
    assert saved == {"cups": "58", "family": 2, "telemetry": None, "name": None, "pairs": None}


# 3. Double submit ---------------------------------------------------------------------------

def test_a_double_submit_grades_the_attempt_once(
        new_hire: Callable[..., Learner], live_app: Flask, page: Page) -> None:
    me = new_hire()
    log_in(page, me.base, EMAIL, PASSWORD)
    page.goto(me.base + QUIZ)
    attempt_id = start_from_overview(page, "Start the quiz")
    answer_all_right(page)
    # Chromium folds two submits of one form (a double click, two requestSubmit() calls) into
    # one request when the second comes before the first has left, so the browser alone never
    # tests the server. The form is therefore sent twice at the same moment in the background,
    # as two clicks' requests on their way would be, and then once more by the page itself.
    statuses = page.evaluate("""async () => {
        const form = document.querySelector('form.quiz-form');
        const button = form.querySelector('button[value=submit]');
        // form.action would be the buttons named "action": read the attribute.
        const send = () => fetch(form.getAttribute('action'),
            {method: 'POST', body: new FormData(form, button), credentials: 'same-origin'});
        const answers = await Promise.all([send(), send()]);
        return answers.map((r) => [r.status, new URL(r.url).pathname]);
    }""")
    result_path = f"/learn/attempts/{attempt_id}/result"
    assert statuses == [[200, result_path], [200, result_path]], statuses
    submit_answers(page)  # the page's own submit, after the attempt is already graded
    expect(page).to_have_url(me.base + result_path)
    expect(page.locator(".score")).to_have_text(re.compile(r"^\s*100%\s+Passed\s*$"))
    with live_app.app_context():
        count = db.session.scalar(select(func.count(Submission.id))
                                  .where(Submission.attempt_id == attempt_id))
        attempts = db.session.scalar(select(func.count(Attempt.id)))
    assert (count, attempts) == (1, 1)
    # Opening the attempt again shows the result, not the form.
    page.goto(f"{me.base}/learn/attempts/{attempt_id}")
    expect(page).to_have_url(RESULT_URL)


# 4. A locked module -------------------------------------------------------------------------

def test_a_locked_module_says_what_to_complete_first(
        new_hire: Callable[..., Learner], page: Page, browser_issues: BrowserIssues) -> None:
    browser_issues.expect_status(403)
    me = new_hire()
    log_in(page, me.base, EMAIL, PASSWORD)
    page.goto(me.base + "/learn/paths/practice-path")
    expect(page.get_by_text("Locked until you complete: Practice module.")).to_be_visible()
    expect(page.get_by_role("link", name="Follow-up module")).to_have_count(0)

    response = page.goto(me.base + "/learn/modules/follow-up-module")
    assert response is not None and response.status == 403
    expect(h1(page)).to_have_text(re.compile(r"^Follow-up module\s+Locked$"))
    expect(page.get_by_text("This module opens once you have completed:")).to_be_visible()
    expect(page.get_by_text("More facts")).to_have_count(0)  # the content is not shown
    page.get_by_role("main").get_by_role("link", name="Practice module").click()
    expect(page).to_have_url(me.base + "/learn/modules/practice-module")
    expect(module_title(page, "Practice module")).to_be_visible()


# 5. The time limit --------------------------------------------------------------------------

def test_a_timed_attempt_shows_the_deadline_and_counts_down_quietly(
        new_hire: Callable[..., Learner], live_app: Flask, page: Page) -> None:
    me = new_hire(time_limit_minutes=30)
    log_in(page, me.base, EMAIL, PASSWORD)
    page.goto(me.base + QUIZ)
    expect(page.get_by_text("Time limit: 30 minutes from the moment you start.")).to_be_visible()
    attempt_id = start_from_overview(page, "Start the quiz")
    with live_app.app_context():
        deadline = db.session.get(Attempt, attempt_id).deadline_at.astimezone(
            ZoneInfo(live_app.config["TIMEZONE"]))
    timer = page.locator("#timer")
    expect(timer).to_contain_text(f"Time limit: submit by {deadline:%H:%M}")
    expect(timer).to_contain_text(re.compile(r"\((29|30) minutes left\)"))
    # Not a live region: a screen reader would announce every tick.
    assert page.evaluate("""() => {
        const timer = document.getElementById('timer');
        return [timer.hasAttribute('aria-live'), timer.getAttribute('role'),
                !!timer.closest('[aria-live], [role=status], [role=alert], [role=log]')];
    }""") == [False, None, False]

    # Close to the deadline the script counts the seconds (the server only renders minutes).
    with live_app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = utcnow() + timedelta(seconds=100)
        db.session.commit()
    page.reload()
    left = page.locator("#timer-left")
    expect(left).to_have_text(re.compile(r"^\d{2,3} seconds$"))
    first = left.inner_text()
    expect(left).not_to_have_text(first, timeout=3_000)  # it ticks
    expect(timer).to_have_class(re.compile(r"\btimer--low\b"))
    assert page.evaluate("() => document.getElementById('timer').hasAttribute('aria-live')") \
        is False


# 6. Without JavaScript ----------------------------------------------------------------------

def test_the_quiz_works_without_javascript(
        new_hire: Callable[..., Learner], new_page: Callable[..., Page]) -> None:
    me = new_hire(time_limit_minutes=30)
    page = new_page(java_script_enabled=False)
    log_in(page, me.base, EMAIL, PASSWORD)
    page.goto(me.base + "/learn/modules/practice-module")
    page.get_by_role("button", name="I have read this: go to the quiz").click()
    expect(page).to_have_url(me.base + QUIZ)
    start_from_overview(page, "Start the quiz")
    expect(page.locator("#timer")).to_contain_text(re.compile(r"minutes left"))
    answer_all_right(page)
    page.get_by_label("True", exact=True).check()  # one wrong
    submit_answers(page)
    expect(page.locator(".score")).to_have_text(re.compile(r"^\s*80%\s+Passed\s*$"))
    expect(feedback(page, 3).locator(".badge")).to_have_text("Incorrect")


# 7. On a phone ------------------------------------------------------------------------------

def test_attempt_and_result_fit_a_phone(new_hire: Callable[..., Learner],
                                        phone_page: Page) -> None:
    me = new_hire(time_limit_minutes=30, cooldown_minutes=60, max_attempts=3)
    page = phone_page
    log_in(page, me.base, EMAIL, PASSWORD)
    page.goto(me.base + QUIZ)
    start_from_overview(page, "Start the quiz")
    scroll_width, inner_width, device_width = page_overflow(page)
    assert scroll_width <= device_width and inner_width == device_width, page_overflow(page)
    shot(page, "attempt")

    page.get_by_label("Your answer (in cups)").fill("61")
    page.get_by_label("Compact", exact=True).check()
    submit_answers(page)
    expect(page.locator(".score")).to_contain_text("Not passed")
    scroll_width, inner_width, device_width = page_overflow(page)
    assert scroll_width <= device_width and inner_width == device_width, page_overflow(page)
    shot(page, "result-fail")

