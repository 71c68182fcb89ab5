"""Follow-ups and complaints to act on: the salesperson's page, the manager's team page,
recording an action (and what it does to the measures), and the CRM imports that must not
undo it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.analytics.measures import sales_performance
from lms.extensions import db
from lms.models import Role, Sale, SaleAction
from lms.sales.importer import import_records, import_sales, undo_import
from lms.security import Scope
from tests.conftest import login, org_today, page_token
from tests.factories import make_team, make_user
from tests.impact_helpers import add_sale

TODAY = org_today()


def day(offset: int) -> str:
    """Today plus ``offset`` days, as ISO text."""
    return (TODAY + timedelta(days=offset)).isoformat()


def sale(crm_id: str) -> Sale:
    return db.session.scalar(select(Sale).where(Sale.crm_id == crm_id))


def actions() -> int:
    return db.session.scalar(select(func.count()).select_from(SaleAction))


def follow_up_rate(user) -> float | None:  # noqa: ANN001
    """The person's follow-up rate over the last 60 days, as the sales report computes it."""
    rows = sales_performance(Scope(user_ids=frozenset({user.id})), TODAY - timedelta(days=60),
                             TODAY + timedelta(days=1), follow_up_days=14, as_of=TODAY)
    return rows[0].values["follow_up_rate"]


@pytest.fixture
def org(app):  # noqa: ANN001, ANN201
    """Two teams, each with a manager and a salesperson; Anna has work to do, Ben too."""
    boss = make_user(Role.MANAGER, email="boss@example.com")
    other_boss = make_user(Role.MANAGER, email="other@example.com")
    make_user(Role.ADMIN, email="admin@example.com")
    north = make_team("Team Noord", managers=[boss])
    south = make_team("Team Zuid", managers=[other_boss])
    anna = make_user(email="anna@example.com", name="Anna de Vries", team=north)
    ben = make_user(email="ben@example.com", name="Ben Bakker", team=south)
    # Anna: window ends today (due), ended 5 days ago (overdue), one followed up in time,
    # one closed too recently to list, one complaint open 10 days.
    add_sale(anna, closed=day(-14), customer="Due Today BV", crm_id="A-DUE")
    add_sale(anna, closed=day(-19), customer="Overdue BV", crm_id="A-LATE")
    add_sale(anna, closed=day(-30), follow_up=day(-25), customer="Done BV", crm_id="A-DONE")
    add_sale(anna, closed=day(-2), customer="Fresh BV", crm_id="A-FRESH")
    add_sale(anna, closed=day(-40), follow_up=day(-35), complaint=day(-10),
             customer="Unhappy BV", crm_id="A-COMPLAINT")
    add_sale(ben, closed=day(-16), customer="Bens Klant BV", crm_id="B-LATE")
    db.session.commit()
    return {"anna": anna, "ben": ben, "boss": boss, "other": other_boss}


def client_for(app, email: str):  # noqa: ANN001, ANN201
    client = app.test_client()
    login(client, email)
    return client


def mark(client, sale_id: int, what: str = "follow-up", *, manage: bool = False,  # noqa: ANN001, ANN201
         **fields: str):
    base = "/manage/follow-ups" if manage else "/learn/follow-ups"
    url = f"{base}/{sale_id}/{what}"
    data = {"done_on": fields.get("done_on", TODAY.isoformat()), "note": fields.get("note", ""),
            "csrf_token": page_token(client, "/account")}
    return client.post(url, data=data)


def test_a_salesperson_sees_their_own_list_only(app, org):
    client = client_for(app, "anna@example.com")
    html = client.get("/learn/follow-ups/").get_data(as_text=True)
    assert "Due Today BV" in html and "Overdue BV" in html and "Unhappy BV" in html
    assert "last day today" in html and "5 days overdue" in html and "10 days" in html
    assert "A-LATE" in html  # the deal's CRM id
    # Followed up, too recent, and somebody else's deals are not there.
    for absent in ("Done BV", "Fresh BV", "Bens Klant BV"):
        assert absent not in html
    # Oldest first: the overdue one before the one due today.
    assert html.index("Overdue BV") < html.index("Due Today BV")
    assert 'href="/learn/follow-ups/"' in client.get("/learn/").get_data(as_text=True)
    ben_sale = sale("B-LATE")
    assert client.get(f"/learn/follow-ups/{ben_sale.id}/follow-up").status_code == 404
    assert mark(client, ben_sale.id).status_code == 404
    assert sale("B-LATE").follow_up_on is None and actions() == 0


