"""The ranges a number or a date from outside must fall in before the app computes with it.

SQLite stores whole numbers in at most 64 bits and PostgreSQL's ``integer`` (every id column)
in 32, and Python's ``date`` ends at 9999-12-31: an id beyond those or a day near the end made a
database driver or date arithmetic fail with a 500. Every place that reads a number or date
from a person checks it here (lms.inputs adapts these checks to URLs, query strings, forms
and the command line).
"""

from __future__ import annotations

import re
from datetime import date

from lms.safeyaml import quote

#: The largest whole number SQLite can hold.
INT64_MAX = 2**63 - 1
#: The largest id: ids and version numbers are ``integer`` columns, 32 bits on PostgreSQL.
MAX_ID = 2**31 - 1
#: The days the app works with: wide enough for any hire date, deal or deadline, and far
#: enough from Python's ends (years 1 and 9999) that a report's window around them fits.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE = re.compile(r"[0-9]{1,19}")


def day_problem(value: date) -> str | None:
    """What is wrong with ``value`` as a day the app works with, or None."""
    if FIRST_DAY <= value <= LAST_DAY:
        return None
    return (f"{value.isoformat()} is outside the dates this site works with "
            f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}).")


def check_day(value: date) -> date:
    """``value`` if it is in the app's range of days; else ValueError with a message."""
    problem = day_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def parse_day(text: str) -> date:
    """A YYYY-MM-DD day in the app's range; ValueError with a message a person can act on."""
    raw = text.strip()
    if not _ISO_DAY.fullmatch(raw):
        raise ValueError(f"{quote(raw, 40)} is not a date; write it as YYYY-MM-DD.")
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{quote(raw)} is not a date on the calendar.") from None
    return check_day(value)


def parse_whole(text: str, limit: int = INT64_MAX) -> int | None:
    """The whole number written in ``text`` (ASCII digits, at most ``limit``), else None."""
    raw = text.strip()
    if not _WHOLE.fullmatch(raw):
        return None
    value = int(raw)
    return value if value <= limit else None


def parse_id(text: str) -> int | None:
    """The id written in ``text``, else None: an id beyond what the database holds cannot
    exist, so it is not found, like any other id that does not exist."""
    return parse_whole(text, MAX_ID)
