"""Reading messy CRM exports: pure, streaming functions, no database.

The CSV side: separator (comma, semicolon, tab, or Excel's ``sep=`` line), UTF-8 with or
without BOM, CRLF, blank lines, quoted fields with line breaks (a record is reported at the line
it starts on). The value side: amounts as European and other Excel versions write them
(``€ 1.234,56``, ``1,234.56``, ``1 234,56``), ISO and day-first or month-first dates, stage
names, yes/no flags and satisfaction scores.

Ambiguous values (``1,234``; ``03/01/2026``) are read one way for the whole file; the
``*_readings`` functions tell which readings a value allows, so the importer can decide from
values that allow only one (see ``importer.detect_formats``) or take the user's option.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import BinaryIO

from flask_babel import gettext as _

from lms.bounds import check_day
from lms.safeyaml import quote

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000000000")  # Numeric(14, 2)


class ReadError(Exception):
    """The file cannot be read from ``line`` on (encoding, broken CSV, no header)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


# The file ---------------------------------------------------------------------------------

def sniff_delimiter(line: str) -> str:
    """The separator the header line uses most, outside quotes (ties go to the comma)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return max(DELIMITERS, key=lambda d: (counts[d], d == ","))


class ByteCounter:
    """How far a streaming read has got, for progress bars."""

    def __init__(self) -> None:
        self.bytes = 0


def _decoded_lines(binary: BinaryIO, encoding: str, counter: ByteCounter) -> Iterator[str]:
    for number, raw in enumerate(binary, 1):
        counter.bytes += len(raw)
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise ReadError(number, _("the file is not %(encoding)s text. In Excel, save it as "
                                      "'CSV UTF-8 (comma delimited)', or give its encoding.",
                                      encoding=encoding.upper())) from None
        if number == 1:
            text = text.lstrip("\ufeff")
        yield text


@dataclass
class Table:
    header: list[str]
    delimiter: str
    rows: Iterator[tuple[int, list[str]]]  # (line the record starts on, its fields)
    counter: ByteCounter


def read_table(binary: BinaryIO, *, encoding: str = "utf-8") -> Table:
    """The header and a lazy iterator of records. Blank lines are skipped; line numbers count
    physical lines from 1 (the header), so a record with a line break inside quotes is
    reported at the line it starts on."""
    counter = ByteCounter()
    lines = _decoded_lines(binary, encoding, counter)
    first = next(lines, None)
    offset = 0
    delimiter = None
    if first is not None and re.fullmatch(r"sep=(.)\r?\n?", first):
        # Excel's hint line: "sep=;" before the header.
        delimiter = first[4]
        offset = 1
        first = next(lines, None)
    if first is None or not first.strip():
        raise ReadError(1 + offset, _("the file is empty or does not start with a header row"))
    delimiter = delimiter or sniff_delimiter(first)
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise ReadError(1 + offset,
                        _("cannot read the header (%(problem)s)", problem=exc)) from None

    def records() -> Iterator[tuple[int, list[str]]]:
        previous_end = reader.line_num
        while True:
            start = previous_end + 1 + offset
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ReadError(start, _("cannot read this line as CSV (%(problem)s)",
                                        problem=exc)) from None
            previous_end = reader.line_num
            if not any(map(str.strip, fields)):  # no fields, or only blanks
                continue
            yield start, fields

    return Table(header=header, delimiter=delimiter, rows=records(), counter=counter)


# Amounts ----------------------------------------------------------------------------------

_SYMBOLS = {"€": "EUR", "$": "USD", "US$": "USD", "£": "GBP", "¥": "JPY"}
_AMOUNT = re.compile(
    r"(?P<neg1>[-−])?\s*(?P<pre>US\$|[€$£¥]|[A-Za-z]{3}(?![A-Za-z]))?\s*(?P<neg2>[-−])?\s*"
    r"(?P<num>(?:[0-9]|[.,][0-9])[0-9.,'’ \u00a0\u202f\u2009]*?)(?P<dash>[.,]-)?"
    r"\s*(?P<post>[€$£¥]|(?<![A-Za-z])[A-Za-z]{3})?\s*(?P<neg3>[-−])?"
)
_SPACED = re.compile(r"[1-9][0-9]{0,2}(?:[ '’\u00a0\u202f\u2009][0-9]{3})+(?:[.,][0-9]+)?")
_GAPS = re.compile(r"[ '’\u00a0\u202f\u2009]")


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _read_number(num: str, point: str, thousands: str) -> Decimal | None:
    if num.count(point) > 1:
        return None
    whole, sep, frac = num.partition(point)
    if sep and not _digits(frac):
        return None
    if thousands in whole:
        groups = whole.split(thousands)
        if not (_digits(groups[0]) and len(groups[0]) <= 3 and groups[0][0] != "0"
                and all(len(g) == 3 and _digits(g) for g in groups[1:])):
            return None
        whole = "".join(groups)
    if not whole and frac:
        whole = "0"
    if not _digits(whole):
        return None
    return Decimal(f"{whole}.{frac}" if frac else whole)


def number_readings(text: str) -> dict[str, Decimal]:
    """The values ``text`` can mean: key "comma" if read with a decimal comma, "point" with a
    decimal point. Empty if it is no number; both keys, maybe with different values, if the
    text does not tell (``1,234``)."""
    num = text.strip()
    if _digits(num):
        value = Decimal(num)
        return {"comma": value, "point": value}
    if _GAPS.search(num):
        if not _SPACED.fullmatch(num):
            return {}
        num = _GAPS.sub("", num)
    readings = {}
    for mark, point, thousands in (("comma", ",", "."), ("point", ".", ",")):
        value = _read_number(num, point, thousands)
        if value is not None:
            readings[mark] = value
    return readings


def split_amount(raw: str) -> tuple[str, str | None]:
    """The number part of an amount and the currency written with it (``€ 1.234,56`` ->
    ``("1.234,56", "EUR")``). Raises ``ValueError`` with a message a person can act on."""
    match = _AMOUNT.fullmatch(raw.strip().replace("(", "-", 1).rstrip(")"))
    if match is None:
        raise ValueError(_("%(value)s is not an amount", value=quote(raw)))
    if match["neg1"] or match["neg2"] or match["neg3"]:
        raise ValueError(_("%(value)s is negative; a deal's amount cannot be", value=quote(raw)))
    if match["pre"] and match["post"]:
        raise ValueError(_("%(value)s has two currencies", value=quote(raw)))
    symbol = match["pre"] or match["post"]
    currency = _SYMBOLS.get(symbol, symbol.upper()) if symbol else None
    number = match["num"].strip()
    if match["dash"]:
        number += match["dash"][0] + "00"  # "1.234,-" is how Dutch prices write whole euros
    return number, currency


_CURRENCY_CODE = re.compile(r"[A-Za-z]{3}")


def currency_code(raw: str) -> str:
    """An ISO 4217-shaped currency code (three ASCII letters) in capitals; ``ValueError`` with
    a message otherwise. The one check for every way a currency arrives: the upload form,
    the API, the command line, a preset and a file's currency column."""
    if not _CURRENCY_CODE.fullmatch(raw):
        raise ValueError(_("%(value)s is not a currency code; use a three-letter code such as "
                           "EUR", value=quote(raw, 20)))
    return raw.upper()


