"""The follow-ups and complaints a salesperson has to act on, from the imported deals.

The rules (pure functions below, with unit tests):

* **follow-up**: a won deal without a follow-up. Its window ends ``FOLLOW_UP_DAYS`` after the
  closing day (the last day a follow-up still counts in the follow-up rate). It is listed from
  ``DUE_SOON_DAYS`` days before that end ("due": the window is running out) until
  ``FOLLOW_UP_LIST_DAYS`` days after it ("overdue": the window has passed; older ones are no
  longer a follow-up to make and leave the list);
* **complaint**: a complaint without a resolution, listed until it is resolved, whatever its
  age; "long open" past ``COMPLAINT_OPEN_DAYS`` days (the reminders mention those).

Both lists are oldest first. The page of one person, a manager's team page, the command line
and the reminders all read them here, each in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from lms.extensions import db
from lms.models import Sale, Team, User
from lms.security import Scope, scope_condition

#: A follow-up is listed from this many days before its window ends.
DUE_SOON_DAYS = 3

FOLLOW_UP, COMPLAINT = "follow_up", "complaint"


@dataclass(frozen=True)
class Rules:
    today: date
    follow_up_days: int
    #: days after the window's end an overdue follow-up stays listed
    keep_days: int
    #: a complaint open longer than this is "long open"
    complaint_open_days: int


def rules_from(config: Any, today: date) -> Rules:
    return Rules(today=today, follow_up_days=int(config["FOLLOW_UP_DAYS"]),
                 keep_days=int(config["FOLLOW_UP_LIST_DAYS"]),
                 complaint_open_days=int(config["COMPLAINT_OPEN_DAYS"]))


# --- the rules (pure) --------------------------------------------------------------------------

def follow_up_ends(closed_on: date, follow_up_days: int) -> date:
    """The last day a follow-up still counts in the follow-up rate."""
    return closed_on + timedelta(days=follow_up_days)


def follow_up_state(closed_on: date, rules: Rules) -> str | None:
    """"due" (the window ends within DUE_SOON_DAYS days, today included), "overdue" (it has
    ended, up to ``keep_days`` ago) or None (not yet, or too long ago to list)."""
    days_left = (follow_up_ends(closed_on, rules.follow_up_days) - rules.today).days
    if days_left > DUE_SOON_DAYS or days_left < -rules.keep_days or closed_on > rules.today:
        return None
    return "overdue" if days_left < 0 else "due"


def listed_closing_days(rules: Rules) -> tuple[date, date]:
    """The closing days (first, last, inclusive) of the won deals ``follow_up_state`` lists:
    the same rule as a range the database can use."""
    first = rules.today - timedelta(days=rules.follow_up_days + rules.keep_days)
    last = min(rules.today - timedelta(days=rules.follow_up_days - DUE_SOON_DAYS), rules.today)
    return first, last


def complaint_long_open(complaint_on: date, rules: Rules) -> bool:
    return (rules.today - complaint_on).days > rules.complaint_open_days


# --- the lists -------------------------------------------------------------------------------

@dataclass(frozen=True)
class WorkItem:
    """One follow-up to make or complaint to resolve."""

    kind: str  # FOLLOW_UP or COMPLAINT
    sale_id: int
    crm_id: str
    user_id: int
    person: str
    team: str | None
    customer: str
    product: str
    amount: Decimal
    currency: str
    closed_on: date | None
    complaint_on: date | None
    #: follow-up: the window's last day; complaint: the day it was made
    since: date
    #: follow-up: days left in the window (negative: overdue by); complaint: days open
    days: int

    @property
    def overdue(self) -> bool:
        return self.kind == FOLLOW_UP and self.days < 0

    def record(self) -> dict[str, Any]:
        """For JSON: machine names, ISO dates."""
        return {"kind": self.kind, "deal": self.crm_id, "person_id": self.user_id,
                "person": self.person, "team": self.team, "customer": self.customer,
                "product": self.product, "amount": float(self.amount),
                "currency": self.currency,
                "closed_on": self.closed_on.isoformat() if self.closed_on else None,
                "complaint_on": self.complaint_on.isoformat() if self.complaint_on else None,
                "follow_up_ends": self.since.isoformat() if self.kind == FOLLOW_UP else None,
                "days_left" if self.kind == FOLLOW_UP else "days_open": self.days}


@dataclass(frozen=True)
class Worklist:
    follow_ups: list[WorkItem]
    complaints: list[WorkItem]
    #: how many there are (the lists may stop at a limit)
    follow_up_total: int
    complaint_total: int

    @property
    def overdue(self) -> list[WorkItem]:
        return [i for i in self.follow_ups if i.overdue]

    @property
    def due(self) -> list[WorkItem]:
        return [i for i in self.follow_ups if not i.overdue]


@dataclass(frozen=True)
class PersonCounts:
    user_id: int
    name: str
    team: str | None
    due: int
    overdue: int
    complaints: int
    long_open: int


def _columns() -> tuple[Any, ...]:
    return (Sale.id, Sale.crm_id, Sale.user_id, User.name, Team.name, Sale.customer_name,
            Sale.product, Sale.amount, Sale.currency, Sale.closed_on, Sale.complaint_on)


def _follow_up_where(rules: Rules, overdue_only: bool) -> ColumnElement[bool]:
    first, last = listed_closing_days(rules)
    if overdue_only:
        last = min(last, rules.today - timedelta(days=rules.follow_up_days + 1))
    return and_(Sale.stage == "won", Sale.follow_up_on.is_(None), Sale.closed_on >= first,
                Sale.closed_on <= last)


def _complaint_where(rules: Rules, long_open_only: bool) -> ColumnElement[bool]:
    last = rules.today - timedelta(days=rules.complaint_open_days + 1) if long_open_only \
        else rules.today
    return and_(Sale.complaint_on.is_not(None), Sale.complaint_resolved_on.is_(None),
                Sale.complaint_on <= last)


def _items(kind: str, who: ColumnElement[bool], rules: Rules, *, only_late: bool = False,
           limit: int | None = None) -> list[WorkItem]:
    is_follow_up = kind == FOLLOW_UP
    where = _follow_up_where(rules, only_late) if is_follow_up \
        else _complaint_where(rules, only_late)
    order = (Sale.closed_on, Sale.id) if is_follow_up else (Sale.complaint_on, Sale.id)
    query = (select(*_columns()).join(User, User.id == Sale.user_id)
             .outerjoin(Team, Team.id == User.team_id).where(who, where).order_by(*order))
    if limit is not None:
        query = query.limit(limit)
    out = []
    for (sale_id, crm_id, user_id, person, team, customer, product, amount, currency, closed_on,
         complaint_on) in db.session.execute(query):
        if is_follow_up:
            since = follow_up_ends(closed_on, rules.follow_up_days)
            days = (since - rules.today).days
        else:
            since, days = complaint_on, (rules.today - complaint_on).days
        out.append(WorkItem(kind, sale_id, crm_id, user_id, person, team, customer, product,
                            amount, currency, closed_on, complaint_on, since, days))
    return out


def person_worklist(user_id: int, rules: Rules) -> Worklist:
    """One person's lists, whole (a person has a handful). Two queries."""
    who = Sale.user_id == user_id
    follow_ups = _items(FOLLOW_UP, who, rules)
    complaints = _items(COMPLAINT, who, rules)
    return Worklist(follow_ups, complaints, len(follow_ups), len(complaints))


