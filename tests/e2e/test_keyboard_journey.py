"""The learner's journey with the keyboard alone: a new hire logs in, opens the assigned module,
reads it, takes its quiz (every question type), submits it and reads the result.

Only ``page.keyboard`` acts on the page (Tab, Shift+Tab, Enter, Space, arrows and typing); no
click, fill or check. ``page.goto`` opens the login page once, as typing the address would.
Each step reads where the focus is (``document.activeElement``) and checks that it is shown:
the element is on screen and has the site's focus outline.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.clock import local_today
from lms.extensions import db
from lms.learning.assignments import assign
from lms.learning.catalog import live_item, quiz_doc
from lms.models import Attempt, AttemptQuestion, ContentKind
from tests.e2e.conftest import use_content_copy
from tests.factories import PASSWORD, make_user
from tests.learning_helpers import sync

EMAIL = "kees.toetsenbord@example.com"
MODULE = "company-and-product-range"
MODULE_TITLE = "Brewline and its product range"
QUESTION_TYPES = {"single_choice", "multiple_response", "true_false", "numeric", "short_text",
                  "matching"}

# What has the focus, and whether a sighted keyboard user can see it.
_FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const fieldset = el.closest('fieldset.question');
  const label = (el.labels && el.labels.length) ? el.labels[0].innerText
      : (el.getAttribute('aria-label') || el.innerText || '');
  return {
    tag: el.tagName.toLowerCase(), type: el.type || '', id: el.id, name: el.name || '',
    inputmode: el.inputMode || '', label: label.replace(/\\s+/g, ' ').trim(),
    question: fieldset ? fieldset.id : null,
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    onScreen: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0
              && rect.top < window.innerHeight && rect.left < window.innerWidth,
  };
}"""


def focused(page: Page) -> dict:
    return page.evaluate(_FOCUSED)


def assert_focus_shown(page: Page) -> dict:
    now = focused(page)
    if now["tag"] not in ("body", "main"):
        assert now["onScreen"], f"the focus is off screen: {now}"
        assert now["outline"], f"the focus has no visible outline: {now}"
    return now


def tab_to(page: Page, label: str | re.Pattern, *, backwards: bool = False,
           most: int = 120) -> dict:
    """Press Tab (or Shift+Tab) until the element named ``label`` has the focus; every stop on
    the way must show its focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(most):
        page.keyboard.press(key)
        now = assert_focus_shown(page)
        name = now["label"]
        if (label.search(name) if isinstance(label, re.Pattern) else name == label):
            return now
    raise AssertionError(f"{label!r} not reached with {most} presses of {key}")


@pytest.fixture
def keyboard_learner(live_app: Flask, live_server: str, tmp_path: Path) -> str:
    """A new salesperson with New hire onboarding assigned, on the real content."""
    root = use_content_copy(live_app, tmp_path)
    with live_app.app_context():
        sync(root)
        user = make_user(email=EMAIL, name="Kees Toetsenbord", hire_date=local_today())
        assign(user, live_item(ContentKind.PATH, "new-hire-onboarding"),
               due_date=local_today() + timedelta(days=30))
        db.session.commit()
    return live_server


def answer_by_keyboard(page: Page) -> set[str]:
    """Tab through the quiz form and answer each question as its control allows, until the
    Submit button has the focus. Returns the ids of the question fieldsets answered."""
    answered: set[str] = set()
    last_radio_group = None
    for _ in range(200):
        page.keyboard.press("Tab")
        now = assert_focus_shown(page)
        if now["tag"] == "button" and now["label"] == "Submit answers":
            return answered
        if now["question"] is None:
            continue
        if now["tag"] == "input" and now["type"] == "text":
            page.keyboard.type("72" if now["inputmode"] == "decimal" else "Brewline")
        elif now["tag"] == "input" and now["type"] == "radio":
            if now["name"] != last_radio_group:
                # Tab enters a radio group once; an arrow moves to and picks the next option.
                page.keyboard.press("ArrowDown")
                last_radio_group = now["name"]
        elif now["tag"] == "input" and now["type"] == "checkbox":
            page.keyboard.press("Space")
        elif now["tag"] == "select":
            page.keyboard.press("ArrowDown")  # the first real choice after "— choose —"
        else:
            continue
        answered.add(now["question"])
    raise AssertionError("the Submit answers button was never reached")


def test_the_learner_journey_with_the_keyboard_alone(keyboard_learner: str, live_app: Flask,
                                                     page: Page) -> None:
    base = keyboard_learner
    page.goto(base + "/login")

    # The login page starts in its Email field (autofocus lands after load: wait for it, as a
    # person's eyes would, rather than race it on a busy machine).
    page.wait_for_function("document.activeElement && document.activeElement.type === 'email'",
                           timeout=10_000)
    assert focused(page)["label"] == "Email"
    page.keyboard.type(EMAIL)
    tab_to(page, "Password")
    page.keyboard.type(PASSWORD)
    tab_to(page, "Log in")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Kees")

    # The first Tab shows the skip link; it moves the focus past the header to the content,
    # where the next stop is the next step: the assigned path's first module.
    page.keyboard.press("Tab")
    assert assert_focus_shown(page)["label"] == "Skip to content"
    page.keyboard.press("Enter")
    expect(page).to_have_url(base + "/learn/#main")
    assert focused(page)["id"] == "main"
    page.keyboard.press("Tab")
    assert assert_focus_shown(page)["label"] == MODULE_TITLE
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/learn/modules/{MODULE}"))

    # Reading: the contents link to a section, then down the page to the button.
    tab_to(page, "Sizing a coffee machine")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#sizing-a-coffee-machine$"))
    expect(page.get_by_role("heading", name="Sizing a coffee machine")).to_be_in_viewport()
    page.keyboard.press("End")
    tab_to(page, "I have read this: go to the quiz")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(MODULE_TITLE)
    expect(page.get_by_role("status")).to_contain_text("Marked as read")

    # The quiz: start it, answer every question, submit.
    tab_to(page, "Start the quiz")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/learn/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    answered = answer_by_keyboard(page)
    # No trap: Shift+Tab goes back into the last question, Tab returns to the button.
    last = len(answered)
    assert tab_to(page, re.compile("."), backwards=True)["question"] == f"question-{last}"
    tab_to(page, "Submit answers")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/learn/attempts/{attempt_id}/result")
    expect(page.locator(".score")).to_contain_text("%")

    # Every question was answered by keyboard, and they cover every question type.
    with live_app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        rows = db.session.scalars(select(AttemptQuestion).where(
            AttemptQuestion.attempt_id == attempt_id).order_by(AttemptQuestion.position)).all()
        types = {q.id: q.type for q in quiz_doc(attempt.quiz_version).questions}
        assert attempt.status != "open"
        unanswered = [r.question_id for r in rows if r.response in (None, "", [])]
        assert unanswered == [], unanswered
        assert {types[r.question_id] for r in rows} == QUESTION_TYPES
    assert answered == {f"question-{r.position}" for r in rows}

    # The result page is read from the top, with the keyboard too.
    tab_to(page, "Back to the module")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/learn/modules/{MODULE}"))
