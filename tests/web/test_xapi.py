"""Learning records as xAPI statements: what is derived, the API with its scope and paging,
the JSON-lines export, and the push to a stand-in LRS that fails on purpose."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.api.auth import create_token
from lms.extensions import db
from lms.learning.catalog import live_item
from lms.learning.completion import mark_read
from lms.maintenance.leases import give_back, take
from lms.models import ContentKind, Role, XapiOutbox, utcnow
from lms.xapi import outbox
from lms.xapi.derive import current_site, statements
from lms.xapi.lrs import LrsClient
from lms.xapi.validate import problems
from tests.factories import make_team, make_user
from tests.impact_helpers import statements as sql_statements
from tests.learning_helpers import sync
from tests.lrs_standin import StandInLrs
from tests.xapi_helpers import T0, build_org, take_quiz

API = "/api/v1/xapi/statements"
VERB = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture
def org(app, content_copy):  # noqa: ANN001, ANN201
    app.config["BASE_URL"] = "https://train.example.com"
    return build_org(content_copy)


def derived() -> list[dict]:
    out = list(statements(current_site(), None))
    assert [d.problems for d in out if d.problems] == []
    return [d.statement for d in out]


def verbs_of(found: list[dict], user) -> Counter:  # noqa: ANN001
    return Counter(s["verb"]["id"].removeprefix(VERB) for s in found
                   if s["actor"]["account"]["name"] == str(user.id))


def get(client, plain: str, url: str = API, **params):  # noqa: ANN001, ANN003, ANN201
    return client.get(url, query_string=params or None,
                      headers={"Authorization": f"Bearer {plain}"})


# What is derived ------------------------------------------------------------------------------

def test_each_learning_event_becomes_its_statement(org):
    found = derived()
    # alice: opened, 4 + 5 answers (one blank in the first attempt), failed, passed, completed
    assert verbs_of(found, org.alice) == {"experienced": 1, "answered": 9, "failed": 1,
                                          "passed": 1, "completed": 1}
    assert verbs_of(found, org.bob) == {"experienced": 1}
    assert verbs_of(found, org.carol) == {"experienced": 1, "answered": 4, "failed": 1}
    passed = next(s for s in found if s["verb"]["id"] == VERB + "passed")
    assert passed["object"]["id"] == "https://train.example.com/xapi/activities/quiz/practice-quiz"
    assert passed["result"]["score"] == {"scaled": 1.0, "raw": 5, "min": 0, "max": 5}
    assert passed["result"]["duration"] == "PT7M30.5S"
    assert passed["timestamp"] == "2026-03-02T10:07:30.500Z"
    assert passed["context"]["contextActivities"]["parent"] == [{
        "objectType": "Activity",
        "id": "https://train.example.com/xapi/activities/module/practice-module",
        "definition": {"type": "http://adlnet.gov/expapi/activities/module",
                       "name": {"en": "Practice module"}}}]
    # The answers of that attempt share its registration, and only its answers do.
    registration = passed["context"]["registration"]
    answers = [s for s in found if s["verb"]["id"] == VERB + "answered"
               and s["context"]["registration"] == registration]
    assert len(answers) == 5 and all(s["result"]["success"] for s in answers)
    pairs = next(s for s in answers if s["object"]["id"].endswith("/question/pairs"))
    assert pairs["result"]["response"] == "0[.]0[,]1[.]1"
    assert pairs["object"]["definition"]["interactionType"] == "matching"
    failed = next(s for s in found if s["verb"]["id"] == VERB + "failed"
                  and s["actor"]["account"]["name"] == str(org.carol.id))
    assert failed["result"]["success"] is False and failed["result"]["score"]["scaled"] == 0.2
    # People are accounts on the site, never their email.
    assert "@example.com" not in json.dumps(found)
    assert {s["actor"]["account"]["homePage"] for s in found} == {"https://train.example.com"}


def test_statements_are_the_same_every_time_and_ids_are_unique(org):
    first, again = derived(), derived()
    assert first == again
    assert len({s["id"] for s in first}) == len(first) == 20


def test_email_agents_when_the_site_says_so(app, org):
    app.config["XAPI_AGENT_EMAIL"] = True
    actors = {json.dumps(s["actor"]) for s in derived()}
    assert json.dumps({"objectType": "Agent", "mbox": "mailto:alice@example.com"}) in actors


# The API ---------------------------------------------------------------------------------------

def test_a_token_sees_the_statements_of_the_people_its_person_may_see(app, client, org):
    def actors(user) -> set[str]:  # noqa: ANN001
        _token, plain = create_token(user)
        db.session.commit()
        response = get(client, plain, limit=0)
        assert response.status_code == 200, response.json
        assert response.headers["X-Experience-API-Version"] == "1.0.3"
        return {s["actor"]["account"]["name"] for s in response.json["statements"]}

    ids = {name: str(getattr(org, name).id) for name in ("alice", "bob", "carol")}
    assert actors(org.alice) == {ids["alice"]}
    assert actors(org.bob) == {ids["bob"]}
    assert actors(org.manager_a) == {ids["alice"], ids["bob"]}
    assert actors(org.manager_b) == {ids["carol"]}
    assert actors(org.admin) == set(ids.values())


def test_the_api_needs_a_token(client, org):
    response = client.get(API)
    assert response.status_code == 401 and "Bearer" in response.json["error"]["message"]


def test_the_api_pages_through_everything_once_in_order(client, org):
    _token, plain = create_token(org.admin)
    db.session.commit()
    seen, url, pages = [], API, 0
    params = {"limit": 5}
    while url:
        response = get(client, plain, url, **params)
        assert response.status_code == 200, response.json
        body = response.json
        assert set(body) == {"statements", "more"}
        seen += body["statements"]
        url, params, pages = body["more"], {}, pages + 1
        assert len(body["statements"]) == (5 if url else len(seen) - 5 * (pages - 1))
    assert pages == 4
    assert seen == derived()


def test_since_returns_only_later_records(client, org):
    _token, plain = create_token(org.admin)
    db.session.commit()
    later = get(client, plain, since="2026-03-03T08:00:00Z", limit=0).json["statements"]
    assert {s["verb"]["id"].removeprefix(VERB) for s in later} == {
        "experienced", "answered", "failed"}
    assert all(s["timestamp"] >= "2026-03-03" for s in later)
    # A day is midnight in the organisation's zone; an offset may come unencoded ("+" = " ").
    assert len(get(client, plain, since="2026-03-04", limit=0).json["statements"]) == 6
    assert get(client, plain, since="2026-03-03T09:00:00+00:00").json["statements"] == later[1:]
    assert get(client, plain, since="2030-01-01").json == {"statements": [], "more": ""}


def test_a_page_runs_the_same_sql_statements_whatever_the_number_of_people(app, client, org):
    _token, plain = create_token(org.admin)
    db.session.commit()
    get(client, plain)  # notes the token's first use

    def count() -> tuple[int, int]:
        with sql_statements() as seen:
            found = get(client, plain, limit=0).json["statements"]
        return len(found), len(seen)

    few, before = count()
    team = make_team("Team C")
    for n in range(3):
        person = make_user(email=f"extra{n}@example.com", team=team)
        mark_read(person, live_item(ContentKind.MODULE, "practice-module"), now=T0)
        take_quiz(person, 3 + n % 2, T0 + timedelta(hours=n))
    db.session.commit()
    many, after = count()
    assert many > few and after == before


@pytest.mark.parametrize(("params", "words"), [
    ({"since": "yesterday"}, "'yesterday' is not a date"),
    ({"since": "2026-03-03T08:00:00"}, "with a time zone"),
    ({"since": "2026-02-30"}, "is not a date"),
    ({"limit": "-1"}, "limit must be a whole number"),
    ({"limit": "501"}, "limit must be a whole number"),
    ({"limit": "²"}, "limit must be a whole number"),
    ({"since": "0001-01-01"}, "'0001-01-01' is not a date"),
    ({"cursor": "bm9wZQ"}, "This cursor is not one the API gave out"),
    # A record id beyond any id (a crafted cursor): refused, not a 64-bit overflow.
    ({"cursor": "MjAyNi0wMS0wMVQwMDowMDowMCswMDowMHwxfDk5OTk5OTk5OTk5OTk5OTk5OTk5"},
     "This cursor is not one the API gave out"),
    ({"agent": "x"}, "Unknown parameter 'agent'"),
])
def test_bad_parameters_answer_400_with_a_clear_json_error(client, params, words):
    _token, plain = create_token(make_user(Role.ADMIN))
    db.session.commit()
    response = get(client, plain, **params)
    assert response.status_code == 400
    assert response.json["error"]["status"] == 400
    assert words in response.json["error"]["message"]


# The export ------------------------------------------------------------------------------------

def test_export_writes_json_lines_since_a_day(runner, org, tmp_path):
    result = runner.invoke(args=["xapi", "export"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines == derived()
    assert "20 statements written." in result.stderr
    target = tmp_path / "statements.jsonl"
    result = runner.invoke(args=["xapi", "export", "--since", "2026-03-04",
                                 "--output", str(target)])
    assert result.exit_code == 0, result.output
    written = [json.loads(line) for line in target.read_text().splitlines()]
    assert len(written) == 6 and all(s["timestamp"] >= "2026-03-04" for s in written)


def test_export_refuses_a_bad_date_and_writes_nothing(runner, org, tmp_path):
    target = tmp_path / "statements.jsonl"
    result = runner.invoke(args=["xapi", "export", "--since", "03/04/2026",
                                 "--output", str(target)])
    assert result.exit_code == 2
    assert "'03/04/2026' is not a date" in result.output
    assert not target.exists()


# The push ---------------------------------------------------------------------------------------

class Clock:
    """A clock the push's back-off moves forward instead of sleeping."""

    def __init__(self) -> None:
        self.now = utcnow()
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