#: The salesperson's own figures on the page cover this many days up to today.
STANDING_DAYS = 365


@dataclass(frozen=True)
class Standing:
    """What a person's follow-ups and resolutions add up to, in the measures' own terms
    (lms.analytics.measures): the follow-up rate and the median days to resolve over the last
    STANDING_DAYS days, and the won deals still inside their follow-up days, which the rate
    counts only once those days are over."""

    follow_up_rate: float | None
    followed_up: int
    follow_up_due: int
    resolve_days: float | None
    resolved: int
    #: won deals whose follow-up days are not over yet, and how many of them are done
    in_window: int
    in_window_done: int


def person_standing(user_id: int, rules: Rules) -> Standing:
    """One person's figures: two queries."""
    from lms.analytics.measures import person_totals

    start = rules.today - timedelta(days=STANDING_DAYS - 1)
    totals = person_totals(user_id, [("year", start, rules.today + timedelta(days=1))],
                           follow_up_days=rules.follow_up_days,
                           as_of=rules.today).get((user_id, "year"))
    opened = rules.today - timedelta(days=rules.follow_up_days)
    in_window, done = db.session.execute(
        select(func.count(), func.count(Sale.follow_up_on))
        .where(Sale.user_id == user_id, Sale.stage == "won", Sale.closed_on > opened,
               Sale.closed_on <= rules.today)).one()
    if totals is None:
        return Standing(None, 0, 0, None, 0, in_window, done)
    rate = round(totals.followed_up / totals.follow_up_due, 4) if totals.follow_up_due else None
    return Standing(rate, totals.followed_up, totals.follow_up_due, totals.resolve_median,
                    totals.resolve_n, in_window, done)


