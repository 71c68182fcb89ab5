"""The CRM import's pure parts: reading messy CSV, amounts, dates, stages, presets, row checks."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest

from lms.errors import DomainError
from lms.sales.parsing import (
    ReadError,
    date_readings,
    number_readings,
    parse_amount,
    parse_date,
    parse_flag,
    parse_satisfaction,
    parse_scale,
    parse_stage,
    read_table,
    sniff_delimiter,
)
from lms.sales.presets import (
    FIELDS,
    GENERIC,
    HUBSPOT,
    MAVEN,
    SALESFORCE,
    HeaderError,
    get_preset,
    header_key,
    load_preset_yaml,
)
from lms.sales.validation import Defaults, Formats, RowChecker

# Reading the file -----------------------------------------------------------------------------


def table(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    t = read_table(io.BytesIO(data))
    return t.header, list(t.rows), t.delimiter


@pytest.mark.parametrize(("line", "expected"), [
    ("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"), ("name", ","),
    ('"Amount, in EUR";"Owner";"Stage"', ";"), ("a;b,c", ","),
])
def test_the_separator_is_the_one_the_header_uses_most_outside_quotes(line, expected):
    assert sniff_delimiter(line) == expected


def test_bom_crlf_semicolons_blank_lines_and_quoted_line_breaks():
    data = ("\ufeffcrm_id;product;amount\r\n"
            "A1;Kassa;€ 1.234,56\r\n"
            "\r\n"
            'A2;"Kassa\r\nmet installatie";10\r\n'
            "   \r\n"
            "A3;Weegschaal;5\r\n").encode()
    header, rows, delimiter = table(data)
    assert delimiter == ";"
    assert header == ["crm_id", "product", "amount"]  # no BOM glued to the first name
    # Lines count from the header (1); a record is reported where it starts.
    assert rows == [(2, ["A1", "Kassa", "€ 1.234,56"]),
                    (4, ["A2", "Kassa\r\nmet installatie", "10"]),
                    (7, ["A3", "Weegschaal", "5"])]


def test_excel_sep_line_sets_the_separator_and_lines_still_count_from_the_top():
    header, rows, delimiter = table(b"sep=;\ncrm_id;amount,eur\nA1;1,5\n")
    assert delimiter == ";" and header == ["crm_id", "amount,eur"]
    assert rows == [(3, ["A1", "1,5"])]


def test_tabs_and_old_mac_free_lf_files():
    header, rows, _ = table(b"crm_id\tamount\nA1\t3\n")
    assert header == ["crm_id", "amount"] and rows == [(2, ["A1", "3"])]


@pytest.mark.parametrize(("data", "line", "message"), [
    (b"", 1, "empty"),
    (b"\n\n", 1, "empty"),
    (b"crm_id,amount\nA1,1\nA2,\xff\xfe\n", 3, "not UTF-8"),
])
def test_unreadable_files_name_the_line(data, line, message):
    with pytest.raises(ReadError) as caught:
        table(data)
    assert caught.value.line == line and message in caught.value.message


# Amounts ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "decimal", "value", "currency"), [
    ("1234", "point", "1234.00", None),
    ("1234", "comma", "1234.00", None),
    ("1234.5", "point", "1234.50", None),
    ("€ 1.234,56", "comma", "1234.56", "EUR"),
    ("€1.234.567,89", "comma", "1234567.89", "EUR"),
    ("1,234.56", "point", "1234.56", None),
    ("1 234,56", "comma", "1234.56", None),
    ("1\u00a0234,56 €", "comma", "1234.56", "EUR"),
    ("1'234.50", "point", "1234.50", None),
    ("USD 12,500.00", "point", "12500.00", "USD"),
    ("12,34 EUR", "comma", "12.34", "EUR"),
    ("$1,234", "point", "1234.00", "USD"),
    ("1,234", "point", "1234.00", None),  # ambiguous: the file's mark decides
    ("1,234", "comma", "1.23", None),
    ("1.234", "comma", "1234.00", None),
    ("€ 899,-", "comma", "899.00", "EUR"),
    ("0,125", "comma", "0.13", None),  # rounded half up to cents
    (",5", "comma", "0.50", None),
])
def test_amounts_as_excel_versions_write_them(raw, decimal, value, currency):
    assert parse_amount(raw, decimal) == (Decimal(value), currency)


@pytest.mark.parametrize(("raw", "message"), [
    ("abc", "is not an amount"),
    ("12 apples", "is not an amount"),
    ("1.2.3", "is not an amount"),
    ("1,23,4", "is not an amount"),
    ("-5", "negative"),
    ("(1,234.00)", "negative"),
    ("EUR 5 USD", "two currencies"),
    ("1234567890123", "too large"),
])
def test_bad_amounts_say_what_is_wrong(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_amount(raw, "point")


@pytest.mark.parametrize(("raw", "decimal", "option"), [
    ("€ 1.234,56", "point", "decimal comma"), ("1,234.56", "comma", "decimal point"),
])
def test_an_amount_that_contradicts_the_files_decimal_mark_is_an_error(raw, decimal, option):
    # A file that mixes both marks cannot be read safely: its ambiguous values might be
    # either. The message names the option that would read it the other way.
    with pytest.raises(ValueError, match=f"use the {option} option if that is wrong"):
        parse_amount(raw, decimal)


def test_number_readings_tell_which_decimal_marks_a_value_allows():
    assert number_readings("1.234,56") == {"comma": Decimal("1234.56")}
    assert number_readings("1,234.56") == {"point": Decimal("1234.56")}
    assert number_readings("1,234") == {"comma": Decimal("1.234"), "point": Decimal("1234")}
    assert number_readings("0.5") == {"point": Decimal("0.5")}  # "0.5" is no thousands group
    assert number_readings("12") == {"comma": Decimal("12"), "point": Decimal("12")}
    assert number_readings("x") == {}


# Dates ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "dayfirst", "expected"), [
    ("2026-01-31", True, date(2026, 1, 31)),
    ("2026-01-31", False, date(2026, 1, 31)),
    ("2024-05-02T09:30:12.000Z", True, date(2024, 5, 2)),
    ("2024-05-02 09:30", False, date(2024, 5, 2)),
    ("2017-3-1", True, date(2017, 3, 1)),
    ("31-01-2026", True, date(2026, 1, 31)),
    ("31/01/2026", True, date(2026, 1, 31)),
    ("31.01.2026", True, date(2026, 1, 31)),
    ("03/01/2026", True, date(2026, 1, 3)),
    ("03/01/2026", False, date(2026, 3, 1)),
    ("3/1/2017 9:30 AM", False, date(2017, 3, 1)),
    ("01/31/2026", False, date(2026, 1, 31)),
    ("31-01-26", True, date(2026, 1, 31)),
])
def test_iso_day_first_and_month_first_dates(raw, dayfirst, expected):
    assert parse_date(raw, dayfirst) == expected


@pytest.mark.parametrize(("raw", "dayfirst", "message"), [
    ("01/31/2026", True, "not a day-first date"),
    ("31/01/2026", False, "not a month-first date"),
    ("2026-02-30", True, "not a date"),
    ("32-01-2026", True, "not a date"),
    ("soon", True, "not a date"),
    ("2026-01-31 banana", True, "not a date"),
])
def test_bad_dates_say_how_the_file_is_read(raw, dayfirst, message):
    with pytest.raises(ValueError, match=message):
        parse_date(raw, dayfirst)


def test_date_readings_show_what_decides_the_order():
    assert set(date_readings("31-01-2026")) == {True}
    assert set(date_readings("01/31/2026")) == {False}
    assert set(date_readings("03/01/2026")) == {True, False}
    assert set(date_readings("01.02.2026")) == {True}  # dotted dates are day-first
    assert date_readings("nope") == {}


# Stages, flags, satisfaction -------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("Won", "won"), ("Closed Won", "won"), ("closedwon", "won"), ("CLOSED-WON", "won"),
    ("Gewonnen", "won"), ("Lost", "lost"), ("Closed Lost", "lost"), ("closedlost", "lost"),
    ("Prospecting", "open"), ("Engaging", "open"), ("Negotiation/Review", "open"),
    ("appointmentscheduled", "open"),
    ("Closed", None), ("1063991961", None), ("Won?? maybe lost", None), ("", None),
])
def test_stage_names(raw, expected):
    assert parse_stage(raw) == expected


def test_a_preset_can_name_its_own_stages():
    assert parse_stage("Getekend", {"getekend": "won"}) == "won"


@pytest.mark.parametrize(("raw", "expected"), [
    ("true", True), ("1", True), ("Yes", True), ("ja", True),
    ("false", False), ("0", False), ("No", False), ("nee", False),
])
def test_flags(raw, expected):
    assert parse_flag(raw) is expected


def test_a_flag_that_is_neither():
    with pytest.raises(ValueError, match="not yes/no"):
        parse_flag("maybe")


@pytest.mark.parametrize(("raw", "scale", "decimal", "expected"), [
    ("4", 5, "point", (4.0, 5)), ("4,5", 5, "comma", (4.5, 5)), ("0", 10, "point", (0.0, 10)),
    ("8/10", None, "point", (8.0, 10)), ("4 of 5", None, "point", (4.0, 5)),
    ("10", 10, "point", (10.0, 10)),
])
def test_satisfaction_with_its_scale(raw, scale, decimal, expected):
    assert parse_satisfaction(raw, scale, decimal) == expected


@pytest.mark.parametrize(("raw", "scale", "message"), [
    ("6", 5, "outside the scale 1-5"), ("0", 5, "outside the scale 1-5"),
    ("11", 10, "outside the scale 0-10"), ("good", 5, "not a number"),
    ("4", None, "needs its scale"), ("7/7", None, "not a satisfaction scale"),
])
def test_satisfaction_out_of_scale_or_without_one(raw, scale, message):
    with pytest.raises(ValueError, match=message):
        parse_satisfaction(raw, scale, "point")


@pytest.mark.parametrize(("raw", "expected"), [("5", 5), ("10", 10), ("1-5", 5), ("0–10", 10)])
def test_scales(raw, expected):
    assert parse_scale(raw) == expected


# Presets -------------------------------------------------------------------------------------

def test_header_names_match_whatever_their_case_spacing_and_underscores():
    assert header_key("\ufeffOpportunity  Owner ") == header_key("opportunity_owner")


@pytest.mark.parametrize(("preset", "header", "mapped"), [
    (SALESFORCE, ["Opportunity Owner", "Account Name", "Stage", "Amount", "Close Date",
                  "Created Date", "Opportunity ID", "Won", "Closed"],
     {"owner_name": 0, "customer_name": 1, "stage": 2, "amount": 3, "closed_on": 4,
      "created_on": 5, "crm_id": 6, "won": 7, "closed": 8}),
    (SALESFORCE, ["Id", "AccountId", "StageName", "Amount", "CloseDate", "OwnerId",
                  "CreatedDate", "IsWon", "IsClosed"],
     {"crm_id": 0, "customer_id": 1, "stage": 2, "amount": 3, "closed_on": 4,
      "owner_crm_id": 5, "created_on": 6, "won": 7, "closed": 8}),
    (HUBSPOT, ["Record ID", "Deal Stage", "Amount", "Deal owner", "Is Closed Won"],
     {"crm_id": 0, "stage": 1, "amount": 2, "owner": 3, "won": 4}),
    (MAVEN, ["opportunity_id", "sales_agent", "product", "account", "deal_stage",
             "engage_date", "close_date", "close_value"],
     {"crm_id": 0, "owner_name": 1, "product": 2, "customer_name": 3, "stage": 4,
      "created_on": 5, "closed_on": 6, "amount": 7}),
])
def test_presets_find_their_columns(preset, header, mapped):
    assert preset.resolve(header).index == mapped


def test_a_missing_column_is_named_with_what_was_expected():
    with pytest.raises(HeaderError) as caught:
        SALESFORCE.resolve(["Opportunity Owner", "Stage", "Amount"])
    assert caught.value.problems == [
        "no column for the CRM's deal id (crm_id): expected one of 'Opportunity ID', "
        "'Opportunity Id', 'Id'"]
    with pytest.raises(HeaderError) as caught:
        GENERIC.resolve(["crm_id", "amount"])
    assert len(caught.value.problems) == 2  # the stage and the salesperson


def test_columns_not_used_are_listed():
    columns = GENERIC.resolve(["crm_id", "owner_name", "stage", "notes"])
    assert columns.ignored == ["notes"]


def test_a_yaml_preset_maps_columns_stages_and_defaults():
    preset = load_preset_yaml("""
