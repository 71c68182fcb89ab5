"""The readiness report through the database, the pages, the CLI and the API: figures against
hand-computed values, team scoping, CSV neutralisation, a flat query count and the cache."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, text

from lms.analytics.readiness import Rules, Status
from lms.analytics.readiness_sql import compute_report, readiness_report
from lms.analytics.report_cache import data_version
from lms.api.auth import create_token
from lms.extensions import db
from lms.learning.assignments import assign, withdraw
from lms.learning.attempts import doc_for, start_attempt, submit
from lms.learning.catalog import live_item
from lms.learning.completion import mark_read, record_opened, update_completion_for_quiz
from lms.models import ContentKind, Role
from lms.quiz.grading import correct_response
from lms.security import Scope
from tests.conftest import login, org_today
from tests.factories import make_team, make_user
from tests.learning_helpers import sync, write_practice

TODAY = org_today()
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def take_quiz(user, quiz, right: int, when: datetime):  # noqa: ANN001, ANN201
    """One graded attempt with ``right`` of the practice quiz's 5 questions answered right."""
    attempt = start_attempt(user, quiz, now=when)
    questions = {q.id: q for q in doc_for(attempt).questions}
    answers = {row.question_id: correct_response(questions[row.question_id])
               for row in attempt.questions[:right]}
    submission = submit(attempt, answers, now=when + timedelta(minutes=5))
    update_completion_for_quiz(user.id, quiz, now=when + timedelta(minutes=5))
    return submission


@pytest.fixture
def org(app, content_copy):  # noqa: ANN001, ANN201
    """Two teams (A with a sub-team), their managers and five salespeople, worked out by hand:

    alice (A)  path, due in 10 days; practice module read, quiz 40 % then 80 % (passed);
               follow-up not read -> 1 of 2, best 80 -> 0.5*50 + 0.5*80 = 65, On track
    bob   (A)  practice module, due yesterday; never opened -> 0, Overdue (1 item)
    carol (A1) path; both modules complete, quiz 100 % -> 100, Ready
    dave  (B)  path, no due date; nothing done -> 0, Not started
    erin  (A)  nothing assigned -> no index, Nothing assigned
    """
    write_practice(content_copy)
    sync(content_copy)
    path = live_item(ContentKind.PATH, "practice-path")
    module = live_item(ContentKind.MODULE, "practice-module")
    follow = live_item(ContentKind.MODULE, "follow-up-module")
    quiz = live_item(ContentKind.QUIZ, "practice-quiz")
    boss_a = make_user(Role.MANAGER, email="boss-a@example.com", name="Boss A")
    boss_b = make_user(Role.MANAGER, email="boss-b@example.com", name="Boss B")
    admin = make_user(Role.ADMIN, email="admin@example.com", name="Admin")
    team_a = make_team("Team A", managers=[boss_a])
    team_a1 = make_team("Team A1", parent=team_a)
    team_b = make_team("Team B", managers=[boss_b])
    alice = make_user(email="alice@example.com", name="Alice", team=team_a)
    bob = make_user(email="bob@example.com", name="Bob", team=team_a)
    carol = make_user(email="carol@example.com", name="Carol", team=team_a1)
    dave = make_user(email="dave@example.com", name="Dave", team=team_b)
    erin = make_user(email="erin@example.com", name="Erin", team=team_a)

    assign(alice, path, due_date=TODAY + timedelta(days=10), by=boss_a)
    mark_read(alice, module, now=T0)
    take_quiz(alice, quiz, 2, T0 + timedelta(hours=1))
    take_quiz(alice, quiz, 4, T0 + timedelta(hours=2))

    assign(bob, module, due_date=TODAY - timedelta(days=1), by=boss_a)

    assign(carol, path, due_date=TODAY - timedelta(days=3), by=boss_a)  # done, so not overdue
    mark_read(carol, module, now=T0)
    take_quiz(carol, quiz, 5, T0 + timedelta(hours=1))
    mark_read(carol, follow, now=T0 + timedelta(days=1))

    assign(dave, path, by=boss_b)
    db.session.commit()
    return SimpleNamespace(**locals())