def in_scope(scope: Scope) -> ColumnElement[bool]:
    """Active salespeople the scope holds (people who left have nobody to call)."""
    return and_(scope_condition(scope), User.active.is_(True))


def team_counts(scope: Scope, rules: Rules) -> list[PersonCounts]:
    """Per salesperson in scope with anything listed: their counts, by name. Two queries."""
    who = in_scope(scope)
    late_end = rules.today - timedelta(days=rules.follow_up_days)
    follow = dict((row[0], row[1:]) for row in db.session.execute(
        select(Sale.user_id, func.count(case((Sale.closed_on >= late_end, 1))),
               func.count(case((Sale.closed_on < late_end, 1))))
        .join(User, User.id == Sale.user_id).where(who, _follow_up_where(rules, False))
        .group_by(Sale.user_id)))
    long_from = rules.today - timedelta(days=rules.complaint_open_days)
    complaints = dict((row[0], row[1:]) for row in db.session.execute(
        select(Sale.user_id, func.count(), func.count(case((Sale.complaint_on < long_from, 1))))
        .join(User, User.id == Sale.user_id).where(who, _complaint_where(rules, False))
        .group_by(Sale.user_id)))
    ids = set(follow) | set(complaints)
    if not ids:
        return []
    people = db.session.execute(
        select(User.id, User.name, Team.name).outerjoin(Team, Team.id == User.team_id)
        .where(User.id.in_(sorted(ids))).order_by(func.lower(User.name), User.id))
    return [PersonCounts(uid, name, team, *follow.get(uid, (0, 0)),
                         *complaints.get(uid, (0, 0))) for uid, name, team in people]


def team_worklist(scope: Scope, rules: Rules, *, person_id: int | None = None,
                  limit: int | None = None) -> Worklist:
    """The lists of everyone in scope (or of one of them, ``person_id``), oldest first, each
    at most ``limit`` long; the totals count them all. Four queries."""
    who = in_scope(scope)
    if person_id is not None:
        who = and_(who, Sale.user_id == person_id)
    follow_ups = _items(FOLLOW_UP, who, rules, limit=limit)
    complaints = _items(COMPLAINT, who, rules, limit=limit)

    def total(items: list[WorkItem], where: ColumnElement[bool]) -> int:
        if limit is None or len(items) < limit:
            return len(items)
        return db.session.scalar(select(func.count()).select_from(Sale)
                                 .join(User, User.id == Sale.user_id).where(who, where)) or 0

    return Worklist(follow_ups, complaints,
                    total(follow_ups, _follow_up_where(rules, False)),
                    total(complaints, _complaint_where(rules, False)))


def late_work(scope: Scope, rules: Rules) -> dict[int, Worklist]:
    """For the reminders: per person in scope, the overdue follow-ups and the complaints open
    longer than ``complaint_open_days``. Two queries."""
    who = in_scope(scope)
    follow_ups = _items(FOLLOW_UP, who, rules, only_late=True)
    complaints = _items(COMPLAINT, who, rules, only_late=True)
    grouped: dict[int, tuple[list[WorkItem], list[WorkItem]]] = {}
    for item in follow_ups:
        grouped.setdefault(item.user_id, ([], []))[0].append(item)
    for item in complaints:
        grouped.setdefault(item.user_id, ([], []))[1].append(item)
    return {user_id: Worklist(f, c, len(f), len(c)) for user_id, (f, c) in grouped.items()}
