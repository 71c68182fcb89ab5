"""CRM sync (``lms sales sync``) against stand-in HubSpot and Salesforce APIs on 127.0.0.1: a sync
imports exactly what a CSV export of the same deals imports, pages, honours 429, changes
nothing when it fails and resumes without duplicates, reads only changed deals, is undoable,
shows on the Sales data page without its secrets, and runs once across servers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.maintenance.leases import take
from lms.models import CrmSyncState, Role, Sale, SalesImport
from lms.people.services import PersonFields, create_user
from lms.sales.crm_clients import HubSpot, Salesforce
from lms.sales.crm_http import Http, SyncError, retry_after
from lms.sales.crm_sync import sync
from lms.sales.importer import ImportOptions, import_sales, undo_import
from tests.conftest import login
from tests.crm_standin import StandInHubSpot, StandInSalesforce
from tests.factories import make_user

FIXTURES = Path(__file__).parent.parent / "fixtures" / "sales"
HS_TOKEN = "pat-eu1-standin-0123456789"
SF_SECRET = "sf-secret-9876543210"

# The same four HubSpot deals (those of tests/fixtures/sales/hubspot_deals.csv), as the search
# API answers them and as the deals export writes them (HS_EXPORT: labels for stages, local
# times, the owner's id, email and name).
HS_OWNERS = [{"id": "501", "email": "anna.devries@example.nl", "firstName": "Anna",
              "lastName": "de Vries"},
             {"id": "502", "email": "mo.elamrani@example.nl", "firstName": "Mo",
              "lastName": "El Amrani"}]
HS_COMPANIES = {"123456": "Globex", "223344": "Initech", "445566": "Umbrella",
                "778899": "Umbrella Benelux", "334455": "Hooli"}
HS_DEALS = [
    # id, dealstage, amount, closedate, createdate, owner, companies (primary first), won,
    # closed, currency, csat, scale, last modified
    ("9876543210", "closedwon", "4500", "2024-05-02T09:30:00Z", "2024-03-11T14:02:00Z", "501",
     ["123456"], "true", "true", "EUR", "9", "10", "2024-06-01T08:00:00.000Z"),
    ("9876543211", "contractsent", "12000.5", "2024-07-01T10:00:00Z", "2024-04-02T10:00:00Z",
     "502", ["223344"], "false", "false", "EUR", None, None, "2024-06-01T09:00:00.000Z"),
    ("9876543212", "1063991961", "8000", "2024-06-12T12:00:00Z", "2024-02-01T08:00:00Z", "501",
     ["445566", "778899"], "true", "true", "USD", "4", "5", "2024-06-02T10:00:00.000Z"),
    ("9876543213", "closedlost", None, "2024-05-20T15:45:00Z", "2024-04-10T09:00:00Z", "502",
     ["334455"], "false", "true", "EUR", None, None, "2024-06-03T11:00:00.000Z"),
]
HS_EXPORT = FIXTURES / "hubspot_deals_with_owners.csv"

# The Data Loader export's three opportunities (tests/fixtures/sales/salesforce_dataloader.csv)
# with the owner's and the account's names, as the REST API answers them and as Data Loader
# exports them when the query asks for those relationship fields (SF_EXPORT).
SF_RECORDS = [
    {"Id": "0061t00000XyZ01AAA", "AccountId": "0011t00000AaA01AAA", "Account.Name": "Acme",
     "StageName": "Closed Won", "Amount": 15000.0, "CloseDate": "2024-05-10", "IsClosed": True,
     "IsWon": True, "OwnerId": "0051t000002AbCdAAK", "Owner.Email": "sanne.bakker@example.nl",
     "Owner.Name": "Sanne Bakker", "CreatedDate": "2024-03-02T09:30:12.000+0000",
     "CurrencyIsoCode": "EUR", "Customer_Satisfaction__c": 4.0,
     "LastModifiedDate": "2024-06-01T08:00:00.000+0000"},
    {"Id": "0061t00000XyZ02AAA", "AccountId": "0011t00000AaA02AAA", "Account.Name": "Globex",
     "StageName": "Closed Lost", "Amount": 7200.5, "CloseDate": "2024-05-28", "IsClosed": True,
     "IsWon": False, "OwnerId": "0051t000002AbCdAAK", "Owner.Email": "sanne.bakker@example.nl",
     "Owner.Name": "Sanne Bakker", "CreatedDate": "2024-04-15T13:00:00.000+0000",
     "CurrencyIsoCode": "EUR", "Customer_Satisfaction__c": None,
     "LastModifiedDate": "2024-06-01T09:00:00.000+0000"},
    {"Id": "0061t00000XyZ03AAA", "AccountId": "0011t00000AaA01AAA", "Account.Name": "Acme",
     "StageName": "Proposal/Price Quote", "Amount": 3000.0, "CloseDate": "2024-08-01",
     "IsClosed": False, "IsWon": False, "OwnerId": "0051t000002ZzZzAAK",
     "Owner.Email": "piet.jansen@example.nl", "Owner.Name": "Piet Jansen",
     "CreatedDate": "2024-06-01T08:00:00.000+0000", "CurrencyIsoCode": "USD",
     "Customer_Satisfaction__c": None, "LastModifiedDate": "2024-06-02T10:00:00.000+0000"},
]
SF_EXPORT = FIXTURES / "salesforce_dataloader_with_names.csv"


def hs_deal(deal_id: str, stage: str, amount: str | None, close: str, create: str, owner: str,
            companies: list[str], won: str, closed: str, currency: str, csat: str | None,
            scale: str | None, modified: str) -> dict[str, str | None]:
    return {"hs_object_id": deal_id, "dealname": f"Deal {deal_id}", "dealstage": stage,
            "amount": amount, "closedate": close, "createdate": create,
            "hubspot_owner_id": owner, "hs_is_closed_won": won, "hs_is_closed": closed,
            "deal_currency_code": currency, "csat_score": csat, "csat_scale": scale,
            "hs_lastmodifieddate": modified}


def load_hubspot(standin: StandInHubSpot, deals=HS_DEALS) -> None:  # noqa: ANN001
    standin.owners = list(HS_OWNERS)
    standin.companies = dict(HS_COMPANIES)
    for row in deals:
        standin.deals[row[0]] = hs_deal(*row)
        standin.associations[row[0]] = [(c, i == 0) for i, c in enumerate(row[6])]


@pytest.fixture
def people(app):  # noqa: ANN001, ANN201
    anna, _ = create_user(PersonFields(email="anna.devries@example.nl", name="Anna de Vries",
                                       role=Role.LEARNER), password="correct-horse-battery")
    sanne, _ = create_user(PersonFields(email="sanne.bakker@example.nl", name="Sanne Bakker",
                                        role=Role.LEARNER, crm_ids=["0051t000002AbCdAAK"]),
                           password="correct-horse-battery")
    db.session.commit()
    return {"anna": anna.id, "sanne": sanne.id}


@pytest.fixture
def hubspot(app) -> Iterator[StandInHubSpot]:  # noqa: ANN001
    with StandInHubSpot(token=HS_TOKEN) as standin:
        app.config.update(HUBSPOT_TOKEN=HS_TOKEN, HUBSPOT_BASE_URL=standin.url,
                          HUBSPOT_PROPERTIES=(("satisfaction", "csat_score"),
                                              ("satisfaction_scale", "csat_scale")))
        yield standin


@pytest.fixture
def salesforce(app) -> Iterator[StandInSalesforce]:  # noqa: ANN001
    with StandInSalesforce(client_id="3MVG9standin", client_secret=SF_SECRET) as standin:
        app.config.update(SALESFORCE_URL=standin.url, SALESFORCE_CLIENT_ID="3MVG9standin",
                          SALESFORCE_CLIENT_SECRET=SF_SECRET,
                          SALESFORCE_FIELDS=(("currency", "CurrencyIsoCode"),
                                             ("satisfaction", "Customer_Satisfaction__c")),
                          CRM_SYNC_SATISFACTION_SCALE=5)
        standin.records = [dict(r) for r in SF_RECORDS]
        yield standin


class Sleeps(list):
    """An injected sleep: remembers how long the sync would have waited."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def sales_rows() -> list[tuple]:
    """Every stored deal, without the row id and the import that wrote it."""
    columns = [c for c in Sale.__table__.columns if c.name not in {"id", "import_id"}]
    return [tuple(r) for r in db.session.execute(select(*columns).order_by(Sale.crm_id))]


