"""CRM sync, the edges: where the next run starts (a deal the CRM shows late, a deal stamped in
the future, an undone sync, an undo while a sync runs), runs that must end (a CRM that keeps
answering 429, pages in a circle), errors that echo a secret, and a failing connection on the
page."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import Role, Sale
from lms.models.base import utcnow
from lms.sales.crm_clients import HubSpot
from lms.sales.crm_http import Http, SyncError
from lms.sales.crm_sync import sync
from lms.sales.importer import undo_import
from lms.sales.sources import TableSource
from tests.conftest import login
from tests.crm_standin import StandInHubSpot
from tests.factories import make_user
from tests.web.test_crm_sync import (  # noqa: F401 - fixtures
    HS_DEALS,
    HS_TOKEN,
    Sleeps,
    count,
    hubspot,
    load_hubspot,
    people,
    salesforce,
    state,
)


def new_deal(deal_id: str, modified: str) -> tuple:
    return (deal_id, "closedwon", "100", "2024-05-02T09:30:00Z", "2024-03-11T14:02:00Z", "501",
            ["123456"], "true", "true", "EUR", None, None, modified)


# Where the next run starts ----------------------------------------------------------------------

def test_a_deal_the_crm_shows_late_is_still_read(app, people, hubspot):  # noqa: ANN001, F811
    load_hubspot(hubspot)
    sync("hubspot", sleep=Sleeps())
    assert state("hubspot").watermark == datetime(2024, 6, 3, 11, tzinfo=UTC)
    # Stamped five minutes before the newest deal read, but in the search only now.
    load_hubspot(hubspot, [*HS_DEALS, new_deal("9876543299", "2024-06-03T10:55:00.000Z")])
    late = sync("hubspot", sleep=Sleeps())
    assert late.report is not None and late.report.added == 1
    assert count(Sale) == 5


def test_a_deal_stamped_in_the_future_does_not_hide_the_next_changes(app, people,  # noqa: ANN001, F811
                                                                     salesforce):  # noqa: F811
    salesforce.records[2]["LastModifiedDate"] = "2099-01-01T00:00:00.000+0000"
    sync("salesforce", sleep=Sleeps())
    assert state("salesforce").watermark <= utcnow()
    # A change made now, stamped with the CRM's (right) clock.
    salesforce.records[0].update(Amount=16000.0,
                                 LastModifiedDate=f"{utcnow():%Y-%m-%dT%H:%M:%S.000+0000}")
    later = sync("salesforce", sleep=Sleeps())
    assert later.report is not None and later.report.updated == 1
    assert db.session.scalar(select(Sale.amount).where(
        Sale.crm_id == "0061t00000XyZ01AAA")) == 16000


def _two_syncs(hubspot) -> int:  # noqa: ANN001, F811
    """Two deals, then all four with one of the first two changed: the second sync's import."""
    load_hubspot(hubspot, HS_DEALS[:2])
    sync("hubspot", sleep=Sleeps())
    load_hubspot(hubspot, HS_DEALS)
    hubspot.deals["9876543211"].update(amount="13000", hs_lastmodifieddate="2024-06-04T08:00:00Z")
    second = sync("hubspot", sleep=Sleeps())
    assert (second.report.added, second.report.updated) == (2, 1)
    return second.report.import_id


def test_undoing_a_sync_makes_the_next_run_read_its_deals_again(app, people, hubspot):  # noqa: ANN001, F811
    undone = _two_syncs(hubspot)
    assert sync("hubspot", sleep=Sleeps()).report is None  # cron again: nothing changed
    undo_import(undone)
    db.session.commit()
    assert count(Sale) == 2
    assert state("hubspot").watermark == datetime(2024, 6, 1, 9, tzinfo=UTC)

    again = sync("hubspot", sleep=Sleeps())
    assert (again.report.added, again.report.updated) == (2, 1)
    assert count(Sale) == 4
    assert db.session.scalar(select(Sale.amount).where(Sale.crm_id == "9876543211")) == 13000


def test_an_undo_while_a_sync_reads_the_crm_is_not_overwritten(app, people, hubspot,  # noqa: ANN001, F811
                                                               monkeypatch):
    undone = _two_syncs(hubspot)
    read = HubSpot.changed_since

    def read_then_undo(self, since):  # noqa: ANN001, ANN202
        deals = read(self, since)
        undo_import(undone)  # the manager's undo lands while this run reads
        db.session.commit()
        return deals

    monkeypatch.setattr(HubSpot, "changed_since", read_then_undo)
    sync("hubspot", sleep=Sleeps())
    monkeypatch.undo()
    assert state("hubspot").watermark == datetime(2024, 6, 1, 9, tzinfo=UTC)
    sync("hubspot", sleep=Sleeps())
    assert count(Sale) == 4


