"""What a randomised rollout shows: the effect of a training on each sales measure, with its
interval, from the first wave against the waitlist over the same calendar window.

The people are the rollout's members the viewer may see. Each person's measures are taken in
the evaluation window after the first wave started and in a window of the same length before
it (the ANCOVA adjustment); ``lms.analytics.causal`` does the statistics. People were split one
by one within their team and hire month, so the interval is by person, not by team. Every
member with a value after counts, whatever their number of deals: dropping people by a rule
that training could change would undo the randomisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from lms.analytics.causal import Effect, RolloutRow, effect_of_completing, itt_ancova
from lms.analytics.measures import MEASURE_KEYS, sales_performance
from lms.extensions import db
from lms.i18n import _l
from lms.models import ContentItem, ContentKind, ModuleProgress, PathCompletion, User
from lms.models.rollouts import Design, Rollout, RolloutMember
from lms.security import Scope


@dataclass(frozen=True)
class RolloutEffect:
    """One measure's estimate (kept for callers that ask about a single measure)."""

    rollout: Rollout
    window: tuple[date, date]  # the evaluation window [start, end)
    itt: Effect | None  # None until the evaluation window has passed
    completing: Effect | None = None
    note: str = ""


@dataclass(frozen=True)
class RolloutEffects:
    """Every measure's estimate from one randomised rollout."""

    rollout: Rollout
    window: tuple[date, date]
    itt: dict[str, Effect] = field(default_factory=dict)  # empty until the window has passed
    completing: dict[str, Effect | None] = field(default_factory=dict)
    #: each visible member's wave (1: first wave, 2: waitlist)
    waves: dict[int, int] = field(default_factory=dict)
    note: str = ""

    def one(self, measure: str) -> RolloutEffect:
        return RolloutEffect(self.rollout, self.window, self.itt.get(measure),
                             self.completing.get(measure), self.note)


def latest_rollout(item: ContentItem, design: Design | None = None) -> Rollout | None:
    """The item's latest rollout still in force (of one design, if given)."""
    query = select(Rollout).where(Rollout.item_id == item.id, Rollout.withdrawn_at.is_(None))
    if design is not None:
        query = query.where(Rollout.design == design.value)
    return db.session.scalar(query.order_by(Rollout.made_at.desc(), Rollout.id.desc()).limit(1))


def latest_randomised_rollout(item: ContentItem) -> Rollout | None:
    return latest_rollout(item, Design.RANDOMISED)


def _completed_by(item: ContentItem, user_ids: list[int], until: date) -> set[int]:
    """Who completed the item before ``until`` (the end of the evaluation window)."""
    limit = datetime.combine(until, time.min, tzinfo=UTC)
    if item.kind == ContentKind.PATH.value:
        who, query = PathCompletion.user_id, select(PathCompletion.user_id).where(
            PathCompletion.path_id == item.id, PathCompletion.completed_at < limit)
    else:
        who, query = ModuleProgress.user_id, select(ModuleProgress.user_id).where(
            ModuleProgress.module_id == item.id, ModuleProgress.completed_at < limit)
    return set(db.session.scalars(query.where(who.in_(user_ids))))


def rollout_effects(scope: Scope, rollout: Rollout, item: ContentItem, *, window_days: int,
                    today: date, follow_up_days: int) -> RolloutEffects:
    """Every measure's effect in a randomised ``rollout`` of ``item``, for the people in
    ``scope``: nothing but the waves until the evaluation window has passed."""
    start = rollout.first_start
    window = (start, start + timedelta(days=min(window_days, rollout.interval_days)))
    members = db.session.execute(
        select(RolloutMember.user_id, RolloutMember.team_id, RolloutMember.wave)
        .join(User, User.id == RolloutMember.user_id)
        .where(RolloutMember.rollout_id == rollout.id, scope.condition())).all()
    waves = {m.user_id: m.wave for m in members}
    if window[1] > today:
        # A lazy string: the estimates are cached and read in each viewer's language.
        return RolloutEffects(rollout, window, waves=waves, note=_l(
            "The evaluation window ends on %(day)s; the comparison is made when it has passed.",
            day=window[1].isoformat()))
    people = Scope(user_ids=frozenset(waves))
    length = window[1] - window[0]

    def values(first: date, last: date) -> dict[int, dict[str, float | None]]:
        rows = sales_performance(people, first, last, follow_up_days=follow_up_days,
                                 as_of=today)
        return {r.user_id: r.values for r in rows}

    before, after = values(start - length, start), values(*window)
    completed = _completed_by(item, list(waves), window[1])
    itt, completing = {}, {}
    for key in MEASURE_KEYS:
        rows = [RolloutRow(person_id=m.user_id, team_id=m.team_id, first_wave=m.wave == 1,
                           completed=m.user_id in completed,
                           pre=before.get(m.user_id, {}).get(key),
                           post=after[m.user_id][key])
                for m in members if after.get(m.user_id, {}).get(key) is not None]
        itt[key] = itt_ancova(rows, by_team=False)
        completing[key] = effect_of_completing(rows, by_team=False)
    return RolloutEffects(rollout, window, itt, completing, waves)


def rollout_effect(scope: Scope, item: ContentItem, measure: str, *, window_days: int,
                   today: date, follow_up_days: int) -> RolloutEffect | None:
    """The effect on ``measure`` of the latest randomised rollout of ``item``, or None when
    the item was never rolled out that way."""
    rollout = latest_randomised_rollout(item)
    if rollout is None:
        return None
    return rollout_effects(scope, rollout, item, window_days=window_days, today=today,
                           follow_up_days=follow_up_days).one(measure)