def count(model) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(model))


def state(name: str) -> CrmSyncState:
    db.session.rollback()
    return db.session.get(CrmSyncState, name)


# Same result as a CSV export -------------------------------------------------------------------

def test_hubspot_sync_imports_what_its_csv_export_imports(app, people, hubspot, monkeypatch):  # noqa: ANN001
    monkeypatch.setattr(HubSpot, "PAGE", 3)  # four deals: two pages
    load_hubspot(hubspot)
    outcome = sync("hubspot", sleep=Sleeps())
    assert outcome.deals == 4 and outcome.report.added == 4
    synced = sales_rows()
    assert len(synced) == 4
    assert [b.get("after") for b in hubspot.queries] == [None, "3"]
    by_id = {r[0]: r for r in synced}
    columns = [c.name for c in Sale.__table__.columns if c.name not in {"id", "import_id"}]
    umbrella = dict(zip(columns, by_id["9876543212"], strict=True))
    assert (umbrella["user_id"], umbrella["stage"], umbrella["customer_key"],
            umbrella["customer_name"], umbrella["currency"]) == (
        people["anna"], "won", "445566", "Umbrella", "USD")

    undo_import(outcome.report.import_id)
    db.session.commit()
    assert count(Sale) == 0
    report = import_sales(HS_EXPORT, "hubspot", filename="hubspot-export.csv")
    assert report.ok, report.errors
    db.session.commit()
    assert sales_rows() == synced


