"""Reading numbers, dates and slugs from URLs, query strings, forms, JSON bodies and the command
line, each kind through one helper that applies lms.bounds: an id that cannot exist is not
found (404, or a one-line CLI error), a date out of range gets a message, never a 500.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import click
from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.routing import BaseConverter, IntegerConverter, Map, ValidationError
from wtforms import IntegerField
from wtforms.validators import ValidationError as FormError

from lms.bounds import FIRST_DAY, INT64_MAX, LAST_DAY, MAX_ID, day_problem, parse_day, parse_id
from lms.content.links import SLUG_MAX_LENGTH, is_valid_slug
from lms.safeyaml import quote

#: Beyond this a page number (times the page size) would overflow the database's OFFSET.
MAX_PAGE = 1_000_000


# URL converters ---------------------------------------------------------------------------

class IdConverter(IntegerConverter):
    """``<int:...>`` bounded to what an id column holds (MAX_ID): a larger id is not found."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, -MAX_ID - 1 if min is None else min,
                         MAX_ID if max is None else max, signed)


class SlugConverter(BaseConverter):
    """``<slug:...>``: lower-case letters, digits and single hyphens, as content files are
    named (lms.content.links); anything else is not found."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"

    def to_python(self, value: str) -> str:
        if len(value) > SLUG_MAX_LENGTH or not is_valid_slug(value):
            raise ValidationError()
        return value


def register_inputs(app: Flask) -> None:
    """Before any blueprint adds its rules: the rules take their converters when added."""
    app.json = JSONProvider(app)
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["slug"] = SlugConverter
    app.before_request(refuse_nul_characters)


# Every request ----------------------------------------------------------------------------

def refuse_nul_characters() -> None:
    """``before_request``: a 400 for a NUL character in the path, the query string or a form.
    No person types one, and PostgreSQL's text cannot hold it (a query with one fails)."""
    values = [request.path, *_pairs(request.args)]
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded",
                                                         "multipart/form-data"):
        values += _pairs(request.form)
    if any("\x00" in value for value in values):
        abort(400, _("The request contains a NUL character."))


def _pairs(multidict: Any) -> list[str]:
    return [text for key, value in multidict.items(multi=True) for text in (key, value)]


# Query strings ----------------------------------------------------------------------------

def id_arg(name: str) -> int | None:
    """The id in ``?name=``: None when absent or empty; 404 when it is not an id that can
    exist (not a whole number, or too large), as for an id that does not."""
    raw = request.args.get(name, "")
    if not raw.strip():
        return None
    value = parse_id(raw)
    if value is None:
        abort(404)
    return value


def page_arg(name: str = "page") -> int:
    """The page number in ``?name=``: 1 when absent or not a number, 404 beyond MAX_PAGE."""
    raw = request.args.get(name, "").strip()
    if not raw.isascii() or not raw.isdigit():
        return 1
    number = int(raw) if len(raw) <= 7 else MAX_PAGE + 1
    if number > MAX_PAGE:
        abort(404)
    return max(number, 1)


def date_arg(name: str) -> date | None:
    """The day in ``?name=``: None when absent or empty; ValueError with a message a person
    can act on when it is not a YYYY-MM-DD day in the app's range."""
    raw = request.args.get(name, "")
    return parse_day(raw) if raw.strip() else None


# Forms ------------------------------------------------------------------------------------

def choice_id(value: Any) -> int:
    """``coerce`` for a SelectField of ids: an id that cannot exist is an invalid choice
    (ValueError), not a query that overflows."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        parsed = parse_id(str(value))
        if parsed is None:
            raise ValueError("not an id")
        number = parsed
    if not 0 <= number <= MAX_ID:
        raise ValueError("not an id")
    return number


class WholeNumberField(IntegerField):
    """An IntegerField that refuses a number beyond 64 bits as "not a whole number" (WTForms'
    NumberRange would fail on it: it converts the number to a float)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not -INT64_MAX - 1 <= self.data <= INT64_MAX:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))


class DayInRange:
    """WTForms validator for a DateField: the day must be in the app's range."""

    # The browser's date picker offers the same range (min and max attributes).
    field_flags = {"min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}

    def __call__(self, form: Any, field: Any) -> None:
        if isinstance(field.data, date):
            problem = day_problem(field.data)
            if problem:
                raise FormError(problem)


# Command line -----------------------------------------------------------------------------

class DayType(click.ParamType):
    """A YYYY-MM-DD day in the app's range; anything else is a one-line usage error."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_day(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class IdType(click.ParamType):
    """An id (a whole number up to MAX_ID); another value is a one-line error."""

    name = "id"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        parsed = parse_id(str(value))
        if parsed is None:
            shown = str(value) if len(str(value)) <= 30 else str(value)[:29] + "…"
            self.fail(_("%(value)s is not an id that can exist (a whole number up to "
                        "%(max)s).", value=quote(shown), max=MAX_ID), param, ctx)
        return parsed


DAY = DayType()
ID = IdType()


# JSON bodies ------------------------------------------------------------------------------

class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a body nested too deeply for the parser is invalid JSON (a 400
    through Flask's usual path) instead of a RecursionError (a 500)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON is nested too deeply") from None
