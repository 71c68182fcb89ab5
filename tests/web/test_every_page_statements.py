"""Every page runs a fixed number of SQL statements, whatever the number of modules, attempts or
people it shows (issue 12).

Every GET route of the app has an entry in PAGES: who views it and its address in the world
built here. The test counts each page's statements, adds more of everything the pages show
(salespeople with their training and deals, the viewer's attempts, goals, observations and
follow-ups, versions, rollouts, teams, webhooks, tokens, imports ...) and counts again: the two
counts must be equal. A GET route without an entry fails the test, so a new page gets a count.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from flask import Flask, url_for
from sqlalchemy import select

from lms.analytics.report_cache import ReportCache
from lms.api.auth import create_token
from lms.boosters.switches import save_setting
from lms.chat.settings import WebhookFields, save_webhook
from lms.clock import local_today
from lms.coaching.observations import ObservationFields, record_observation
from lms.coaching.rubrics import live_rubrics, rubric_view, sync_rubrics
from lms.demo.training import wrong_response
from lms.extensions import db
from lms.learning.assignments import assign
from lms.learning.attempts import doc_for, start_attempt, submit
from lms.learning.catalog import live_item, live_items
from lms.learning.completion import mark_read, update_completion_for_quiz
from lms.learning.goals import GoalFields, create_goal
from lms.learning.reactions import record_reaction
from lms.learning.rollouts import make_rollout
from lms.models import ContentKind, GoalKind, Role, SalesImport, Team, TeamWebhook, User
from lms.models.rollouts import Design
from lms.quiz.grading import correct_response
from lms.sales.actions import ActionKind, record_action
from tests.conftest import login, org_today
from tests.factories import make_team, make_user
from tests.impact_helpers import add_sale, statements
from tests.learning_helpers import sync

#: Routes left out: files, the login page and the start page that sends each role on (no data
#: of their own), and the API (tests/web/test_api_*.py and the report API tests count those).
EXCLUDED = {"static", "learn.media", "auth.login", "auth.index"}

EMAILS = {"seller": "seller@example.com", "boss": "boss@example.com",
          "admin": "admin@example.com", "trainer": "trainer@example.com"}

#: The quiz every salesperson takes (unlimited attempts, no prerequisites).
QUIZ = "company-and-product-range"
#: The quiz the seller has an attempt open on.
OPEN_QUIZ = "customer-segments-and-personas"
#: The module the trainer keeps changing (nobody takes it here).
EDITED = "regional-market-figures"
#: More quizzes without an attempt limit, for the seller's other attempts.
MORE_QUIZZES = ("buying-committees", "after-sale-follow-up-and-complaints")

Builder = Callable[[SimpleNamespace], "str | tuple[str, ...]"]

#: endpoint -> (who views it, its address or addresses in the world).
PAGES: dict[str, tuple[str, Builder]] = {
    # Everyone's account pages (the seller's).
    "auth.account": ("seller", lambda w: url_for("auth.account")),
    "auth.change_password": ("seller", lambda w: url_for("auth.change_password")),
    "tokens.index": ("seller", lambda w: url_for("tokens.index")),
    # The salesperson's pages.
    "learn.dashboard": ("seller", lambda w: url_for("learn.dashboard")),
    "learn.module": ("seller", lambda w: url_for("learn.module", slug=QUIZ)),
    "learn.path": ("seller", lambda w: url_for("learn.path", slug="new-hire-onboarding")),
    "quiz.overview": ("seller", lambda w: url_for("quiz.overview", slug=MORE_QUIZZES[1])),
    "quiz.take": ("seller", lambda w: url_for("quiz.take", attempt_id=w.open_attempt)),
    "quiz.result": ("seller", lambda w: url_for("quiz.result", attempt_id=w.done_attempt)),
    "reactions.answer": ("seller", lambda w: url_for("reactions.answer", kind="modules",
                                                     slug=QUIZ)),
    "results.index": ("seller", lambda w: url_for("results.index")),
    "goals.index": ("seller", lambda w: url_for("goals.index")),
    "goals.new": ("seller", lambda w: url_for("goals.new")),
    "goals.edit": ("seller", lambda w: url_for("goals.edit", goal_id=w.goal)),
    "my_coaching.index": ("seller", lambda w: url_for("my_coaching.index")),
    "my_coaching.view": ("seller", lambda w: url_for("my_coaching.view",
                                                     observation_id=w.observation)),
    "followups.index": ("seller", lambda w: url_for("followups.index")),
    "followups.record": ("seller", lambda w: (
        url_for("followups.record", sale_id=w.follow_up, what="follow-up"),
        url_for("followups.record", sale_id=w.complaint, what="resolution"))),
    # The manager's pages.
    "manage.index": ("boss", lambda w: url_for("manage.index")),
    "reports.readiness": ("boss", lambda w: url_for("reports.readiness")),
    "reports.readiness_csv": ("boss", lambda w: url_for("reports.readiness_csv")),
    "reports.heat_map": ("boss", lambda w: url_for("reports.heat_map")),
    "reports.heat_map_csv": ("boss", lambda w: url_for("reports.heat_map_csv")),
    "reports.chart_page": ("boss", lambda w: url_for("reports.chart_page")),
    "reports.person": ("boss", lambda w: url_for("reports.person", user_id=w.seller)),
    "reports.person_attempts_csv": ("boss", lambda w: url_for("reports.person_attempts_csv",
                                                              user_id=w.seller)),
    "assignments.index": ("boss", lambda w: url_for("assignments.index")),
    "assignments.new": ("boss", lambda w: url_for("assignments.new")),
    "assignments.edit": ("boss", lambda w: url_for("assignments.edit",
                                                   assignment_id=w.assignment)),
    "boosters_admin.index": ("boss", lambda w: url_for("boosters_admin.index")),
    "coaching.index": ("boss", lambda w: url_for("coaching.index")),
    "coaching.new": ("boss", lambda w: url_for("coaching.new")),
    "coaching.view": ("boss", lambda w: url_for("coaching.view", observation_id=w.observation)),
    "team_followups.index": ("boss", lambda w: url_for("team_followups.index")),
    "team_followups.record": ("boss", lambda w: (
        url_for("team_followups.record", sale_id=w.follow_up, what="follow-up"),
        url_for("team_followups.record", sale_id=w.complaint, what="resolution"))),
    "question_stats.index": ("boss", lambda w: url_for("question_stats.index")),
    "question_stats.quiz": ("boss", lambda w: url_for("question_stats.quiz", slug=QUIZ)),
    "question_stats.export": ("boss", lambda w: url_for("question_stats.export", slug=QUIZ)),
    "rollouts.index": ("boss", lambda w: url_for("rollouts.index")),
    "rollouts.new": ("boss", lambda w: url_for("rollouts.new")),
    "rollouts.detail": ("boss", lambda w: url_for("rollouts.detail", rollout_id=w.rollout)),
    "sales_reports.performance": ("boss", lambda w: url_for("sales_reports.performance")),
    "sales_reports.performance_csv": ("boss",
                                      lambda w: url_for("sales_reports.performance_csv")),
    "sales_reports.impact": ("boss", lambda w: url_for("sales_reports.impact")),
    "sales_reports.impact_csv": ("boss", lambda w: url_for("sales_reports.impact_csv")),
    "sales.index": ("boss", lambda w: url_for("sales.index")),
    "sales.upload": ("boss", lambda w: url_for("sales.upload")),
    # The admin's pages.
    "admin.index": ("admin", lambda w: url_for("admin.index")),
    "admin.users": ("admin", lambda w: url_for("admin.users")),
    "admin.new_user": ("admin", lambda w: url_for("admin.new_user")),
    "admin.edit_user": ("admin", lambda w: url_for("admin.edit_user", user_id=w.seller)),
    "admin.import_people": ("admin", lambda w: url_for("admin.import_people")),
    "admin.teams": ("admin", lambda w: url_for("admin.teams")),
    "admin.new_team": ("admin", lambda w: url_for("admin.new_team")),
    "admin.edit_team": ("admin", lambda w: url_for("admin.edit_team", team_id=w.team)),
    "admin_tokens.index": ("admin", lambda w: url_for("admin_tokens.index")),
    "settings.index": ("admin", lambda w: url_for("settings.index")),
    "chat.index": ("admin", lambda w: url_for("chat.index")),
    "chat.new": ("admin", lambda w: url_for("chat.new")),
    "chat.edit": ("admin", lambda w: url_for("chat.edit", hook_id=w.hook)),
    # The trainer's pages.
    "author.index": ("trainer", lambda w: url_for("author.index")),
    "author.new_module": ("trainer", lambda w: url_for("author.new_module")),
    "author.view": ("trainer", lambda w: url_for("author.view", kind="modules", slug=EDITED)),
    "author.edit": ("trainer", lambda w: url_for("author.edit", kind="modules", slug=EDITED)),
    "author.history": ("trainer", lambda w: url_for("author.history", kind="modules",
                                                    slug=EDITED)),
    "author.diff": ("trainer", lambda w: url_for("author.diff", kind="modules", slug=EDITED,
                                                 **{"from": 1, "to": 2})),
    "author.version_source": ("trainer", lambda w: url_for(
        "author.version_source", kind="modules", slug=EDITED, number=1)),
    "author_reactions.index": ("trainer", lambda w: url_for("author_reactions.index")),
    "author_reactions.item": ("trainer", lambda w: url_for("author_reactions.item",
                                                           kind="modules", slug=QUIZ)),
}

#: Pages that answer with a redirect by design.
REDIRECTS = {"admin.index": 302}  # the admin area starts at the people list


# The world -------------------------------------------------------------------------------------

def _pass(person, slug: str, *, right: bool = True,  # noqa: ANN001
          when: datetime | None = None) -> int:
    """Read the module of quiz ``slug`` and take the quiz once; returns the attempt's id."""
    when = when or datetime.now(UTC) - timedelta(days=3)
    quiz = live_item(ContentKind.QUIZ, slug)
    mark_read(person, live_item(ContentKind.MODULE, slug), now=when)
    attempt = start_attempt(person, quiz, now=when)
    rng = random.Random(attempt.id)
    submit(attempt, {q.id: correct_response(q) if right else wrong_response(q, rng)
                     for q in doc_for(attempt).questions}, now=when + timedelta(minutes=5))
    update_completion_for_quiz(person.id, quiz, now=when + timedelta(minutes=5))
    return attempt.id


