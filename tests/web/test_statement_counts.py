"""The learner's pages run a fixed number of SQL statements, whatever the number of their
assignments, paths and modules: the dashboard used to load each item's version one lazy load
at a time (22 statements for one assignment, more with every path)."""

from __future__ import annotations

from datetime import timedelta

from lms.extensions import db
from lms.learning.assignments import assign
from lms.learning.catalog import current_doc, live_items
from lms.models import ContentKind, Role
from tests.conftest import REPO, login
from tests.factories import make_user
from tests.impact_helpers import statements
from tests.learning_helpers import sync


def _count(app, email: str, url: str) -> int:
    client = app.test_client()
    login(client, email)
    client.get(url)  # a first view may fill caches
    with statements() as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def test_learner_pages_do_not_grow_with_assignments(app):
    sync(REPO)
    open_modules = sorted((m for m in live_items(ContentKind.MODULE).values()
                           if not current_doc(m).prerequisites), key=lambda m: m.slug)
    paths = sorted(live_items(ContentKind.PATH).values(), key=lambda p: p.slug)
    assert len(open_modules) >= 2 and len(paths) >= 2
    assign(make_user(Role.LEARNER, email="one@example.com"), open_modules[0])
    many = make_user(Role.LEARNER, email="many@example.com")
    for item in (*open_modules, *paths):
        assign(many, item)
    db.session.commit()
    for url in ("/learn/", f"/learn/modules/{open_modules[0].slug}",
                f"/learn/paths/{paths[0].slug}", "/learn/goals/", "/learn/coaching/"):
        one, lots = _count(app, "one@example.com", url), _count(app, "many@example.com", url)
        assert one == lots, f"{url}: {one} statements with one assignment, {lots} with many"
    assert _count(app, "many@example.com", "/learn/") <= 14


PAGES = {
    "boss@example.com": ["/manage/", "/manage/reports/", "/manage/assignments/",
                         "/manage/sales-reports/", "/manage/sales-reports/impact",
                         "/manage/rollouts/", "/manage/coaching/", "/manage/coaching/new",
                         "/manage/follow-ups/"],
    "admin@example.com": ["/admin/people", "/admin/teams", "/admin/tokens/",
                          "/admin/chat/"],
    "trainer@example.com": ["/author/", "/author/modules/company-and-product-range",
                            "/author/modules/company-and-product-range/history",
                            "/author/reactions/",
                            "/author/reactions/modules/company-and-product-range"],
}


def _salespeople(team, start: int, stop: int) -> None:  # noqa: ANN001
    from tests.impact_helpers import add_sale

    modules = sorted(live_items(ContentKind.MODULE).values(), key=lambda m: m.slug)[:3]
    for i in range(start, stop):
        person = make_user(Role.LEARNER, email=f"rep{i}@example.com", team=team)
        for module in modules:
            assign(person, module)
        add_sale(person, closed="2026-11-20")
        _work(person)
    db.session.commit()


def _work(person) -> None:  # noqa: ANN001
    """Follow-ups due and overdue and open complaints, for the follow-ups pages."""
    from tests.conftest import org_today
    from tests.impact_helpers import add_sale

    today = org_today()
    for days_ago in (12, 14, 20, 30):
        add_sale(person, closed=(today - timedelta(days=days_ago)).isoformat())
    add_sale(person, closed=(today - timedelta(days=40)).isoformat(),
             follow_up=(today - timedelta(days=38)).isoformat(),
             complaint=(today - timedelta(days=9)).isoformat())


def _counts(app) -> dict[str, tuple[int, int]]:
    """(first view with every report cache empty, repeated view) statements per page, each as
    its role sees it."""
    from lms.analytics.report_cache import ReportCache

    out = {}
    for email, urls in PAGES.items():
        client = app.test_client()
        login(client, email)
        for url in urls:
            for cache in app.extensions.values():
                if isinstance(cache, ReportCache):
                    cache.clear()
            views = []
            for _ in range(2):
                with statements() as seen:
                    assert client.get(url).status_code == 200, url
                views.append(len(seen))
            out[url] = tuple(views)
    return out


def test_the_other_roles_pages_do_not_grow_with_the_people(app):
    from tests.factories import make_team

    sync(REPO)
    boss = make_user(Role.MANAGER, email="boss@example.com")
    make_user(Role.ADMIN, email="admin@example.com")
    make_user(Role.TRAINER, email="trainer@example.com")
    team = make_team("Team Noord", managers=[boss])
    _salespeople(team, 0, 3)
    _counts(app)  # content versions are parsed once per process, on the first view of any page
    few = _counts(app)
    _salespeople(team, 3, 15)
    assert _counts(app) == few


