"""CSV exports that a spreadsheet opens as data, never as formulas.

Spreadsheets execute a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some read a
leading tab or carriage return the same way), so a name like ``=HYPERLINK(...)`` typed into a
form could run when a manager opens the export. Such text cells get a leading apostrophe, which
spreadsheets show as plain text (OWASP's "CSV injection" advice). Numbers are written as
numbers: a negative number is data, not a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str | int | float:
    """One cell: text neutralised, numbers kept, None empty, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The whole file as text; every cell (the header too) through ``safe_cell``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
