"""Reading spreadsheet CSV exports: encoding, separator and the line each record starts on."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import gettext as _

from lms.errors import DomainError


@dataclass(frozen=True)
class Record:
    line: int  # physical line the record starts on (1-based, header is line 1)
    values: dict[str, str]
    field_count: int


def decode(data: bytes, *, filename: str) -> str:
    """UTF-8 with or without BOM; anything else is refused with the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DomainError(f"{filename}:{line}: " + _(
            "the file is not UTF-8 text. In Excel, save it as 'CSV UTF-8 (comma delimited)'."
        )) from None


def sniff_delimiter(first_line: str) -> str:
    """European Excel writes ';' where the comma is the decimal separator."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def read_records(text: str, *, filename: str) -> tuple[list[str], Iterator[Record]]:
    """The normalised header and an iterator of records; blank lines are skipped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise DomainError(f"{filename}:1: " + _("the file is empty or does not start with a "
                                                "header row."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    header = [h.strip().lower().replace(" ", "_") for h in next(reader)]

    def records() -> Iterator[Record]:
        previous_end = reader.line_num
        while True:
            start = previous_end + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise DomainError(f"{filename}:{start}: " + _(
                    "cannot read this line as CSV (%(problem)s).", problem=str(exc))) from None
            previous_end = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            values = {name: (row[i].strip() if i < len(row) else "")
                      for i, name in enumerate(header)}
            yield Record(line=start, values=values, field_count=len(row))

    return header, records()
