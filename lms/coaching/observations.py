"""Recording, listing and acknowledging coaching observations.

A manager records what they saw (after a ride-along, a call review or a role-play): the skills
observed, each rated on the rubric's scale, strengths, points to work on and an agreed next
step with a date, which becomes a goal on the salesperson's goals. The salesperson reads it and
acknowledges it. Who may record for whom is the routes' question to ``lms.security``; the rules
about the values are here. Services flush; the view commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from lms.clock import local_today
from lms.coaching.rubrics import RubricView
from lms.errors import DomainError
from lms.extensions import db
from lms.i18n import format_number
from lms.models import (
    Goal,
    GoalKind,
    Observation,
    ObservationKind,
    Rating,
    Role,
    RubricVersion,
    User,
    utcnow,
)
from lms.security import viewer_scope

MAX_TEXT = 2000
#: An observation is recorded soon after it happened; one older than this is a typing mistake.
OLDEST_DAYS = 366
#: The next step is agreed for the coming months, not for years.
NEXT_STEP_DAYS = 366


@dataclass(frozen=True)
class ObservationFields:
    """What the manager fills in. ``ratings``: skill id -> level; skills not observed are left
    out (or None)."""

    kind: str
    observed_on: date | None
    ratings: dict[str, int | None] = field(default_factory=dict)
    strengths: str = ""
    improvements: str = ""
    next_step: str = ""
    next_step_due: date | None = None


def record_observation(observer: User, person: User, version: RubricVersion, rubric: RubricView,
                       fields: ObservationFields, *, today: date | None = None) -> Observation:
    """Check the fields and store the observation, its ratings and the next step's goal.
    Raises DomainError (with ``field``) on the first value that is wrong."""
    today = today or local_today()
    if not person.has_role(Role.LEARNER) or person.id == observer.id:
        raise DomainError(_("Choose a salesperson from your team."), field="person")
    try:
        kind = ObservationKind(fields.kind)
    except ValueError:
        raise DomainError(_("Choose what you observed: a ride-along, a call review or a "
                            "role-play."), field="kind") from None
    if fields.observed_on is None:
        raise DomainError(_("Enter the day of the observation."), field="observed_on")
    if fields.observed_on > today:
        raise DomainError(_("The observation cannot be in the future: choose today or an "
                            "earlier day."), field="observed_on")
    if fields.observed_on < today - timedelta(days=OLDEST_DAYS):
        raise DomainError(_("Choose a day in the past year."), field="observed_on")
    ratings = rated_skills(rubric, fields.ratings)
    for name, text in (("strengths", fields.strengths), ("improvements", fields.improvements),
                       ("next_step", fields.next_step)):
        if len(text or "") > MAX_TEXT:
            raise DomainError(_("Keep this under %(num)s characters.",
                                num=format_number(MAX_TEXT)), field=name)
    next_step = (fields.next_step or "").strip()
    if not next_step:
        raise DomainError(_("Enter the next step you agreed."), field="next_step")
    if fields.next_step_due is None:
        raise DomainError(_("Enter the date of the next step."), field="next_step_due")
    if fields.next_step_due < today:
        raise DomainError(_("The next step's date is in the past: choose today or a later "
                            "day."), field="next_step_due")
    if fields.next_step_due > today + timedelta(days=NEXT_STEP_DAYS):
        raise DomainError(_("Choose a date for the next step within a year."),
                          field="next_step_due")

    goal = Goal(user_id=person.id, kind=GoalKind.COACHING_STEP.value,
                title=_goal_title(next_step), note=next_step,
                starts_on=fields.observed_on, deadline=fields.next_step_due)
    db.session.add(goal)
    db.session.flush()
    observation = Observation(
        user_id=person.id, observer_id=observer.id, rubric_version_id=version.id,
        scale_low=rubric.low, scale_high=rubric.high, kind=kind.value,
        observed_on=fields.observed_on, strengths=(fields.strengths or "").strip(),
        improvements=(fields.improvements or "").strip(), next_step=next_step,
        next_step_due=fields.next_step_due, goal_id=goal.id)
    # Skill names in the rubric's own language, as the version stores them (a snapshot).
    original = version.data["skills"]
    names = {s["id"]: s["name"] for s in original}
    positions = {s["id"]: i for i, s in enumerate(original)}
    observation.ratings = [Rating(skill_id=skill_id, skill_name=names[skill_id][:200],
                                  position=positions[skill_id], rating=level)
                           for skill_id, level in ratings]
    db.session.add(observation)
    db.session.flush()
    return observation


def rated_skills(rubric: RubricView, ratings: dict[str, int | None]) -> list[tuple[str, int]]:
    """The (skill id, level) pairs rated, in the rubric's order; a DomainError when none is
    rated or a level or skill is not the rubric's (pure: no database)."""
    known = {s.id for s in rubric.skills}
    levels = {lv.value for lv in rubric.levels}
    unknown = sorted(set(ratings) - known)
    if unknown:
        raise DomainError(_("%(skill)s is not a skill of this rubric.", skill=unknown[0]),
                          field="ratings")
    out = []
    for skill in rubric.skills:
        level = ratings.get(skill.id)
        if level is None:
            continue
        if level not in levels:
            raise DomainError(_("Rate “%(skill)s” from %(low)d to %(high)d.", skill=skill.name,
                                low=rubric.low, high=rubric.high), field="ratings")
        out.append((skill.id, level))
    if not out:
        raise DomainError(_("Rate at least one skill you observed."), field="ratings")
    return out