def test_salesforce_sync_imports_what_its_data_loader_export_imports(app, people, salesforce):  # noqa: ANN001
    salesforce.page_size = 2  # three opportunities: a nextRecordsUrl to follow
    outcome = sync("salesforce", sleep=Sleeps())
    assert outcome.deals == 3 and outcome.report.added == 3
    assert [p for _, p, _ in salesforce.requests] == [
        "/services/oauth2/token", "/services/data/v62.0/query",
        salesforce.requests[2][1]]
    assert salesforce.requests[2][1].startswith("/services/data/v62.0/query/01g")
    assert "WHERE" not in salesforce.queries[0]  # the first sync reads everything
    synced = sales_rows()
    assert [r[1] for r in synced] == [people["sanne"], people["sanne"], None]

    undo_import(outcome.report.import_id)
    db.session.commit()
    report = import_sales(SF_EXPORT, "salesforce", ImportOptions(satisfaction_scale=5),
                          filename="dataloader.csv")
    assert report.ok, report.errors
    db.session.commit()
    assert sales_rows() == synced


# Paging, rate limits, failures ----------------------------------------------------------------

def test_hubspot_pages_past_the_search_cap_by_moving_the_watermark(app, people, monkeypatch):  # noqa: ANN001
    monkeypatch.setattr(HubSpot, "PAGE", 2)
    deals = [(str(9000 + i), "closedwon", "100", "2024-05-02T09:30:00Z", "2024-03-11T14:02:00Z",
              "501", ["123456"], "true", "true", "EUR", None, None,
              f"2024-06-{1 + i // 2:02d}T08:00:00.000Z") for i in range(9)]
    with StandInHubSpot(token=HS_TOKEN, search_cap=4) as standin:
        app.config.update(HUBSPOT_TOKEN=HS_TOKEN, HUBSPOT_BASE_URL=standin.url)
        monkeypatch.setattr(HubSpot, "SEARCH_CAP", 4)
        load_hubspot(standin, deals)
        outcome = sync("hubspot", sleep=Sleeps())
        assert 400 not in standin.statuses()
        # After four results the query starts again from the last modified time it saw.
        starts = [b["filterGroups"][0]["filters"][0]["value"] for b in standin.queries]
        assert len(set(starts)) >= 3
    assert outcome.deals == 9 and outcome.report.added == 9
    assert count(Sale) == 9