def outbox_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(XapiOutbox))


def test_every_statement_reaches_the_lrs_exactly_once_despite_failures(org):
    expected = derived()
    with StandInLrs() as lrs:
        client = LrsClient(lrs.url, "key", "secret", timeout=5)
        assert outbox.fill(current_site()).added == 20
        assert outbox.fill(current_site()).added == 0 and outbox_rows() == 20
        # The first batch fails with a 500, is stored but its answer is lost, gets a 429, then
        # a 409 (it is known now); sent one by one, the connection drops before the first
        # statement is stored.
        lrs.fail_next(500, "drop", 429, None, "drop-before")
        clock = Clock()
        report = outbox.push(client, batch=10, clock=clock, sleep=clock.sleep)
        assert report.error is None and report.failed == [] and report.waiting == 0
        assert report.delivered == 20
        # The back-off doubles with each try of a statement; Retry-After: 0 wins.
        assert clock.slept == [2.0, 4.0, 0.0, 16.0]
        # Each id stored once, equal to what the site derives, and valid.
        assert sorted(lrs.stored_count.values()) == [1] * 20
        assert sorted(lrs.stored) == sorted(s["id"] for s in expected)
        assert all(lrs.stored[s["id"]] == s for s in expected)
        assert all(problems(s, utcnow()) == [] for s in lrs.stored.values())
        assert [a for a, _n in lrs.requests][:5] == [500, "drop", 429, 409, "drop-before"]
        # A second push sends nothing at all.
        requests = len(lrs.requests)
        assert outbox.fill(current_site()).added == 0
        again = outbox.push(client, clock=clock, sleep=clock.sleep)
        assert again.delivered == 0 and len(lrs.requests) == requests


