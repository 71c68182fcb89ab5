"""The ten sales measures per salesperson over a window of days, worked out in SQL.

A window is ``[start, end)``: from ``start`` up to but not including ``end``. A deal belongs to
the window its ``closed_on`` falls in (open deals, and deals without a close date, are in none).
Amounts are summed as recorded (the CRM's currency; no conversion).

========================  ==========================================================  =========
measure                   definition (over the deals closed in the window)            better
========================  ==========================================================  =========
revenue                   sum of the amounts of won deals                             higher
won_deals                 number of won deals                                         higher
win_rate                  won / (won + lost)                                          higher
avg_deal_size             revenue / won deals                                         higher
cycle_days                mean days from created_on to closed_on of won deals         lower
satisfaction              mean satisfaction of won deals with a score, normalised     higher
                          to 0-1: (s - 1) / 4 on the 1-5 scale, s / 10 on the 0-10
                          scale (each scale's lowest score is 0, its highest 1; a
                          score without a scale is left out)
repeat_rate               share of won deals whose customer had an earlier won deal   higher
                          (closed on an earlier day, by anyone)
complaints_per_10         10 × won deals with a complaint / won deals                 lower
resolve_days              median days from complaint to resolution, over the won      lower
                          deals' resolved complaints
follow_up_rate            share of won deals followed up within FOLLOW_UP_DAYS        higher
                          (default 14) days of closing (0 = the closing day), over
                          the won deals whose N days were over by the report date
                          (a deal won yesterday cannot have been followed up yet)
========================  ==========================================================  =========

A measure without a denominator (no won deal, no closed deal, no score, no resolved
complaint) is None, shown as "—". Values are rounded once, here (money to cents, shares to four
decimals, days to two), and every later figure is computed from the rounded values, so a figure
recomputed from an export matches exactly.

``window_totals`` takes a table of windows (user_id, period, start, end) and answers with one
aggregate query, however many people and windows there are: the days to resolve each complaint
come back as a short list per window, whose median is taken in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from flask_babel import gettext
from sqlalchemy import (
    Date,
    Float,
    Integer,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import Select

from lms.analytics.csvsafe import csv_text
from lms.analytics.sqldates import days_between, int_list
from lms.extensions import db
from lms.i18n import _l, format_money, format_number
from lms.models import Sale, Team, User
from lms.security import Scope, scope_condition


@dataclass(frozen=True)
class MeasureInfo:
    """A measure and how people read it: ``label``, ``help`` and ``short`` are lazy strings in
    the reader's language (``str()`` them to store or compare)."""

    key: str
    label: str
    #: euros, count, share (0-1), days, per10
    unit: str
    higher_is_better: bool
    #: digits kept when rounding
    digits: int
    help: str
    #: a column heading for wide tables
    short: str = ""


MEASURES: tuple[MeasureInfo, ...] = (
    MeasureInfo("revenue", _l("Revenue won"), "euros", True, 2,
                _l("Sum of the amounts of the deals won in the period."), _l("Revenue")),
    MeasureInfo("won_deals", _l("Deals won"), "count", True, 0, _l("Number of deals won."),
                _l("Won")),
    MeasureInfo("win_rate", _l("Win rate"), "share", True, 4,
                _l("Won deals as a share of won and lost deals."), _l("Win rate")),
    MeasureInfo("avg_deal_size", _l("Average deal size"), "euros", True, 2,
                _l("Revenue won divided by the number of deals won."), _l("Avg deal")),
    MeasureInfo("cycle_days", _l("Sales cycle"), "days", False, 2,
                _l("Mean days from creating a won deal to closing it."), _l("Cycle")),
    MeasureInfo("satisfaction", _l("Customer satisfaction"), "share", True, 4,
                _l("Mean satisfaction score of won deals on a 0-1 scale (1-5 stars: (s-1)/4; "
                   "0-10: s/10)."), _l("Satisfaction")),
    MeasureInfo("repeat_rate", _l("Repeat-customer rate"), "share", True, 4,
                _l("Share of won deals whose customer had won a deal before."), _l("Repeat")),
    MeasureInfo("complaints_per_10", _l("Complaints per 10 won deals"), "per10", False, 4,
                _l("Won deals with a complaint, per ten won deals."), _l("Compl./10")),
    MeasureInfo("resolve_days", _l("Days to resolve a complaint"), "days", False, 2,
                _l("Median days from a complaint to its resolution."), _l("Resolve")),
    MeasureInfo("follow_up_rate", _l("Follow-up rate"), "share", True, 4,
                _l("Share of won deals followed up within the follow-up days of closing (deals "
                   "won too recently to tell are left out)."), _l("Follow-up")),
)
MEASURE_KEYS: tuple[str, ...] = tuple(m.key for m in MEASURES)
BY_KEY: dict[str, MeasureInfo] = {m.key: m for m in MEASURES}
#: The eleventh measure of the impact analysis only (not a sales measure): the mean of the
#: coaching ratings of observations in the window, each normalised to 0-1 on its scale
#: (lms.analytics.impact_training).
SKILL_RATING = MeasureInfo(
    "skill_rating", _l("Skill rating"), "share", True, 4,
    _l("Mean coaching rating of the observations in the period, each on a 0-1 scale (the "
       "rubric's lowest level 0, its highest 1)."), _l("Skill"))