def test_empty_states(app, org):  # noqa: ARG001
    make_user(email="new@example.com")
    html = client_for(app, "new@example.com").get("/learn/follow-ups/").get_data(as_text=True)
    assert "No follow-ups to make" in html and "No open complaints." in html


def test_marking_a_follow_up_changes_the_list_and_the_follow_up_rate(app, org):
    anna = org["anna"]
    # Of the four deals whose 14 days are over, two were followed up in time.
    assert follow_up_rate(anna) == 0.5
    client = client_for(app, "anna@example.com")
    due = sale("A-DUE")
    response = mark(client, due.id, note="Called, all fine")
    assert response.status_code == 302 and response.headers["Location"] == "/learn/follow-ups/"
    assert sale("A-DUE").follow_up_on == TODAY
    action = db.session.scalar(select(SaleAction))
    assert (action.crm_id, action.kind, action.done_on, action.note, action.by_user_id) == \
        ("A-DUE", "follow_up", TODAY, "Called, all fine", anna.id)
    html = client.get("/learn/follow-ups/").get_data(as_text=True)
    assert "Follow-up recorded for Due Today BV." in html
    assert "Due Today BV" not in html.split('id="follow-ups"')[1].split('id="complaints"')[0]
    assert follow_up_rate(anna) == 0.75
    # A follow-up after the window leaves the list but does not count as in time.
    assert mark(client, sale("A-LATE").id).status_code == 302
    assert follow_up_rate(anna) == 0.75
    # Recording it again is refused politely.
    again = mark(client, due.id)
    assert again.status_code == 302 and actions() == 2


def test_resolving_a_complaint_counts_in_the_resolve_days(app, org):
    anna = org["anna"]
    client = client_for(app, "anna@example.com")
    complaint = sale("A-COMPLAINT")
    assert mark(client, complaint.id, "resolution", done_on=day(-4)).status_code == 302
    assert sale("A-COMPLAINT").complaint_resolved_on == TODAY - timedelta(days=4)
    rows = sales_performance(Scope(user_ids=frozenset({anna.id})), TODAY - timedelta(days=60),
                             TODAY + timedelta(days=1), follow_up_days=14, as_of=TODAY)
    assert rows[0].values["resolve_days"] == 6
    html = client.get("/learn/follow-ups/").get_data(as_text=True)
    assert "Unhappy BV" not in html.split('id="complaints"')[1].split('id="recorded"')[0]


@pytest.mark.parametrize(("done_on", "message"), [
    (day(1), "The date cannot be in the future."),
    (day(-15), "The follow-up cannot be before the deal closed"),
    ("", "Enter the date."),
    ("yesterday", "Not a valid date value."),
])
def test_an_impossible_date_is_a_form_error_and_changes_nothing(app, org, done_on, message):
    client = client_for(app, "anna@example.com")
    response = mark(client, sale("A-DUE").id, done_on=done_on)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html
    assert sale("A-DUE").follow_up_on is None and actions() == 0


def test_a_resolution_before_the_complaint_is_refused(app, org):
    client = client_for(app, "anna@example.com")
    response = mark(client, sale("A-COMPLAINT").id, "resolution", done_on=day(-11))
    assert response.status_code == 400
    assert "cannot be resolved before it was made" in response.get_data(as_text=True)
    assert sale("A-COMPLAINT").complaint_resolved_on is None and actions() == 0


def test_marking_needs_the_csrf_token(app, org):
    app.config["WTF_CSRF_ENABLED"] = True
    client = client_for(app, "anna@example.com")
    response = client.post(f"/learn/follow-ups/{sale('A-DUE').id}/follow-up",
                           data={"done_on": TODAY.isoformat()})
    assert response.status_code == 400
    assert sale("A-DUE").follow_up_on is None and actions() == 0


def test_a_manager_sees_and_marks_their_team_only(app, org):
    boss = client_for(app, "boss@example.com")
    html = boss.get("/manage/follow-ups/").get_data(as_text=True)
    assert "Anna de Vries" in html and "Overdue BV" in html and "Unhappy BV" in html
    assert "Ben Bakker" not in html and "Bens Klant BV" not in html
    assert 'href="/manage/follow-ups/"' in html  # the tab
    ben_sale = sale("B-LATE")
    assert boss.get(f"/manage/follow-ups/{ben_sale.id}/follow-up").status_code == 404
    assert mark(boss, ben_sale.id, manage=True).status_code == 404
    assert boss.get(f"/manage/follow-ups/?person={org['ben'].id}").status_code == 404
    south = db.session.scalar(select(org["ben"].team.__class__.id).where(
        org["ben"].team.__class__.name == "Team Zuid"))
    assert boss.get(f"/manage/follow-ups/?team={south}").status_code == 404
    assert sale("B-LATE").follow_up_on is None and actions() == 0
    # Their own salesperson's deal: recorded, by the manager.
    assert mark(boss, sale("A-LATE").id, manage=True).status_code == 302
    action = db.session.scalar(select(SaleAction))
    assert action.by_user_id == org["boss"].id and sale("A-LATE").follow_up_on == TODAY