def amount_readings(raw: str) -> dict[str, Decimal]:
    try:
        number, _ = split_amount(raw)
    except ValueError:
        return {}
    return number_readings(number)


_PLAIN = {"point": re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,2})?"),
          "comma": re.compile(r"[0-9]{1,12}(?:,[0-9]{1,2})?")}


def parse_amount(raw: str, decimal: str) -> tuple[Decimal, str | None]:
    """An amount in cents precision and its currency (or None), reading ambiguous numbers with
    the given decimal mark ("comma" or "point")."""
    if _PLAIN[decimal].fullmatch(raw):  # the common case, fast: "1234" or "1234.56"
        return Decimal(raw.replace(",", ".")).quantize(CENT), None
    number, currency = split_amount(raw)
    readings = number_readings(number)
    if not readings:
        raise ValueError(_("%(value)s is not an amount", value=quote(raw)))
    if decimal not in readings:
        if decimal == "comma":
            raise ValueError(_("%(value)s is not an amount with a decimal comma (the file's "
                               "amounts are read with a decimal comma; use the decimal point "
                               "option if that is wrong)", value=quote(raw)))
        raise ValueError(_("%(value)s is not an amount with a decimal point (the file's amounts "
                           "are read with a decimal point; use the decimal comma option if "
                           "that is wrong)", value=quote(raw)))
    # Compared before rounding too: quantize() fails on numbers beyond Decimal's 28 digits.
    if readings[decimal] >= MAX_AMOUNT or (
            value := readings[decimal].quantize(CENT, rounding=ROUND_HALF_UP)) >= MAX_AMOUNT:
        raise ValueError(_("%(value)s is too large for an amount", value=quote(raw)))
    return value, currency


# Dates ------------------------------------------------------------------------------------

