"""My results: one person's ten sales measures per calendar month over the last twelve months,
with their training milestones and their goals on the same timeline (the page:
``lms.learn.results_routes``; the charts: ``lms.analytics.results_chart``).

The months are calendar months, the current one counted up to today and marked as partial.
Everything is read in a fixed number of statements, however many months, deals, completions
and goals there are: whether there are sales at all (1), the measures of every month in one
``window_totals`` query (1), the goals (1), their values (``goal_values``: 2 at most), the
completions (1) and the live content for the titles in the reader's language (1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, func, literal, select, union_all

from lms.analytics.measures import (
    GOAL_MEASURES as SALES_GOAL_MEASURES,
)
from lms.analytics.measures import (
    Totals,
    goal_values,
    measure_values,
    person_totals,
)
from lms.extensions import db
from lms.learning.catalog import live_items, shown_title
from lms.learning.goal_progress import GoalView, goal_view, performance_progress
from lms.models import (
    ContentItem,
    ContentKind,
    ContentVersion,
    Goal,
    GoalKind,
    ModuleProgress,
    PathCompletion,
    Sale,
    User,
)

MONTHS = 12
#: Goals whose deadline lies ahead stretch the timeline by at most this many months.
FUTURE_MONTHS = 6
#: The performance goals drawn on a measure's chart (complaints resolved in time has no chart
#: of its own: it is a deadline on the timeline).
GOAL_MEASURES = {GoalKind(kind): key for kind, key in SALES_GOAL_MEASURES.items()}


# --- the months (pure) ----------------------------------------------------------------------

def month_after(first: date) -> date:
    """The first day of the month after the one ``first`` is in."""
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_before(first: date) -> date:
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


@dataclass(frozen=True)
class Month:
    """A calendar month [start, end); deals count from ``start`` up to ``counted_until``
    (exclusive): the month's end, or the day after today for the current month (partial)."""

    start: date
    end: date
    counted_until: date
    partial: bool = False
    #: a month of the timeline after this one (goals' deadlines): no sales yet
    future: bool = False

    @property
    def key(self) -> str:
        return f"m{self.start:%Y-%m}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def last_months(today: date, count: int = MONTHS) -> list[Month]:
    """The ``count`` calendar months up to and including today's, oldest first; the current
    month is partial (counted up to and including today)."""
    if count < 1:
        raise ValueError("at least one month")
    first = today.replace(day=1)
    starts = [first]
    for _ in range(count - 1):
        starts.append(month_before(starts[-1]))
    months = [Month(s, month_after(s), month_after(s)) for s in reversed(starts)]
    current = months[-1]
    months[-1] = Month(current.start, current.end, today + timedelta(days=1), partial=True)
    return months


def months_ahead(today: date, until: date | None, most: int = FUTURE_MONTHS) -> list[Month]:
    """The months after today's up to the one ``until`` falls in (at most ``most``)."""
    out: list[Month] = []
    start = month_after(today.replace(day=1))
    while until is not None and start <= until and len(out) < most:
        out.append(Month(start, month_after(start), start, future=True))
        start = month_after(start)
    return out


# --- what the page shows --------------------------------------------------------------------

@dataclass(frozen=True)
class Milestone:
    day: date
    #: "path" or "module"
    kind: str
    title: str
    #: 1, 2, ... in date order: the number drawn on the charts
    number: int = 0


@dataclass(frozen=True)
class GoalMark:
    """A goal on the timeline: a performance goal of a charted measure also draws its target."""

    goal: Goal
    title: str
    starts_on: date
    deadline: date
    #: the measure whose chart shows the target, or None (a deadline marker only)
    measure: str | None
    #: the goal's target in the measure's units (None for training goals)
    target: float | None
    #: measured status (performance goals only)
    view: GoalView | None
    achieved: bool
    number: int = 0

    @property
    def letter(self) -> str:
        """The mark drawn on the charts: A, B, ... (milestones are numbered)."""
        return chr(ord("A") + self.number - 1) if self.number <= 26 else f"G{self.number}"

    @property
    def cumulative(self) -> bool:
        return self.measure in ("revenue", "won_deals")

    def monthly_pace(self) -> float | None:
        """A running-total goal as the amount a month that reaches it by the deadline (what
        a monthly chart can show beside its bars); rates are their own target."""
        if self.target is None or not self.cumulative:
            return self.target
        days = (self.deadline - self.starts_on).days + 1
        return self.target * 30.4375 / max(days, 1)


@dataclass
class MyResults:
    today: date
    months: list[Month]
    #: the timeline: the twelve months, then any ahead of today for goals' deadlines
    timeline: list[Month]
    #: month key -> measure key -> value (None: nothing to divide by)
    values: dict[str, dict[str, float | None]]
    #: month key -> deals closed (won + lost) in it
    closed: dict[str, int]
    milestones: list[Milestone]
    goals: list[GoalMark]
    #: anyone's sales imported, this person's deals ever
    organisation_has_sales: bool
    own_deals: int
    follow_up_days: int
    #: a goal was seen met for the first time: its ``achieved_at`` is set, for the caller to
    #: commit (as My goals does)
    recorded: bool = False

    @property
    def closed_in_window(self) -> int:
        return sum(self.closed.values())

    @property
    def open_performance_goals(self) -> list[GoalMark]:
        return [g for g in self.goals if g.view is not None and not g.view.is_training
                and g.deadline >= self.today]