def test_counts_per_person_and_the_person_filter(app, org):
    html = client_for(app, "admin@example.com").get("/manage/follow-ups/").get_data(as_text=True)
    assert "Anna de Vries" in html and "Ben Bakker" in html  # an admin sees everyone
    table = html.split('id="per-person"')[1].split("</table>")[0]
    anna_row = table.split("Anna de Vries")[1].split("</tr>")[0]
    # overdue 1, due 1, complaints 1, open longer than 7 days 1
    assert [c.split(">")[-1] for c in anna_row.split("</td>")[1:6]] == \
        ["Team Noord", "1", "1", "1", "1"]
    only_ben = client_for(app, "admin@example.com").get(
        f"/manage/follow-ups/?person={org['ben'].id}").get_data(as_text=True)
    lists = only_ben.split('id="follow-ups"')[1]
    assert "Bens Klant BV" in lists and "Overdue BV" not in lists


def test_learners_cannot_open_the_managers_page(app, org):  # noqa: ARG001
    client = client_for(app, "anna@example.com")
    assert client.get("/manage/follow-ups/").status_code == 403
    assert client.get(f"/manage/follow-ups/{sale('A-DUE').id}/follow-up").status_code == 403


# --- the CRM imports do not undo it ---------------------------------------------------------

HEADER = "crm_id,owner_email,customer_name,product,stage,created_on,closed_on,amount,follow_up_on"


def export(follow_up: str = "", crm_id: str = "X-1") -> bytes:
    return (f"{HEADER}\n{crm_id},anna@example.com,Acme,Office B60,won,{day(-40)},{day(-16)},"
            f"1200.00,{follow_up}\n").encode()


def imported(data: bytes):  # noqa: ANN201
    report = import_sales(data, "generic")
    db.session.commit()
    assert report.ok, report.errors
    return report


def record_locally(app, crm_id: str = "X-1", done_on: str | None = None) -> None:  # noqa: ANN001
    client = client_for(app, "anna@example.com")
    assert mark(client, sale(crm_id).id, done_on=done_on or day(-3)).status_code == 302


def test_a_reimport_without_a_follow_up_keeps_the_local_one(app, org):  # noqa: ARG001
    imported(export())
    record_locally(app)
    again = imported(export())
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    assert sale("X-1").follow_up_on == TODAY - timedelta(days=3)
    # An earlier date from the CRM does not win either.
    imported(export(day(-10)))
    assert sale("X-1").follow_up_on == TODAY - timedelta(days=3)


def test_a_newer_follow_up_from_the_crm_wins(app, org):  # noqa: ARG001
    imported(export())
    record_locally(app)
    newer = imported(export(day(-1)))
    assert newer.updated == 1 and sale("X-1").follow_up_on == TODAY - timedelta(days=1)
    # Undoing that import brings back the local value, not the empty CRM one before it.
    undo_import(newer.import_id)
    db.session.commit()
    assert sale("X-1").follow_up_on == TODAY - timedelta(days=3)


def test_the_api_path_keeps_the_local_value_too(app, org):  # noqa: ARG001
    imported(export())
    record_locally(app)
    record = {"crm_id": "X-1", "owner_email": "anna@example.com", "customer_name": "Acme",
              "product": "Office B60", "stage": "won", "created_on": day(-40),
              "closed_on": day(-16), "amount": "1200.00", "follow_up_on": None}
    report = import_records([record])
    db.session.commit()
    assert report.ok and report.unchanged == 1
    assert sale("X-1").follow_up_on == TODAY - timedelta(days=3)


def test_undoing_the_import_that_added_the_deal_keeps_the_action(app, org):  # noqa: ARG001
    first = imported(export())
    record_locally(app)
    undo_import(first.import_id)
    db.session.commit()
    assert sale("X-1") is None and actions() == 1
    # The deal comes back with the next import, and so does its follow-up.
    imported(export())
    assert sale("X-1").follow_up_on == TODAY - timedelta(days=3)


def test_undoing_an_older_import_keeps_a_later_local_action(app, org):  # noqa: ARG001
    imported(export())
    changed = imported(export().replace(b"1200.00", b"1300.00"))
    record_locally(app)
    undo_import(changed.import_id)
    db.session.commit()
    restored = sale("X-1")
    assert restored.amount == 1200 and restored.follow_up_on == TODAY - timedelta(days=3)