def test_no_transaction_stays_open_while_the_crm_answers(app, people, hubspot,  # noqa: ANN001, F811
                                                         monkeypatch):
    load_hubspot(hubspot)
    read, open_while_reading = HubSpot.changed_since, []

    def reading(self, since):  # noqa: ANN001, ANN202
        open_while_reading.append(db.session().in_transaction())
        return read(self, since)

    monkeypatch.setattr(HubSpot, "changed_since", reading)
    sync("hubspot", sleep=Sleeps())
    assert open_while_reading == [False]
    assert count(Sale) == 4


def test_a_large_pull_is_not_held_again_as_one_string():
    rows = [[f"D-{i}", "Closed Won", f"{i}.50", "2024-05-02", f"owner{i % 50}@example.nl"]
            for i in range(20_000)]
    tracemalloc.start()
    try:
        table = TableSource(["Deal ID", "Deal Stage", "Amount", "Close Date", "Owner"], rows,
                            "sync")
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Beyond the rows it keeps, building it needs little: no copy of the whole pull.
    assert table.size == 20_000 and peak - kept < 1024 * 1024


# Runs that end ------------------------------------------------------------------------------------

def test_a_crm_that_keeps_answering_429_stops_the_run(app, people, hubspot):  # noqa: ANN001, F811
    load_hubspot(hubspot)
    hubspot.retry_after = "300"
    hubspot.fail_next(429, None, 429, None, 429, None, 429)
    sleeps = Sleeps()
    with pytest.raises(SyncError, match="kept this run waiting for more than 15 minutes"):
        sync("hubspot", sleep=sleeps)
    assert sum(sleeps) <= 900 and count(Sale) == 0
    assert state("hubspot").last_result == "failed"


def test_a_crm_that_answers_slowly_stops_the_run_before_the_lease_runs_out(app, people,  # noqa: ANN001, F811
                                                                           hubspot):  # noqa: F811
    load_hubspot(hubspot)
    minutes = iter(range(0, 1000, 20))  # each look at the clock: twenty minutes later
    http = Http("HubSpot", Sleeps(), clock=lambda: next(minutes) * 60.0)
    try:
        with pytest.raises(SyncError, match="waiting for more than 45 minutes in all"):
            sync("hubspot", http=http)
    finally:
        http.close()
    # The search at 20 and 40 minutes; at 60 nothing more is asked.
    assert len(hubspot.requests) == 2 and count(Sale) == 0


def test_hubspot_pages_past_more_deals_at_one_moment_than_its_search_answers(app, people,  # noqa: ANN001, F811
                                                                             monkeypatch):
    monkeypatch.setattr(HubSpot, "PAGE", 2)
    monkeypatch.setattr(HubSpot, "SEARCH_CAP", 4)
    deals = [new_deal(str(9000 + i), "2024-06-01T08:00:00.000Z") for i in range(7)]
    deals += [new_deal("9100", "2024-06-02T08:00:00.000Z"),
              new_deal("9101", "2024-06-03T08:00:00.000Z")]
    with StandInHubSpot(token=HS_TOKEN, search_cap=4) as standin:
        app.config.update(HUBSPOT_TOKEN=HS_TOKEN, HUBSPOT_BASE_URL=standin.url)
        load_hubspot(standin, deals)
        outcome = sync("hubspot", sleep=Sleeps())
        assert 400 not in standin.statuses()
    # Seven deals at one moment, more than one query answers: paged by id, then on after it.
    assert outcome.report.added == 9 and count(Sale) == 9
    assert state("hubspot").watermark == datetime(2024, 6, 3, 8, tzinfo=UTC)


def test_owners_paged_in_a_circle_stop_the_run(app, people, hubspot, monkeypatch):  # noqa: ANN001, F811
    load_hubspot(hubspot)
    route, calls = hubspot.route, []

    def circle(method, path, query, raw, headers):  # noqa: ANN001, ANN202
        if path != "/crm/v3/owners":
            return route(method, path, query, raw, headers)
        calls.append(query)
        more = {"paging": {"next": {"after": "1"}}} if len(calls) < 50 else {}
        return 200, {"results": [], **more}

    monkeypatch.setattr(hubspot, "route", circle)
    with pytest.raises(SyncError, match="sent the same page again"):
        sync("hubspot", sleep=Sleeps())
    assert len(calls) == 2 and count(Sale) == 0


