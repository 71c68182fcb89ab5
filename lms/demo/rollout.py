"""The demo's rollout of customer insight (``lms demo --design``): the same path rolled out in
waves through the real rollout service, in the past, so Training impact has an experiment to
read. Self-paced (no rollout) is the default and the demo as it always was.

The rollout is made on day D over the reps hired at least 90 days before D (the others get the
path after three months, as in the self-paced demo, and are not members). Randomised: D is 180
days ago, wave 1 starts on D and the waitlist 90 days later. Staggered: D is 330 days ago, four
waves 60 days apart. Every wave has started by today; each member's assignment is dated their
wave's start, and they begin the path no earlier (``lms.demo.training``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _

from lms.demo.training import INSIGHT
from lms.errors import DomainError
from lms.learning.catalog import live_item
from lms.learning.rollouts import MIN_PEOPLE, make_rollout, start_due_waves, wave_start
from lms.models import ContentKind, User
from lms.models.rollouts import Design, Rollout

SELF_PACED = "self-paced"
DESIGNS = (SELF_PACED, Design.RANDOMISED.value, Design.STAGGERED.value)
#: Members have been with the company this long when the rollout is made.
TENURE_DAYS = 90
#: Each wave's assignment is due this many days after the wave starts.
DUE_DAYS = 90


@dataclass(frozen=True)
class Plan:
    days_ago: int
    waves: int
    interval_days: int


PLANS = {Design.RANDOMISED.value: Plan(180, 2, 90), Design.STAGGERED.value: Plan(330, 4, 60)}


def rollout_seed(seed: int) -> int:
    """The rollout's stored seed, derived from the demo's so the split is the same each time."""
    return random.Random(f"{seed}:rollout").getrandbits(62)


def at_nine(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def roll_out_insight(reps: list[User], *, design: str, seed: int,
                     today: date) -> Rollout | None:
    """Make the rollout of ``design`` and start its waves on their days; None when
    self-paced. Raises DomainError when too few reps were hired early enough."""
    if design == SELF_PACED:
        return None
    plan = PLANS[design]
    made_on = today - timedelta(days=plan.days_ago)
    people = [r for r in reps if r.hire_date is not None
              and (made_on - r.hire_date).days >= TENURE_DAYS]
    if len(people) < MIN_PEOPLE:
        raise DomainError(_("--design %(design)s needs at least %(minimum)d salespeople hired "
                            "%(days)d days before its first wave (%(day)s); %(found)d of the "
                            "%(total)d were: give more --people.", design=design,
                            minimum=MIN_PEOPLE, days=TENURE_DAYS, day=made_on.isoformat(),
                            found=len(people), total=len(reps)))
    path = live_item(ContentKind.PATH, INSIGHT)
    rollout = make_rollout(path, people, design=Design(design), by=None, today=made_on,
                           interval_days=plan.interval_days, waves=plan.waves,
                           due_days=DUE_DAYS, seed=rollout_seed(seed)).rollout
    rollout.made_at = at_nine(made_on)
    # make_rollout started wave 1 on made_on; start each later wave on its own day.
    for wave in range(2, plan.waves + 1):
        if wave_start(rollout, wave) <= today:
            start_due_waves(wave_start(rollout, wave))
    # The service dates an assignment now; in the demo's history it was made at the wave start.
    for member in rollout.members:
        if member.assignment is not None:
            member.assignment.assigned_at = at_nine(member.starts_on)
    return rollout


def wave_starts(rollout: Rollout | None) -> dict[int, date]:
    """Each started member's wave start, by user id."""
    if rollout is None:
        return {}
    return {m.user_id: m.starts_on for m in rollout.members if m.assignment_id is not None}


def describe(rollout: Rollout | None) -> str:
    if rollout is None:
        return _("Customer insight self-paced (assigned after three months)")
    starts = ", ".join(wave_start(rollout, w).isoformat() for w in range(1, rollout.waves + 1))
    if rollout.design == Design.RANDOMISED.value:
        return _("Customer insight in a randomised rollout (wave 1, then the waitlist) of "
                 "%(people)d salespeople, starting %(starts)s", people=len(rollout.members),
                 starts=starts)
    return _("Customer insight in %(waves)d staggered waves of %(people)d salespeople, "
             "starting %(starts)s", waves=rollout.waves, people=len(rollout.members),
             starts=starts)