def _quiz_counts(app, email: str) -> dict[str, int]:
    """Statements of each step of taking the practice quiz once more: the quiz page, the
    attempt page, saving answers, submitting, the result page."""
    from tests.conftest import page_token
    from tests.learning_helpers import RIGHT, form_data
    from tests.web.test_learning import QUIZ, read, start

    def send(answers: dict, action: str) -> int:
        data = {**form_data(answers), "action": action, "csrf_token": token}
        with statements() as seen:
            assert client.post(f"/learn/attempts/{attempt}/save", data=data).status_code == 302
        return len(seen)

    client = app.test_client()
    login(client, email)
    read(client)
    counts = {}
    client.get(QUIZ)
    with statements() as seen:
        assert client.get(QUIZ).status_code == 200
    counts["quiz page"] = len(seen)
    attempt = start(client)
    client.get(f"/learn/attempts/{attempt}")
    with statements() as seen:
        assert client.get(f"/learn/attempts/{attempt}").status_code == 200
    counts["attempt page"] = len(seen)
    token = page_token(client, QUIZ)
    send({"cups": "59"}, "save")
    counts["saving answers"] = send(RIGHT, "save")
    counts["submitting"] = send(RIGHT, "submit")
    with statements() as seen:
        assert client.get(f"/learn/attempts/{attempt}/result").status_code == 200
    counts["result page"] = len(seen)
    return counts


def test_taking_a_quiz_does_not_grow_with_past_attempts(app, content_copy):
    """A learner with one past attempt and one with eight run the same statements at every step
    of the next attempt."""
    from tests.learning_helpers import write_practice
    from tests.web.test_learning import send, start

    write_practice(content_copy, max_attempts=20)
    sync(content_copy)
    for email in ("warm", "once", "often"):
        make_user(email=f"{email}@example.com")
    db.session.commit()
    for email, past in (("warm@example.com", 1), ("once@example.com", 1),
                        ("often@example.com", 8)):
        client = app.test_client()
        login(client, email)
        for _ in range(past):
            send(client, start(client), {"cups": "1"})
    _quiz_counts(app, "warm@example.com")  # the first pass parses the content versions once
    once, often = _quiz_counts(app, "once@example.com"), _quiz_counts(app, "often@example.com")
    assert once == often, f"one past attempt: {once}; eight: {often}"


def test_the_follow_ups_page_does_not_grow_with_the_deals(app):
    """A salesperson's follow-ups page runs the same statements with one deal to act on as
    with many."""
    from tests.conftest import org_today
    from tests.impact_helpers import add_sale

    one = make_user(Role.LEARNER, email="one@example.com")
    many = make_user(Role.LEARNER, email="many@example.com")
    add_sale(one, closed=(org_today() - timedelta(days=14)).isoformat())
    for _ in range(6):
        _work(many)
    db.session.commit()
    url = "/learn/follow-ups/"
    assert _count(app, "one@example.com", url) == _count(app, "many@example.com", url)