#: Every measure the impact analysis can relate training to, by key.
OUTCOME_BY_KEY: dict[str, MeasureInfo] = {**BY_KEY, SKILL_RATING.key: SKILL_RATING}
_DIGITS: dict[str, int] = {m.key: m.digits for m in MEASURES}


# --- from totals to measures (pure) -----------------------------------------------------------

class Totals(NamedTuple):
    """What the database adds up for one person and window (a tuple: there are many)."""

    won: int = 0
    lost: int = 0
    revenue: float = 0.0
    cycle_days_sum: float = 0.0
    cycle_n: int = 0
    satisfaction_sum: float = 0.0
    satisfaction_n: int = 0
    repeat: int = 0
    complaints: int = 0
    followed_up: int = 0
    follow_up_due: int = 0
    resolve_median: float | None = None
    resolve_n: int = 0

    @property
    def closed(self) -> int:
        return self.won + self.lost


def _ratio(top: float, bottom: float) -> float | None:
    return top / bottom if bottom else None


def measure_values(t: Totals) -> dict[str, float | None]:
    """The ten measures, rounded, from one person's totals."""
    raw: dict[str, float | None] = {
        "revenue": t.revenue if t.won else 0.0,
        "won_deals": t.won,
        "win_rate": _ratio(t.won, t.won + t.lost),
        "avg_deal_size": _ratio(t.revenue, t.won),
        "cycle_days": _ratio(t.cycle_days_sum, t.cycle_n),
        "satisfaction": _ratio(t.satisfaction_sum, t.satisfaction_n),
        "repeat_rate": _ratio(t.repeat, t.won),
        "complaints_per_10": _ratio(10 * t.complaints, t.won),
        "resolve_days": t.resolve_median if t.resolve_n else None,
        "follow_up_rate": _ratio(t.followed_up, t.follow_up_due),
    }
    # Rounded to each measure's digits; this runs twice for every person of an analysis.
    return {key: None if value is None else
            (int(value) if (digits := _DIGITS[key]) == 0 else round(value, digits))
            for key, value in raw.items()}