def test_the_sales_report_shows_a_recorded_follow_up_at_once(app, org):
    """The manager's sales performance page is cached on the sales' version: a recorded
    follow-up must count there without waiting for an import."""
    boss = client_for(app, "boss@example.com")
    url = "/manage/sales-reports/?sort=name"

    def rate_cell() -> str:
        html = boss.get(url).get_data(as_text=True)
        row = html.split("Anna de Vries")[1].split("</tr>")[0]
        return row.split('data-label="Follow-up rate"')[1].split("<")[0]

    before = rate_cell()
    record_locally(app, "A-DUE", day(0))
    assert rate_cell() != before
    assert org  # the fixture made the deals


# --- the command line --------------------------------------------------------------------------

def test_report_follow_ups_on_the_command_line(app, runner, org):  # noqa: ARG001
    import csv
    import io
    import json

    table = runner.invoke(args=["report", "follow-ups"])
    assert table.exit_code == 0, table.output
    assert "Overdue BV" in table.output and "Bens Klant BV" in table.output
    assert "3 follow-ups to make (2 overdue) and 1 open complaint" in table.output
    # Oldest first, as on the page.
    assert table.output.index("Overdue BV") < table.output.index("Due Today BV")

    data = json.loads(runner.invoke(args=["report", "follow-ups", "--team", "team noord",
                                          "--format", "json"]).output)
    assert [i["deal"] for i in data["follow_ups"]] == ["A-LATE", "A-DUE"]
    assert data["follow_ups"][0]["days_left"] == -5 and data["follow_ups"][1]["days_left"] == 0
    assert [(i["deal"], i["days_open"]) for i in data["complaints"]] == [("A-COMPLAINT", 10)]

    out = runner.invoke(args=["report", "follow-ups", "--team", "Team Zuid", "--format", "csv"])
    records = list(csv.reader(io.StringIO(out.output)))
    assert records[0][:3] == ["Kind", "Salesperson", "Team"]
    assert [(r[1], r[7]) for r in records[1:]] == [("Ben Bakker", "B-LATE")]

    unknown = runner.invoke(args=["report", "follow-ups", "--team", "Nowhere"])
    assert unknown.exit_code == 1 and "no active team named" in unknown.output


def _figure(html: str, dd_id: str) -> str:
    """The text of the figure ``<dd id=dd_id>`` on the follow-ups page, whitespace collapsed."""
    import re

    found = re.search(rf'<dd id="{dd_id}">(.*?)</dd>', html, re.S)
    assert found, dd_id
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_the_salesperson_sees_their_follow_up_rate_move_with_what_they_record(app, org):
    """The page shows the follow-up rate the measures compute; a follow-up recorded with the
    day it was made inside the deal's follow-up days raises it at once, one still inside its
    days is counted as done already, and one made too late clears the list only."""
    anna = client_for(app, "anna@example.com")
    page = anna.get("/learn/follow-ups/").get_data(as_text=True)
    # Over: A-DUE, A-LATE (not followed up), A-DONE, A-COMPLAINT (in time); A-FRESH still open.
    assert _figure(page, "follow-up-rate") == "50% (2 of 4 won deals followed up in time)"
    assert _figure(page, "follow-up-pending") == "0 of 1 won deal followed up already"
    assert follow_up_rate(org["anna"]) == 0.5
    assert ">Overdue BV</td>" in page

    # A-LATE was in fact called nine days after closing: recorded with that day, it counts.
    assert mark(anna, sale("A-LATE").id, done_on=day(-10)).status_code == 302
    page = anna.get("/learn/follow-ups/").get_data(as_text=True)
    assert _figure(page, "follow-up-rate") == "75% (3 of 4 won deals followed up in time)"
    assert follow_up_rate(org["anna"]) == 0.75
    assert ">Overdue BV</td>" not in _lists(page)

    # A-FRESH followed up today: done, and it will count once its days are over.
    assert mark(anna, sale("A-FRESH").id).status_code == 302
    page = anna.get("/learn/follow-ups/").get_data(as_text=True)
    assert _figure(page, "follow-up-pending") == "1 of 1 won deal followed up already"

    # A-DUE followed up today, its last day: in time, so the rate goes up again.
    assert mark(anna, sale("A-DUE").id).status_code == 302
    page = anna.get("/learn/follow-ups/").get_data(as_text=True)
    assert _figure(page, "follow-up-rate") == "100% (4 of 4 won deals followed up in time)"


def _lists(page: str) -> str:
    """The lists of work to do on the page, without what was recorded lately."""
    return page.split('id="recorded"')[0]