def _seller(email: str, *, deals: int, goals: int, completions: bool,
            training_goals: int = 0) -> None:
    """A salesperson with ``deals`` deals spread over the last twelve months, ``goals``
    performance goals of every kind, ``training_goals`` goals of each training kind (finish a
    module, finish a path, reach a score) and, if asked, completed modules and paths."""
    from datetime import UTC, datetime, timedelta

    from lms.learning.goals import GoalFields, create_goal
    from lms.models import GoalKind, ModuleProgress, PathCompletion
    from tests.conftest import org_today
    from tests.impact_helpers import add_sale

    today = org_today()
    person = make_user(Role.LEARNER, email=email)
    for i in range(deals):
        closed = today - timedelta(days=(i * 37) % 360)
        add_sale(person, stage="won" if i % 3 else "lost", closed=closed.isoformat(),
                 created=(closed - timedelta(days=20)).isoformat(), satisfaction=4, scale=5,
                 complaint=closed.isoformat() if i % 4 == 0 else None,
                 resolved=(closed + timedelta(days=3)).isoformat() if i % 8 == 0 else None)
    kinds = [(GoalKind.REVENUE, 9000), (GoalKind.WON_DEALS, 5), (GoalKind.SATISFACTION, 80),
             (GoalKind.REPEAT_RATE, 20), (GoalKind.COMPLAINTS_RESOLVED, 90)]
    for i in range(goals):
        kind, target = kinds[i % len(kinds)]
        create_goal(person, GoalFields(kind=kind, target=target,
                                       within_days=7 if kind is GoalKind.COMPLAINTS_RESOLVED
                                       else None, starts_on=today - timedelta(days=60 + i),
                                       deadline=today + timedelta(days=30 + i)))
    modules = sorted(live_items(ContentKind.MODULE).values(), key=lambda m: m.slug)
    quizzed = [m for m in modules if current_doc(m).quiz]
    paths = sorted(live_items(ContentKind.PATH).values(), key=lambda p: p.slug)
    for i in range(training_goals):
        deadline = today + timedelta(days=10 + i)
        create_goal(person, GoalFields(kind=GoalKind.COMPLETE_MODULE, deadline=deadline,
                                       item=modules[i % len(modules)]))
        create_goal(person, GoalFields(kind=GoalKind.COMPLETE_PATH, deadline=deadline,
                                       item=paths[i % len(paths)]))
        create_goal(person, GoalFields(kind=GoalKind.REACH_SCORE, target=80, deadline=deadline,
                                       item=quizzed[i % len(quizzed)]))
    if completions:
        when = datetime.now(UTC) - timedelta(days=40)
        for item in live_items(ContentKind.MODULE).values():
            db.session.add(ModuleProgress(user_id=person.id, module_id=item.id,
                                          read_at=when, completed_at=when))
        for item in live_items(ContentKind.PATH).values():
            db.session.add(PathCompletion(user_id=person.id, path_id=item.id,
                                          completed_at=when))
    db.session.commit()


def test_my_results_does_not_grow_with_months_deals_completions_or_goals(app):
    """Twelve month windows and every goal's window in one query: a seller with one deal and
    one goal of each kind runs the same statements as one with 60 deals, three goals of each
    kind and every completion."""
    sync(REPO)
    _seller("few@example.com", deals=1, goals=5, completions=False)
    _seller("many@example.com", deals=60, goals=15, completions=True)
    few = _count(app, "few@example.com", "/learn/results/")
    many = _count(app, "many@example.com", "/learn/results/")
    assert few == many, f"{few} statements for one deal and five goals, {many} for many"
    assert many <= 12


def test_the_dashboard_and_goals_page_do_not_grow_with_goals(app):
    """Every goal measured from what is read once for all of them: one goal of each kind, or
    two or three of each with deals and completions behind them, run the same statements."""
    sync(REPO)
    _seller("few@example.com", deals=1, goals=5, completions=False, training_goals=1)
    _seller("many@example.com", deals=60, goals=15, completions=True, training_goals=2)
    for url in ("/learn/", "/learn/goals/"):
        few = _count(app, "few@example.com", url)
        many = _count(app, "many@example.com", url)
        assert few == many, f"{url}: {few} statements for one goal of each kind, {many} for more"


def test_the_dashboard_does_not_grow_with_booster_cards(app):
    """Boosters on: a person with one booster card and one with a card for every question of
    every quiz run the same statements on the dashboard."""
    from lms.boosters import scheduling
    from lms.boosters.questions import fingerprint
    from lms.boosters.switches import save_setting
    from lms.content.documents import ModuleDoc
    from lms.models import BoosterCard, utcnow

    sync(REPO)
    for path in live_items(ContentKind.PATH).values():
        save_setting(path, enabled=True, per_day=3, by=None)
    few = make_user(Role.LEARNER, email="few@example.com")
    lots = make_user(Role.LEARNER, email="lots@example.com")
    quizzes = live_items(ContentKind.QUIZ)
    learned = utcnow().replace(year=2025)
    made = 0
    for module in live_items(ContentKind.MODULE).values():
        doc = current_doc(module)
        if not isinstance(doc, ModuleDoc) or doc.quiz not in quizzes:
            continue
        quiz = quizzes[doc.quiz]
        for question in current_doc(quiz).questions:
            for person in (lots,) if made else (few, lots):
                first = scheduling.first_review(0, learned, "correct")
                db.session.add(BoosterCard(
                    user_id=person.id, module_id=module.id, quiz_id=quiz.id,
                    question_id=question.id, learned_version_id=quiz.current_version_id,
                    fingerprint=fingerprint(question), state=first.state, due_at=first.due,
                    last_review_at=first.last_review, stability=first.stability))
            made += 1
    db.session.commit()
    assert made > 20
    one = _count(app, "few@example.com", "/learn/")
    many = _count(app, "lots@example.com", "/learn/")
    assert one == many, f"dashboard: {one} statements with one booster card, {many} with {made}"
