"""The CRM sales import against a real database: every preset, messy files, all-or-nothing,
idempotent upsert, undo, owners linked later, the real dataset, the CLI, the pages and the API."""

from __future__ import annotations

import csv
import io
import os
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.api.auth import create_token
from lms.extensions import db
from lms.models import Role, Sale, SaleChange, SalesImport, User
from lms.people.services import PersonFields, create_user, update_user
from lms.sales.importer import ImportOptions, import_records, import_sales, preview, undo_import
from tests.conftest import csrf_from, login, page_token
from tests.factories import make_user

FIXTURES = Path(__file__).parent.parent / "fixtures" / "sales"
# The shared folder sits beside the checkout (CI has it); LMS_SHARED_DIR points elsewhere.
MAVEN = Path(os.environ.get("LMS_SHARED_DIR")
             or Path(__file__).resolve().parents[3] / "shared") / "data" / "crm-sales-opportunities"
HEADER = ("crm_id,owner_email,owner_name,customer_name,product,stage,created_on,closed_on,"
          "amount,currency,satisfaction,satisfaction_scale,complaint_on,complaint_resolved_on")


def count(model) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(model))


def sale(crm_id: str) -> Sale:
    return db.session.scalar(select(Sale).where(Sale.crm_id == crm_id))


def rows(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def run(data: bytes | Path, preset: str | Path = "generic", **kwargs):  # noqa: ANN003, ANN201
    report = import_sales(data, preset, kwargs.pop("options", None), **kwargs)
    db.session.commit()
    return report


def good_row(crm_id: str = "D1", amount: str = "100.00", owner: str = "anna@example.com") -> str:
    return f"{crm_id},{owner},Anna,Acme,Pro,won,2026-01-05,2026-02-01,{amount},EUR,,,,"


@pytest.fixture
def people(app):  # noqa: ANN001, ANN201
    """The salespeople the sample files name, known by email, CRM name or CRM id."""
    anna, _ = create_user(PersonFields(email="anna.devries@example.nl", name="Anna de Vries",
                                       role=Role.LEARNER, crm_names=["Anna de Vries"]),
                          password="correct-horse-battery")
    sanne, _ = create_user(PersonFields(email="sanne.bakker@example.nl", name="Sanne Bakker",
                                        role=Role.LEARNER, crm_names=["Sanne Bakker"],
                                        crm_ids=["0051t000002AbCdAAK"]),
                           password="correct-horse-battery")
    db.session.commit()
    return {"anna": anna.id, "sanne": sanne.id}


# Every preset on a realistic export ----------------------------------------------------------

@pytest.mark.parametrize(("name", "preset", "options", "expected"), [
    ("salesforce_report.csv", "salesforce", None, {
        "0065g00000AbCdEAAV": ("sanne", "won", "12500.00", "USD", date(2017, 3, 15)),
        "0065g00000AbCdFAAV": ("sanne", "won", "4800.50", "USD", date(2017, 3, 1)),  # "Signed"
        "0065g00000AbCdGAAV": (None, "open", "9999.99", "USD", None),  # forecast not kept
        "0065g00000AbCdHAAV": (None, "lost", "25000.00", "USD", date(2017, 2, 28)),
        "0065g00000AbCdIAAV": ("anna", "won", "1234.56", "USD", date(2017, 4, 12)),
    }),
    ("salesforce_dataloader.csv", "salesforce", ImportOptions(satisfaction_scale=5), {
        "0061t00000XyZ01AAA": ("sanne", "won", "15000.00", "EUR", date(2024, 5, 10)),
        "0061t00000XyZ02AAA": ("sanne", "lost", "7200.50", "EUR", date(2024, 5, 28)),
        "0061t00000XyZ03AAA": (None, "open", "3000.00", "USD", None),
    }),
    ("hubspot_deals.csv", "hubspot", None, {
        "9876543210": ("anna", "won", "4500.00", "EUR", date(2024, 5, 2)),  # owner by email
        "9876543211": (None, "open", "12000.50", "EUR", None),
        "9876543212": ("anna", "won", "8000.00", "EUR", date(2024, 6, 12)),  # custom stage id
        "9876543213": (None, "lost", "0.00", "EUR", date(2024, 5, 20)),
    }),
    ("generic.csv", "generic", None, {
        "D-1001": ("anna", "won", "1234.56", "EUR", date(2026, 2, 10)),
        "D-1003": (None, "lost", "0.00", "EUR", date(2026, 3, 15)),
        "D-1005": (None, "won", "2500.00", "USD", date(2026, 1, 31)),
    }),
    ("excel_nl.csv", "generic", None, {
        "NL-1": ("anna", "won", "1234.56", "EUR", date(2026, 1, 31)),
        "NL-2": ("anna", "won", "12000.00", "EUR", date(2026, 2, 3)),
        "NL-4": (None, "open", "899.00", "EUR", None),
    }),
    ("custom_nl.csv", FIXTURES / "custom_nl.yaml", None, {
        "2026-001": ("anna", "won", "2500.00", "EUR", date(2026, 1, 20)),
        "2026-002": (None, "lost", "0.00", "EUR", date(2026, 1, 25)),
        "2026-003": (None, "open", "1250.50", "EUR", None),
    }),
    ("maven_slice.csv", "maven-crm", None, {
        "1C1I7A6R": (None, "won", "1054.00", "USD", date(2017, 3, 1)),
        "KWVA7VR1": (None, "lost", "0.00", "USD", date(2017, 3, 18)),
        "HAXMC4IX": (None, "open", "0.00", "USD", None),
    }),
])
def test_every_preset_imports_its_sample_export(people, name, preset, options, expected):
    report = run(FIXTURES / name, preset, options=options)
    assert report.ok, report.errors
    assert report.added == report.rows_read == count(Sale)
    for crm_id, (person, stage, amount, currency, closed_on) in expected.items():
        s = sale(crm_id)
        assert s.user_id == (people[person] if person else None), crm_id
        assert (s.stage, s.amount, s.currency, s.closed_on) == \
            (stage, Decimal(amount), currency, closed_on), crm_id


def test_sample_values_beyond_the_basics(people):
    run(FIXTURES / "generic.csv")
    first = sale("D-1001")
    assert (first.customer_key, first.customer_name, first.product) == ("C-01", "Acme BV",
                                                                           "Pro licence")
    assert (first.satisfaction, first.satisfaction_scale) == (4.0, 5)
    assert (first.complaint_on, first.complaint_resolved_on, first.follow_up_on) == \
        (date(2026, 2, 20), date(2026, 2, 25), date(2026, 2, 17))
    assert sale("D-1003").owner_crm_id == "CRM-77"
    run(FIXTURES / "hubspot_deals.csv", "hubspot")
    assert sale("9876543210").satisfaction_scale == 10
    assert sale("9876543212").customer_key == "445566"  # the first of several companies
    run(FIXTURES / "excel_nl.csv")
    assert sale("NL-2").product == "Kassasysteem incl. installatie"
    assert sale("NL-1").satisfaction == 8.5


# Messy files -------------------------------------------------------------------------------

MESSY = "crm_id{d}owner_name{d}stage{d}closed_on{d}amount"


@pytest.mark.parametrize(("data", "amount", "closed_on"), [
    pytest.param(b"crm_id;owner_name;stage;closed_on;amount\nM1;Anna;won;2026-01-31;12,50\n",
                 "12.50", date(2026, 1, 31), id="semicolons-decimal-comma"),
    pytest.param("\ufeffcrm_id,owner_name,stage,closed_on,amount\nM1,Anna,won,2026-01-31,7\n"
                 .encode(), "7.00", date(2026, 1, 31), id="bom"),
    pytest.param(b"crm_id,owner_name,stage,closed_on,amount\r\nM1,Anna,won,2026-01-31,7\r\n",
                 "7.00", date(2026, 1, 31), id="crlf"),
    pytest.param(b'crm_id,owner_name,stage,closed_on,amount\nM1,Anna,won,2026-01-31,"1,234.56"\n',
                 "1234.56", date(2026, 1, 31), id="thousands-comma"),
    pytest.param("crm_id;owner_name;stage;closed_on;amount\nM1;Anna;won;31-01-2026;€ 1.234,56\n"
                 .encode(), "1234.56", date(2026, 1, 31), id="euro-sign-dayfirst"),
    pytest.param("crm_id;owner_name;stage;closed_on;amount\nM1;Anna;won;31/01/2026;1\u00a0234,56\n"
                 .encode(), "1234.56", date(2026, 1, 31), id="nbsp-thousands-slash-date"),
    pytest.param(b"crm_id\towner_name\tstage\tclosed_on\tamount\nM1\tAnna\twon\t2026-01-31\t3\n",
                 "3.00", date(2026, 1, 31), id="tabs"),
    pytest.param(b"crm_id,owner_name,stage,closed_on,amount\n\n\nM1,Anna,won,2026-01-31,3\n\n",
                 "3.00", date(2026, 1, 31), id="blank-lines"),
    pytest.param(b'crm_id,owner_name,stage,closed_on,amount\nM1,"Anna\nde Vries",won,'
                 b"2026-01-31,3\n", "3.00", date(2026, 1, 31), id="quoted-line-break"),
    pytest.param(b"crm_id;owner_name;stage;closed_on;amount\nM1;Anna;won;02/01/2026;1.234\n"
                 b"M2;Anna;won;13/01/2026;1.234,5\n", "1234.00", date(2026, 1, 2),
                 id="ambiguous-values-decided-by-later-rows"),
    pytest.param(b"crm_id,owner_name,stage,closed_on,amount\nM1,Anna,won,02/01/2026,5\n"
                 b"M2,Anna,won,01/13/2026,5\n", "5.00", date(2026, 2, 1),
                 id="month-first-detected"),
])
def test_messy_exports_are_read_as_meant(app, data, amount, closed_on):
    report = run(data)
    assert report.ok, report.errors
    m1 = sale("M1")
    assert (m1.amount, m1.closed_on) == (Decimal(amount), closed_on)


def test_options_decide_what_the_file_cannot(app):
    data = b"crm_id,owner_name,stage,closed_on,amount\nM1,Anna,won,03/01/2026,\"1,500\"\n"
    report = preview(data)
    assert "assumed day-first" in report.formats.dayfirst_reason
    assert "could be read either way" in report.formats.decimal_reason
    run(data, options=ImportOptions(dayfirst=False, decimal="comma"))
    assert (sale("M1").closed_on, sale("M1").amount) == (date(2026, 3, 1), Decimal("1.50"))


def test_a_value_against_a_forced_option_is_an_error_naming_the_other_option(app):
    data = b"crm_id,owner_name,stage,closed_on,amount\nM1,Anna,won,31/01/2026,5\n"
    report = run(data, options=ImportOptions(dayfirst=False))
    assert [(e.line, e.column) for e in report.errors] == [(2, "closed_on")]
    assert "use the day-first option if that is wrong" in report.errors[0].message


# Bad rows: every problem with its line, nothing written ---------------------------------------

@pytest.mark.parametrize(("lines", "expected"), [
    ([good_row(), ",anna@example.com,Anna,Acme,Pro,won,2026-01-05,2026-02-01,5,EUR,,,,"],
     [(3, "crm_id", "the deal id is missing")]),
    ([good_row(amount="12 apples")], [(2, "amount", "'12 apples' is not an amount")]),
    ([good_row(), "D2,a@example.com,A,Acme,Pro,won,2026-01-05,31-02-2026,5,EUR,,,,"],
     [(3, "closed_on", "'31-02-2026' is not a date")]),
    (["D2,a@example.com,A,Acme,Pro,Closed,2026-01-05,2026-02-01,5,EUR,,,,"],
     [(2, "stage", "unknown stage 'Closed'")]),
    (["D2,a@example.com,A,Acme,Pro,won,2026-01-05,2026-02-01,5,EUR,7,5,,"],
     [(2, "satisfaction", "7 is outside the scale 1-5")]),
    (["D2,a@example.com,A,Acme,Pro,won,2026-01-05,2026-02-01,5,EUR,,,2026-03-05,2026-03-01"],
     [(2, "complaint_resolved_on", "resolved (2026-03-01) before it was raised")]),
    ([good_row("D1"), good_row("D2"), good_row("D1")],
     [(4, "crm_id", "the deal id 'D1' appears more than once (first on line 2)")]),
    ([good_row(), "D2,a@example.com,A,Acme,Pro,won,2026-01-05,2026-02-01,5,EUR,,,,,extra"],
     [(3, None, "expected 14 fields, found 15")]),
    (['D2,a@example.com,"A', 'B",Acme,Pro,won,2026-01-05,2026-02-01,5,EUR,,,,',
      "D3,,,Acme,Pro,won,2026-01-05,2026-02-01,5,EUR,,,,"],
     [(4, "owner_email", "the salesperson is missing")]),  # a record starts on line 2
    ([good_row(), 'D2,a@example.com,"A,Acme,Pro,won,2026-01-05,2026-02-01,5,EUR,,,,',
      good_row("D3")],
     [(3, None, "found 3 (is a quote opened here and never closed?)")]),
])
def test_each_kind_of_bad_row_is_reported_with_its_line_and_nothing_is_written(
        app, lines, expected):
    report = run(rows(*lines))
    assert not report.ok
    found = [(e.line, e.column, e.message) for e in report.errors]
    assert [(line, column) for line, column, _ in found] == [(n, c) for n, c, _ in expected]
    for (_, _, message), (_, _, wanted) in zip(found, expected, strict=True):
        assert wanted in message
    assert (count(Sale), count(SalesImport), count(SaleChange)) == (0, 0, 0)


@pytest.mark.parametrize(("last", "message"), [
    (good_row("D99", amount="x").encode(), "'x' is not an amount"),
    (good_row("D3").encode(), "the deal id 'D3' appears more than once"),
    (good_row("D99").encode().replace(b"Anna", b"Ann\xe9"), "the file is not UTF-8 text"),
])
def test_a_bad_row_after_many_written_batches_still_writes_nothing(app, monkeypatch, last,
                                                                   message):
    """On PostgreSQL the good rows stream into the table during the check: all must go."""
    monkeypatch.setattr("lms.sales.importer.BATCH", 10)
    data = rows(*(good_row(f"D{i}") for i in range(60))) + last + b"\n"
    report = run(data)
    assert not report.ok and message in report.errors[0].message
    assert (count(Sale), count(SalesImport), count(SaleChange)) == (0, 0, 0)
    assert run(rows(good_row("D1"))).added == 1 and count(SalesImport) == 1


@pytest.mark.parametrize(("data", "line", "message"), [
    (b"crm_id,owner_name,amount\nD1,A,5\n", 1, "no column for the deal stage (stage)"),
    (b"crm_id,owner_name,stage\nD1,A\xe9,won\n", 2, "the file is not UTF-8 text"),
    (HEADER.encode() + b"\n", 2, "the file has a header but no deals"),
    (b"", 1, "the file is empty"),
])
def test_files_that_cannot_be_read_say_why(app, data, line, message):
    report = run(data)
    assert [(e.line, message in e.message) for e in report.errors] == [(line, True)]
    assert count(Sale) == 0


def test_all_errors_are_collected_and_a_bad_row_among_changes_writes_nothing(app):
    run(rows(good_row("D1"), good_row("D2")))
    report = run(rows(good_row("D1", amount="999"), good_row("D3"), good_row("D4", amount="x"),
                      "D5,,,Acme,Pro,Closed,2026-01-05,2026-02-01,5,EUR,,,,"))
    assert report.rejected == 2 and report.error_count == 3
    assert [e.line for e in report.errors] == [4, 5, 5]
    assert sale("D1").amount == Decimal("100.00") and sale("D3") is None
    assert count(SalesImport) == 1


def test_a_dry_run_counts_but_writes_nothing(app):
    run(rows(good_row("D1")))
    report = run(rows(good_row("D1", amount="5"), good_row("D2")), dry_run=True)
    assert (report.added, report.updated, report.unchanged) == (1, 1, 0)
    assert report.import_id is None and count(Sale) == 1 and count(SalesImport) == 1


# Idempotent upsert and undo -------------------------------------------------------------------

def test_importing_the_same_file_twice_changes_nothing(people):
    first = run(FIXTURES / "hubspot_deals.csv", "hubspot")
    before = [tuple(r) for r in db.session.execute(select(Sale.__table__)).all()]
    second = run(FIXTURES / "hubspot_deals.csv", "hubspot")
    assert (first.added, first.updated, first.unchanged) == (4, 0, 0)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 4)
    assert [tuple(r) for r in db.session.execute(select(Sale.__table__)).all()] == before
    assert count(SaleChange) == 0  # added deals carry their import's id; nothing was updated
    log = db.session.scalars(select(SalesImport).order_by(SalesImport.id)).all()
    assert [(i.rows_read, i.added, i.unchanged) for i in log] == [(4, 4, 0), (4, 0, 4)]
    assert log[0].file_hash == log[1].file_hash and len(log[0].file_hash) == 64