def _goal_title(next_step: str) -> str:
    first = next_step.splitlines()[0].strip()
    return first if len(first) <= 200 else first[:199] + "…"


def acknowledge(observation: Observation, person: User, *, now: datetime | None = None) -> bool:
    """The salesperson acknowledges their observation; True when it was not yet acknowledged.
    Only the person observed may (anyone else is refused)."""
    if observation.user_id != person.id:
        raise DomainError(_("Only the person observed can acknowledge an observation."))
    if observation.acknowledged_at is not None:
        return False
    observation.acknowledged_at = now or utcnow()
    db.session.flush()
    return True


# --- reading ----------------------------------------------------------------------------------

def _with_details(query: Select) -> Select:
    return query.options(selectinload(Observation.ratings),
                         selectinload(Observation.observer),
                         selectinload(Observation.user),
                         selectinload(Observation.rubric_version))


def observations_of(user_id: int) -> list[Observation]:
    """A person's observations, newest first (a fixed number of statements)."""
    return list(db.session.scalars(_with_details(
        select(Observation).where(Observation.user_id == user_id)
        .order_by(Observation.observed_on.desc(), Observation.id.desc()))))


def visible_observations(viewer: User, limit: int = 200) -> list[Observation]:
    """The latest observations of the people ``viewer`` may see (lms.security)."""
    return list(db.session.scalars(_with_details(
        select(Observation).join(User, User.id == Observation.user_id)
        .where(viewer_scope(viewer).condition())
        .order_by(Observation.observed_on.desc(), Observation.id.desc()).limit(limit))))


def unacknowledged_count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Observation).where(
        Observation.user_id == user_id, Observation.acknowledged_at.is_(None))) or 0


def observation_or_none(observation_id: int) -> Observation | None:
    if not 0 < observation_id < 2**31:
        return None
    return db.session.scalar(_with_details(select(Observation).where(
        Observation.id == observation_id)))


#: The same observation saved again within this time is a double submit, not a second one.
RESUBMIT_WINDOW = timedelta(minutes=10)


def just_saved(observer: User, person: User, fields: ObservationFields) -> Observation | None:
    """The observation ``observer`` saved of ``person`` a moment ago with the same day, kind
    and next step: a second click on Save, or Back and Save again."""
    return db.session.scalar(
        select(Observation).where(
            Observation.observer_id == observer.id, Observation.user_id == person.id,
            Observation.observed_on == fields.observed_on, Observation.kind == fields.kind,
            Observation.next_step == (fields.next_step or "").strip(),
            Observation.created_at >= utcnow() - RESUBMIT_WINDOW)
        .order_by(Observation.id.desc()).limit(1))