name: nl-crm
extends: generic
columns:
  crm_id: Dealnummer
  owner_name: [Verkoper, Accountmanager]
stages:
  Getekend: won
  Afgehaakt: LOST
currency: eur
satisfaction_scale: 10
dayfirst: true
decimal: comma
""")
    assert preset.name == "nl-crm" and preset.currency == "EUR"
    assert preset.columns["crm_id"] == ("Dealnummer",)
    assert preset.columns["owner_name"] == ("Verkoper", "Accountmanager")
    assert preset.columns["amount"] == ("amount",)  # from the generic preset it extends
    assert preset.stages == {"getekend": "won", "afgehaakt": "lost"}
    assert (preset.satisfaction_scale, preset.dayfirst, preset.decimal) == (10, True, "comma")


@pytest.mark.parametrize(("text", "message"), [
    ("columns: [", "not valid YAML"),
    ("- a\n- b", "expected a mapping"),
    ("colums: {}", "unknown key 'colums'"),
    ("columns:\n  deal: Id", "'deal' is not a field"),
    ("columns:\n  crm_id: ''", "must be a column name"),
    ("stages:\n  Signed: yes-ish", "must map to won, lost or open"),
    ("satisfaction_scale: 7", "5 or 10"),
    ("decimal: dot", "comma or point"),
    ("currency: euro", "three-letter code"),
    ("extends: pipedrive", "'extends' must be one of"),
])
def test_yaml_preset_mistakes_are_explained(text, message):
    with pytest.raises(DomainError) as caught:
        load_preset_yaml(text, source="mine.yaml")
    assert caught.value.message.startswith("mine.yaml: ") and message in caught.value.message


def test_unknown_preset_names_list_the_choices(tmp_path):
    with pytest.raises(DomainError, match="use one of generic, salesforce, hubspot, maven-crm"):
        get_preset("pipedrive")
    with pytest.raises(DomainError, match="does not exist"):
        get_preset(tmp_path / "missing.yaml")


# Checking rows ---------------------------------------------------------------------------------

TEMPLATE = list(FIELDS)


def check(values: dict[str, str], *, decimal: str = "point", dayfirst: bool = True,
          scale: int | None = None):
    checker = RowChecker(GENERIC.resolve(TEMPLATE), Formats(decimal, dayfirst),
                         Defaults(currency="EUR", satisfaction_scale=scale))
    base = {"crm_id": "D1", "owner_email": "anna@example.com", "stage": "won",
            "closed_on": "2026-02-01", "amount": "100"}
    base.update(values)
    return checker.check(7, [base.get(f, "") for f in TEMPLATE])


def test_a_good_row_becomes_a_record():
    record, errors = check({"owner_email": "Anna@Example.com ", "customer_name": "Acme  BV",
                            "created_on": "2026-01-01", "satisfaction": "4",
                            "satisfaction_scale": "5", "complaint_on": "2026-02-03",
                            "complaint_resolved_on": "2026-02-05"})
    assert errors == []
    assert record.line == 7 and record.owner_email == "anna@example.com"
    assert record.customer_key == "acme bv" and record.customer_name == "Acme BV"
    assert (record.stage, record.amount, record.currency) == ("won", Decimal("100.00"), "EUR")
    assert (record.satisfaction, record.satisfaction_scale) == (4.0, 5)


def test_open_deals_do_not_keep_the_forecast_close_date():
    record, errors = check({"stage": "Proposal", "closed_on": "2026-09-01", "amount": ""})
    assert errors == [] and record.stage == "open" and record.closed_on is None
    assert record.amount == Decimal("0.00")


@pytest.mark.parametrize(("values", "column", "message"), [
    ({"crm_id": ""}, "crm_id", "the deal id is missing"),
    ({"owner_email": ""}, "owner_email", "the salesperson is missing"),
    ({"owner_email": "anna(at)example"}, "owner_email", "is not an email address"),
    ({"stage": ""}, "stage", "the stage is missing"),
    ({"stage": "Closed"}, "stage", "unknown stage 'Closed'"),
    ({"amount": "12 apples"}, "amount", "'12 apples' is not an amount"),
    ({"amount": ""}, "amount", "a won deal needs its amount"),
    ({"closed_on": ""}, "closed_on", "a won deal needs its close date"),
    ({"closed_on": "31/02/2026"}, "closed_on", "is not a date"),
    ({"created_on": "yesterday"}, "created_on", "is not a date"),
    ({"satisfaction": "6", "satisfaction_scale": "5"}, "satisfaction", "outside the scale 1-5"),
    ({"satisfaction": "4"}, "satisfaction", "needs its scale"),
    ({"satisfaction": "4", "satisfaction_scale": "7"}, "satisfaction",
     "not a satisfaction scale"),
    ({"complaint_on": "2026-03-10", "complaint_resolved_on": "2026-03-01"},
     "complaint_resolved_on", "resolved (2026-03-01) before it was raised (2026-03-10)"),
    ({"complaint_resolved_on": "2026-03-01"}, "complaint_resolved_on", "never raised"),
    ({"currency": "euro"}, "currency", "is not a currency code"),
    ({"amount": "USD 5", "currency": "EUR"}, "amount", "in USD but the currency column says EUR"),
    ({"won": "maybe"}, "won", "not yes/no"),
    ({"won": "false", "stage": "Closed Won"}, "stage", "says won but the won column says no"),
    ({"crm_id": "x" * 101}, "crm_id", "longer than 100 characters"),
])
def test_each_kind_of_bad_value_is_reported_with_line_and_column(values, column, message):
    record, errors = check(values)
    assert record is None
    assert [(e.line, e.column) for e in errors] == [(7, column)]
    assert message in errors[0].message


def test_flags_beat_stage_names():
    assert check({"stage": "Signed", "won": "1", "closed": "1"})[0].stage == "won"
    assert check({"stage": "Signed", "won": "0", "closed": "1"})[0].stage == "lost"
    assert check({"stage": "1063991961", "won": "0", "closed": "0",
                  "closed_on": ""})[0].stage == "open"


def test_a_row_with_too_many_fields_hints_at_an_unquoted_decimal_comma():
    checker = RowChecker(GENERIC.resolve(["crm_id", "owner_name", "stage", "amount"]),
                         Formats("comma", True), Defaults())
    record, errors = checker.check(3, ["D1", "Anna", "open", "1", "50"])
    assert record is None and errors[0].column is None
    assert errors[0].message.startswith("expected 4 fields, found 5 (is there an unquoted")