def test_undo_restores_previous_values_and_removes_added_deals(app):
    one = run(rows(good_row("D1"), good_row("D2")))
    two = run(rows(good_row("D1", amount="150"), good_row("D2"), good_row("D3")))
    assert (two.added, two.updated, two.unchanged) == (1, 1, 1)
    assert sale("D1").amount == Decimal("150.00") and sale("D1").import_id == two.import_id

    with pytest.raises(Exception, match=f"import #{two.import_id} changed 1 of its deals"):
        undo_import(one.import_id)
    db.session.rollback()

    result = undo_import(two.import_id)
    db.session.commit()
    assert (result.deleted, result.restored) == (1, 1)
    assert sale("D1").amount == Decimal("100.00") and sale("D1").import_id == one.import_id
    assert sale("D3") is None and sale("D2") is not None
    with pytest.raises(Exception, match="already undone"):
        undo_import(two.import_id)
    db.session.rollback()

    undo_import(one.import_id)
    db.session.commit()
    assert count(Sale) == 0
    assert all(i.undone_at for i in db.session.scalars(select(SalesImport)))


def test_undo_is_refused_while_a_later_import_holds_a_deal_it_added(app):
    one = run(rows(good_row("D1"), good_row("D2")))
    two = run(rows(good_row("D2", amount="250"), good_row("D3")))
    with pytest.raises(Exception, match=rf"import #{two.import_id} changed 1 of its deals "
                       r"\(e\.g\. .D2.\)"):
        undo_import(one.import_id)
    db.session.rollback()
    assert count(Sale) == 3

    assert (undo_import(two.import_id).deleted, undo_import(one.import_id).deleted) == (1, 2)
    db.session.commit()
    assert count(Sale) == 0