def _deals(person) -> tuple[int, int]:  # noqa: ANN001
    """Deals of every state the follow-up pages show, one of them followed up just now;
    returns a deal waiting for its follow-up and one with an open complaint."""
    today = org_today()
    for days_ago in (20, 30, 200):
        add_sale(person, closed=(today - timedelta(days=days_ago)).isoformat(), satisfaction=4,
                 scale=5)
    add_sale(person, stage="lost", closed=(today - timedelta(days=25)).isoformat())
    waiting = add_sale(person, closed=(today - timedelta(days=14)).isoformat())
    complaint = add_sale(person, closed=(today - timedelta(days=40)).isoformat(),
                         follow_up=(today - timedelta(days=38)).isoformat(),
                         complaint=(today - timedelta(days=9)).isoformat())
    called = add_sale(person, closed=(today - timedelta(days=12)).isoformat())
    db.session.flush()
    record_action(called, ActionKind.FOLLOW_UP, today - timedelta(days=1), "Called",
                  actor=person, today=today)
    return waiting.id, complaint.id


def _rep(team, n: int) -> None:  # noqa: ANN001
    """A salesperson of ``team`` with three modules assigned, the quiz passed (and another
    failed), their opinion of the module and deals to follow up."""
    person = make_user(Role.LEARNER, email=f"rep{n}@example.com", name=f"Rep {n}", team=team,
                       hire_date=org_today() - timedelta(days=30 * (n % 5)))
    for slug in (QUIZ, *MORE_QUIZZES):
        assign(person, live_item(ContentKind.MODULE, slug),
               due_date=org_today() + timedelta(days=n))
    _pass(person, MORE_QUIZZES[0], right=False)
    _pass(person, QUIZ)
    record_reaction(person.id, live_item(ContentKind.MODULE, QUIZ), useful=4, clear=3, recommend=5,
                    comment=f"Remark {n}")
    _deals(person)
    db.session.commit()


