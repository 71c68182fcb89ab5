"""The salesperson's own loop (issue 14) and boosters (issue 15) in a real browser, on the demo
organisation with its content (and coaching rubric) synced, as `make run` has it:

- a salesperson reads twelve months of their results with training and goals on the timeline,
  works through an overdue follow-up and an open complaint, and sees their follow-up rate rise;
- a manager records a coaching observation, the salesperson acknowledges it, the manager sees
  that, and the agreed next step is a goal on the salesperson's goals and timeline;
- a trainer reads the reaction averages of a module with at least five answers, without names;
- a learner answers today's booster on the dashboard, and the readiness report has "Retained".

The first journey runs with an English and a Dutch browser; its labels come from the catalogue
(``Words``), so the Dutch run fails when a page shows English or the catalogue lacks a word.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import yaml
from babel.dates import format_date
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from lms.analytics.measures import MEASURES
from lms.boosters.cards import todays_boosters
from lms.clock import local_today
from lms.content.documents import SingleChoice, TrueFalse
from lms.extensions import db
from lms.models import Role, Sale, Team, User
from tests.conftest import REPO
from tests.e2e.test_manager_journey import Words
from tests.e2e.test_manager_journey import log_in_speaking as log_in

REP = "rep01@demo.test"          # a salesperson of Team Noord, a year of deals
MANAGER = "manager1@demo.test"   # Team Noord's manager


@pytest.fixture
def loop_demo(content_demo: str) -> str:
    """The demo organisation with its content and coaching rubric synced."""
    return content_demo


def pattern(text: str) -> re.Pattern[str]:
    """A translated message with its placeholders (``%(x)s``, ``%(x)d``) matching anything."""
    parts = re.split(r"%\(\w+\)[sd]", text)
    return re.compile(r"^\s*" + ".+?".join(re.escape(p) for p in parts) + r"\s*$")


def plural_pattern(w: Words, singular: str, plural: str) -> re.Pattern[str]:
    """Either form of a plural message, its placeholders matching anything."""
    forms = [singular, plural] if w.catalogue is None else [
        w.catalogue.ngettext(singular, plural, n) for n in (1, 2)]
    return re.compile("|".join(pattern(f).pattern for f in forms))


def nav(page: Page, w: Words, label: str) -> None:
    page.get_by_role("navigation", name=w("Main")).get_by_role(
        "link", name=w(label), exact=True).click()
    expect(page.get_by_role("heading", name=w(label), level=1)).to_be_visible()


def section(page: Page, heading: str) -> Locator:
    """The card whose heading starts with ``heading`` (the headings carry a count)."""
    return page.locator("section.card").filter(
        has=page.get_by_role("heading", name=re.compile("^" + re.escape(heading)), level=2))


def rate_of(page: Page) -> int:
    """The follow-up rate shown, in whole percents."""
    text = page.locator("dd#follow-up-rate").inner_text()
    found = re.match(r"\s*(\d+)\s?%", text)
    assert found, f"no follow-up rate in {text!r}"
    return int(found.group(1))


def rubric_words(language: str) -> dict:
    """The coaching rubric as the manager reads it in ``language`` (the file's translation)."""
    folder = REPO / "content" / "rubrics"
    name = "sales-conversations.nl.yaml" if language == "nl" else "sales-conversations.yaml"
    return yaml.safe_load((folder / name).read_text(encoding="utf-8"))


# --- the salesperson, their manager ----------------------------------------------------------

def my_results(page: Page, w: Words) -> None:
    """Step 1: twelve months of the ten measures as charts and a table, training and goals."""
    nav(page, w, "My results")
    for measure in MEASURES:
        figure = page.locator(f"figure#measure-{measure.key}")
        expect(figure).to_be_visible()
        expect(figure.locator("svg")).to_have_count(1)
    table = page.locator("table.results-table")
    expect(table.locator("tbody tr")).to_have_count(12)
    expect(table.get_by_role("rowheader").first).to_contain_text(w("(so far)"))
    timeline = section(page, w("Training and goals"))
    expect(timeline.locator("figure svg")).to_have_count(1)
    training = timeline.locator("div").filter(
        has=page.get_by_role("heading", name=w("Training completed"), level=3))
    expect(training.get_by_role("listitem").first).to_be_visible()
    goals = timeline.locator("div").filter(
        has=page.get_by_role("heading", name=w("Goals"), level=3))
    expect(goals.get_by_role("listitem").first).to_be_visible()


def follow_ups(page: Page, w: Words, app: Flask) -> None:
    """Step 2: an overdue follow-up recorded within the deal's follow-up days raises the rate;
    a complaint marked resolved leaves the list."""
    nav(page, w, "My follow-ups")
    todo = section(page, w("Follow-ups"))
    complaints = section(page, w("Open complaints"))
    expect(todo).to_have_count(1)
    expect(complaints).to_have_count(1)
    before = rate_of(page)
    counted = page.locator("dd#follow-up-rate").inner_text()
    done_before, due = map(int, re.findall(r"\d+", counted.split("(", 1)[1])[:2])

    row = todo.locator("tbody tr.work--overdue").first
    expect(row.get_by_text(plural_pattern(
        w, "%(num)d day overdue", "%(num)d days overdue"))).to_be_visible()
    crm_id = row.locator(f"td[data-label='{w('Deal')}']").inner_text().strip()
    customer = row.locator(f"td[data-label='{w('Customer')}']").inner_text().strip()
    with app.app_context():
        closed_on: date = db.session.scalar(select(Sale.closed_on).where(Sale.crm_id == crm_id))
    shown = format_date(closed_on, "d MMM y", locale=w.language)
    expect(row.locator(f"td[data-label='{w('Closed')}']")).to_have_text(shown)
    row.get_by_role("link", name=re.compile("^" + re.escape(w("Mark followed up")))).click()
    expect(page.get_by_role("heading", name=w("Record a follow-up"), level=1)).to_be_visible()
    deal = page.get_by_role("complementary")
    expect(deal).to_contain_text(crm_id)
    expect(deal).to_contain_text(shown)
    # The day after closing: well within the deal's follow-up days, so the rate counts it.
    page.get_by_label(w("Date"), exact=True).fill((closed_on + timedelta(days=1)).isoformat())
    page.get_by_label(w("Note (optional)"), exact=True).fill(
        "Called: the machine runs well; training for the staff booked.")
    page.get_by_role("button", name=w("Record the follow-up"), exact=True).click()

    expect(page.locator(".flash--success")).to_have_text(
        w("Follow-up recorded for %(customer)s.", customer=customer))
    expect(page.get_by_role("heading", name=w("My follow-ups"), level=1)).to_be_visible()
    expect(todo.locator("tbody tr").filter(has_text=crm_id)).to_have_count(0)
    after = rate_of(page)
    assert after > before, (before, after)
    expect(page.locator("dd#follow-up-rate")).to_contain_text(w.plural(
        "%(done)d of %(num)d won deal followed up in time",
        "%(done)d of %(num)d won deals followed up in time", due, done=done_before + 1))

    row = complaints.locator("tbody tr").first
    crm_id = row.locator(f"td[data-label='{w('Deal')}']").inner_text().strip()
    customer = row.locator(f"td[data-label='{w('Customer')}']").inner_text().strip()
    row.get_by_role("link", name=re.compile("^" + re.escape(w("Mark resolved")))).click()
    expect(page.get_by_role("heading", name=w("Mark a complaint resolved"), level=1)
           ).to_be_visible()
    page.get_by_role("button", name=w("Mark resolved"), exact=True).click()
    expect(page.locator(".flash--success")).to_have_text(
        w("Complaint of %(customer)s marked resolved.", customer=customer))
    expect(complaints.locator("tbody tr").filter(has_text=crm_id)).to_have_count(0)


def record_observation(page: Page, w: Words, person: str, step: str, today: date) -> None:
    """Step 3, the manager: My teams → Coaching → record an observation of ``person``."""
    nav(page, w, "My teams")
    page.get_by_role("navigation", name=w("Team pages")).get_by_role(
        "link", name=w("Coaching"), exact=True).click()
    expect(page.get_by_role("heading", name=w("Coaching"), level=1)).to_be_visible()
    page.get_by_role("link", name=w("Record an observation"), exact=True).first.click()
    expect(page.get_by_role("heading", name=w("Record an observation"), level=1)).to_be_visible()

    rubric = rubric_words(w.language)
    levels = {lv["level"]: lv["label"] for lv in rubric["scale"]}
    skills = [s["name"] for s in rubric["skills"]]
    page.get_by_label(w("Salesperson"), exact=True).select_option(label=person)
    page.get_by_label(w("What you observed"), exact=True).select_option(label=w("Ride-along"))
    page.get_by_label(w("Day of the observation"), exact=True).fill(
        (today - timedelta(days=1)).isoformat())
    option = "%(level)d – %(label)s"
    page.get_by_label(skills[0], exact=True).select_option(
        label=w(option, level=3, label=levels[3]))
    page.get_by_label(skills[3], exact=True).select_option(
        label=w(option, level=2, label=levels[2]))
    page.get_by_label(w("Strengths"), exact=True).fill("Open questions; let the customer talk.")
    page.get_by_label(w("Points to work on"), exact=True).fill("Asked for the order too late.")
    page.get_by_label(w("Agreed next step"), exact=True).fill(step)
    page.get_by_label(w("Date of the next step"), exact=True).fill(
        (today + timedelta(days=21)).isoformat())
    page.get_by_role("button", name=w("Save the observation"), exact=True).click()

    expect(page.locator(".flash--success")).to_have_text(w(
        "Observation of %(name)s saved. They see it on their coaching page, and the next step "
        "on their goals.", name=person))
    expect(page.get_by_role("heading", name=w("Observation of %(name)s", name=person), level=1)
           ).to_be_visible()
    ratings = page.locator("table.coaching-ratings")
    expect(ratings.get_by_role("rowheader")).to_have_text([skills[0], skills[3]])
    expect(page.get_by_text(w("Not acknowledged yet"), exact=True)).to_be_visible()


def acknowledge(page: Page, w: Words, step: str) -> None:
    """Step 3, the salesperson: My coaching → acknowledge the new observation."""
    nav(page, w, "My coaching")
    item = page.locator("li.coaching-item").filter(has_text=step)
    expect(item).to_have_count(1)
    expect(item.get_by_text(w("Not acknowledged yet"), exact=True)).to_be_visible()
    item.get_by_role("button", name=w("Acknowledge"), exact=True).click()
    expect(page.locator(".flash--success")).to_have_text(
        w("Observation acknowledged. Your manager sees that you have read it."))
    expect(page.get_by_text(pattern(w("Acknowledged %(date)s")))).to_be_visible()
    expect(page.get_by_role("button", name=w("Acknowledge"), exact=True)).to_have_count(0)


@pytest.mark.parametrize(("language", "browser_locale"), [("en", "en-GB"), ("nl", "nl-NL")])
def test_the_salesperson_works_their_loop_and_is_coached(
        loop_demo: str, live_app: Flask, new_page, language: str,  # noqa: ANN001
        browser_locale: str) -> None:
    w = Words(language)
    with live_app.app_context():
        person = db.session.scalar(select(User.name).where(User.email == REP))
        today = local_today()
    rep: Page = new_page(locale=browser_locale)
    log_in(rep, loop_demo, REP, w)
    my_results(rep, w)
    follow_ups(rep, w, live_app)

    step = "Ask every customer for a referral at the follow-up call"
    manager: Page = new_page(locale=browser_locale)
    log_in(manager, loop_demo, MANAGER, w)
    record_observation(manager, w, person, step, today)
    acknowledge(rep, w, step)

    # The manager sees it acknowledged, on the list of observations.
    manager.get_by_role("link", name=w("Coaching"), exact=True).first.click()
    observed = format_date(today - timedelta(days=1), "d MMM y", locale=language)
    row = manager.get_by_role("row").filter(has_text=person).filter(
        has=manager.get_by_role("rowheader", name=observed, exact=True))
    expect(row).to_have_count(1)
    expect(row.locator(f"td[data-label='{w('Acknowledged')}']")).to_have_text(
        pattern(w("Acknowledged %(date)s")))

    # The next step is a goal on the salesperson's goals, and on their timeline.
    nav(rep, w, "My goals")
    expect(rep.get_by_role("heading", name=step, level=2)).to_be_visible()
    nav(rep, w, "My results")
    expect(section(rep, w("Training and goals")).get_by_role("link", name=step, exact=True)
           ).to_be_visible()


# --- the trainer; boosters ----------------------------------------------------------------------

def _learners(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(User.name).where(User.role == Role.LEARNER.value)))


