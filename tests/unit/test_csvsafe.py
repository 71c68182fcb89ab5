"""CSV exports never hand a spreadsheet a formula (lms.analytics.csvsafe)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.analytics.csvsafe import FORMULA_STARTS, csv_text, safe_cell


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"),
    ("+31 6 1234", "'+31 6 1234"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("Anna de Vries", "Anna de Vries"),
    ("a=b", "a=b"),  # only the first character matters
    (" =1", " =1"),  # a leading space is not executed
    ("", ""),
    (None, ""),
    (42, 42),
    (-5, -5),  # a number is data, not a formula
    (-2.5, -2.5),
    (True, "yes"),
    (False, "no"),
    (date(2026, 3, 1), "2026-03-01"),
    (datetime(2026, 3, 1, 9, 30, tzinfo=UTC), "2026-03-01T09:30:00+00:00"),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_text_neutralises_every_cell_including_the_header():
    text = csv_text(["name", "=evil"], [["=1+1", 3], ["Bob, Jr.", "-x"], [None, "ok"]])
    assert read(text) == [["name", "'=evil"], ["'=1+1", "3"], ["Bob, Jr.", "'-x"], ["", "ok"]]
    assert text.endswith("\r\n")


def test_quotes_and_new_lines_survive():
    rows = read(csv_text(["a"], [['say "hi"\nthere']]))
    assert rows == [["a"], ['say "hi"\nthere']]


@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=4), max_size=6))
def test_no_text_cell_ever_starts_like_a_formula(rows):
    for row in read(csv_text(["h"], rows))[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS)