def test_undo_of_an_import_logged_the_old_way_with_a_row_per_added_deal(app):
    one = run(rows(good_row("D1"), good_row("D2")))
    db.session.add_all(SaleChange(import_id=one.import_id, crm_id=c, action="added")
                       for c in ("D1", "D2"))
    db.session.commit()
    two = run(rows(good_row("D1", amount="150"), good_row("D3")))
    with pytest.raises(Exception, match=rf"import #{two.import_id} changed 1 of its deals"):
        undo_import(one.import_id)
    db.session.rollback()
    undo_import(two.import_id)
    result = undo_import(one.import_id)
    db.session.commit()
    assert (result.deleted, result.restored, count(Sale)) == (2, 0, 0)


def _export(deals: range, amount: str) -> bytes:
    # Values COPY's text format must escape (a backslash; the tab becomes a space, as in any
    # name) and empty ones (NULL).
    return rows(*(f"X{i},rep{i % 7}@example.com,Rep,\"Acme\tB\\V {i % 3}\",Pro\\Plus,"
                  f"{'won' if i % 2 else 'open'},2026-01-05,{'2026-02-01' if i % 2 else ''},"
                  f"{amount},EUR,{i % 5 + 1 if i % 2 else ''},{5 if i % 2 else ''},,"
                  for i in deals))