def _goals(person, first: int, n: int) -> int:  # noqa: ANN001
    """Goals number ``first`` to ``first + n - 1`` of every kind a person sets (a training goal
    per module or path, while there are any); returns the id of the first, a revenue goal."""
    today = org_today()
    modules = sorted((m for m in live_items(ContentKind.MODULE).values()
                      if m.slug not in (QUIZ, *MORE_QUIZZES)), key=lambda m: m.slug)
    paths = sorted(live_items(ContentKind.PATH).values(), key=lambda p: p.slug)
    made = []
    for i in range(first, first + n):
        deadline = today + timedelta(days=30 + i)
        goals = [(GoalKind.REVENUE, 9000, None), (GoalKind.WON_DEALS, 5, None),
                 (GoalKind.SATISFACTION, 80, None), (GoalKind.REPEAT_RATE, 20, None),
                 (GoalKind.COMPLETE_MODULE, None, modules[i]),
                 (GoalKind.REACH_SCORE, 80, live_item(ContentKind.MODULE, MORE_QUIZZES[1]))]
        if i < len(paths):
            goals.append((GoalKind.COMPLETE_PATH, None, paths[i]))
        for kind, target, item in goals:
            made.append(create_goal(person, GoalFields(
                kind=kind, target=target, item=item, deadline=deadline,
                starts_on=today - timedelta(days=60 + i))).id)
        create_goal(person, GoalFields(kind=GoalKind.COMPLAINTS_RESOLVED, target=90,
                                       within_days=7, deadline=deadline,
                                       starts_on=today - timedelta(days=60)))
    db.session.commit()
    return made[0]


