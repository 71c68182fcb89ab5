"""The demo organisation: Brewline's sales force and its history, the same every time for the
same seed, day and options. ``build_demo`` is what ``lms demo`` runs."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.clock import local_today
from lms.demo import effects as demo_effects
from lms.demo import rollout as demo_rollout
from lms.demo.booster_mail import choose_booster_mails
from lms.demo.boosters import simulate_boosters
from lms.demo.coaching import simulate_coaching
from lms.demo.effects import Effect, EffectError, parse_effects
from lms.demo.followups import leave_work_open
from lms.demo.goals import simulate_goals
from lms.demo.people import (
    DEFAULT_PEOPLE,
    DEMO_PASSWORD,
    PEOPLE_RANGE,
    build_people,
    database_is_empty,
    demo_logins,
    demo_people_count,
)
from lms.demo.reactions import simulate_reactions
from lms.demo.rollout import DESIGNS, SELF_PACED
from lms.demo.sales import simulate_sales
from lms.demo.training import INSIGHT, ONBOARDING, simulate_training
from lms.extensions import db
from lms.learning.catalog import live_item
from lms.models import ContentKind, Team
from lms.progress import Progress, quiet

__all__ = ["DEFAULT_PEOPLE", "DEMO_PASSWORD", "DESIGNS", "PEOPLE_RANGE", "SELF_PACED", "Effect",
           "EffectError", "build_demo", "database_is_empty", "demo_logins", "demo_people_count",
           "missing_paths", "parse_effects"]


def missing_paths() -> list[str]:
    """The learning paths the demo's training follows that are not in the catalogue: without
    them the demo would be an organisation with no training."""
    return [slug for slug in (ONBOARDING, INSIGHT) if live_item(ContentKind.PATH, slug) is None]


def build_demo(*, seed: int = 2026, today: date | None = None, people: int = DEFAULT_PEOPLE,
               design: str = SELF_PACED, effects: tuple[Effect, ...] | None = None,
               progress: Progress = quiet) -> str:
    """Build the demo; returns its summary. ``design``: how customer insight is given
    (lms/demo/rollout.py). ``effects``: the only causal effects on sales (lms/demo/effects.py);
    None keeps the built-in score-dependent ones, and an empty tuple makes a world where
    training changes nothing. ``progress``: (phase, done, total) as the work advances
    (lms/progress.py). Raises DomainError when a rollout finds too few people."""
    today = today or local_today()
    reps = build_people(seed=seed, today=today, people=people)
    rollout = demo_rollout.roll_out_insight(reps, design=design, seed=seed, today=today)
    training = simulate_training(reps, seed=seed, today=today,
                                 waves=demo_rollout.wave_starts(rollout), progress=progress)
    db.session.flush()
    # What they thought of it: the trainers' reactions page (lms/demo/reactions.py).
    simulate_reactions(reps, seed=seed)
    # Boosters since onboarding, remembered according to aptitude (lms/demo/boosters.py).
    simulate_boosters(reps, seed=seed, today=today)
    # Some of them get their boosters by mail too (lms/demo/booster_mail.py).
    choose_booster_mails(reps, seed=seed)
    # After training: sales depend on when people completed the paths (and, built in, on
    # their scores).
    deals = simulate_sales(reps, seed=seed, today=today, effects=effects, progress=progress)
    # People's own goals, for My goals and My results (after the sales they are pitched on).
    simulate_goals(reps, seed=seed, today=today)
    # Coaching observations by each salesperson's manager (lms/demo/coaching.py).
    simulate_coaching(reps, seed=seed, today=today)
    # Each salesperson's Follow-ups page has something to act on.
    leave_work_open(reps, seed=seed, today=today)
    teams = db.session.scalar(select(func.count()).select_from(Team))
    # A demo has always several of each: the counts need no singular.
    return _("%(teams)d teams, %(people)d salespeople with %(assignments)d assignments, "
             "%(attempts)d quiz attempts and %(completions)d completed modules, and %(deals)d "
             "deals of 15 months imported from a CRM export; %(rollout)s; effects on sales: "
             "%(effects)s", teams=teams, people=len(reps), assignments=training["assignments"],
             attempts=training["attempts"], completions=training["completions"], deals=deals,
             rollout=demo_rollout.describe(rollout), effects=demo_effects.describe(effects))