def _stored() -> list[tuple]:
    return [tuple(r) for r in db.session.execute(
        select(*(c for c in Sale.__table__.c if c.name != "id")).order_by(Sale.crm_id))]


def test_a_large_import_in_batches_round_trips_through_undo(app, monkeypatch):
    """Several write batches (COPY on PostgreSQL): a first import into the empty table, a second
    that adds, updates and leaves deals alone, then undo back to each earlier state."""
    monkeypatch.setattr("lms.sales.importer.BATCH", 40)
    make_user(email="rep3@example.com")
    one = run(_export(range(0, 150), "10.00"))
    assert (one.added, one.updated, one.unchanged, count(Sale)) == (150, 0, 0, 150)
    after_one = _stored()
    assert after_one[0][1:8] == (None, "rep0@example.com", None, "Rep", "acme b\\v 0",
                                 "Acme B\\V 0", "Pro\\Plus")
    won = sale("X1")
    assert (won.stage, won.closed_on, won.amount, won.satisfaction, won.satisfaction_scale) == \
        ("won", date(2026, 2, 1), Decimal("10.00"), 2.0, 5)
    assert sale("X0").closed_on is None and sale("X0").satisfaction is None
    assert sale("X3").user_id is not None

    two = run(_export(range(100, 250), "12.50") + _export(range(50, 100), "10.00")[len(HEADER):])
    assert (two.added, two.updated, two.unchanged, count(Sale)) == (100, 50, 50, 250)
    assert sale("X120").amount == Decimal("12.50") and sale("X60").import_id == one.import_id

    assert (undo_import(two.import_id).deleted, count(Sale)) == (100, 150)
    db.session.commit()
    assert _stored() == after_one
    undo_import(one.import_id)
    db.session.commit()
    assert count(Sale) == 0


