"""Checking one row of an export and turning it into a ``SaleRecord``: pure, no database.

Every problem becomes a ``RowError`` with the line (or, for the API, the record index) and the
column as the file names it, so a person can find and fix it. Duplicate deal ids across the
file are found by the importer, which sees all rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from flask_babel import gettext as _

from lms.safeyaml import quote
from lms.sales.parsing import (
    amount_readings,
    currency_code,
    date_readings,
    parse_amount,
    parse_date,
    parse_flag,
    parse_satisfaction,
    parse_scale,
    parse_stage,
)
from lms.sales.presets import ColumnMap

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
LIMITS = {"crm_id": 100, "owner_email": 254, "owner_crm_id": 100, "owner_name": 200,
          "customer_id": 200, "customer_name": 200, "product": 200}
CACHED = 4096
CACHED_TEXTS = 65536  # names of people, customers and products
SHORTEST_LIMIT = min(LIMITS.values())
DATE_FIELDS = ("created_on", "closed_on", "complaint_on", "complaint_resolved_on",
               "follow_up_on")


@dataclass(frozen=True)
class RowError:
    line: int  # line the record starts on; for the API, the record's index
    column: str | None  # the column as the file names it (the field name for the API)
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("line %(line)d, %(column)s: %(problem)s", line=self.line,
                     column=self.column, problem=self.message)
        return _("line %(line)d: %(problem)s", line=self.line, problem=self.message)


@dataclass(frozen=True)
class Formats:
    """How ambiguous values of one file are read, and why."""

    decimal: str  # "comma" or "point"
    dayfirst: bool
    decimal_reason: str = ""
    dayfirst_reason: str = ""
    delimiter: str | None = None
    #: True when nothing decided it before checking began (the checker then watches for
    #: values that could be read either way, or that decide it, and notes the first of each)
    decimal_assumed: bool = False
    dayfirst_assumed: bool = False


@dataclass(frozen=True)
class Defaults:
    """What a row that does not say gets: from the options, else the preset."""

    currency: str = "EUR"
    satisfaction_scale: int | None = None
    stages: Mapping[str, str] | None = None


class SaleRecord(NamedTuple):
    """One checked deal, in our terms (``line`` is where it starts in the file)."""

    line: int
    crm_id: str
    owner_email: str | None
    owner_crm_id: str | None
    owner_name: str | None
    customer_key: str
    customer_name: str
    product: str
    stage: str
    created_on: date | None
    closed_on: date | None
    amount: Decimal
    currency: str
    satisfaction: float | None
    satisfaction_scale: int | None
    complaint_on: date | None
    complaint_resolved_on: date | None
    follow_up_on: date | None

    @property
    def owner_label(self) -> str:
        return owner_label(self.owner_email, self.owner_crm_id, self.owner_name)


def owner_label(email: str | None, crm_id: str | None, name: str | None) -> str:
    """"Anna de Vries <anna@example.com> (CRM id 005A)", with whatever parts are known."""
    parts = [name or ""]
    if email:
        parts.append(f"<{email}>")
    if crm_id:
        parts.append(_("(CRM id %(id)s)", id=crm_id))
    return " ".join(p for p in parts if p)


def _picker(indices: tuple[int, ...]) -> Callable[[Sequence[str]], tuple[str, ...]]:
    """The fields at ``indices`` of a row, as a tuple (itemgetter gives one alone bare)."""
    if len(indices) == 1:
        index = indices[0]
        return lambda fields: (fields[index],)
    return itemgetter(*indices)


class RowChecker:
    """Checks rows of one file whose columns are ``columns`` and whose ambiguous values are
    read as ``formats`` says."""

    def __init__(self, columns: ColumnMap, formats: Formats, defaults: Defaults) -> None:
        self.columns = columns
        self.formats = formats
        self.defaults = defaults
        self._items = tuple(columns.index.items())
        # A file repeats its dates and stages endlessly: each distinct value is parsed once
        # (up to CACHED values, so a column of timestamps cannot fill the memory).
        self._days: dict[str, date] = {}
        self._stages: dict[str, str | None] = {}
        self._texts: dict[str, str] = {}
        self._emails: set[str] = set()  # well-formed addresses seen
        self._currencies: dict[str, str] = {}
        self._scores: dict[tuple[str, str], tuple[float, int]] = {}
        self._names = tuple(columns.index)
        self._pick = _picker(tuple(columns.index.values()))
        #: (kind, what) -> (line, column, value): for a format that was assumed, the first
        #: value read either way ("ambiguous") and the first that decides it ("evidence").
        self.notes: dict[tuple[str, str], tuple[int, str, str]] = {}

    def _note(self, kind: str, readings: dict, chosen: object, line: int, name: str,
              raw: str) -> None:
        if len(readings) == 2 and len(set(readings.values())) == 2:
            self.notes.setdefault((kind, "ambiguous"), (line, self.columns.label(name), raw))
        elif list(readings) == [chosen]:
            self.notes.setdefault((kind, "evidence"), (line, self.columns.label(name), raw))

    def check(self, line: int, fields: Sequence[str]) -> tuple[SaleRecord | None, list[RowError]]:
        width = self.columns.width
        if len(fields) != width:
            if len(fields) > width:
                message = _("expected %(width)d fields, found %(found)d (is there an unquoted "
                            "separator in a value, such as a decimal comma?)", width=width,
                            found=len(fields))
            elif any("\n" in f for f in fields):
                message = _("expected %(width)d fields, found %(found)d (is a quote opened here "
                            "and never closed?)", width=width, found=len(fields))
            else:
                message = _("expected %(width)d fields, found %(found)d", width=width,
                            found=len(fields))
            return None, [RowError(line, None, message)]
        # A million rows pass through here: what repeats (emails, names, dates, currencies,
        # scores) is checked once per distinct value, and nothing is looked at twice.
        values = dict(zip(self._names, map(str.strip, self._pick(fields)), strict=True))
        get = values.get
        errors: list[RowError] = []
        label = self.columns.label

        def fail(name: str, message: str) -> None:
            errors.append(RowError(line, label(name), message))

        if max(map(len, fields)) > SHORTEST_LIMIT:
            for name, limit in LIMITS.items():
                if len(get(name, "")) > limit:
                    fail(name, _("longer than %(limit)d characters", limit=limit))

        crm_id = get("crm_id", "")
        if not crm_id:
            fail("crm_id", _("the deal id is missing"))

        email = get("owner_email", "").lower()
        crm_owner = get("owner_crm_id", "")
        name = self._collapse(get("owner_name", ""))
        either = get("owner", "")
        if either:
            if "@" in either:
                email = email or either.lower()
            else:
                name = name or self._collapse(either)
        if email and email not in self._emails:
            if not _EMAIL.fullmatch(email):
                fail("owner_email" if "owner_email" in values else "owner",
                     _("%(value)s is not an email address", value=quote(email)))
            elif len(self._emails) < CACHED:
                self._emails.add(email)
        if not (email or crm_owner or name):
            fail(next(f for f in ("owner_email", "owner_crm_id", "owner_name", "owner")
                      if f in values), _("the salesperson is missing"))

        stage = self._stage(values, fail)

        day = self._day
        created = day(line, "created_on", get("created_on", ""), fail)
        closed = day(line, "closed_on", get("closed_on", ""), fail)
        raised = day(line, "complaint_on", get("complaint_on", ""), fail)
        resolved = day(line, "complaint_resolved_on", get("complaint_resolved_on", ""), fail)
        follow_up = day(line, "follow_up_on", get("follow_up_on", ""), fail)
        if stage in ("won", "lost") and closed is None:
            fail("closed_on", _("a won deal needs its close date") if stage == "won"
                 else _("a lost deal needs its close date"))
        if stage == "open":
            # A CRM's close date on an open deal is a forecast, not a result: not kept.
            closed = None
        if resolved and resolved != date.min:
            if raised is None:
                fail("complaint_resolved_on", _("a complaint was resolved but never raised "
                                                "(the complaint date is missing)"))
            elif raised != date.min and resolved < raised:
                fail("complaint_resolved_on",
                     _("resolved (%(resolved)s) before it was raised (%(raised)s)",
                       resolved=resolved.isoformat(), raised=raised.isoformat()))

        amount, currency = self._amount(line, values, stage, fail)

        satisfaction = scale = None
        raw_score = get("satisfaction", "")
        if raw_score:
            satisfaction, scale = self._score(raw_score, get("satisfaction_scale", ""), fail)

        if errors:
            return None, errors
        customer_id = get("customer_id", "").split(";")[0].strip()
        customer_name = self._collapse(get("customer_name", ""))
        # alias_key of a collapsed name is its casefold; the account id wins if there is one
        return SaleRecord._make((
            line, crm_id, email or None, crm_owner or None, name or None,
            (customer_id or customer_name.casefold())[:200], customer_name,
            self._collapse(get("product", "")), stage or "open", created, closed, amount,
            currency, satisfaction, scale, raised, resolved, follow_up)), []

    def _collapse(self, text: str) -> str:
        """``text`` with each run of white space made one space (names repeat: cached)."""
        collapsed = self._texts.get(text)
        if collapsed is None:
            collapsed = " ".join(text.split())
            if len(self._texts) < CACHED_TEXTS:
                self._texts[text] = collapsed
        return collapsed

    def _day(self, line: int, field: str, raw: str, fail) -> date | None:  # noqa: ANN001
        """The day of a date field; ``date.min`` when it is bad (known bad: no follow-on
        messages)."""
        if not raw:
            return None
        if self.formats.dayfirst_assumed and raw[4:5] != "-":
            self._note("date", date_readings(raw), self.formats.dayfirst, line, field, raw)
        day = self._days.get(raw)
        if day is None:
            try:
                day = parse_date(raw, self.formats.dayfirst)
            except ValueError as exc:
                fail(field, str(exc))
                return date.min
            if len(self._days) < CACHED:
                self._days[raw] = day
        return day

    def _score(self, raw: str, raw_scale: str, fail) -> tuple[float | None, int | None]:  # noqa: ANN001
        """The satisfaction score and its scale (a file repeats a handful of each)."""
        key = (raw, raw_scale)
        known = self._scores.get(key)
        if known is not None:
            return known
        try:
            scale = self.defaults.satisfaction_scale
            if raw_scale:
                scale = parse_scale(raw_scale)
            read = parse_satisfaction(raw, scale, self.formats.decimal)
        except ValueError as exc:
            fail("satisfaction", str(exc))
            return None, None
        if len(self._scores) < CACHED:
            self._scores[key] = read
        return read

    def _stage(self, values: dict[str, str], fail) -> str | None:  # noqa: ANN001
        raw_stage = values.get("stage", "")
        named = None
        if raw_stage:
            if raw_stage in self._stages:
                named = self._stages[raw_stage]
            else:
                named = parse_stage(raw_stage, self.defaults.stages)
                if len(self._stages) < CACHED:
                    self._stages[raw_stage] = named
        raw_won, raw_closed = values.get("won", ""), values.get("closed", "")
        if raw_won:
            # The CRM's won/closed flags follow its stage definitions; names can be renamed.
            try:
                won = parse_flag(raw_won)
            except ValueError as exc:
                fail("won", str(exc))
                return None
            if won:
                return "won"
            if raw_closed:
                try:
                    return "lost" if parse_flag(raw_closed) else "open"
                except ValueError as exc:
                    fail("closed", str(exc))
                    return None
            if named == "won":
                fail("stage", _("the stage %(stage)s says won but the won column says no",
                                stage=quote(raw_stage)))
                return None
            return "lost" if named == "lost" else "open"
        if not raw_stage:
            fail("stage", _("the stage is missing"))
            return None
        if named is None:
            fail("stage", _("unknown stage %(stage)s: use a won, lost or open stage name, or "
                            "map it under 'stages:' in a YAML preset", stage=quote(raw_stage)))
        return named

    def _amount(self, line: int, values: dict[str, str], stage: str | None,
                fail) -> tuple[Decimal, str]:  # noqa: ANN001
        amount, written = Decimal("0.00"), None
        raw = values.get("amount", "")
        if raw:
            try:
                if self.formats.decimal_assumed and not raw.isdigit():
                    self._note("decimal", amount_readings(raw), self.formats.decimal, line,
                               "amount", raw)
                amount, written = parse_amount(raw, self.formats.decimal)
            except ValueError as exc:
                fail("amount", str(exc))
        elif stage == "won":
            fail("amount", _("a won deal needs its amount"))
        column = values.get("currency", "")
        if column:
            code = self._currencies.get(column)
            if code is None:
                try:
                    code = currency_code(column)
                except ValueError as exc:
                    fail("currency", str(exc))
                    code = ""
                else:
                    if len(self._currencies) < CACHED:
                        self._currencies[column] = code
            column = code
        if column and written and column != written:
            fail("amount", _("%(value)s is in %(written)s but the currency column says "
                             "%(column)s", value=quote(raw), written=written, column=column))
        return amount, column or written or self.defaults.currency