def test_429_waits_as_long_as_retry_after_says(app, people, hubspot):  # noqa: ANN001
    load_hubspot(hubspot)
    hubspot.retry_after = "7"
    hubspot.fail_next(429, None, 429)
    sleeps = Sleeps()
    outcome = sync("hubspot", sleep=sleeps)
    assert sleeps == [7.0, 7.0]
    assert hubspot.statuses("/crm/v3/objects/deals/search")[:2] == [429, 200]
    assert outcome.report.added == 4


def test_5xx_is_retried_with_back_off(app, people, salesforce):  # noqa: ANN001
    salesforce.fail_next(None, 500, 503)  # the token comes; the query fails twice
    sleeps = Sleeps()
    outcome = sync("salesforce", sleep=sleeps)
    assert sleeps == [1.0, 2.0]
    assert outcome.report.added == 3


def test_a_failure_midway_changes_nothing_and_the_next_run_resumes(app, people, hubspot,  # noqa: ANN001
                                                                   monkeypatch):
    monkeypatch.setattr(HubSpot, "PAGE", 2)
    load_hubspot(hubspot, HS_DEALS[:2])
    first = sync("hubspot", sleep=Sleeps())
    before_rows, watermark = sales_rows(), state("hubspot").watermark
    assert first.deals == 2 and watermark == datetime(2024, 6, 1, 9, tzinfo=UTC)

    # Two new deals and a change: the second page of the next run fails five times.
    load_hubspot(hubspot, HS_DEALS)
    hubspot.deals["9876543211"].update(amount="13000", hs_lastmodifieddate="2024-06-04T08:00:00Z")
    hubspot.fail_next(None, 500, 500, 500, 500, 500)
    sleeps = Sleeps()
    with pytest.raises(SyncError, match="HubSpot answered a server error"):
        sync("hubspot", sleep=sleeps)
    assert sleeps == [1.0, 2.0, 4.0, 8.0]
    failed = state("hubspot")
    assert (failed.last_result, failed.watermark, failed.rows) == ("failed", watermark, 2)
    assert "server error (500)" in failed.last_message
    assert sales_rows() == before_rows
    assert count(SalesImport) == 1

    resumed = sync("hubspot", sleep=Sleeps())
    assert (resumed.report.added, resumed.report.updated) == (2, 1)
    assert count(Sale) == 4
    assert db.session.scalar(select(Sale.amount).where(Sale.crm_id == "9876543211")) == 13000
    ok = state("hubspot")
    assert (ok.last_result, ok.last_message, ok.import_id) == ("ok", "", resumed.report.import_id)
    assert ok.watermark == datetime(2024, 6, 4, 8, tzinfo=UTC)


def test_incremental_sync_reads_only_deals_changed_since_the_watermark(app, people,  # noqa: ANN001
                                                                       salesforce):
    sync("salesforce", sleep=Sleeps())
    assert state("salesforce").watermark == datetime(2024, 6, 2, 10, tzinfo=UTC)

    salesforce.records[0].update(Amount=16000.0,
                                 LastModifiedDate="2024-06-05T12:00:00.000+0000")
    second = sync("salesforce", sleep=Sleeps())
    # From ten minutes before the watermark (crm_sync.OVERLAP).
    assert "WHERE LastModifiedDate >= 2024-06-02T09:50:00Z" in salesforce.queries[-1]
    # The changed deal, and the one at the watermark's own moment (read again, unchanged).
    assert second.deals == 2
    assert (second.report.added, second.report.updated, second.report.unchanged) == (0, 1, 1)

    # Nothing changed since: no import record for a run that changes nothing.
    imports = count(SalesImport)
    third = sync("salesforce", sleep=Sleeps())
    assert third.report is None and count(SalesImport) == imports
    assert state("salesforce").last_result == "ok"


