"""The demo's coaching: two to four observations per salesperson over the past months, by their
manager, on the organisation's rubric. Ratings follow the person's hidden aptitude
(``lms.demo.training.aptitude``) and rise a little over time, as coaching should make them; the
older observations are acknowledged, the newest often not yet. Deterministic for a seed and day.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from lms.coaching.observations import ObservationFields, record_observation
from lms.coaching.rubrics import rubric_view
from lms.demo.training import aptitude
from lms.extensions import db
from lms.models import Goal, ObservationKind, Rubric, User

STRENGTHS = (
    "Asked open questions and let the customer talk.",
    "Linked the water filter to the customer's own service costs.",
    "Calm and friendly when the customer pushed back on price.",
    "Summarised the customer's needs before presenting.",
)
IMPROVEMENTS = (
    "Jumped to the product before knowing the customer's situation.",
    "Answered the price objection before finding out what lay behind it.",
    "Did not ask for the order when the customer was ready.",
    "No date agreed for the next contact.",
)
NEXT_STEPS = (
    "Prepare five discovery questions before each visit this month",
    "Role-play the price objection with a colleague twice",
    "Ask for a clear next commitment at the end of every call",
    "Call each new customer within two weeks of delivery",
)


def simulate_coaching(reps: list[User], *, seed: int, today: date) -> int:
    """Record the observations; returns how many. Without a rubric (none synced) there is
    nothing to rate on and the demo has no coaching."""
    rubric = db.session.scalar(select(Rubric).where(Rubric.retired_at.is_(None))
                               .order_by(Rubric.slug))
    if rubric is None:
        return 0
    version = rubric.current_version
    view = rubric_view(version, version.data.get("language", "en"))
    count = 0
    for rep in reps:
        observer = rep.manager
        if observer is None or rep.hire_date is None or not rep.active:
            continue
        rng = random.Random(f"{seed}:coaching:{rep.email}")
        talent = aptitude(seed, rep)
        first = max(rep.hire_date + timedelta(days=21), today - timedelta(days=180))
        if first > today - timedelta(days=14):
            continue
        visits = rng.randint(2, 4)
        span = (today - timedelta(days=3) - first).days
        days = sorted({first + timedelta(days=rng.randint(0, span)) for _ in range(visits)})
        for n, day in enumerate(days):
            growth = 0.35 * n
            ratings = {}
            for skill in view.skills:
                if rng.random() < 0.35:
                    continue  # not observed this time
                raw = 2.4 + 0.7 * talent + growth + rng.gauss(0, 0.5)
                ratings[skill.id] = min(max(round(raw), view.low), view.high)
            if not ratings:
                ratings[view.skills[0].id] = view.low + 1
            latest = n == len(days) - 1
            due = today + timedelta(days=rng.randint(7, 30)) if latest \
                else day + timedelta(days=rng.randint(14, 30))
            # An older next step fell due in the past: record it as of that day.
            observation = record_observation(observer, rep, version, view, ObservationFields(
                kind=rng.choice(list(ObservationKind)).value, observed_on=day, ratings=ratings,
                strengths=rng.choice(STRENGTHS), improvements=rng.choice(IMPROVEMENTS),
                next_step=rng.choice(NEXT_STEPS), next_step_due=due), today=min(due, today))
            if not latest or rng.random() < 0.4:
                seen = day + timedelta(days=rng.randint(0, 3))
                observation.acknowledged_at = datetime.combine(seen, time(9, 0), tzinfo=UTC)
            if not latest and rng.random() < 0.7:
                goal = db.session.get(Goal, observation.goal_id)
                goal.achieved_at = datetime.combine(
                    min(observation.next_step_due, today), time(17, 0), tzinfo=UTC)
            count += 1
    db.session.flush()
    return count