def _booster_learner(app: Flask, team: str) -> tuple[str, str, str, str]:
    """A learner of ``team`` whose first booster today is a single-choice or true/false
    question: (email, name, the question's prompt, the label of its right answer)."""
    with app.test_request_context():
        team_id = db.session.scalar(select(Team.id).where(Team.name == team))
        people = db.session.scalars(select(User).where(
            User.team_id == team_id, User.role == Role.LEARNER.value, User.active.is_(True))
            .order_by(User.id)).all()
        for user in people:
            board = todays_boosters(user, local_today())
            question = board.next.question if board.next else None
            if isinstance(question, SingleChoice):
                right = next((o.text for o in question.options
                              if o.correct or (o.weight or 0) >= 100), None)
            elif isinstance(question, TrueFalse):
                right = "True" if question.answer else "False"
            else:
                continue
            if right is not None:
                found = (user.email, user.name, question.prompt, right)
                db.session.rollback()
                return found
        db.session.rollback()
    pytest.fail(f"no learner of {team} has a single-choice or true/false booster due today")


def test_a_trainer_reads_reactions_and_a_learner_answers_boosters(
        loop_demo: str, live_app: Flask, new_page) -> None:  # noqa: ANN001
    w = Words("en")
    names = _learners(live_app)
    email, learner, prompt, right = _booster_learner(live_app, "Team Noord")

    # 4. The trainer: Content → Reactions; averages for a module with five or more answers.
    trainer: Page = new_page()
    log_in(trainer, loop_demo, "trainer@demo.test", w)
    nav(trainer, w, "Content")
    trainer.get_by_role("link", name="Reactions", exact=True).first.click()
    expect(trainer.get_by_role("heading", name="What learners think of the training", level=1)
           ).to_be_visible()
    modules = section(trainer, "Modules")
    rows = modules.locator("tbody tr")
    counts = [int(t.replace(",", "")) for t in
              rows.locator("td[data-label='Answers']").all_inner_texts()]
    shown = [i for i, n in enumerate(counts) if n >= 5]
    assert shown, f"no module with five answers: {counts}"
    row = rows.nth(shown[0])
    for label in ("Useful for the work", "Clear"):
        expect(row.locator(f"td[data-label='{label}']")).to_have_text(re.compile(r"^[1-5]\.\d$"))
    text = trainer.locator("main").inner_text()
    assert not [n for n in names if n in text], "a learner's name on the reactions page"
    title = row.get_by_role("rowheader").inner_text().strip()
    row.get_by_role("link").click()
    expect(trainer.get_by_role("heading", name=f"Reactions: {title}", level=1)).to_be_visible()
    expect(trainer.get_by_role("heading", name="Average scores", level=2)).to_be_visible()
    text = trainer.locator("main").inner_text()
    assert not [n for n in names if n in text], "a learner's name on a module's reactions"

    # 5. A learner answers today's booster on the dashboard, rightly.
    page: Page = new_page()
    log_in(page, loop_demo, email, w)
    boosters = page.get_by_role("region", name="Today's boosters")
    expect(boosters).to_be_visible()
    first_line = prompt.strip().splitlines()[0].strip("*_ ")
    expect(boosters.locator(".question__prompt")).to_contain_text(first_line[:40])
    boosters.get_by_label(right, exact=True).check()
    boosters.get_by_role("button", name="Check my answer", exact=True).click()
    feedback = page.get_by_role("region", name="Today's boosters").get_by_role("status")
    expect(feedback).to_contain_text("Right!")
    expect(feedback).to_contain_text(
        re.compile(r"This question comes back on \d{1,2} \w{3} \d{4}\."))

    # The manager's readiness report has a "Retained" column with the learner's figure.
    manager: Page = new_page()
    log_in(manager, loop_demo, MANAGER, w)
    nav(manager, w, "My teams")
    manager.get_by_role("navigation", name="Team pages").get_by_role(
        "link", name="Readiness", exact=True).click()
    expect(manager.get_by_role("columnheader", name=re.compile("^Retained"))).to_be_visible()
    person = manager.get_by_role("row").filter(
        has=manager.get_by_role("link", name=learner, exact=True))
    expect(person.locator("td[data-label='Retained']")).to_have_text(re.compile(r"^\d+%"))