def test_a_sync_import_is_undone_like_a_csv_import(app, people, hubspot):  # noqa: ANN001
    load_hubspot(hubspot)
    outcome = sync("hubspot", sleep=Sleeps())
    record = db.session.get(SalesImport, outcome.report.import_id)
    assert record.preset == "hubspot" and record.source.startswith("HubSpot sync ")
    result = undo_import(record.id)
    db.session.commit()
    assert result.deleted == 4 and count(Sale) == 0


def test_salesforce_renews_an_expired_token_once(app, salesforce):  # noqa: ANN001
    http = Http("Salesforce", Sleeps())
    client = Salesforce(salesforce.url, "3MVG9standin", SF_SECRET, "62.0", (), http)
    try:
        client._authorise()
        salesforce.expire_tokens()
        assert len(client.changed_since(None)) == 3
    finally:
        http.close()
    assert salesforce.statuses() == [200, 401, 200, 200]


def test_refused_credentials_fail_cleanly_without_the_secret(app, people, salesforce):  # noqa: ANN001
    app.config["SALESFORCE_CLIENT_SECRET"] = "wrong-secret-value"
    with pytest.raises(SyncError) as caught:
        sync("salesforce", sleep=Sleeps())
    assert "invalid client credentials" in caught.value.message
    assert "wrong-secret-value" not in caught.value.message
    assert state("salesforce").last_result == "failed" and count(Sale) == 0


def test_bad_rows_refuse_the_whole_sync(app, people, hubspot):  # noqa: ANN001
    load_hubspot(hubspot)
    hubspot.deals["9876543212"]["amount"] = "lots"
    with pytest.raises(SyncError, match="deal 9876543212, Amount: 'lots' is not an amount"):
        sync("hubspot", sleep=Sleeps())
    assert count(Sale) == 0 and count(SalesImport) == 0
    assert state("hubspot").watermark is None


# The command, the lease and the page ----------------------------------------------------------

def test_the_command_syncs_and_a_second_server_sees_the_lease_taken(app, people, runner,  # noqa: ANN001
                                                                    hubspot):
    load_hubspot(hubspot)
    take("crm-sync-hubspot", holder="app-2 pid 4242")
    result = runner.invoke(args=["sales", "sync", "hubspot"])
    assert result.exit_code == 0, result.output
    assert "being synced by another run (app-2 pid 4242" in result.output
    assert hubspot.requests == [] and count(Sale) == 0

    db.session.rollback()
    from lms.maintenance.leases import give_back
    give_back("crm-sync-hubspot", "app-2 pid 4242")
    result = runner.invoke(args=["sales", "sync", "hubspot"])
    assert result.exit_code == 0, result.output
    assert "4 deals read; added: 4" in result.output
    assert "Recorded as import #" in result.output
    assert count(Sale) == 4


def test_the_command_fails_with_a_reason(app, runner):  # noqa: ANN001
    result = runner.invoke(args=["sales", "sync", "hubspot"])
    assert result.exit_code == 1
    assert "HubSpot is not configured: set LMS_HUBSPOT_TOKEN." in result.output


def test_sales_page_shows_each_connection_and_never_its_secret(app, client, people, hubspot,  # noqa: ANN001
                                                                salesforce):
    make_user(email="boss@example.com", role=Role.MANAGER)
    db.session.commit()
    load_hubspot(hubspot)
    outcome = sync("hubspot", sleep=Sleeps())
    app.config["SALESFORCE_CLIENT_SECRET"] = "wrong-secret-value"
    with pytest.raises(SyncError):
        sync("salesforce", sleep=Sleeps())
    login(client, "boss@example.com")
    page = client.get("/manage/sales/").get_data(as_text=True)
    assert "CRM connections" in page
    assert f'href="#import-{outcome.report.import_id}"' in page
    assert f'id="import-{outcome.report.import_id}"' in page
    assert "failed" in page and "invalid client credentials" in page
    assert "expected at" in page
    for secret in (HS_TOKEN, SF_SECRET, "wrong-secret-value"):
        assert secret not in page


