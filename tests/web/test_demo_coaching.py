"""The demo's coaching: a few observations per salesperson by their manager, ratings that follow
the person's aptitude, some acknowledged and some not, the same for the same seed and day."""

from __future__ import annotations

from datetime import date
from statistics import mean

from sqlalchemy import select

from lms.coaching.rubrics import sync_rubrics
from lms.demo import build_demo
from lms.demo.training import aptitude
from lms.extensions import db
from lms.models import Goal, Observation, User
from tests.conftest import REPO
from tests.learning_helpers import sync

TODAY = date(2026, 11, 26)


def test_the_demo_has_coaching_observations(app):
    sync(REPO)
    sync_rubrics(REPO / "content" / "rubrics")
    build_demo(seed=2026, today=TODAY, people=12)
    db.session.commit()
    observations = db.session.scalars(select(Observation)).all()
    people = {u.id: u for u in db.session.scalars(select(User))}
    by_person: dict[int, list[Observation]] = {}
    for o in observations:
        by_person.setdefault(o.user_id, []).append(o)
    assert len(by_person) >= 8
    assert all(2 <= len(v) <= 4 for v in by_person.values())
    for o in observations:
        assert o.observer_id == people[o.user_id].manager_id and o.observed_on < TODAY
        assert o.ratings and all(1 <= r.rating <= 4 for r in o.ratings)
        assert db.session.get(Goal, o.goal_id).deadline == o.next_step_due
    acknowledged = [o.acknowledged_at is not None for o in observations]
    assert any(acknowledged) and not all(acknowledged)
    # Higher aptitude, higher ratings: the top half by aptitude rates above the bottom half.
    means = sorted((aptitude(2026, people[uid]), mean(r.rating for o in obs for r in o.ratings))
                   for uid, obs in by_person.items())
    half = len(means) // 2
    assert mean(m for _, m in means[half:]) > mean(m for _, m in means[:half]) + 0.3