def rows_by_name(report) -> dict:  # noqa: ANN001
    return {r.name: r for r in report.rows}


def names_in(html: str, *names: str) -> set[str]:
    return {n for n in names if f">{n}<" in html}


# --- the figures ------------------------------------------------------------------------------

def test_report_matches_hand_computed_values(org):
    report = readiness_report(Scope(everyone=True), Rules(), TODAY)
    rows = rows_by_name(report)
    assert set(rows) == {"Alice", "Bob", "Carol", "Dave", "Erin"}  # salespeople only

    alice = rows["Alice"]
    assert (alice.figures.assigned, alice.figures.completed, alice.figures.with_quiz,
            alice.figures.attempted, alice.figures.overdue) == (2, 1, 1, 1, 0)
    assert alice.figures.average_best == pytest.approx(80.0)
    assert alice.assessment.index == 65.0 and alice.assessment.status is Status.ON_TRACK
    # The last thing Alice did: submitting her second attempt.
    assert alice.last_activity == T0 + timedelta(hours=2, minutes=5)
    assert alice.team == "Team A"

    bob = rows["Bob"]
    assert (bob.figures.assigned, bob.figures.completed, bob.figures.overdue) == (1, 0, 1)
    assert bob.assessment.index == 0 and bob.assessment.status is Status.OVERDUE
    assert bob.last_activity is None

    carol = rows["Carol"]
    assert (carol.figures.assigned, carol.figures.completed, carol.figures.overdue) == (2, 2, 0)
    assert carol.assessment.index == 100 and carol.assessment.status is Status.READY
    assert carol.last_activity == T0 + timedelta(days=1)

    dave = rows["Dave"]
    assert dave.assessment.index == 0 and dave.assessment.status is Status.NOT_STARTED

    erin = rows["Erin"]
    assert erin.assessment.index is None and erin.assessment.status is Status.NOTHING_ASSIGNED

    s = report.summary
    assert s.people == 5 and s.overdue_items == 1 and s.people_overdue == 1
    assert s.average_index == pytest.approx((65 + 0 + 100 + 0) / 4, abs=0.05)


def test_a_module_assigned_directly_and_through_a_path_counts_once_with_its_earliest_due(org):
    assign(org.alice, org.module, due_date=TODAY - timedelta(days=30))
    assign(org.alice, org.follow, due_date=TODAY - timedelta(days=30))
    db.session.commit()
    alice = rows_by_name(readiness_report(Scope(everyone=True), Rules(), TODAY))["Alice"]
    assert alice.figures.assigned == 2
    # The follow-up module is overdue as a module; the practice module is complete.
    assert alice.figures.overdue == 1 and alice.assessment.status is Status.OVERDUE


def test_withdrawn_assignments_do_not_count(org):
    from lms.learning.assignments import live_assignment

    withdraw(live_assignment(org.bob, org.module))
    db.session.commit()
    bob = rows_by_name(readiness_report(Scope(everyone=True), Rules(), TODAY))["Bob"]
    assert bob.assessment.status is Status.NOTHING_ASSIGNED


def test_configured_weights_are_used(org, app):
    app.config.update(READINESS_COMPLETION_WEIGHT=1, READINESS_SCORE_WEIGHT=3)
    client = app.test_client()
    login(client, "admin@example.com")
    page = client.get("/manage/reports/?status=on_track").get_data(as_text=True)
    assert "<strong>72.5</strong>" in page  # 0.25 × 50 + 0.75 × 80
    assert "25% × the share of assigned modules completed" in page


# --- scoping ----------------------------------------------------------------------------------

