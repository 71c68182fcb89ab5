"""The readiness heat map (people × assigned modules, coloured by best score) and the data of
the charts (completions over time, best scores per band), in SQL over the same rows as the
report (``lms.analytics.readiness_sql.scored_cte``) and cached the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, literal, select

from lms.analytics.readiness_sql import (
    Catalogue,
    ModuleInfo,
    Scope,
    assigned_items,
    cached,
    load_catalogue,
    people_cte,
    scored_cte,
)
from lms.extensions import db
from lms.models import ModuleProgress


@dataclass(frozen=True)
class HeatCell:
    best: float | None
    done: bool
    opened: bool
    overdue: bool
    due_date: date | None = None


@dataclass(frozen=True)
class HeatMap:
    modules: list[ModuleInfo]  # the columns: modules assigned to anyone in the scope
    cells: dict[tuple[int, int], HeatCell]  # (user id, module id) -> cell


def compute_heatmap(scope: Scope, today: date, catalogue: Catalogue | None = None) -> HeatMap:
    """Two statements: one cell per person and assigned module."""
    catalogue = catalogue or load_catalogue()
    sc = scored_cte(people_cte(scope), catalogue, assigned_items(scope)).c
    stmt = (select(sc.user_id, sc.module_id, func.max(sc.best).label("best"),
                   func.max(sc.done).label("done"), func.max(sc.opened).label("opened"),
                   func.min(sc.due_date).label("due_date"))
            .where(sc.module_id.is_not(None))
            .group_by(sc.user_id, sc.module_id))
    found: dict[tuple[int, int], HeatCell] = {}
    for r in db.session.execute(stmt):
        due = None if r.due_date is None else _as_date(r.due_date)
        found[(r.user_id, r.module_id)] = HeatCell(
            None if r.best is None else round(float(r.best), 1), bool(r.done), bool(r.opened),
            not r.done and due is not None and due < today, due)
    used = {module_id for _, module_id in found}
    modules = [catalogue.modules[m] for m in catalogue.module_order() if m in used]
    return HeatMap(modules, found)


def heatmap(scope: Scope, today: date) -> HeatMap:
    return cached("heatmap", scope, today, None,
                   lambda catalogue: compute_heatmap(scope, today, catalogue))


#: Score bands of the histogram: 0-9, 10-19, ... 90-100.
SCORE_BANDS = tuple((low, low + 10 if low < 90 else 100) for low in range(0, 100, 10))


@dataclass(frozen=True)
class ChartData:
    completions_by_day: list[tuple[date, int]]
    score_bands: list[int]  # people × assigned modules per band of best score


def compute_charts(scope: Scope, today: date, catalogue: Catalogue | None = None) -> ChartData:
    """Three statements: module completions per day, and best scores per band."""
    catalogue = catalogue or load_catalogue()
    mp = ModuleProgress
    people = people_cte(scope)
    day = func.date(mp.completed_at)
    per_day = db.session.execute(
        select(day.label("day"), func.count().label("n"))
        .join(people, people.c.user_id == mp.user_id)
        .where(mp.completed_at.is_not(None)).group_by(day).order_by(day)).all()
    sc = scored_cte(people, catalogue, assigned_items(scope), materialized=True).c
    # A CASE ladder rather than CAST or FLOOR: CAST rounds on PostgreSQL and truncates on SQLite.
    band = case(*[(sc.best < high, index) for index, (_, high) in
                  enumerate(SCORE_BANDS[:-1])], else_=literal(len(SCORE_BANDS) - 1))
    counts = dict(db.session.execute(
        select(band.label("band"), func.count()).where(sc.best.is_not(None), sc.keep == 1)
        .group_by(band)).all())
    return ChartData([(_as_date(d), int(n)) for d, n in per_day],
                     [int(counts.get(i, 0)) for i in range(len(SCORE_BANDS))])


def chart_data(scope: Scope, today: date) -> ChartData:
    return cached("charts", scope, today, None,
                   lambda catalogue: compute_charts(scope, today, catalogue))



def _as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