def test_empty_search_pages_that_say_more_follow_stop_the_run(app, people, hubspot,  # noqa: ANN001, F811
                                                              monkeypatch):
    searches = []

    def empty(body):  # noqa: ANN001, ANN202
        searches.append(body)
        more = {"paging": {"next": {"after": str(len(searches))}}} if len(searches) < 300 else {}
        return 200, {"results": [], **more}

    monkeypatch.setattr(hubspot, "_search", empty)
    with pytest.raises(SyncError, match="pages without deals"):
        sync("hubspot", sleep=Sleeps())
    assert len(searches) == HubSpot.SEARCH_CAP // HubSpot.PAGE


# Secrets ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("address", ["http://127.0.0.2:9", "ftp://127.0.0.1", "acme.example"])
def test_a_secret_is_never_sent_unencrypted(app, people, salesforce, address):  # noqa: ANN001, F811
    app.config["SALESFORCE_URL"] = address
    with pytest.raises(SyncError, match="LMS_SALESFORCE_URL must be an https:// address"):
        sync("salesforce", sleep=Sleeps())
    assert state("salesforce").last_result == "failed"


def test_an_error_echoing_the_token_is_kept_and_shown_without_it(app, client, people, hubspot,  # noqa: ANN001, F811
                                                                 runner, monkeypatch):
    echo = (f"Invalid token Bearer {HS_TOKEN} for https://api.hubapi.com/crm/v3/objects?"
            f"hapikey={HS_TOKEN}")
    monkeypatch.setattr(hubspot, "route", lambda *request: (400, {"message": echo}))
    result = runner.invoke(args=["sales", "sync", "hubspot"])
    assert result.exit_code == 1
    assert "HubSpot refused the request (400): Invalid token" in result.output
    assert HS_TOKEN not in result.output and HS_TOKEN[-10:] not in result.output
    assert HS_TOKEN[-10:] not in state("hubspot").last_message

    make_user(email="boss@example.com", role=Role.MANAGER)
    db.session.commit()
    login(client, "boss@example.com")
    page = client.get("/manage/sales/").get_data(as_text=True)
    assert "HubSpot refused the request (400)" in page
    assert HS_TOKEN[-10:] not in page


def test_an_error_echoing_the_salesforce_session_is_kept_without_it(app, people,  # noqa: ANN001, F811
                                                                    salesforce, monkeypatch):  # noqa: F811
    route = salesforce.route

    def echo(method, path, query, raw, headers):  # noqa: ANN001, ANN202
        if path.endswith("/oauth2/token"):
            return route(method, path, query, raw, headers)
        return 400, [{"message": f"MALFORMED_QUERY for session {headers['Authorization'][7:]}",
                      "errorCode": "MALFORMED_QUERY"}]

    monkeypatch.setattr(salesforce, "route", echo)
    with pytest.raises(SyncError) as caught:
        sync("salesforce", sleep=Sleeps())
    assert "MALFORMED_QUERY for session ***" in caught.value.message
    assert "00Dstandin!token" not in state("salesforce").last_message


# The page -----------------------------------------------------------------------------------------

def test_a_failing_connection_says_since_when_its_deals_are_current(app, client, people,  # noqa: ANN001, F811
                                                                    hubspot):  # noqa: F811
    load_hubspot(hubspot)
    sync("hubspot", sleep=Sleeps())
    app.config["HUBSPOT_TOKEN"] = "pat-revoked-0000"
    with pytest.raises(SyncError, match="refused the request"):
        sync("hubspot", sleep=Sleeps())
    make_user(email="boss@example.com", role=Role.MANAGER)
    db.session.commit()
    login(client, "boss@example.com")
    page = client.get("/manage/sales/").get_data(as_text=True)
    row = page[page.index('<th scope="row">HubSpot</th>'):]
    row = row[:row.index("</tr>")]
    assert "Last successful sync:" in row and "Authentication credentials not found" in row
    # The failed run read nothing: no count or import of an earlier run under its labels.
    assert 'data-label="Deals read"' not in row and "Import #" not in row
