"""Accessibility: axe-core finds no serious or critical violation on any main page of any role.

One demo organisation (content synced, as `make run` does) is built for the whole module and
served once; each page is then opened in a fresh browser context logged in as its role, and
axe-core, pinned and fetched from npm by ``tests/e2e/axe.py``, runs inside it. axe is added as
a Playwright init script, which the driver injects: the site's CSP (no inline script) stays on.
The pages only read, except the few steps that a page needs first (an upload to preview).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms import create_app
from lms.analytics.rollout import FIRST_WAVE, Person, randomised_split
from lms.clock import local_today
from lms.content.commands import sync_configured_content
from lms.demo import DEMO_PASSWORD
from lms.errors import DomainError
from lms.extensions import db
from lms.learning.attempts import start_attempt
from lms.learning.catalog import live_item
from lms.learning.goals import GoalFields, create_goal
from lms.learning.rollouts import hire_cohort, make_rollout
from lms.models import (
    Assignment,
    Attempt,
    AttemptStatus,
    ContentItem,
    ContentKind,
    GoalKind,
    Observation,
    Role,
    Team,
    User,
)
from lms.models.rollouts import Design
from lms.people.services import PersonFields, create_user
from tests.conftest import PG_URL, REPO, base_config, empty_postgres, use_content_copy
from tests.e2e.axe import AxeUnavailable, axe_script
from tests.e2e.conftest import REQUIRE_E2E, BrowserIssues, load_demo, log_in, serving
from tests.learning_helpers import sync

MANAGER = "manager1@demo.test"  # Team Noord
TRAINER, ADMIN = "trainer@demo.test", "admin@demo.test"
QUIZ = "company-and-product-range"
MODULE = "company-and-product-range"
CSV_WITH_PROBLEMS = """email,name,role,team,manager_email,hire_date,crm_name
goed.persoon@example.nl,Goed Persoon,learner,Team Noord,manager1@demo.test,2026-02-01,
not-an-email,Zonder Email,learner,Team Noord,,2026-02-01,
"""
BLOCKING = ("serious", "critical")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# Every violation, blocking or not, per page, for a person to read.
REPORTS = Path(os.environ.get("LMS_AXE_REPORT_DIR") or REPO / "test-artifacts" / "axe")


# The site -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Site:
    base: str
    emails: dict[str, str]  # whom to log in as, per role
    ids: dict[str, int]  # what the pages' paths name


def _learner_with_open_attempt() -> tuple[User, Attempt]:
    """The first salesperson (by email) who may start some quiz, with an attempt in progress
    on it: the demo's people have passed many of theirs, and passed quizzes stay closed."""
    people = db.session.scalars(select(User).where(User.role == Role.LEARNER.value)
                                .order_by(User.email))
    quizzes = list(db.session.scalars(select(ContentItem).where(
        ContentItem.kind == ContentKind.QUIZ.value).order_by(ContentItem.slug)))
    for person in people:
        for quiz in quizzes:
            try:
                return person, start_attempt(person, quiz)
            except DomainError:
                continue
    raise AssertionError("no salesperson of the demo may start a quiz")


def _loop_ids(app: Flask, person: User) -> dict:
    """What the pages of issues 14 and 15 name: a coached person's observation, a deal of
    their team to follow up, and (under "booster") a salesperson with a booster due today."""
    from lms.boosters.cards import todays_boosters
    from lms.sales.worklist import person_worklist, rules_from

    observation = db.session.scalar(select(Observation.id).where(
        Observation.user_id == person.id).order_by(Observation.id.desc()).limit(1))
    rules = rules_from(app.config, local_today())
    deal = next((w.sale_id for u in db.session.scalars(select(User.id).where(
        User.team_id == person.team_id).order_by(User.id))
        for w in person_worklist(u, rules).follow_ups[:1]), None)
    with app.test_request_context():
        learners = db.session.scalars(select(User).where(User.role == Role.LEARNER.value)
                                      .order_by(User.email)).all()
        booster = next(u.email for u in learners if todays_boosters(u, local_today()).due)
    return {"observation": observation, "deal": deal, "booster": booster}