def test_sales_page_hides_the_connections_when_none_is_configured(app, client):  # noqa: ANN001
    make_user(email="boss@example.com", role=Role.MANAGER)
    db.session.commit()
    login(client, "boss@example.com")
    page = client.get("/manage/sales/").get_data(as_text=True)
    assert "Sales data" in page and "CRM connections" not in page


def test_next_sync_is_late_when_cron_stops(app, people, hubspot):  # noqa: ANN001
    from lms.sales.crm_sync import connection_statuses

    load_hubspot(hubspot)
    sync("hubspot", sleep=Sleeps())
    ran = state("hubspot").last_run_at
    (status,) = connection_statuses(app.config, now=ran + timedelta(minutes=61))
    assert status.next_at == ran + timedelta(minutes=60) and not status.late
    (status,) = connection_statuses(app.config, now=ran + timedelta(minutes=80))
    assert status.late


def test_sales_page_reads_the_connections_in_one_statement(app, people, hubspot,  # noqa: ANN001
                                                           salesforce):
    from tests.impact_helpers import statements

    make_user(email="boss@example.com", role=Role.MANAGER)
    db.session.commit()
    load_hubspot(hubspot)
    sync("hubspot", sleep=Sleeps())
    client = app.test_client()
    login(client, "boss@example.com")

    def count_page() -> int:
        client.get("/manage/sales/")
        with statements() as seen:
            assert client.get("/manage/sales/").status_code == 200
        return len(seen)

    app.config["SALESFORCE_URL"] = None
    one = count_page()
    app.config["SALESFORCE_URL"] = salesforce.url
    sync("salesforce", sleep=Sleeps())
    assert count_page() == one


def test_a_retry_after_too_long_stops_the_run_without_waiting(app, people, hubspot):  # noqa: ANN001
    load_hubspot(hubspot)
    hubspot.retry_after = "3600"
    hubspot.fail_next(429)
    sleeps = Sleeps()
    with pytest.raises(SyncError, match="HubSpot asks to wait 3600 seconds"):
        sync("hubspot", sleep=sleeps)
    assert sleeps == [] and count(Sale) == 0
    # A Retry-After given as an HTTP date in the past means: go on now.
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 5.0) == 0.0
    assert retry_after(None, 5.0) == 5.0


def test_a_mapped_field_the_preset_has_no_column_for_is_refused(app, people, hubspot):  # noqa: ANN001
    app.config["HUBSPOT_PROPERTIES"] = (("owner_name", "owner_full_name"),)
    with pytest.raises(SyncError, match="HubSpot: owner_name is not a field"):
        sync("hubspot", sleep=Sleeps())
    assert state("hubspot").last_result == "failed"


def test_an_answer_of_the_wrong_shape_fails_cleanly(app, people, hubspot,  # noqa: ANN001
                                                    monkeypatch):
    # A search result without its properties (a changed API, a proxy's own answer).
    monkeypatch.setattr(hubspot, "_search", lambda body: (200, {"results": [{"id": "1"}]}))
    with pytest.raises(SyncError, match="HubSpot answered in an unexpected shape"):
        sync("hubspot", sleep=Sleeps())
    assert count(Sale) == 0 and state("hubspot").last_result == "failed"


def test_a_crm_that_cannot_be_reached_is_said_so(app, people):  # noqa: ANN001
    """Nothing listens at the address: the message says the CRM could not be reached (not that
    it "answered"), after the usual tries, and nothing is imported."""
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.config.update(HUBSPOT_TOKEN=HS_TOKEN, HUBSPOT_BASE_URL=f"http://127.0.0.1:{port}")
    sleeps = Sleeps()
    with pytest.raises(SyncError) as failed:
        sync("hubspot", sleep=sleeps)
    assert str(failed.value).startswith("HubSpot could not be reached (ConnectionError), 5 times;")
    assert "nothing was imported" in str(failed.value) and count(Sale) == 0
    assert sleeps == [1.0, 2.0, 4.0, 8.0]