def median(values: Iterable[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def performance_csv(rows: Iterable[Any], first: date, last: date) -> str:
    """Sales performance as a spreadsheet for people (the page's download and ``lms report
    sales --format csv``): headings in the reader's language, the measures by their names,
    values as data. ``rows`` carry name, email, team, active, closed_deals and values."""
    header = [gettext("Name"), gettext("Email"), gettext("Team"), gettext("Active"),
              gettext("From"), gettext("To"), gettext("Closed deals"),
              *(str(BY_KEY[k].label) for k in MEASURE_KEYS)]
    return csv_text(header, ([r.name, r.email, r.team or "", r.active, first, last,
                              r.closed_deals, *(r.values[k] for k in MEASURE_KEYS)]
                             for r in rows))


def format_value(key: str, value: float | None) -> str:
    """A measure as a person reads it, in their language's numbers ("€12,346" / "€ 12.346",
    "45.7 %" / "45,7 %", "12.2 d" / "12,2 d")."""
    if value is None:
        return "—"
    unit = OUTCOME_BY_KEY[key].unit
    if unit == "euros":
        return format_money(value, digits=0)
    if unit == "share":
        return f"{format_number(value * 100, 1)} %"
    if unit == "days":
        return gettext("%(days)s d", days=format_number(value, 1))
    if unit == "per10":
        return format_number(value, 2)
    return format_number(value, 0)


# --- the SQL ----------------------------------------------------------------------------------

def windows_for(people: Select, start: date, end: date) -> Any:
    """One window [start, end) for each person of ``people`` (a select of user ids)."""
    ids = people.subquery("window_people")
    return select(
        ids.c[0].label("user_id"), literal("period").label("period"),
        literal(start, Date).label("start"), literal(end, Date).label("end"),
    ).cte("windows")


def _joined(windows: Any) -> tuple[Any, Any]:
    sale = Sale.__table__.alias("s")
    joined = windows.join(sale, and_(sale.c.user_id == windows.c.user_id,
                                     sale.c.closed_on >= windows.c.start,
                                     sale.c.closed_on < windows.c.end))
    return sale, joined


def totals_query(windows: Any) -> Select:
    """Sums per (user_id, period): one row per window with at least one closed deal. Its
    parameters ``due_by`` and ``follow_up_days`` are bound when it runs (``_totals``), so the
    statement does not depend on the day, and one built once serves every request."""
    s, joined = _joined(windows)
    won = s.c.stage == "won"
    earlier = Sale.__table__.alias("earlier")
    # SELECT 1, not SELECT *: the (customer_key, stage, closed_on) index answers it alone.
    had_earlier = (select(literal_column("1")).select_from(earlier)
                   .where(earlier.c.customer_key == s.c.customer_key, earlier.c.stage == "won",
                          earlier.c.closed_on < s.c.closed_on).exists())
    with_cycle = and_(won, s.c.created_on.is_not(None))
    follow_days = days_between(s.c.follow_up_on, s.c.closed_on)
    # Only deals whose follow-up days were over by the report date can tell.
    follow_up_days = bindparam("follow_up_days", type_=Integer)
    due = and_(won, s.c.closed_on <= bindparam("due_by", type_=Date))
    normalised = case(
        (s.c.satisfaction_scale == 5, (s.c.satisfaction - 1) / 4.0),
        (s.c.satisfaction_scale == 10, s.c.satisfaction / 10.0),
    )
    scored = and_(won, s.c.satisfaction.is_not(None), s.c.satisfaction_scale.in_((5, 10)))
    resolved = and_(won, s.c.complaint_on.is_not(None), s.c.complaint_resolved_on.is_not(None),
                    s.c.complaint_resolved_on >= s.c.complaint_on)
    return (
        select(
            windows.c.user_id, windows.c.period,
            func.count(case((won, 1))).label("won"),
            func.count(case((s.c.stage == "lost", 1))).label("lost"),
            func.sum(case((won, s.c.amount)), type_=Float).label("revenue"),
            func.sum(case((with_cycle, days_between(s.c.closed_on, s.c.created_on))),
                     type_=Float).label("cycle_days_sum"),
            func.count(case((with_cycle, 1))).label("cycle_n"),
            func.sum(case((scored, normalised)), type_=Float).label("satisfaction_sum"),
            func.count(case((scored, 1))).label("satisfaction_n"),
            func.count(case((and_(won, had_earlier), 1))).label("repeat"),
            func.count(case((and_(won, s.c.complaint_on.is_not(None)), 1))).label("complaints"),
            func.count(case((and_(due, s.c.follow_up_on.is_not(None), follow_days >= 0,
                                  follow_days <= follow_up_days), 1))).label("followed_up"),
            func.count(case((due, 1))).label("follow_up_due"),
            int_list(case((resolved, days_between(s.c.complaint_resolved_on,
                                                  s.c.complaint_on)))).label("resolve_days"),
        )
        .select_from(joined)
        .group_by(windows.c.user_id, windows.c.period)
    )


def window_totals(windows: Any, *, follow_up_days: int,
                  as_of: date) -> dict[tuple[int, str], Totals]:
    """Totals per (user_id, period) for every window with a closed deal (one query).
    ``as_of`` is the report date: follow-ups are judged on deals whose days were over by it."""
    return _totals(totals_query(windows), {}, follow_up_days, as_of)


def person_totals(user_id: int, spans: list[tuple[str, date, date]], *, follow_up_days: int,
                  as_of: date) -> dict[tuple[int, str], Totals]:
    """``window_totals`` for one person's (period, start, end) windows, from a statement built
    once per number of windows: the pages people open every day ask this, and building the
    statement cost more than running it."""
    if not spans:
        return {}
    params: dict[str, Any] = {"user_id": user_id}
    for i, (key, start, end) in enumerate(spans):
        params.update({f"period_{i}": key, f"start_{i}": start, f"end_{i}": end})
    return _totals(_person_totals_statement(len(spans)), params, follow_up_days, as_of)


@lru_cache(maxsize=64)
def _person_totals_statement(spans: int) -> Select:
    user_id = bindparam("user_id", type_=Integer)
    windows = union_all(*(
        select(user_id.label("user_id"), bindparam(f"period_{i}", type_=String).label("period"),
               bindparam(f"start_{i}", type_=Date).label("start"),
               bindparam(f"end_{i}", type_=Date).label("end"))
        for i in range(spans))).cte("windows")
    return totals_query(windows)


def _totals(statement: Select, params: dict[str, Any], follow_up_days: int,
            as_of: date) -> dict[tuple[int, str], Totals]:
    out: dict[tuple[int, str], Totals] = {}
    params = {**params, "follow_up_days": follow_up_days,
              "due_by": as_of - timedelta(days=follow_up_days)}
    # Core execution and plain tuples: one row per window, and there are many windows.
    rows = db.session.connection().execute(statement, params)
    for (user_id, period, won, lost, revenue, cycle_days_sum, cycle_n, satisfaction_sum,
         satisfaction_n, repeat, complaints, followed_up, follow_up_due, resolve_days) in rows:
        if resolve_days:
            days = [int(v) for v in resolve_days.split(",")]
            resolve_median, resolve_n = float(median(days)), len(days)  # type: ignore[arg-type]
        else:
            resolve_median, resolve_n = None, 0
        # Positional, in the field order of Totals: many rows, and keywords cost time.
        out[(user_id, period)] = Totals(
            won, lost, round(float(revenue or 0), 2), float(cycle_days_sum or 0), cycle_n,
            float(satisfaction_sum or 0), satisfaction_n, repeat, complaints, followed_up,
            follow_up_due, resolve_median, resolve_n)
    return out


# --- the sales performance report --------------------------------------------------------------

@dataclass(frozen=True)
class PersonMeasures:
    user_id: int
    name: str
    email: str
    team: str | None
    active: bool
    closed_deals: int
    values: dict[str, float | None] = field(default_factory=dict)


def _sold_between(start: date, end: date) -> Any:
    return exists().where(Sale.user_id == User.id, Sale.closed_on >= start, Sale.closed_on < end)


def sales_performance(scope: Scope, start: date, end: date, *, follow_up_days: int,
                      as_of: date) -> list[PersonMeasures]:
    """Every measure for each salesperson in scope over [start, end), by name. People who left
    are listed only when they closed a deal in the period. Three queries."""
    if end <= start:
        raise ValueError("the period must end after it starts")
    people = (
        select(User.id, User.name, User.email, Team.name.label("team"), User.active)
        .outerjoin(Team, Team.id == User.team_id)
        .where(scope_condition(scope), or_(User.active.is_(True), _sold_between(start, end)))
        .order_by(func.lower(User.name), User.id)
    )
    rows = db.session.execute(people).all()
    if not rows:
        return []
    ids = select(User.id).where(scope_condition(scope),
                                or_(User.active.is_(True), _sold_between(start, end)))
    totals = window_totals(windows_for(ids, start, end), follow_up_days=follow_up_days,
                           as_of=as_of)
    out = []
    for user_id, name, email, team, active in rows:
        t = totals.get((user_id, "period"), Totals())
        out.append(PersonMeasures(user_id, name, email, team, bool(active), t.closed,
                                  measure_values(t)))
    return out


def sort_rows(rows: list[PersonMeasures], key: str, descending: bool) -> list[PersonMeasures]:
    """Sorted by a measure (people without a value last, whichever the direction), by name, or
    by closed deals."""
    if key == "name":
        return sorted(rows, key=lambda r: (r.name.casefold(), r.user_id), reverse=descending)
    if key == "team":
        return sorted(rows, key=lambda r: ((r.team or "").casefold(), r.name.casefold()),
                      reverse=descending)

    def value(row: PersonMeasures) -> float | None:
        return row.closed_deals if key == "closed_deals" else row.values.get(key)

    known = [r for r in rows if value(r) is not None]
    unknown = [r for r in rows if value(r) is None]
    known.sort(key=lambda r: (value(r), r.name.casefold()), reverse=descending)
    return known + sorted(unknown, key=lambda r: r.name.casefold())


# --- performance goals (lms.learning.goal_progress, lms.analytics.my_results) ----------------

#: The sales measure each performance goal kind is counted on (complaints resolved in time is
#: counted per goal by ``complaints_resolved_shares``: its window is the goal's own).
GOAL_MEASURES = {"revenue": "revenue", "won_deals": "won_deals",
                 "satisfaction": "satisfaction", "repeat_rate": "repeat_rate"}
COMPLAINTS_GOAL = "complaints_resolved"


def goal_values(user_id: int, spans: list[tuple[Any, date]], *, follow_up_days: int,
                as_of: date, has_deals: bool | None = None) -> dict[int, float | None]:
    """Each performance goal's value from its ``starts_on`` to ``until`` (inclusive), by goal
    id, for the ``(goal, until)`` pairs of one person: None for everyone's goals while the
    person has no deals (``has_deals``, looked up when the caller does not know it). Three
    statements at most, however many goals."""
    if not spans:
        return {}
    if has_deals is None:
        has_deals = db.session.scalar(
            select(Sale.id).where(Sale.user_id == user_id).limit(1)) is not None
    if not has_deals:
        return {goal.id: None for goal, _until in spans}
    windows = [(f"g{goal.id}", goal.starts_on, until + timedelta(days=1))
               for goal, until in spans if goal.kind in GOAL_MEASURES]
    totals = person_totals(user_id, windows, follow_up_days=follow_up_days, as_of=as_of)
    shares = complaints_resolved_shares(user_id, {
        goal.id: (goal.starts_on, until, goal.within_days or 1)
        for goal, until in spans if goal.kind == COMPLAINTS_GOAL})
    out: dict[int, float | None] = {}
    for goal, _until in spans:
        if goal.kind == COMPLAINTS_GOAL:
            out[goal.id] = shares[goal.id]
        elif goal.kind in GOAL_MEASURES:
            totals_of = totals.get((user_id, f"g{goal.id}"), Totals())
            out[goal.id] = measure_values(totals_of)[GOAL_MEASURES[goal.kind]]
    return out


def complaints_resolved_shares(user_id: int, spans: dict[Any, tuple[date, date, int]]
                               ) -> dict[Any, float | None]:
    """Of the complaints raised on the person's deals in each span from ``start`` to ``until``
    (inclusive), the share resolved within ``within_days`` days, by the spans' keys (one query,
    however many spans). A complaint still open whose time is not up yet is left out (it may
    still be resolved in time); None for a span without complaints."""
    if not spans:
        return {}
    keyed = list(spans.items())
    table = union_all(*(
        select(literal(i).label("k"), literal(first, Date).label("first"),
               literal(until, Date).label("until"), literal(days).label("within"))
        for i, (_key, (first, until, days)) in enumerate(keyed))).cte("spans")
    took = days_between(Sale.complaint_resolved_on, Sale.complaint_on)
    in_time = and_(Sale.complaint_resolved_on.is_not(None), took <= table.c.within)
    late = or_(and_(Sale.complaint_resolved_on.is_not(None), took > table.c.within),
               and_(Sale.complaint_resolved_on.is_(None),
                    days_between(table.c.until, Sale.complaint_on) > table.c.within))
    rows = db.session.execute(
        select(table.c.k, func.count(case((in_time, 1))), func.count(case((late, 1))))
        .select_from(table)
        .join(Sale, and_(Sale.user_id == user_id, Sale.complaint_on >= table.c.first,
                         Sale.complaint_on <= table.c.until))
        .group_by(table.c.k)).all()
    counts = {k: (in_t, lt) for k, in_t, lt in rows}
    out: dict[Any, float | None] = {}
    for i, (key, _span) in enumerate(keyed):
        in_t, lt = counts.get(i, (0, 0))
        out[key] = round(in_t / (in_t + lt), 4) if in_t + lt else None
    return out


def register_goal_measures(follow_up_days: Callable[[], int]) -> None:
    """Plug the sales measures into people's performance goals."""
    from lms.learning.goal_progress import register_measure

    register_measure(lambda user, spans, as_of: goal_values(
        user.id, spans, follow_up_days=follow_up_days(), as_of=as_of))