def _prepare(app: Flask, root: Path) -> Site:
    """The demo plus what some pages need: an attempt in progress, a goal, a second version
    of a module. Returns the site without its address."""
    with app.app_context():
        sync_configured_content()  # as `lms content sync`: the coaching rubric too
        db.session.commit()
    load_demo(app)
    module = root / "content" / "modules" / f"{MODULE}.md"
    module.write_text(module.read_text() + "\nOne more line for the history.\n")
    with app.app_context():
        sync(root)
        me, open_attempt = _learner_with_open_attempt()
        result = db.session.scalar(
            select(Attempt.id).where(Attempt.user_id == me.id,
                                     Attempt.status != AttemptStatus.OPEN.value)
            .order_by(Attempt.id.desc()).limit(1))
        create_goal(me, GoalFields(kind=GoalKind.WON_DEALS, title="Win 20 deals",
                                   deadline=local_today() + timedelta(days=60), target=20))
        manager = db.session.scalar(select(User).where(User.email == MANAGER))
        noord = db.session.scalar(select(Team).where(Team.name == "Team Noord"))
        person = next(m for m in noord.members if m.id != manager.id)
        assignment = db.session.scalar(
            select(Assignment.id).where(Assignment.user_id == person.id,
                                        Assignment.withdrawn_at.is_(None)).limit(1))
        # A randomised rollout of a module Team Noord's people have not been given on its own
        # (their onboarding needs it, so it stays open to them), and one that waits for ``me``.
        people = [m for m in noord.members if m.role == Role.LEARNER.value]
        rollout = make_rollout(live_item(ContentKind.MODULE, "regional-market-figures"), people,
                               design=Design.RANDOMISED, by=manager, today=local_today(),
                               interval_days=90, due_days=30, seed=1).rollout
        # Five new salespeople in a randomised rollout of Customer insight, drawn with a seed
        # that puts the first of them on the waitlist: what a waiting person sees.
        newcomers = [create_user(PersonFields(
            email=f"waiting{i}@demo.test", name=f"Wachtende {i}", role=Role.LEARNER,
            team=noord, hire_date=local_today()), password=DEMO_PASSWORD)[0] for i in range(5)]
        strata = [Person(p.id, p.team_id, hire_cohort(p)) for p in newcomers]
        seed = next(s for s in range(100)
                    if randomised_split(strata, s)[newcomers[0].id] != FIRST_WAVE)
        make_rollout(live_item(ContentKind.PATH, "customer-insight"), newcomers,
                     design=Design.RANDOMISED, by=manager, today=local_today(),
                     interval_days=90, seed=seed)
        loop = _loop_ids(app, person)
        site = Site("", {"learner": me.email, "booster": loop.pop("booster"),
                         "waiting": newcomers[0].email,
                         "manager": MANAGER, "trainer": TRAINER, "admin": ADMIN},
                    {"attempt": open_attempt.id, "result": result, "person": person.id,
                     "assignment": assignment, "team": noord.id, "rollout": rollout.id,
                     **loop})
        db.session.commit()
    assert all(site.ids.values()), site.ids
    return site


@pytest.fixture(scope="module")
def site(template_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo organisation served once for every page of this module."""
    tmp = tmp_path_factory.mktemp("a11y")
    if PG_URL:
        url = PG_URL
    else:
        shutil.copyfile(template_database, tmp / "a11y.sqlite3")
        url = f"sqlite:///{tmp / 'a11y.sqlite3'}"
    app = create_app(base_config(tmp, url))
    try:
        prepared = _prepare(app, use_content_copy(app, tmp))
        with serving(app) as base:
            yield Site(base, prepared.emails, prepared.ids)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if PG_URL:
            empty_postgres(PG_URL)


@pytest.fixture(scope="session")
def axe_path() -> Path:
    try:
        return axe_script()
    except AxeUnavailable as exc:
        if REQUIRE_E2E:
            pytest.fail(f"LMS_REQUIRE_E2E=1 but axe-core is not available: {exc}", pytrace=False)
        pytest.skip(f"axe-core is not available: {exc}")


# The pages ----------------------------------------------------------------------------------

SALES_CSV = """crm_id,owner_email,owner_name,customer_name,stage,created_on,closed_on,amount
A11Y-1,rep01@demo.test,,Acme BV,won,2026-01-05,2026-02-10,1234.56
A11Y-2,nobody@example.nl,Nobody,Beta BV,lost,2026-01-06,2026-02-11,99.00
"""
SALES_CSV_WITH_PROBLEMS = """crm_id,owner_email,stage,amount
,someone@example.nl,won,12
A11Y-3,someone@example.nl,maybe,twelve
"""


def _upload(label: str, name: str, text: str) -> Callable[[Page], None]:
    def step(page: Page) -> None:
        page.get_by_label(label).set_input_files(
            {"name": name, "mimeType": "text/csv", "buffer": text.encode()})
        with page.expect_navigation():
            page.get_by_role("button", name="Check the file").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    return step


def _submit(button: str, **fields: str) -> Callable[[Page], None]:
    """Fill the fields (by label) and press the button: a form's page with its errors."""
    def step(page: Page) -> None:
        for label, value in fields.items():
            page.get_by_label(label.replace("_", " "), exact=True).fill(value)
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=True).click()
        expect(page.get_by_role("alert").first).to_be_visible()
    return step