# Owners who have no account yet -------------------------------------------------------------

def test_unmatched_owners_are_kept_listed_and_linked_when_the_person_appears(app):
    data = rows(good_row("D1", owner="new.hire@example.com"),
                good_row("D2", owner="new.hire@example.com"),
                "D3,,Piet  Jansen,Acme,Pro,open,2026-01-05,,5,EUR,,,,")
    report = run(data)
    assert report.ok and report.matched_rows == 0
    assert [(o.label, o.rows) for o in report.unmatched] == [
        ("Anna <new.hire@example.com>", 2), ("Piet Jansen", 1)]
    assert db.session.scalar(select(func.count()).where(Sale.user_id.is_(None))) == 3

    hire = make_user(email="New.Hire@example.com")  # by email, whatever its case
    assert [s.user_id for s in (sale("D1"), sale("D2"))] == [hire.id, hire.id]
    piet = make_user(name="Pieter Jansen", crm_names=("piet jansen",))  # by CRM name alias
    assert sale("D3").user_id == piet.id
    # A re-import leaves the linked deals as they are.
    assert run(data).unchanged == 3


def test_a_crm_id_alias_added_later_links_the_deals(app):
    run(b"crm_id,owner_crm_id,stage\nD9,005XYZ,open\n")
    person = make_user(email="later@example.com")
    assert sale("D9").user_id is None
    update_user(person, PersonFields(email=person.email, name=person.name, role=Role.LEARNER,
                                     crm_ids=["005xyz"]))
    db.session.commit()
    assert sale("D9").user_id == person.id