def test_a_refused_statement_is_marked_failed_and_does_not_block_the_rest(org):
    outbox.fill(current_site())
    bad = db.session.scalars(select(XapiOutbox).order_by(XapiOutbox.statement_at)).first()
    payload = dict(bad.payload)
    payload["object"] = {"id": "https://train.example.com/xapi/activities/module/refuse-me"}
    bad.payload = payload
    db.session.commit()
    with StandInLrs() as lrs:
        clock = Clock()
        report = outbox.push(LrsClient(lrs.url, "key", "secret"), clock=clock,
                             sleep=clock.sleep)
        assert report.delivered == 19 and report.waiting == 0
        assert report.failed == [(bad.statement_id, "400: statement "
                                  f"{bad.statement_id}: object.id not accepted")]
        assert bad.statement_id not in lrs.stored and len(lrs.stored) == 19
        db.session.refresh(bad)
        assert bad.failed_at is not None and bad.delivered_at is None
        assert "object.id not accepted" in bad.last_error


def test_a_run_stops_when_the_lrs_keeps_failing_and_the_next_run_finishes(org):
    outbox.fill(current_site())
    with StandInLrs() as lrs:
        client = LrsClient(lrs.url, "key", "secret")
        lrs.fail_next(*[500] * outbox.FAILURES_PER_RUN)
        clock = Clock()
        report = outbox.push(client, clock=clock, sleep=clock.sleep)
        assert "database is down" in report.error and report.waiting == 20
        assert lrs.stored == {}
        row = db.session.scalars(select(XapiOutbox)).first()
        assert row.attempts == outbox.FAILURES_PER_RUN and row.next_try_at > clock.now
        assert row.last_error == "500: database is down"
        # Nothing is due before the back-off ends; then everything goes.
        assert outbox.push(client, clock=clock, sleep=clock.sleep).delivered == 0
        clock.now += timedelta(hours=1)
        assert outbox.push(client, clock=clock, sleep=clock.sleep).delivered == 20