def _observe(boss, person, n: int) -> int:  # noqa: ANN001
    """``n`` observations of ``person`` by ``boss``, each with a next step; returns the last."""
    version = live_rubrics()[0].current_version
    view = rubric_view(version)
    today = org_today()
    for i in range(n):
        observation = record_observation(boss, person, version, view, ObservationFields(
            kind=("ride_along", "call_review", "role_play")[i % 3],
            observed_on=today - timedelta(days=2 + i),
            ratings={"discovery": 2 + i % 2, "objections": 3, "value": 1 + i % 4},
            strengths="Open questions.", improvements="Let the customer finish.",
            next_step=f"Practise objection answers ({i})",
            next_step_due=today + timedelta(days=14)), today=today)
    db.session.commit()
    return observation.id


def _version(root: Path, edits: int) -> None:
    """``edits`` more versions of the trainer's module."""
    path = root / "content" / "modules" / f"{EDITED}.md"
    for _ in range(edits):
        path.write_text(path.read_text() + "\nOne more paragraph about the regions.\n")
        sync(root)


def _admin_things(people: list, n: int) -> None:
    """``n`` teams with a manager and a chat webhook, API tokens and sales imports of
    ``people``, and a deal of a departed salesperson."""
    start = db.session.query(SalesImport).count()
    for i in range(n):
        number = start + i
        manager = make_user(Role.MANAGER, email=f"lead{number}@example.com")
        team = make_team(f"Team {number}", managers=[manager])
        save_webhook(None, WebhookFields(team, ("teams", "slack")[i % 2], f"#team-{number}",
                                         f"https://hooks.slack.com/services/T{number}/B1/x"
                                         if i % 2 else
                                         "https://prod-01.westeurope.logic.azure.com:443/"
                                         f"workflows/{number}/triggers/manual/paths/invoke",
                                         True, True))
        person = people[i % len(people)]
        create_token(person, f"script {number}")
        db.session.add(SalesImport(imported_by_id=person.id, source=f"deals-{number}.csv",
                                   preset="generic", file_hash=f"{number:064d}",
                                   finished_at=datetime.now(UTC), rows_read=3, added=3))
        add_sale(None, customer=f"Gone {number}").owner_email = f"gone{number}@example.com"
    db.session.commit()


