"""The panel behind the difference in differences: every salesperson's measures in each 30-day
period, and the period they trained in. Two queries for the people and their training, one for
the sums (``measures.window_totals`` over a period grid), whatever the number of people.

The periods end on the report date: period −1 is the 30 days before it, and the grid reaches
back to the first closed deal of the people in scope (at most ``MAX_PERIODS``). A person has a
value in a period when they closed at least one deal in it; the measures are the sales report's
(``lms.analytics.measures``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Date, func, literal, select, true, union_all

from lms.analytics import impact_sql as q
from lms.analytics.causal_did import PERIOD_DAYS, PanelPerson, period_of
from lms.analytics.measures import MEASURE_KEYS, measure_values, window_totals
from lms.extensions import db
from lms.models import Sale, User
from lms.security import Scope, scope_condition

#: Three years of 30-day periods: older sales say little about today's training.
MAX_PERIODS = 36


@dataclass(frozen=True)
class Panel:
    origin: date  # the first day of period 0
    periods: int
    people: dict[str, list[PanelPerson]]  # per measure


def _grid(people: object, origin: date, periods: int) -> object:
    """(user_id, period, start, end) for each person and period, as a CTE."""
    # A UNION ALL of constant rows: SQLite has no VALUES with named columns.
    spans = union_all(*(
        select(literal(str(k)).label("period"),
               literal(origin + timedelta(days=k * PERIOD_DAYS), Date).label("start"),
               literal(origin + timedelta(days=(k + 1) * PERIOD_DAYS), Date).label("end"))
        for k in range(periods))).subquery("spans")
    ids = people.subquery("panel_people")  # type: ignore[attr-defined]
    return (select(ids.c[0].label("user_id"), spans.c.period, spans.c.start, spans.c.end)
            .select_from(ids.join(spans, true())).cte("windows"))


def load_panel(scope: Scope, kind: str, item_id: int, *, today: date,
               follow_up_days: int) -> Panel:
    people = select(User.id).where(scope_condition(scope))
    first = db.session.scalar(select(func.min(Sale.closed_on))
                              .where(Sale.user_id.in_(people), Sale.closed_on < today))
    periods = 0 if first is None else min(
        MAX_PERIODS, -(-(today - first).days // PERIOD_DAYS))
    origin = today - timedelta(days=periods * PERIOD_DAYS)
    rows = db.session.execute(select(User.id, User.team_id, User.hire_date)
                              .where(scope_condition(scope))).all()
    teams = {uid: team for uid, team, _ in rows}
    hired = {uid: period_of(day, origin) for uid, _, day in rows if day is not None}
    trained = {uid: period_of(at.date(), origin) for uid, at in q.load_completions(
        kind, item_id, q.people_ids(scope)).items() if at.date() < today}
    totals = (window_totals(_grid(people, origin, periods), follow_up_days=follow_up_days,
                            as_of=today) if periods else {})
    by_person: dict[int, dict[int, dict[str, float | None]]] = {}
    for (uid, period), t in totals.items():
        by_person.setdefault(uid, {})[int(period)] = measure_values(t)
    panel = {}
    for key in MEASURE_KEYS:
        panel[key] = [PanelPerson(uid, teams.get(uid), trained.get(uid),
                                  {t: v[key] for t, v in by_period.items()
                                   if v[key] is not None}, hired.get(uid))
                      for uid, by_period in sorted(by_person.items())]
    return Panel(origin, periods, panel)