def test_cli_push_delivers_and_says_so(app, runner, org):
    with StandInLrs() as lrs:
        app.config.update(XAPI_LRS_URL=lrs.url, XAPI_LRS_USERNAME="key",
                          XAPI_LRS_PASSWORD="secret")
        result = runner.invoke(args=["xapi", "push"])
        assert result.exit_code == 0, result.output
        assert result.output == ("xAPI: 20 new statements queued, 20 delivered, 0 waiting.\n")
        assert len(lrs.stored) == 20
        result = runner.invoke(args=["xapi", "push"])
        assert result.output == "xAPI: 0 new statements queued, 0 delivered, 0 waiting.\n"


def test_cli_push_with_wrong_credentials_stops_and_delivers_nothing(app, runner, org):
    with StandInLrs() as lrs:
        app.config.update(XAPI_LRS_URL=lrs.url, XAPI_LRS_USERNAME="key",
                          XAPI_LRS_PASSWORD="wrong")
        result = runner.invoke(args=["xapi", "push"])
        assert result.exit_code == 1
        assert "The LRS answered 401" in result.output and "bad credentials" in result.output
        assert lrs.stored == {} and len(lrs.requests) == 1
        assert db.session.scalar(select(func.count()).select_from(XapiOutbox)
                                 .where(XapiOutbox.delivered_at.is_not(None))) == 0


def test_cli_push_needs_an_lrs(runner, org):
    result = runner.invoke(args=["xapi", "push"])
    assert result.exit_code == 1
    assert "LMS_XAPI_LRS_URL is not set" in result.output
    assert outbox_rows() == 0


def test_cli_push_leaves_the_job_to_the_run_that_has_it(app, runner, org):
    with StandInLrs() as lrs:
        app.config.update(XAPI_LRS_URL=lrs.url, XAPI_LRS_USERNAME="key",
                          XAPI_LRS_PASSWORD="secret")
        take("xapi-push", holder="app-2 pid 4711")
        result = runner.invoke(args=["xapi", "push"])
        assert result.exit_code == 0
        assert result.output.startswith("Statements are being pushed by another run (app-2")
        assert lrs.requests == [] and outbox_rows() == 0
        give_back("xapi-push", "app-2 pid 4711")


def test_the_demo_organisations_statements_all_validate(app, content_copy):
    from lms.demo import build_demo

    sync(content_copy)
    build_demo(seed=3, people=6, today=datetime.now(UTC).date() - timedelta(days=1))
    db.session.commit()
    found = list(statements(current_site(), None))
    assert len(found) > 100
    assert [(d.statement["id"], d.problems) for d in found if d.problems] == []
    assert {d.statement["verb"]["id"].removeprefix(VERB) for d in found} == {
        "experienced", "answered", "passed", "failed", "completed"}
    with StandInLrs() as lrs:
        outbox.fill(current_site())
        clock = Clock()
        lrs.fail_next(500, "drop", 429)
        report = outbox.push(LrsClient(lrs.url, "key", "secret"), clock=clock,
                             sleep=clock.sleep)
        assert report.delivered == len(found) and report.failed == []
        assert sorted(lrs.stored_count.values()) == [1] * len(found)