_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_DMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})")
_TIME = re.compile(r"(?:[T ]\s*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?"
                   r"\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?)?\s*")


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def date_readings(raw: str) -> dict[bool, date]:
    """The dates ``raw`` can mean, keyed by "day first?". An ISO date (2026-01-31, with or
    without a time) has one meaning for both keys; ``03/01/2026`` has two; ``31-01-2026`` is
    only day-first and ``01/31/2026`` only month-first. Dotted dates are always day-first."""
    text = raw.strip()
    if len(text) == 10 and text[4] == "-":
        try:
            value = date.fromisoformat(text)
        except ValueError:
            return {}
        return {True: value, False: value}
    match = _ISO.match(text)
    if match and _TIME.fullmatch(text, match.end()):
        value = _date(int(match[1]), int(match[2]), int(match[3]))
        return {} if value is None else {True: value, False: value}
    match = _DMY.match(text)
    if not match or not _TIME.fullmatch(text, match.end()):
        return {}
    first, second, year = int(match[1]), int(match[3]), int(match[4])
    if len(match[4]) == 2:
        year += 2000
    readings = {}
    day_first = _date(year, second, first)
    if day_first is not None:
        readings[True] = day_first
    if match[2] != ".":
        month_first = _date(year, first, second)
        if month_first is not None:
            readings[False] = month_first
    return readings


def parse_date(raw: str, dayfirst: bool) -> date:
    """The day ``raw`` means, in the app's range of days (lms.bounds)."""
    if len(raw) == 10 and raw[4] == "-":  # the common case, fast: ISO
        try:
            return check_day(date.fromisoformat(raw))
        except ValueError:
            pass
    readings = date_readings(raw)
    if dayfirst in readings:
        return check_day(readings[dayfirst])
    if readings:
        if dayfirst:
            raise ValueError(_("%(value)s is not a day-first date (the file's dates are read "
                               "day-first; use the month-first option if that is wrong)",
                               value=quote(raw)))
        raise ValueError(_("%(value)s is not a month-first date (the file's dates are read "
                           "month-first; use the day-first option if that is wrong)",
                           value=quote(raw)))
    raise ValueError(_("%(value)s is not a date (use YYYY-MM-DD or DD-MM-YYYY)", value=quote(raw)))


# Stages, flags, satisfaction ------------------------------------------------------------------

WON_STAGES = frozenset({"won", "closedwon", "dealwon", "gewonnen"})
LOST_STAGES = frozenset({"lost", "closedlost", "deallost", "verloren"})
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "ja", "j", "waar", "x"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "nee", "onwaar"})


def stage_key(name: str) -> str:
    """How stage names are compared: only letters and digits count ("Closed Won" = closedwon)."""
    return re.sub(r"[\W_]+", "", name.casefold())


def parse_stage(raw: str, extra: Mapping[str, str] | None = None) -> str | None:
    """won, lost or open; None when the name does not say which (empty, an internal id such as
    HubSpot's ``1063991961``, or a closed stage that names neither won nor lost)."""
    key = stage_key(raw)
    if not key:
        return None
    if extra and key in extra:
        return extra[key]
    if key in WON_STAGES:
        return "won"
    if key in LOST_STAGES:
        return "lost"
    if key.isdigit() or "won" in key or "lost" in key or key.startswith("closed"):
        return None
    return "open"


def parse_flag(raw: str) -> bool:
    word = raw.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(_("%(value)s is not yes/no (use true/false or 1/0)", value=quote(raw)))


def parse_scale(raw: str) -> int:
    """5 or 10 from "5", "10", "1-5", "0-10" or "1 to 5"."""
    numbers = re.findall(r"\d+", raw)
    if numbers and numbers[-1] in ("5", "10") and len(numbers) <= 2 \
            and (len(numbers) == 1 or numbers[0] in ("0", "1")):
        return int(numbers[-1])
    raise ValueError(_("%(value)s is not a satisfaction scale (use 5 for 1-5 or 10 for 0-10)",
                       value=quote(raw)))


def parse_satisfaction(raw: str, scale: int | None, decimal: str) -> tuple[float, int]:
    """A score and its scale; ``raw`` may carry its own scale ("8/10", "4 of 5")."""
    text = raw.strip()
    own = re.fullmatch(r"(.+?)\s*(?:/|of|van|out of)\s*(\d+)", text)
    if own:
        text, scale = own[1], parse_scale(own[2])
    if scale is None:
        raise ValueError(_("a satisfaction score needs its scale: add a satisfaction_scale "
                           "column (5 or 10) or set the scale in the preset or the options"))
    readings = number_readings(text)
    value = readings.get(decimal)
    if value is None:
        raise ValueError(_("%(value)s is not a number", value=quote(raw)))
    low = 1 if scale == 5 else 0
    if not low <= value <= scale:
        raise ValueError(_("%(value)s is outside the scale %(low)d-%(high)d", value=raw, low=low,
                           high=scale))
    return float(value), scale
