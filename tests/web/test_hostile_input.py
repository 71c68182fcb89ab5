"""Numbers, dates, slugs, JSON and currencies from outside, each kind checked as a class: every
route with an id, every id query parameter, every date parameter, every CLI number or date
option, and a guard that no code reads them around lms.inputs."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from flask import Flask
from wtforms.fields import DateField, IntegerField, SelectFieldBase

from lms.api.auth import create_token
from lms.bounds import MAX_ID
from lms.extensions import db
from lms.inputs import DayType, IdConverter, IdType, SlugConverter
from lms.models import Role
from tests.conftest import REPO, login, post_form
from tests.factories import make_user
from tests.learning_helpers import sync

TOO_BIG = [str(MAX_ID + 1), "9223372036854775808", "18446744073709551616", "9" * 23]
EXTREME_DAYS = ["9999-12-31", "0001-01-01"]


@pytest.fixture
def admin(app: Flask):  # noqa: ANN201
    sync(REPO)
    make_user(Role.ADMIN, email="admin@example.com")
    client = app.test_client()
    login(client, "admin@example.com")
    return client


def _rules(app: Flask, converter: type) -> list:
    return [r for r in app.url_map.iter_rules()
            if any(isinstance(c, converter) for c in r._converters.values())]


def test_every_int_route_is_bounded_and_answers_404_beyond_the_bound(app, admin):
    rules = _rules(app, IdConverter)
    assert len(rules) >= 15
    for rule in rules:
        method = "GET" if "GET" in rule.methods else "POST"
        for number in TOO_BIG:
            url = re.sub(r"<int:[^>]+>", number, re.sub(r"<(?:slug:)?(kind|slug)>",
                         lambda m: "quizzes" if m[1] == "kind" else "x", rule.rule))
            response = admin.open(url, method=method)
            assert response.status_code == 404, f"{method} {url}: {response.status_code}"


def test_every_slug_route_answers_404_for_an_invalid_slug(app, admin):
    rules = _rules(app, SlugConverter)
    assert len(rules) >= 10
    for rule in rules:
        method = "GET" if "GET" in rule.methods else "POST"
        for slug in ("UPPER", "a%20b", "a--b", "x" * 81):
            url = rule.rule.replace("<kind>", "modules").replace("<slug:slug>", slug)
            url = re.sub(r"<int:[^>]+>", "1", url)
            response = admin.open(url, method=method)
            assert response.status_code == 404, f"{method} {url}: {response.status_code}"


#: Every page that reads an id from its query string (kept complete by the source guard below).
ID_PARAMS = [
    ("/admin/people", "team"), ("/manage/assignments/", "team"),
    ("/manage/assignments/", "person"), ("/manage/assignments/", "item"),
    ("/manage/assignments/new", "team"), ("/manage/assignments/new", "person"),
    ("/manage/assignments/new", "item"), ("/manage/reports/", "team"),
    ("/manage/reports/charts", "team"), ("/manage/reports/heatmap.csv", "team"),
    ("/manage/sales-reports/", "team"), ("/manage/sales-reports/performance.csv", "team"),
    ("/manage/sales-reports/impact", "team"),
    ("/manage/question-stats/product-basics-quiz", "version"),
    ("/author/quizzes/product-basics-quiz/diff?from=1", "to"),
    ("/author/quizzes/product-basics-quiz/diff?to=1", "from"),
    ("/manage/assignments/", "page"), ("/manage/reports/", "page"), ("/admin/people", "page"),
]


@pytest.mark.parametrize(("url", "name"), ID_PARAMS)
def test_an_id_beyond_the_database_in_the_query_string_is_not_found(admin, url, name):
    for number in TOO_BIG:
        joiner = "&" if "?" in url else "?"
        response = admin.get(f"{url}{joiner}{name}={number}")
        assert response.status_code == 404, f"{url} {name}={number}"


@pytest.mark.parametrize("url", ["/manage/sales-reports/",
                                 "/manage/sales-reports/performance.csv"])
@pytest.mark.parametrize("name", ["from", "to"])
@pytest.mark.parametrize("day", EXTREME_DAYS)
def test_days_at_the_calendars_ends_get_a_clear_400(admin, url, name, day):
    response = admin.get(f"{url}?{name}={day}")
    assert response.status_code == 400
    assert "outside the dates this site works with" in response.get_data(as_text=True)


def test_json_nested_too_deeply_is_a_400_with_a_message(app, client):
    _, token = create_token(make_user(Role.MANAGER))
    db.session.commit()
    body = '{"records": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post("/api/v1/sales", data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert "nested too deeply" in response.json["error"]["message"]


@pytest.mark.parametrize("code", ["ÄÖÜ", "EU", "EURO", "E1R", "EUR\n"])
def test_the_api_refuses_a_currency_that_is_not_a_code(app, client, code):
    _, token = create_token(make_user(Role.MANAGER))
    db.session.commit()
    response = client.post("/api/v1/sales", json={"records": [], "options": {"currency": code}},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert "not a currency code" in response.json["error"]["message"]


def test_the_upload_form_refuses_a_currency_that_is_not_a_code(app, client):
    make_user(Role.MANAGER, email="boss@example.com")
    login(client, "boss@example.com")
    response = post_form(client, "/manage/sales/import",
                         {"preset": "generic", "currency": "ÄÖÜ"},
                         token_from="/manage/sales/import")
    assert "not a currency code" in response.get_data(as_text=True)


# Forms ------------------------------------------------------------------------------------

def _form_fields():  # noqa: ANN202
    """Every field of every form class (the app has imported every blueprint's forms)."""
    from flask_wtf import FlaskForm

    def subclasses(cls):  # noqa: ANN001, ANN202
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for form in set(subclasses(FlaskForm)):
        if not form.__module__.startswith("lms."):
            continue
        for name in dir(form):
            field = getattr(form, name)
            if hasattr(field, "field_class"):
                yield form, name, field


def test_every_date_and_number_field_of_every_form_is_bounded(app):
    checked = 0
    for form, name, field in _form_fields():
        where = f"{form.__name__}.{name}"
        validators = field.kwargs.get("validators") or []
        if issubclass(field.field_class, DateField):
            assert any(type(v).__name__ == "DayInRange" for v in validators), where
            checked += 1
        if issubclass(field.field_class, IntegerField):
            assert field.field_class.__name__ == "WholeNumberField", where
            checked += 1
        if issubclass(field.field_class, SelectFieldBase) and "coerce" in field.kwargs:
            assert field.kwargs["coerce"] is not int, f"{where}: coerce=choice_id"
            checked += 1
    assert checked >= 12


# Command line -----------------------------------------------------------------------------

def _cli_params(app: Flask):  # noqa: ANN202
    def walk(command, path):  # noqa: ANN001, ANN202
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from walk(sub, [*path, name])
        else:
            for param in command.params:
                yield path, param

    for name, command in app.cli.commands.items():
        yield from walk(command, [name])


def test_every_cli_number_or_date_parameter_uses_a_bounded_type(app):
    typed = 0
    for path, param in _cli_params(app):
        kind = param.type
        assert not isinstance(kind, click.DateTime), f"{path} {param.name}: use lms.inputs.DAY"
        if isinstance(kind, DayType | IdType | click.IntRange):
            typed += 1
        elif param.name != "seed":  # any whole number seeds the demo's random generator
            assert not isinstance(kind, click.types.IntParamType), f"{path} {param.name}"
    assert typed >= 6


@pytest.mark.parametrize("args", [
    ["sales", "undo", "999999999999999999999"], ["sales", "undo", str(MAX_ID + 1)],
    ["sales", "imports", "--limit", "99999999999999999999"],
    ["report", "sales", "--to", "9999-12-31"], ["report", "sales", "--from", "0001-01-01"],
    ["report", "sales", "--to", "2026-02-30"],
    ["reminders", "send", "--today", "9999-12-31"], ["reminders", "send", "--today", "0001-01-01"],
    ["report", "impact", "--window", "99999999999999999999999"],
])
def test_cli_out_of_range_values_are_a_one_line_error(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Traceback" not in result.output, result.output


def test_cli_refuses_a_currency_that_is_not_a_code(runner, tmp_path):
    file = tmp_path / "deals.csv"
    file.write_text("crm_id,owner_email,stage,closed_on,amount\n1,a@example.com,won,"
                    "2026-01-01,10\n")
    result = runner.invoke(args=["sales", "import", str(file), "--currency", "ÄÖÜ"])
    assert result.exit_code == 2 and "not a currency code" in result.output


# The guard --------------------------------------------------------------------------------

READS_AROUND_INPUTS = re.compile(
    r"type=int\b|coerce=int\b|click\.DateTime|= IntegerField\(|"
    r"fromisoformat\(request|int\(request")


def test_no_code_reads_numbers_or_dates_around_lms_inputs():
    offenders = [f"{path.relative_to(REPO)}:{n}: {line.strip()}"
                 for path in sorted((REPO / "lms").rglob("*.py"))
                 for n, line in enumerate(Path(path).read_text().splitlines(), 1)
                 if READS_AROUND_INPUTS.search(line)]
    assert offenders == []