# The real dataset ----------------------------------------------------------------------------

@pytest.mark.skipif(not (MAVEN / "sales_pipeline.csv").exists(),
                    reason="needs ../shared/data/crm-sales-opportunities (CI has it)")
def test_the_real_crm_dataset_imports_completely_with_the_same_won_revenue_per_agent(app):
    path = MAVEN / "sales_pipeline.csv"
    expected: dict[str, Decimal] = defaultdict(Decimal)
    with path.open(newline="", encoding="utf-8") as fh:
        source = list(csv.DictReader(fh))
    for row in source:
        if row["deal_stage"] == "Won":
            expected[row["sales_agent"]] += Decimal(row["close_value"])

    report = run(path, "maven-crm")
    assert report.ok, report.errors[:5]
    assert (report.rows_read, report.added, report.rejected) == (len(source), 8800, 0)
    assert len(report.unmatched) == 30  # nobody has an account: all kept, none dropped
    won = dict(db.session.execute(
        select(Sale.owner_name, func.sum(Sale.amount)).where(Sale.stage == "won")
        .group_by(Sale.owner_name)).all())
    assert {k: Decimal(v).quantize(Decimal("1")) for k, v in won.items()} == dict(expected)
    assert sum(expected.values()) == Decimal("10005534")  # the README's total


# On the command line ---------------------------------------------------------------------------

def test_cli_import_prints_the_counts_and_the_log(runner, people):
    path = FIXTURES / "salesforce_report.csv"
    result = runner.invoke(args=["sales", "import", str(path), "--preset", "salesforce"])
    assert result.exit_code == 0, result.output
    assert "Rows read: 5, added: 5, updated: 0, unchanged: 0, rejected: 0" in result.output
    assert "Piet Jansen: 2" in result.output  # listed, kept
    result = runner.invoke(args=["sales", "import", str(path), "--preset", "salesforce"])
    assert "Rows read: 5, added: 0, updated: 0, unchanged: 5, rejected: 0" in result.output
    result = runner.invoke(args=["sales", "imports"])
    assert result.exit_code == 0 and "salesforce_report.csv" in result.output
    result = runner.invoke(args=["sales", "undo", "2"])
    assert result.exit_code == 0 and "0 deals deleted" in result.output
    result = runner.invoke(args=["sales", "undo", "1"])
    assert "5 deals deleted" in result.output and count(Sale) == 0


