"""Worlds with a known effect of training, for the impact estimates' tests (web and e2e):
salespeople whose deals after training are won more often by a chosen amount."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from lms.clock import local_today
from lms.extensions import db
from lms.learning.assignments import assign
from lms.learning.catalog import live_item
from lms.learning.rollouts import make_rollout
from lms.models import ContentKind, PathCompletion, Role
from lms.models.rollouts import Design
from tests.factories import make_team, make_user
from tests.impact_helpers import add_sale

PEOPLE = 60
DID_PEOPLE = 90
TEAMS = 10


def randomised_world(runner, *, effect: float, seed: int, ended: bool = True):  # noqa: ANN001, ANN202
    """PEOPLE salespeople in 4 teams; each closes 20 deals before and 20 after the rollout's start;
    a deal is won with probability 0.3 (+ ``effect`` for the first wave after the start)."""
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    rng = random.Random(seed)
    teams = [make_team(f"Team {i}") for i in range(4)]
    people = [make_user(Role.LEARNER, email=f"rep{i}@example.com", team=teams[i % 4])
              for i in range(PEOPLE)]
    item = live_item(ContentKind.PATH, "customer-insight")
    today = local_today()
    start = today - timedelta(days=100 if ended else 30)
    rollout = make_rollout(item, people, design=Design.RANDOMISED, by=None, today=start,
                           interval_days=90, seed=seed).rollout
    first = {m.user_id for m in rollout.members if m.wave == 1}
    for person in people:
        skill = rng.gauss(0, 0.08)  # some people sell better, before and after
        for offset in range(-89, 90, 9):
            day = start + timedelta(days=offset)
            if day >= today:
                continue
            p = 0.3 + skill + (effect if offset >= 0 and person.id in first else 0.0)
            add_sale(person, stage="won" if rng.random() < p else "lost",
                     closed=day.isoformat(), created=(day - timedelta(days=5)).isoformat())
    db.session.commit()
    return item, today


def self_paced_world(runner, *, effect: float, seed: int, by_team: bool = False):  # noqa: ANN001, ANN202
    """DID_PEOPLE salespeople in 10 teams, each closing a deal every 4 days for a year. Two in three
    complete Customer insight on a day spread over the year (abler people sooner); a deal
    closed after that day is won with probability 0.3 + skill + ``effect``."""
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    rng = random.Random(seed)
    teams = [make_team(f"Team {i}") for i in range(TEAMS)]
    item = live_item(ContentKind.PATH, "customer-insight")
    today = local_today()
    start = today - timedelta(days=360)
    for i in range(DID_PEOPLE):
        person = make_user(Role.LEARNER, email=f"rep{i}@example.com", team=teams[i % TEAMS],
                           hire_date=start - timedelta(days=200))
        assign(person, item, team_id=person.team_id if by_team else None,
               days_after_hire=None if by_team else 90)
        skill = rng.gauss(0, 0.08)
        trained = None
        if i % 3:
            # Abler people train sooner: the order is not random, as in a real organisation.
            trained = start + timedelta(days=int(_clip(rng.gauss(170 - 600 * skill, 60),
                                                       40, 330)))
            db.session.add(PathCompletion(
                user_id=person.id, path_id=item.id,
                completed_at=datetime.combine(trained, time(12), tzinfo=UTC)))
        for offset in range(0, 360, 4):
            day = start + timedelta(days=offset + rng.randint(0, 3))
            if day >= today:
                continue
            p = 0.3 + skill + (effect if trained and day > trained else 0.0)
            add_sale(person, stage="won" if rng.random() < p else "lost",
                     closed=day.isoformat(), created=(day - timedelta(days=5)).isoformat())
    db.session.commit()
    return item, today


def _clip(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)