def test_managers_see_their_teams_and_the_teams_below_only(org, app):
    client = app.test_client()
    login(client, "boss-a@example.com")
    page = client.get("/manage/reports/").get_data(as_text=True)
    assert names_in(page, "Alice", "Bob", "Carol", "Dave", "Erin") == {
        "Alice", "Bob", "Carol", "Erin"}
    for url in ("/manage/reports/heatmap", "/manage/reports/charts"):
        assert "Dave" not in client.get(url).get_data(as_text=True)
    for url in ("/manage/reports/readiness.csv", "/manage/reports/heatmap.csv"):
        text = client.get(url).get_data(as_text=True)
        assert "Alice" in text and "Dave" not in text

    other = app.test_client()
    login(other, "boss-b@example.com")
    page = other.get("/manage/reports/").get_data(as_text=True)
    assert names_in(page, "Alice", "Bob", "Carol", "Dave", "Erin") == {"Dave"}


def test_a_team_filter_outside_the_scope_is_not_found(org, app):
    client = app.test_client()
    login(client, "boss-a@example.com")
    for url in (f"/manage/reports/?team={org.team_b.id}", f"/manage/reports/heatmap?team="
                f"{org.team_b.id}", f"/manage/reports/readiness.csv?team={org.team_b.id}",
                f"/manage/reports/charts?team={org.team_b.id}", "/manage/reports/?team=999",
                "/manage/reports/?team=abc"):
        assert client.get(url).status_code == 404, url
    page = client.get(f"/manage/reports/?team={org.team_a1.id}").get_data(as_text=True)
    assert names_in(page, "Alice", "Bob", "Carol", "Dave", "Erin") == {"Carol"}
    page = client.get(f"/manage/reports/?team={org.team_a.id}").get_data(as_text=True)
    assert names_in(page, "Alice", "Bob", "Carol", "Dave", "Erin") == {
        "Alice", "Bob", "Carol", "Erin"}


def test_a_person_of_another_team_is_not_found_by_url(org, app):
    client = app.test_client()
    login(client, "boss-a@example.com")
    assert client.get(f"/manage/reports/people/{org.dave.id}").status_code == 404
    assert client.get(f"/manage/reports/people/{org.dave.id}/attempts.csv").status_code == 404
    assert client.get(f"/manage/reports/people/{org.carol.id}").status_code == 200


def test_direct_reports_in_another_team_are_visible_like_on_my_teams(org, app):
    frank = make_user(email="frank@example.com", name="Frank", team=org.team_b,
                      manager=org.boss_a)
    assign(frank, org.path)
    db.session.commit()
    client = app.test_client()
    login(client, "boss-a@example.com")
    page = client.get("/manage/reports/").get_data(as_text=True)
    assert "Frank" in page and "Dave" not in page
    assert client.get(f"/manage/reports/people/{frank.id}").status_code == 200


def test_learners_and_trainers_may_not_open_the_report(org, app):
    make_user(Role.TRAINER, email="trainer@example.com")
    for email in ("alice@example.com", "trainer@example.com"):
        client = app.test_client()
        login(client, email)
        assert client.get("/manage/reports/").status_code == 403
        assert client.get(f"/manage/reports/people/{org.alice.id}").status_code == 403
    assert app.test_client().get("/manage/reports/").status_code == 302  # to the login page


def test_admins_see_everyone(org, app):
    client = app.test_client()
    login(client, "admin@example.com")
    page = client.get("/manage/reports/").get_data(as_text=True)
    assert names_in(page, "Alice", "Bob", "Carol", "Dave", "Erin") == {
        "Alice", "Bob", "Carol", "Dave", "Erin"}


# --- the pages --------------------------------------------------------------------------------

