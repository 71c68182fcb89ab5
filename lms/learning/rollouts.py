"""Rollouts: assigning a path or module in waves chosen at random, so the order is an experiment.

*Randomised rollout*: the people are split at random (within each team and hire month) into a
first wave, assigned at once, and a waitlist, assigned when the evaluation window has passed;
comparing the two over that window tells what the training changed. *Staggered waves*: k waves
at a fixed interval, in random order. The split is made once with a stored seed; waves start
when ``start_due_waves`` runs (on making the rollout, and daily with the reminders), and a
person sees nothing of the item before their wave starts. Services flush; the caller commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from lms.analytics.rollout import FIRST_WAVE, Person, randomised_split, staggered_waves
from lms.content.documents import ModuleDoc, PathDoc
from lms.errors import DomainError
from lms.extensions import db
from lms.i18n import _l
from lms.learning.assignments import assign, check_assignable, live_assignment
from lms.learning.catalog import current_doc, live_items
from lms.models import Assignment, ContentItem, ContentKind, Role, User, utcnow
from lms.models.rollouts import Design, Rollout, RolloutMember

#: The default evaluation window of a randomised rollout, and the default interval of waves.
DEFAULT_WINDOW_DAYS = 90
DEFAULT_INTERVAL_DAYS = 30
WINDOW_RANGE = (14, 365)
WAVES_RANGE = (2, 12)
#: Fewer people than this cannot be split into groups worth comparing.
MIN_PEOPLE = 4

EXPLANATIONS = {
    Design.EVERYONE_NOW: _l("Everyone gets the training now. Training impact can then only "
                            "compare people before and after they trained, which rests on an "
                            "assumption."),
    Design.RANDOMISED: _l("A random half of the people (drawn within each team and hire month) "
                          "gets the training now, the other half when the evaluation window has "
                          "passed. Comparing the two halves over that window shows what the "
                          "training itself changed."),
    Design.STAGGERED: _l("The people get the training in waves at a fixed interval, in an order "
                         "drawn at random within each team and hire month. Each wave is "
                         "compared with the people whose wave has not yet started."),
}


@dataclass
class RolloutResult:
    rollout: Rollout
    #: (person, why) for the people left out of the split.
    skipped: list[tuple[User, str]] = field(default_factory=list)


def hire_cohort(user: User) -> str | None:
    return user.hire_date.strftime("%Y-%m") if user.hire_date else None


def make_rollout(item: ContentItem, people: list[User], *, design: Design, by: User | None,
                 today: date, interval_days: int, waves: int = 2, due_days: int | None = None,
                 seed: int | None = None) -> RolloutResult:
    """Split ``people`` into waves once, store the split with its seed, and start wave 1."""
    check_assignable(item)
    design = Design(design)
    if design not in (Design.RANDOMISED, Design.STAGGERED):
        raise DomainError(_("Choose a randomised rollout or staggered waves."))
    if not WINDOW_RANGE[0] <= interval_days <= WINDOW_RANGE[1]:
        raise DomainError(_("The time between waves must be %(low)d to %(high)d days.",
                            low=WINDOW_RANGE[0], high=WINDOW_RANGE[1]), field="interval_days")
    if design is Design.STAGGERED and not WAVES_RANGE[0] <= waves <= WAVES_RANGE[1]:
        raise DomainError(_("Give %(low)d to %(high)d waves.", low=WAVES_RANGE[0],
                            high=WAVES_RANGE[1]), field="waves")
    waves = 2 if design is Design.RANDOMISED else waves
    result_skipped: list[tuple[User, str]] = []
    eligible: list[User] = []
    for person in sorted({p.id: p for p in people}.values(), key=lambda p: p.id):
        if not person.active or person.role != Role.LEARNER.value:
            result_skipped.append((person, _("not an active salesperson")))
        elif live_assignment(person, item) is not None or is_waiting(person, item):
            result_skipped.append((person, _("already has this training, or is waiting for it")))
        else:
            eligible.append(person)
    if len(eligible) < MIN_PEOPLE:
        raise DomainError(ngettext(
            "A rollout in waves needs at least %(min)d salespeople who do not have this "
            "training yet; there is %(num)d.",
            "A rollout in waves needs at least %(min)d salespeople who do not have this "
            "training yet; there are %(num)d.", len(eligible), min=MIN_PEOPLE))
    seed = secrets.randbits(62) if seed is None else seed
    strata = [Person(p.id, p.team_id, hire_cohort(p)) for p in eligible]
    if design is Design.RANDOMISED:
        groups = {pid: 1 if g == FIRST_WAVE else 2
                  for pid, g in randomised_split(strata, seed).items()}
    else:
        groups = staggered_waves(strata, waves, seed)
    rollout = Rollout(item_id=item.id, design=design.value, seed=seed, made_at=utcnow(),
                      made_by_id=by.id if by else None, first_start=today,
                      interval_days=interval_days, waves=waves, due_days=due_days)
    for person in eligible:
        wave = groups[person.id]
        rollout.members.append(RolloutMember(
            user_id=person.id, team_id=person.team_id, hire_cohort=hire_cohort(person),
            wave=wave, starts_on=wave_start(rollout, wave)))
    db.session.add(rollout)
    db.session.flush()
    start_due_waves(today)
    return RolloutResult(rollout, result_skipped)


def wave_start(rollout: Rollout, wave: int) -> date:
    return rollout.first_start + timedelta(days=(wave - 1) * rollout.interval_days)


def is_waiting(person: User, item: ContentItem) -> bool:
    """On the waitlist of a live rollout of ``item`` (not yet started)."""
    return db.session.scalar(
        select(RolloutMember.id).join(Rollout).where(
            RolloutMember.user_id == person.id, Rollout.item_id == item.id,
            Rollout.withdrawn_at.is_(None), RolloutMember.assignment_id.is_(None))
        .limit(1)) is not None


@dataclass(frozen=True)
class Withheld:
    """What a waitlisted person may not open yet: item ids, and when each starts for them."""

    item_ids: frozenset[int] = frozenset()
    starts_on: dict[int, date] = field(default_factory=dict)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.item_ids


def withheld_from(user: User) -> Withheld:
    """The items of the rollouts ``user`` waits for, with a path's modules and the quizzes that
    end them: a waitlisted person who trained ahead would blur the comparison. Anything one of
    their live assignments needs stays open. Two small queries when nothing is withheld."""
    waiting = db.session.execute(
        select(Rollout.item_id, func.min(RolloutMember.starts_on)).join(RolloutMember)
        .where(RolloutMember.user_id == user.id, RolloutMember.assignment_id.is_(None),
               Rollout.withdrawn_at.is_(None))
        .group_by(Rollout.item_id)).all()
    if not waiting:
        return Withheld()
    modules = live_items(ContentKind.MODULE)
    quizzes = live_items(ContentKind.QUIZ)

    def with_parts(item: ContentItem) -> set[int]:
        doc = current_doc(item)
        ids = {item.id}
        slugs = ([e.module for e in doc.modules] if isinstance(doc, PathDoc)
                 else [item.slug] if isinstance(doc, ModuleDoc) else [])
        for slug in slugs:
            module = modules.get(slug)
            module_doc = current_doc(module) if module else None
            if module is not None:
                ids.add(module.id)
            if isinstance(module_doc, ModuleDoc) and module_doc.quiz in quizzes:
                ids.add(quizzes[module_doc.quiz].id)
        return ids

    needed: set[int] = set()
    for assignment in db.session.scalars(select(Assignment).where(
            Assignment.user_id == user.id, Assignment.withdrawn_at.is_(None))):
        needed |= with_parts(assignment.item)
    starts: dict[int, date] = {}
    for item_id, starts_on in waiting:
        item = db.session.get(ContentItem, item_id)
        if item is None or item.current_version is None:
            continue
        for part in with_parts(item) - needed:
            starts[part] = min(starts.get(part, starts_on), starts_on)
    return Withheld(frozenset(starts), starts)


def start_due_waves(today: date) -> int:
    """Give everyone whose wave has started their assignment; returns how many were started.
    Safe to run any number of times: a started member is not started again."""
    due = db.session.scalars(
        select(RolloutMember).join(Rollout).where(
            RolloutMember.starts_on <= today, RolloutMember.assignment_id.is_(None),
            Rollout.withdrawn_at.is_(None))
        .order_by(RolloutMember.rollout_id, RolloutMember.id)).all()
    started = 0
    for member in due:
        rollout, person = member.rollout, member.user
        if not person.active or rollout.item.retired_at is not None:
            continue
        due_date = (member.starts_on + timedelta(days=rollout.due_days)
                    if rollout.due_days is not None else None)
        assignment = live_assignment(person, rollout.item) or assign(
            person, rollout.item, due_date=due_date, by=rollout.made_by, team_id=member.team_id)
        member.assignment_id = assignment.id
        started += 1
    db.session.flush()
    return started


def withdraw_rollout(rollout: Rollout) -> int:
    """Stop the waves still to come and withdraw the live assignments the rollout gave; the
    rollout and its split stay on record. Returns how many assignments were withdrawn."""
    if rollout.withdrawn_at is not None:
        raise DomainError(_("This rollout was already withdrawn."))
    rollout.withdrawn_at = utcnow()
    ids = [m.assignment_id for m in rollout.members if m.assignment_id is not None]
    live = db.session.scalars(select(Assignment).where(
        Assignment.id.in_(ids), Assignment.withdrawn_at.is_(None))).all()
    for assignment in live:
        assignment.withdrawn_at = rollout.withdrawn_at
    db.session.flush()
    return len(live)


def replay_split(rollout: Rollout) -> dict[int, int]:
    """The waves made again from the stored seed and strata: equal to the stored ones unless
    the record was changed."""
    strata = [Person(m.user_id, m.team_id, m.hire_cohort) for m in rollout.members]
    if rollout.design == Design.RANDOMISED.value:
        return {pid: 1 if g == FIRST_WAVE else 2
                for pid, g in randomised_split(strata, rollout.seed).items()}
    return staggered_waves(strata, rollout.waves, rollout.seed)