def _world(root: Path) -> SimpleNamespace:
    """Team Noord: Bea Boss manages it; Sam Seller (the salesperson whose pages are counted)
    and five colleagues with training, attempts, opinions and deals; a goal of each kind, an
    observation, a rollout, a booster setting, a webhook, tokens and an import. The ids the
    addresses need."""
    sync(root)
    sync_rubrics(root / "content" / "rubrics")
    _version(root, 1)  # two versions to compare
    boss = make_user(Role.MANAGER, email=EMAILS["boss"], name="Bea Boss")
    admin = make_user(Role.ADMIN, email=EMAILS["admin"])
    trainer = make_user(Role.TRAINER, email=EMAILS["trainer"])
    team = make_team("Team Noord", managers=[boss])
    seller = make_user(Role.LEARNER, email=EMAILS["seller"], name="Sam Seller", team=team)
    assignment = assign(seller, live_item(ContentKind.MODULE, QUIZ), by=boss)
    assign(seller, live_item(ContentKind.PATH, "new-hire-onboarding"), by=boss)
    done = _pass(seller, QUIZ)
    _pass(seller, MORE_QUIZZES[1], right=False)  # the quiz of a score goal
    open_attempt = start_attempt(seller, live_item(ContentKind.QUIZ, OPEN_QUIZ)).id
    waiting, complaint = _deals(seller)
    create_token(seller, "my script")
    db.session.commit()
    for n in range(5):  # trainers see the opinions of five people or more
        _rep(team, n)
    goal = _goals(seller, 0, 1)
    observation = _observe(boss, seller, 1)
    save_setting(live_item(ContentKind.PATH, "new-hire-onboarding"), enabled=True, per_day=3,
                 by=boss)
    rollout = make_rollout(live_item(ContentKind.PATH, "customer-insight"),
                           [p for p in team.members if p.role == Role.LEARNER.value],
                           design=Design.RANDOMISED, by=boss, today=local_today(),
                           interval_days=30, seed=1).rollout
    db.session.commit()
    _admin_things([boss, admin, trainer], 1)
    return SimpleNamespace(root=root, seller=seller.id, boss=boss.id, team=team.id,
                           assignment=assignment.id, done_attempt=done,
                           open_attempt=open_attempt, follow_up=waiting, complaint=complaint,
                           goal=goal, observation=observation, rollout=rollout.id,
                           hook=_first_hook(), reps=5)


def _first_hook() -> int:
    return db.session.scalar(select(TeamWebhook.id).order_by(TeamWebhook.id))


