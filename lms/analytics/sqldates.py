"""Date arithmetic (and one list aggregate) in SQL that reads the same on SQLite and PostgreSQL.

SQLite keeps dates as ISO text and datetimes as ``YYYY-MM-DD HH:MM:SS`` text; PostgreSQL has
real date types. These constructs compile to the right expression for each, so the sales
queries can compare and subtract dates in the database instead of in Python.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class day_of(FunctionElement):  # noqa: N801 - reads as SQL
    """The calendar date of a (UTC) datetime."""

    type = Date()
    name = "day_of"
    inherit_cache = True


class add_days(FunctionElement):  # noqa: N801
    """``add_days(date, n)``: the date n days later (n may be negative; a bound integer)."""

    type = Date()
    name = "add_days"
    inherit_cache = True


class days_between(FunctionElement):  # noqa: N801
    """``days_between(later, earlier)``: whole days from ``earlier`` to ``later``."""

    type = Integer()
    name = "days_between"
    inherit_cache = True


def _args(element: FunctionElement, compiler: Any, kw: dict) -> list[str]:
    return [compiler.process(arg, **kw) for arg in element.clauses]


@compiles(day_of, "sqlite")
def _day_of_sqlite(element, compiler, **kw):  # noqa: ANN001, ANN202
    return "date({})".format(*_args(element, compiler, kw))


@compiles(day_of)
def _day_of(element, compiler, **kw):  # noqa: ANN001, ANN202
    return "CAST({} AS DATE)".format(*_args(element, compiler, kw))


@compiles(add_days, "sqlite")
def _add_days_sqlite(element, compiler, **kw):  # noqa: ANN001, ANN202
    day, days = _args(element, compiler, kw)
    return f"date({day}, ({days}) || ' days')"


@compiles(add_days)
def _add_days(element, compiler, **kw):  # noqa: ANN001, ANN202
    day, days = _args(element, compiler, kw)
    return f"(CAST({day} AS DATE) + CAST({days} AS INTEGER))"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):  # noqa: ANN001, ANN202
    later, earlier = _args(element, compiler, kw)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(days_between)
def _days_between(element, compiler, **kw):  # noqa: ANN001, ANN202
    later, earlier = _args(element, compiler, kw)
    return f"(CAST({later} AS DATE) - CAST({earlier} AS DATE))"


class int_list(FunctionElement):  # noqa: N801
    """``int_list(x)``: the group's non-null integers as text, "4,10,2" (any order)."""

    type = String()
    name = "int_list"
    inherit_cache = True


@compiles(int_list, "sqlite")
def _int_list_sqlite(element, compiler, **kw):  # noqa: ANN001, ANN202
    return "group_concat({}, ',')".format(*_args(element, compiler, kw))


@compiles(int_list)
def _int_list(element, compiler, **kw):  # noqa: ANN001, ANN202
    return "string_agg(CAST({} AS TEXT), ',')".format(*_args(element, compiler, kw))