@dataclass(frozen=True)
class Screen:
    who: str | None  # the role to log in as (Site.emails); None: not logged in
    path: str  # may name ids: {person}, {attempt}, ...
    status: int = 200
    then: Callable[[Page], None] | None = None  # a step the page needs first (a form sent)
    phone: bool = False  # 390 wide, touch, as a phone shows it
    statuses: tuple[int, ...] = ()  # what the step's answer may be, besides 200


SCREENS = {
    "login": Screen(None, "/login"),
    "login-error": Screen(None, "/login", then=_submit("Log in", Email="rep01@demo.test",
                                                         Password="wrong-password"),
                          statuses=(401,)),
    "login-phone": Screen(None, "/login", phone=True),
    "not-found-anonymous": Screen(None, "/no/such/page", 404),
    # A salesperson.
    "learner-dashboard": Screen("learner", "/learn/"),
    "learner-path": Screen("learner", "/learn/paths/new-hire-onboarding"),
    "learner-module": Screen("learner", f"/learn/modules/{MODULE}"),
    "learner-quiz-overview": Screen("learner", f"/learn/quizzes/{QUIZ}"),
    "learner-quiz-in-progress": Screen("learner", "/learn/attempts/{attempt}"),
    "learner-quiz-result": Screen("learner", "/learn/attempts/{result}/result"),
    "learner-goals": Screen("learner", "/learn/goals/"),
    "learner-goal-new": Screen("learner", "/learn/goals/new"),
    "learner-goal-form": Screen("learner", "/learn/goals/new?kind=reach_score"),
    "learner-goal-errors": Screen("learner", "/learn/goals/new?kind=reach_score",
                                  then=_submit("Set this goal")),
    "learner-dashboard-phone": Screen("learner", "/learn/", phone=True),
    "learner-quiz-phone": Screen("learner", "/learn/attempts/{attempt}", phone=True),
    "learner-account": Screen("learner", "/account"),
    "learner-change-password": Screen("learner", "/account/password"),
    "learner-tokens": Screen("learner", "/account/tokens"),
    "learner-waiting-dashboard": Screen("waiting", "/learn/"),
    "learner-waiting": Screen("waiting", "/learn/paths/customer-insight", 403),
    "learner-forbidden": Screen("learner", "/admin/people", 403),
    # Issues 14 and 15: the salesperson's own loop, boosters.
    "learner-results": Screen("learner", "/learn/results/"),
    "learner-results-phone": Screen("learner", "/learn/results/", phone=True),
    "learner-follow-ups": Screen("learner", "/learn/follow-ups/"),
    "learner-follow-ups-phone": Screen("learner", "/learn/follow-ups/", phone=True),
    "learner-coaching": Screen("learner", "/learn/coaching/"),
    "learner-boosters": Screen("booster", "/learn/"),
    "learner-boosters-phone": Screen("booster", "/learn/", phone=True),
    "learner-not-found": Screen("learner", "/no/such/page", 404),
    # The trainer.
    "trainer-content": Screen("trainer", "/author/"),
    "trainer-module": Screen("trainer", f"/author/modules/{MODULE}"),
    "trainer-module-with-tables": Screen("trainer", "/author/modules/regional-market-figures"),
    "trainer-editor": Screen("trainer", f"/author/modules/{MODULE}/edit"),
    "trainer-quiz-editor": Screen("trainer", f"/author/quizzes/{QUIZ}/edit"),
    "trainer-path-preview": Screen("trainer", "/author/paths/new-hire-onboarding"),
    "trainer-new-module": Screen("trainer", "/author/modules/new"),
    "trainer-history": Screen("trainer", f"/author/modules/{MODULE}/history"),
    "trainer-diff": Screen("trainer", f"/author/modules/{MODULE}/diff?from=1&to=2"),
    "trainer-version": Screen("trainer", f"/author/modules/{MODULE}/versions/1"),
    "trainer-question-stats": Screen("trainer", f"/manage/question-stats/{QUIZ}"),
    "trainer-reactions": Screen("trainer", "/author/reactions/"),
    "trainer-reactions-module": Screen(
        "trainer", "/author/reactions/modules/after-sale-follow-up-and-complaints"),
    # A manager.
    "manager-teams": Screen("manager", "/manage/"),
    "manager-readiness": Screen("manager", "/manage/reports/"),
    "manager-heatmap": Screen("manager", "/manage/reports/heatmap"),
    "manager-charts": Screen("manager", "/manage/reports/charts"),
    "manager-person": Screen("manager", "/manage/reports/people/{person}"),
    "manager-assignments": Screen("manager", "/manage/assignments/"),
    "manager-assign-new": Screen("manager", "/manage/assignments/new"),
    "manager-assignment-edit": Screen("manager", "/manage/assignments/{assignment}"),
    "manager-rollouts": Screen("manager", "/manage/rollouts/"),
    "manager-rollout-new": Screen("manager", "/manage/rollouts/new"),
    "manager-rollout": Screen("manager", "/manage/rollouts/{rollout}"),
    "manager-tokens": Screen("manager", "/account/tokens"),
    "manager-sales-performance": Screen("manager", "/manage/sales-reports/"),
    "manager-training-impact": Screen("manager", "/manage/sales-reports/impact"),
    "manager-question-stats": Screen("manager", "/manage/question-stats/"),
    "manager-sales-imports": Screen("manager", "/manage/sales/"),
    "manager-sales-upload": Screen("manager", "/manage/sales/import"),
    "manager-sales-preview": Screen("manager", "/manage/sales/import",
                                    then=_upload("CRM export (CSV)", "deals.csv", SALES_CSV)),
    "manager-sales-problems": Screen("manager", "/manage/sales/import", then=_upload(
        "CRM export (CSV)", "bad-deals.csv", SALES_CSV_WITH_PROBLEMS)),
    "manager-readiness-phone": Screen("manager", "/manage/reports/", phone=True),
    "manager-coaching": Screen("manager", "/manage/coaching/"),
    "manager-coaching-new": Screen("manager", "/manage/coaching/new"),
    "manager-observation": Screen("manager", "/manage/coaching/{observation}"),
    "manager-follow-ups": Screen("manager", "/manage/follow-ups/"),
    "manager-follow-up-record": Screen("manager", "/manage/follow-ups/{deal}/follow-up"),
    "manager-boosters": Screen("manager", "/manage/boosters/"),
    "manager-boosters-phone": Screen("manager", "/manage/boosters/", phone=True),
    # The admin.
    "admin-people": Screen("admin", "/admin/people"),
    "admin-person-edit": Screen("admin", "/admin/people/{person}"),
    "admin-person-new": Screen("admin", "/admin/people/new"),
    "admin-person-new-errors": Screen("admin", "/admin/people/new",
                                      then=_submit("Add person", Email="not an email")),
    "admin-people-phone": Screen("admin", "/admin/people", phone=True),
    "admin-teams": Screen("admin", "/admin/teams"),
    "admin-team-edit": Screen("admin", "/admin/teams/{team}"),
    "admin-team-new": Screen("admin", "/admin/teams/new"),
    "admin-import": Screen("admin", "/admin/people/import"),
    "admin-import-preview": Screen("admin", "/admin/people/import",
                                   then=_upload("CSV file", "people.csv", CSV_WITH_PROBLEMS)),
    "admin-settings": Screen("admin", "/admin/settings/"),
    "admin-tokens": Screen("admin", "/admin/tokens"),
    "admin-impact": Screen("admin", "/manage/sales-reports/impact"),
}

# What axe reports for each violation, and what it could not decide ("incomplete": a person
# checks those); the nodes' targets say where on the page it is.
_RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations', 'incomplete']});
  const brief = (list) => list.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary})),
  }));
  return {violations: brief(results.violations), incomplete: brief(results.incomplete)};
}"""


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}  -- {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


@pytest.mark.parametrize("name", list(SCREENS))
def test_axe_finds_no_serious_violation(name: str, site: Site, axe_path: Path,
                                       new_page: Callable[..., Page],
                                       browser_issues: BrowserIssues) -> None:
    screen = SCREENS[name]
    browser_issues.expect_status(screen.status, *screen.statuses)
    page = new_page(**PHONE) if screen.phone else new_page()
    page.context.add_init_script(path=str(axe_path))
    if screen.who:
        log_in(page, site.base, site.emails[screen.who], DEMO_PASSWORD)
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
    response = page.goto(site.base + screen.path.format(**site.ids))
    assert response is not None and response.status == screen.status, name
    if screen.then:
        screen.then(page)
    page.wait_for_load_state("load")
    results = page.evaluate(_RUN_AXE)
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}.json").write_text(json.dumps(results, indent=2))
    violations = results["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {name} ({page.url}):\n{describe(blocking)}"