def test_a_follow_up_made_too_late_clears_the_list_but_not_the_rate(app, org):
    anna = client_for(app, "anna@example.com")
    assert ">Overdue BV</td>" in anna.get("/learn/follow-ups/").get_data(as_text=True)
    assert mark(anna, sale("A-LATE").id).status_code == 302   # today: 19 days after closing
    page = anna.get("/learn/follow-ups/").get_data(as_text=True)
    assert ">Overdue BV</td>" not in _lists(page)
    assert _figure(page, "follow-up-rate") == "50% (2 of 4 won deals followed up in time)"
    assert "—" in _figure(page, "resolve-days")


COMPLAINTS = ("crm_id,owner_email,customer_name,product,stage,created_on,closed_on,amount,"
              "complaint_on")


def test_a_newer_complaint_from_the_crm_is_open_again_and_can_be_resolved(app, org):  # noqa: ARG001
    """A resolution recorded here answers the complaint made before it; a complaint the CRM
    reports later is open until someone resolves it, and resolving it replaces the old one."""
    row = f"Y-1,anna@example.com,Acme,Office B60,won,{day(-60)},{day(-50)},900.00,"
    imported(f"{COMPLAINTS}\n{row}{day(-20)}\n".encode())
    client = client_for(app, "anna@example.com")
    assert mark(client, sale("Y-1").id, "resolution", done_on=day(-15)).status_code == 302
    assert sale("Y-1").complaint_resolved_on == TODAY - timedelta(days=15)
    imported(f"{COMPLAINTS}\n{row}{day(-5)}\n".encode())          # a new complaint
    assert sale("Y-1").complaint_resolved_on is None
    assert ">Acme</td>" in client.get("/learn/follow-ups/").get_data(as_text=True)
    assert mark(client, sale("Y-1").id, "resolution", done_on=day(-1)).status_code == 302
    assert sale("Y-1").complaint_resolved_on == TODAY - timedelta(days=1)
    assert actions() == 1
    # And an import without a resolution keeps that one.
    imported(f"{COMPLAINTS}\n{row}{day(-5)}\n".encode())
    assert sale("Y-1").complaint_resolved_on == TODAY - timedelta(days=1)


def test_an_import_does_not_overwrite_an_action_recorded_while_it_ran(app, org):  # noqa: ARG001
    """An action recorded after an import loaded the local actions, and overwritten by its
    writes, is applied again before the import commits."""
    imported(export())
    record_locally(app)
    # What a long import's writes do to a deal whose action it did not know about yet:
    db.session.execute(Sale.__table__.update().where(Sale.crm_id == "X-1")
                       .values(follow_up_on=None))
    db.session.commit()
    imported(export(crm_id="X-2"))
    db.session.expire_all()
    assert sale("X-1").follow_up_on == TODAY - timedelta(days=3)


def test_what_was_recorded_lately_is_listed_with_its_note_in_scope(app, org):
    """The note written with a follow-up is shown afterwards, to the salesperson and to their
    manager (with who recorded it), and to nobody outside the team."""
    anna = client_for(app, "anna@example.com")
    assert "Nothing recorded in the last 30 days." in anna.get("/learn/follow-ups/").get_data(
        as_text=True)
    note = "Called: wants a quote <b>for</b> more"
    assert mark(anna, sale("A-DUE").id, note=note).status_code == 302
    boss = client_for(app, "boss@example.com")
    assert mark(boss, sale("A-COMPLAINT").id, "resolution", manage=True,
                note="Replaced the unit").status_code == 302
    own = anna.get("/learn/follow-ups/").get_data(as_text=True).split('id="recorded"')[1]
    assert "Called: wants a quote &lt;b&gt;for&lt;/b&gt; more" in own  # shown, escaped
    assert "Replaced the unit" in own and "by Anna" not in own
    assert own.index("Replaced the unit") < own.index("Called")  # the newest first
    manager = boss.get("/manage/follow-ups/").get_data(as_text=True).split('id="recorded"')[1]
    assert "Anna de Vries" in manager and "Called: wants a quote" in manager
    assert "by " + org["boss"].name in manager  # the manager recorded the resolution
    ben = client_for(app, "ben@example.com")
    assert mark(ben, sale("B-LATE").id, note="Ben's private note").status_code == 302
    assert "Ben's private note" not in boss.get("/manage/follow-ups/").get_data(as_text=True)
    assert "Ben&#39;s private note" not in anna.get("/learn/follow-ups/").get_data(as_text=True)
    assert "Ben&#39;s private note" in client_for(app, "other@example.com").get(
        "/manage/follow-ups/").get_data(as_text=True)