def test_sorting_and_filtering_through_the_query_string(org, app):
    client = app.test_client()
    login(client, "boss-a@example.com")

    def order(url: str) -> list[str]:
        page = client.get(url).get_data(as_text=True)
        body = page.split("<tbody>", 1)[1]
        return sorted(names_in(body, "Alice", "Bob", "Carol", "Erin"), key=body.index)

    assert order("/manage/reports/?sort=name") == ["Alice", "Bob", "Carol", "Erin"]
    assert order("/manage/reports/?sort=name&dir=desc") == ["Erin", "Carol", "Bob", "Alice"]
    # Empty values (Erin has no index) sort last both ways.
    assert order("/manage/reports/?sort=index") == ["Bob", "Alice", "Carol", "Erin"]
    assert order("/manage/reports/?sort=index&dir=desc") == ["Carol", "Alice", "Bob", "Erin"]
    assert order("/manage/reports/") == ["Bob", "Alice", "Carol", "Erin"]  # by status
    assert order("/manage/reports/?status=ready") == ["Carol"]
    assert order("/manage/reports/?sort=nonsense&status=nonsense") == [
        "Bob", "Alice", "Carol", "Erin"]
    page = client.get("/manage/reports/?sort=index&dir=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in page


def test_the_page_explains_the_formula_and_shows_the_summary(org, app):
    client = app.test_client()
    login(client, "boss-a@example.com")
    page = client.get("/manage/reports/").get_data(as_text=True)
    assert "How readiness is worked out" in page
    assert "50% × the share of assigned modules completed" in page
    assert "index of 80 or more" in page and "below 50" in page
    assert "Salespeople</dt><dd>4</dd>" in page
    assert 'class="badge badge--bad">Overdue</span>' in page


def test_heat_map_and_charts_show_values_as_text(org, app):
    client = app.test_client()
    login(client, "boss-a@example.com")
    heat = client.get("/manage/reports/heatmap").get_data(as_text=True)
    assert 'class="heat heat--good"' in heat and ">80%" in heat  # Alice's best
    assert "(not taken)" in heat and "(not assigned)" in heat
    charts = client.get("/manage/reports/charts?period=week").get_data(as_text=True)
    assert charts.count('role="img"') == 3
    assert "<title id=\"completions-title\">" in charts and "<desc id=\"scores-desc\">" in charts
    assert "<caption id=\"t1-caption\">Modules completed per week</caption>" in charts
    assert "style=" not in charts


def test_drill_down_lists_every_attempt_with_its_version(org, app):
    client = app.test_client()
    login(client, "boss-a@example.com")
    page = client.get(f"/manage/reports/people/{org.alice.id}").get_data(as_text=True)
    assert page.count(">v1<") == 2 and "40%" in page and "80%" in page
    assert "Practice path" in page and "1 of 2" in page
    text = client.get(f"/manage/reports/people/{org.alice.id}/attempts.csv").get_data(
        as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    # Headings for people, in the reader's language.
    assert [(r["Attempt"], r["Score (%)"], r["Quiz version"]) for r in rows] == [
        ("2", "80.0", "1"), ("1", "40.0", "1")]


# --- CSV ------------------------------------------------------------------------------------

def test_csv_export_neutralises_formulas(org, app):
    make_user(email="evil@example.com", name="=HYPERLINK(\"http://x\",\"y\")", team=org.team_a)
    make_user(email="evil2@example.com", name="@SUM(A1)", team=org.team_a)
    client = app.test_client()
    login(client, "boss-a@example.com")
    response = client.get("/manage/reports/readiness.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    names = {r["Name"] for r in rows}
    assert "'=HYPERLINK(\"http://x\",\"y\")" in names and "'@SUM(A1)" in names
    alice = next(r for r in rows if r["Name"] == "Alice")
    assert (alice["Readiness index"], alice["Status code"], alice["Completed modules"]) == (
        "65.0", "on_track", "1")
    heat = client.get("/manage/reports/heatmap.csv").get_data(as_text=True)
    assert "'@SUM(A1)" in heat and "\n@SUM" not in heat


# --- a fixed number of queries --------------------------------------------------------------

def _grow(org, count: int, team) -> None:  # noqa: ANN001
    for n in range(count):
        person = make_user(email=f"extra{team.id}-{n}@example.com", name=f"Extra {n}",
                           team=team)
        assign(person, org.path, due_date=TODAY + timedelta(days=n % 3 - 1))
        if n % 2:
            mark_read(person, org.module, now=T0)
            take_quiz(person, org.quiz, n % 6, T0 + timedelta(hours=1))
    db.session.commit()


def count_statements(action) -> int:  # noqa: ANN001
    statements: list[str] = []

    def listen(conn, cursor, statement, *args):  # noqa: ANN001, ANN002, ANN202
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    return len(statements)


def test_query_count_stays_constant_as_the_team_grows(org, app):
    small = make_team("Small team", managers=[org.boss_a])
    large = make_team("Large team", managers=[org.boss_a])
    _grow(org, 3, small)
    _grow(org, 30, large)

    def report(team) -> int:  # noqa: ANN001
        scope = Scope(team_ids=frozenset({team.id}))
        rows: list = []
        n = count_statements(lambda: rows.extend(compute_report(scope, Rules(), TODAY).rows))
        return n, len(rows)

    (n_small, people_small), (n_large, people_large) = report(small), report(large)
    assert (people_small, people_large) == (3, 30)
    # The content (2), the assigned items, the report, the boosters' retention; on PostgreSQL
    # JIT off and back (2).
    assert n_small == n_large <= (7 if db.engine.dialect.name == "postgresql" else 5)

    # Through the pages too: the same number of statements for 3 and for 30 people.
    client = app.test_client()
    login(client, "boss-a@example.com")
    client.get("/manage/reports/")  # reads the content once; it is cached from then on
    for url in ("/manage/reports/?team={}", "/manage/reports/heatmap?team={}",
                "/manage/reports/charts?team={}", "/manage/reports/readiness.csv?team={}"):
        n3 = count_statements(lambda u=url: client.get(u.format(small.id)))
        n30 = count_statements(lambda u=url: client.get(u.format(large.id)))
        assert n3 == n30, url


def test_a_repeated_view_costs_only_the_version_check_until_the_data_changes(org, app):
    scope = Scope(everyone=True)
    first = readiness_report(scope, Rules(), TODAY)
    assert count_statements(lambda: readiness_report(scope, Rules(), TODAY)) == 1
    assert readiness_report(scope, Rules(), TODAY) is first

    version = data_version()
    take_quiz(org.dave, org.quiz, 2, T0)  # a new attempt: 40 %, index 0.5 × 40 = 20
    db.session.commit()
    assert data_version() != version
    dave = rows_by_name(readiness_report(scope, Rules(), TODAY))["Dave"]
    assert dave.figures.attempted == 1 and dave.assessment.status is Status.AT_RISK

    version = data_version()
    assign(org.dave, org.path, due_date=TODAY - timedelta(days=1))  # a changed due date
    db.session.commit()
    assert data_version() != version
    assert rows_by_name(readiness_report(scope, Rules(), TODAY))["Dave"].figures.overdue == 1

    version = data_version()
    record_opened(org.alice, org.follow, now=T0 + timedelta(days=2))  # a new progress row
    db.session.commit()
    assert data_version() != version
    alice = rows_by_name(readiness_report(scope, Rules(), TODAY))["Alice"]
    assert (alice.figures.started, alice.figures.completed) == (2, 1)

    # Reading completes the module without a quiz: an update in place, which shows at once.
    version = data_version()
    mark_read(org.alice, org.follow, now=T0 + timedelta(days=3))
    db.session.commit()
    assert data_version() != version
    alice = rows_by_name(readiness_report(scope, Rules(), TODAY))["Alice"]
    assert alice.figures.completed == 2 and alice.assessment.status is Status.READY
    assert alice.last_activity == T0 + timedelta(days=3)

    # A login changes nothing the report shows: the cached report stays.
    version = data_version()
    org.alice.last_login_at = T0 + timedelta(days=4)
    db.session.commit()
    assert data_version() == version


def test_every_table_the_reports_read_counts_its_changes(org, app):
    """The triggers of migration 0006, on each watched table and kind of change."""
    def changes(sql: str, counter: str = "learning") -> bool:
        before = data_version()
        db.session.execute(text(sql))
        db.session.commit()
        return getattr(data_version(), counter) != getattr(before, counter)

    alice, quiz = org.alice.id, org.quiz.id
    assert changes(f"UPDATE users SET name = 'Alicia' WHERE id = {alice}")
    assert changes(f"UPDATE users SET team_id = NULL WHERE id = {alice}")
    assert changes(f"UPDATE teams SET name = 'Team Z' WHERE id = {org.team_a.id}")
    assert changes(f"UPDATE assignments SET due_date = '2030-01-01' WHERE user_id = {alice}")
    assert changes(f"DELETE FROM assignments WHERE user_id = {alice}")
    assert changes(f"UPDATE module_progress SET completed_at = NULL WHERE user_id = {alice}")
    assert changes(f"UPDATE attempts SET status = status WHERE user_id = {alice}")
    assert changes(f"UPDATE submissions SET percent = 1 WHERE attempt_id IN "
                   f"(SELECT id FROM attempts WHERE user_id = {alice})")
    assert changes(f"UPDATE path_completions SET expires_at = CURRENT_TIMESTAMP "
                   f"WHERE user_id = {org.carol.id}")
    assert changes(f"UPDATE content_items SET retired_at = CURRENT_TIMESTAMP WHERE id = {quiz}",
                   "content")
    # Housekeeping columns do not count.
    assert not changes(f"UPDATE users SET last_login_at = CURRENT_TIMESTAMP WHERE id = {alice}")
    assert not changes(f"UPDATE users SET password_hash = 'x' WHERE id = {alice}")


# --- the command line -------------------------------------------------------------------------

def test_cli_formats(org, runner):
    result = runner.invoke(args=["report", "readiness", "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert [r["name"] for r in records] == ["Alice", "Bob", "Carol", "Dave", "Erin"]
    alice = records[0]
    assert set(alice) == {
        "user_id", "name", "email", "team", "assigned_modules", "completed_modules",
        "completion_percent", "quizzes_assigned", "quizzes_taken", "average_best_score",
        "retained_percent", "booster_correct_percent", "modules_at_risk",
        "overdue_items", "last_activity", "readiness_index", "status", "status_label"}
    assert (alice["readiness_index"], alice["status"], alice["average_best_score"]) == (
        65.0, "on_track", 80.0)

    result = runner.invoke(args=["report", "readiness", "--team", "team a1", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["Name"] for r in rows] == ["Carol"] and rows[0]["Status code"] == "ready"

    result = runner.invoke(args=["report", "readiness", "--team", "Team A"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["Name", "Team", "Assigned"]
    assert any(line.startswith("Alice") and "On track" in line and "65" in line
               for line in lines)
    assert "Dave" not in result.output
    assert "4 people: 1 overdue, 1 on track, 1 ready, 1 nothing assigned." in result.output

    result = runner.invoke(args=["report", "readiness", "--team", "No such team"])
    assert result.exit_code == 1 and "no active team named" in result.output


# --- the API ----------------------------------------------------------------------------------

def test_api_needs_a_manager_token_and_keeps_to_the_scope(org, client):
    url = "/api/v1/reports/readiness"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer vk_wrong"}).status_code == 401

    _, learner = create_token(org.alice)
    _, manager = create_token(org.boss_a)
    _, admin = create_token(org.admin)
    db.session.commit()

    def get(token: str, query: str = ""):  # noqa: ANN202
        return client.get(url + query, headers={"Authorization": f"Bearer {token}"})

    assert get(learner).status_code == 403
    response = get(manager)
    assert response.status_code == 200
    body = response.get_json()
    assert [p["name"] for p in body["people"]] == ["Alice", "Bob", "Carol", "Erin"]
    assert body["summary"]["people"] == 4 and body["summary"]["by_status"]["overdue"] == 1
    assert body["rules"] == {"completion_weight": 0.5, "score_weight": 0.5, "ready_at": 80.0,
                             "at_risk_below": 50.0}
    alice = body["people"][0]
    assert alice["readiness_index"] == 65.0 and alice["status_label"] == "On track"

    body = get(manager, "?team=Team A1").get_json()
    assert body["team"] == "Team A1" and [p["name"] for p in body["people"]] == ["Carol"]
    # Another team is answered as if it did not exist.
    for query in ("?team=Team B", "?team=Nonexistent"):
        response = get(manager, query)
        assert response.status_code == 404
        assert "Dave" not in response.get_data(as_text=True)
    everyone = get(admin).get_json()
    assert len(everyone["people"]) == 5