def _as_day(value: datetime | date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _sales_status(user_id: int) -> tuple[bool, int]:
    """Whether the organisation has imported any deal, and how many this person has."""
    row = db.session.execute(select(
        exists(select(Sale.id)).label("any"),
        select(func.count(Sale.id)).where(Sale.user_id == user_id).scalar_subquery()
    )).one()
    return bool(row[0]), int(row[1] or 0)


def _milestones(user_id: int, first: date) -> list[Milestone]:
    """Paths and modules completed on or after ``first``, in date order, with their titles in
    the reader's language where the item is live."""
    current = ContentVersion
    paths = (select(PathCompletion.completed_at.label("at"), literal("path").label("kind"),
                    ContentItem.slug, ContentItem.kind.label("item_kind"),
                    current.title.label("title"))
             .join(ContentItem, ContentItem.id == PathCompletion.path_id)
             .outerjoin(current, current.id == ContentItem.current_version_id)
             .where(PathCompletion.user_id == user_id))
    modules = (select(ModuleProgress.completed_at.label("at"), literal("module").label("kind"),
                      ContentItem.slug, ContentItem.kind.label("item_kind"),
                      current.title.label("title"))
               .join(ContentItem, ContentItem.id == ModuleProgress.module_id)
               .outerjoin(current, current.id == ContentItem.current_version_id)
               .where(ModuleProgress.user_id == user_id,
                      ModuleProgress.completed_at.is_not(None)))
    rows = db.session.execute(union_all(paths, modules)).all()
    live = {ContentKind.PATH.value: live_items(ContentKind.PATH),
            ContentKind.MODULE.value: live_items(ContentKind.MODULE)}
    found = []
    for at, kind, slug, item_kind, title in rows:
        day = _as_day(at)
        if day < first:
            continue
        item = live.get(item_kind, {}).get(slug)
        found.append((day, 0 if kind == "path" else 1,
                      kind, shown_title(item) if item is not None else (title or slug)))
    found.sort(key=lambda r: (r[0], r[1], r[3].casefold()))
    return [Milestone(day, kind, title, number)
            for number, (day, _order, kind, title) in enumerate(found, start=1)]


def my_results(user: User, *, today: date, follow_up_days: int) -> MyResults:
    """Everything the My results page shows for ``user`` (see the module docstring)."""
    months = last_months(today)
    first = months[0].start
    organisation_has_sales, own_deals = _sales_status(user.id)
    goals = db.session.scalars(
        select(Goal).where(Goal.user_id == user.id, Goal.archived_at.is_(None),
                           Goal.deadline >= first, Goal.starts_on <= today
                           + timedelta(days=31 * FUTURE_MONTHS))
        .order_by(Goal.deadline, Goal.id)).all()
    spans = [(m.key, m.start, m.counted_until) for m in months]
    totals = (person_totals(user.id, spans, follow_up_days=follow_up_days, as_of=today)
              if own_deals else {})
    values = {m.key: measure_values(totals.get((user.id, m.key), Totals())) for m in months}
    closed = {m.key: totals.get((user.id, m.key), Totals()).closed for m in months}
    actuals = goal_values(user.id, [(g, min(today, g.deadline)) for g in goals
                                    if g.starts_on <= today], follow_up_days=follow_up_days,
                          as_of=today, has_deals=True) if own_deals else {}

    marks = []
    unmet = {g.id for g in goals if g.achieved_at is None}
    for number, goal in enumerate(goals, start=1):
        kind = GoalKind(goal.kind)
        view = None
        # A coaching next step is done when the person says so: like a training goal, it is a
        # mark on the timeline, not a measure to be on track with.
        if not kind.is_training and not kind.is_coaching:
            view = goal_view(goal, user, today,
                             performance_progress(goal, actuals.get(goal.id), today))
        marks.append(GoalMark(goal=goal, title=goal.title, starts_on=goal.starts_on,
                              deadline=goal.deadline, measure=GOAL_MEASURES.get(kind),
                              target=goal.target if kind in GOAL_MEASURES else None,
                              view=view, achieved=goal.achieved_at is not None
                              or (view is not None and view.status == "achieved"),
                              number=number))
    latest = max((g.deadline for g in goals if g.deadline > today), default=None)
    milestones = _milestones(user.id, first)
    return MyResults(
        today=today, months=months, timeline=months + months_ahead(today, latest),
        values=values, closed=closed, milestones=milestones, goals=marks,
        organisation_has_sales=organisation_has_sales, own_deals=own_deals,
        follow_up_days=follow_up_days,
        recorded=any(g.achieved_at is not None for g in goals if g.id in unmet))

