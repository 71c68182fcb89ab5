"""The demo salespeople's own goals, so that My goals and My results have something to show:
set through the same service people use (``create_goal``, as on the day they were set), the
same for the same seed and day.

Each salesperson who has sold for a while gets a revenue goal for the weeks ahead, pitched
near what they won in the last 90 days (some a stretch, some within reach), and a goal they
set last quarter for won deals, already achieved or missed; half of them a satisfaction goal;
and those who have not completed Customer insight a goal to finish it.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import case, func, select

from lms.demo.training import INSIGHT
from lms.errors import DomainError
from lms.extensions import db
from lms.learning.catalog import live_item
from lms.learning.goals import GoalFields, create_goal
from lms.models import ContentKind, GoalKind, PathCompletion, Sale, User


def _recent_sales(reps: list[User], today: date) -> dict[int, tuple[float, int]]:
    """Revenue and won deals of each rep over the last 90 days (one query)."""
    won = Sale.stage == "won"
    rows = db.session.execute(
        select(Sale.user_id, func.sum(case((won, Sale.amount), else_=0)),
               func.count(case((won, 1))))
        .where(Sale.user_id.in_([r.id for r in reps]),
               Sale.closed_on > today - timedelta(days=90), Sale.closed_on <= today)
        .group_by(Sale.user_id)).all()
    return {uid: (float(revenue or 0), int(count)) for uid, revenue, count in rows}


def _round(value: float, step: int) -> float:
    return float(max(step, round(value / step) * step))


def simulate_goals(reps: list[User], *, seed: int, today: date) -> int:
    """Set the demo goals; returns how many."""
    recent = _recent_sales(reps, today)
    insight = live_item(ContentKind.PATH, INSIGHT)
    finished = set(db.session.scalars(select(PathCompletion.user_id).where(
        PathCompletion.path_id == insight.id))) if insight is not None else set()
    count = 0
    for rep in reps:
        rng = random.Random(f"{seed}:goals:{rep.email}")
        hired = rep.hire_date or today - timedelta(days=365)
        revenue, won = recent.get(rep.id, (0.0, 0))
        goals: list[tuple[date, GoalFields]] = []
        if won and (today - hired).days >= 120:
            # Last quarter's won deals: set 100 days ago, due 10 days ago.
            set_on = today - timedelta(days=100)
            goals.append((set_on, GoalFields(
                kind=GoalKind.WON_DEALS, starts_on=set_on,
                deadline=today - timedelta(days=10),
                target=max(1, round(won * rng.uniform(0.8, 1.25))))))
            # Revenue from six weeks ago to a month ahead: ten weeks at the recent pace, give
            # or take.
            set_on = today - timedelta(days=42)
            goals.append((set_on, GoalFields(
                kind=GoalKind.REVENUE, starts_on=set_on, deadline=today + timedelta(days=28),
                target=_round(revenue / 90 * 70 * rng.uniform(0.85, 1.3), 1000))))
            if rng.random() < 0.5:
                set_on = today - timedelta(days=rng.randint(20, 60))
                goals.append((set_on, GoalFields(
                    kind=GoalKind.SATISFACTION, starts_on=set_on,
                    deadline=today + timedelta(days=rng.randint(20, 75)),
                    target=float(rng.choice((70, 75, 80))))))
        if insight is not None and rep.id not in finished and (today - hired).days >= 90:
            set_on = today - timedelta(days=rng.randint(5, 30))
            goals.append((set_on, GoalFields(kind=GoalKind.COMPLETE_PATH, item=insight,
                                             starts_on=set_on,
                                             deadline=today + timedelta(days=rng.randint(20, 60)))))
        for set_on, fields in goals:
            try:
                create_goal(rep, fields, today=set_on)
            except DomainError:
                continue  # a rule of the service refuses it: no goal, as on the site
            count += 1
    db.session.flush()
    return count