def test_cli_errors_name_file_line_and_column_and_write_nothing(runner, tmp_path):
    bad = tmp_path / "deals.csv"
    bad.write_bytes(rows(good_row("D1"), good_row("D2", amount="12 apples")))
    result = runner.invoke(args=["sales", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: amount: '12 apples' is not an amount" in result.output
    assert "nothing was imported" in result.output
    assert count(Sale) == 0 and count(SalesImport) == 0


def test_cli_options_dry_run_and_yaml_preset(runner, tmp_path):
    data = tmp_path / "us.csv"
    data.write_bytes(b"crm_id,owner_name,stage,closed_on,amount\nU1,Al,won,03/01/2026,5\n")
    result = runner.invoke(args=["sales", "import", str(data), "--monthfirst", "--dry-run",
                                 "--currency", "usd"])
    assert result.exit_code == 0, result.output
    assert "dates month-first (given)" in result.output and "Dry run" in result.output
    assert count(Sale) == 0
    result = runner.invoke(args=["sales", "import", str(FIXTURES / "custom_nl.csv"),
                                 "--preset", str(FIXTURES / "custom_nl.yaml")])
    assert result.exit_code == 0, result.output and count(Sale) == 3
    result = runner.invoke(args=["sales", "import", str(data), "--preset", "pipedrive"])
    assert result.exit_code == 1 and "Unknown preset 'pipedrive'" in result.output


# The pages ---------------------------------------------------------------------------------------

def _manager(app):  # noqa: ANN001, ANN202
    make_user(Role.MANAGER, email="boss@example.com")
    client = app.test_client()
    login(client, "boss@example.com")
    return client


def _upload(client, data: bytes, name: str = "deals.csv", **fields):  # noqa: ANN001, ANN003, ANN202
    form = {"csrf_token": page_token(client, "/manage/sales/import"), "preset": "generic",
            "file": (io.BytesIO(data), name), **fields}
    return client.post("/manage/sales/import", data=form, content_type="multipart/form-data")


def test_upload_preview_then_confirm(app, people):
    client = _manager(app)
    response = _upload(client, (FIXTURES / "hubspot_deals.csv").read_bytes(), "deals.csv",
                       preset="hubspot")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The file is valid: 4 deals" in page and "Import these 4 deals" in page
    assert "Mo El Amrani" in page and "Salespeople without an account (1)" in page
    assert "Anna de Vries" in page and "9876543212" in page
    uploads = Path(app.instance_path) / "uploads"
    assert len(list(uploads.iterdir())) == 1 and count(Sale) == 0

    response = client.post("/manage/sales/import/confirm", data={"csrf_token": csrf_from(page)})
    page = response.get_data(as_text=True)
    assert "Import #1 finished" in page and "Mo El Amrani" in page
    assert count(Sale) == 4 and list(uploads.iterdir()) == []
    imported = db.session.scalar(select(SalesImport))
    assert imported.imported_by.email == "boss@example.com" and imported.source == "deals.csv"
    # Confirming twice imports nothing more: the file is gone.
    response = client.post("/manage/sales/import/confirm", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and count(SalesImport) == 1


def test_upload_with_errors_shows_every_problem_and_keeps_nothing(app):
    client = _manager(app)
    page = _upload(client, rows(good_row("D1"), good_row("D2", amount="x"),
                                good_row("D1"))).get_data(as_text=True)
    assert "Nothing was imported: 2 problems in 2 rows to fix" in page
    assert "<td>3</td><td>amount</td>" in page and "<td>4</td><td>crm_id</td>" in page
    assert "Import these" not in page
    assert list((Path(app.instance_path) / "uploads").iterdir()) == []
    assert count(Sale) == 0


def test_cancel_discards_the_upload(app):
    client = _manager(app)
    page = _upload(client, rows(good_row())).get_data(as_text=True)
    response = client.post("/manage/sales/import/cancel", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert list((Path(app.instance_path) / "uploads").iterdir()) == []


def test_the_log_page_lists_imports_and_unmatched_owners_and_undoes(app):
    run(rows(good_row("D1", owner="ghost@example.com")))
    client = _manager(app)
    page = client.get("/manage/sales/").get_data(as_text=True)
    assert "upload.csv" in page and "Anna &lt;ghost@example.com&gt;" in page
    assert 'aria-label="Undo import 1"' in page
    assert client.post("/manage/sales/imports/1/undo").status_code == 400  # no CSRF token
    response = client.post("/manage/sales/imports/1/undo", data={"csrf_token": csrf_from(page)},
                           follow_redirects=True)
    assert "Import #1 undone: 1 deal removed." in response.get_data(as_text=True)
    assert count(Sale) == 0


@pytest.mark.parametrize("url", ["/manage/sales/", "/manage/sales/import"])
def test_only_managers_and_admins_may_import(app, url):
    make_user(Role.LEARNER, email="rep@example.com")
    make_user(Role.TRAINER, email="trainer@example.com")
    make_user(Role.ADMIN, email="root@example.com")
    assert app.test_client().get(url).status_code == 302  # to the login page
    for email, status in [("rep@example.com", 403), ("trainer@example.com", 403),
                          ("root@example.com", 200)]:
        client = app.test_client()
        login(client, email)
        assert client.get(url).status_code == status, email


# The API ---------------------------------------------------------------------------------------

def _api(client, token: str | None, body):  # noqa: ANN001, ANN202
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/sales", json=body, headers=headers)


RECORD = {"crm_id": "A1", "owner_email": "anna@example.com", "stage": "won",
          "closed_on": "2026-02-01", "amount": 1234.5, "currency": "EUR"}


def test_api_requires_a_manager_token(app, client):
    learner = make_user(Role.LEARNER)
    manager = make_user(Role.MANAGER)
    _, learner_token = create_token(learner)
    _, manager_token = create_token(manager)
    db.session.commit()
    assert _api(client, None, {"records": [RECORD]}).status_code == 401
    assert _api(client, "vk_wrong", {"records": [RECORD]}).status_code == 401
    assert _api(client, learner_token, {"records": [RECORD]}).status_code == 403
    response = _api(client, manager_token, {"records": [RECORD]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["ok"], body["added"], body["import_id"]) == (True, 1, 1)
    assert body["unmatched_owners"] == [{"email": "anna@example.com", "crm_id": None,
                                         "name": None, "deals": 1}]
    assert sale("A1").amount == Decimal("1234.50")
    assert db.session.scalar(select(SalesImport.source)) == "api"
    again = _api(client, manager_token, {"records": [RECORD]}).get_json()
    assert (again["added"], again["unchanged"]) == (0, 1)


def test_api_validation_errors_carry_the_record_index_and_field(app, client):
    _, token = create_token(make_user(Role.ADMIN))
    db.session.commit()
    records = [RECORD, {**RECORD, "crm_id": "A2", "amount": "lots", "stage": "Closed"},
               {**RECORD, "crm_id": "A1"}, {**RECORD, "crm_id": "A4", "colour": "red"}]
    response = _api(client, token, {"records": records[:3]})
    assert response.status_code == 422
    body = response.get_json()
    assert [(e["index"], e["field"]) for e in body["errors"]] == [
        (1, "stage"), (1, "amount"), (2, "crm_id")]
    assert body["written"] is False and count(Sale) == 0
    response = _api(client, token, {"records": records})
    assert response.get_json()["errors"][0]["field"] == "colour"
    for bad in ({}, {"records": "A1"}, {"records": [], "dry_run": "yes"},
                {"records": [], "options": {"decimal": "dot"}}):
        assert _api(client, token, bad).status_code == 400, bad


def test_api_dry_run_and_options(app, client):
    _, token = create_token(make_user(Role.MANAGER))
    db.session.commit()
    record = {"crm_id": "B1", "owner_name": "Anna", "stage": "won", "closed_on": "03/01/2026",
              "amount": "1.500", "satisfaction": 8}
    body = {"records": [record], "dry_run": True,
            "options": {"dayfirst": False, "decimal": "comma", "satisfaction_scale": 10}}
    response = _api(client, token, body)
    assert response.get_json()["added"] == 1 and count(Sale) == 0
    body["dry_run"] = False
    assert _api(client, token, body).status_code == 200
    assert (sale("B1").closed_on, sale("B1").amount) == (date(2026, 3, 1), Decimal("1500.00"))


def test_import_records_is_the_service_other_code_uses(app):
    report = import_records([{"crm_id": "S1", "owner_email": "x@example.com", "stage": "won",
                              "closed_on": date(2026, 1, 2), "amount": Decimal("10.5"),
                              "satisfaction": 4, "satisfaction_scale": 5}], source="demo")
    db.session.commit()
    assert report.ok and report.added == 1
    assert (sale("S1").closed_on, sale("S1").amount) == (date(2026, 1, 2), Decimal("10.50"))
    assert db.session.scalar(select(User).where(User.email == "x@example.com")) is None


def test_formats_assumed_after_the_first_rows_are_checked_in_the_full_pass(app, monkeypatch):
    import lms.sales.sources

    monkeypatch.setattr(lms.sales.sources, "DETECT_ROWS", 2)
    head = "crm_id,owner_name,stage,closed_on,amount"
    iso = [f"I{i},Anna,won,2026-01-0{i},5" for i in range(1, 4)]
    report = run(rows(*iso, "M1,Anna,won,03/01/2026,5", "M2,Anna,won,13/01/2026,5",
                      header=head))
    assert report.ok and sale("M1").closed_on == date(2026, 1, 3)
    assert report.formats.dayfirst_reason == "detected from line 6, closed_on '13/01/2026'"
    report = run(rows(*iso, "M1,Anna,won,03/01/2026,5", "M2,Anna,won,01/13/2026,5",
                      header=head))
    assert [(e.line, e.column) for e in report.errors] == [(6, "closed_on")]
    assert "use the month-first option" in report.errors[0].message
    assert "line 5, closed_on '03/01/2026' could be read either way" in \
        report.formats.dayfirst_reason