def _more(w: SimpleNamespace) -> None:
    """More of everything the pages show: seven more colleagues, the seller's attempts on
    more quizzes, more training, deals, tokens, goals and observations, boosters on for every
    module (set by two people), a second rollout (its page is counted then), three more
    versions of the trainer's module, five more teams, webhooks, tokens and imports."""
    team = db.session.get(Team, w.team)
    for n in range(w.reps, w.reps + 7):
        _rep(team, n)
    seller, boss = db.session.get(User, w.seller), db.session.get(User, w.boss)
    admin = db.session.scalar(select(User).where(User.email == EMAILS["admin"]))
    earlier = datetime.now(UTC) - timedelta(days=20)
    for i, slug in enumerate((*MORE_QUIZZES, *MORE_QUIZZES, MORE_QUIZZES[0])):
        _pass(seller, slug, right=i == 4, when=earlier + timedelta(hours=i))
    for slug in ("pricing-and-packages", "competitive-positioning"):
        assign(seller, live_item(ContentKind.MODULE, slug), by=boss)
    assign(seller, live_item(ContentKind.PATH, "customer-insight"), by=boss)
    for _ in range(3):
        _deals(seller)
        create_token(seller)
    db.session.commit()
    _goals(seller, 1, 2)
    _observe(boss, seller, 3)
    for rep in team.members[-3:]:
        if rep.role == Role.LEARNER.value:
            _observe(boss, rep, 1)
    for i, item in enumerate(live_items(ContentKind.MODULE).values()):
        save_setting(item, enabled=True, per_day=2, by=(boss, admin)[i % 2])
    learners = [p for p in team.members if p.role == Role.LEARNER.value]
    w.rollout = make_rollout(live_item(ContentKind.MODULE, "pricing-and-packages"), learners,
                             design=Design.STAGGERED, by=boss, today=local_today(),
                             interval_days=14, waves=3).rollout.id
    db.session.commit()
    _version(w.root, 3)
    _admin_things([boss, admin, seller, *learners[:3]], 5)


# The count -------------------------------------------------------------------------------------

def _urls(app: Flask, w: SimpleNamespace) -> dict[str, tuple[str, tuple[str, ...]]]:
    """endpoint -> (who, addresses)."""
    out = {}
    with app.test_request_context():
        for endpoint, (who, build) in PAGES.items():
            urls = build(w)
            out[endpoint] = (who, (urls,) if isinstance(urls, str) else urls)
    return out


def _counts(app: Flask, w: SimpleNamespace) -> dict[tuple[str, int], tuple[str, int]]:
    """(endpoint, address number) -> (address, statements of its second view), every report
    cache emptied before each view."""

    def clear() -> None:
        for cache in app.extensions.values():
            if isinstance(cache, ReportCache):
                cache.clear()

    clients = {}
    counts = {}
    for endpoint, (who, urls) in _urls(app, w).items():
        if who not in clients:
            clients[who] = app.test_client()
            login(clients[who], EMAILS[who])
        client = clients[who]
        for n, url in enumerate(urls):
            clear()
            client.get(url)  # a first view may fill caches
            clear()
            with statements() as seen:
                response = client.get(url)
            expected = REDIRECTS.get(endpoint, 200)
            assert response.status_code == expected, (
                f"{url} ({endpoint}, as {who}): {response.status_code}, not {expected}")
            counts[endpoint, n] = (url, len(seen))
    return counts


def test_every_get_route_has_a_page_count(app):
    """A page added later without an entry in PAGES fails here, naming its endpoint."""
    routes = {rule.endpoint for rule in app.url_map.iter_rules()
              if "GET" in rule.methods and not rule.rule.startswith("/api/")}
    missing = sorted(routes - EXCLUDED - PAGES.keys())
    assert not missing, f"GET routes without a statement count in PAGES: {', '.join(missing)}"
    gone = sorted(PAGES.keys() - routes)
    assert not gone, f"PAGES names endpoints the app no longer has: {', '.join(gone)}"


def test_every_page_runs_the_same_statements_with_more_data(app, content_copy):
    w = _world(content_copy)
    urls = _urls(app, w)
    adapter = app.url_map.bind("localhost")
    covered = {adapter.match(url.split("?")[0], method="GET", return_rule=True)[0].rule
               for _who, addresses in urls.values() for url in addresses}
    uncovered = sorted(f"{r.endpoint} ({r.rule})" for r in app.url_map.iter_rules()
                       if "GET" in r.methods and r.endpoint not in EXCLUDED
                       and not r.rule.startswith("/api/") and r.rule not in covered)
    assert not uncovered, f"GET routes no address in PAGES reaches: {', '.join(uncovered)}"
    few = _counts(app, w)
    _more(w)
    many = _counts(app, w)
    grew = [f"{url}: {n} statements with few, {many[page][1]} with many"
            for page, (url, n) in few.items() if many[page][1] != n]
    assert not grew, "\n".join(grew)
