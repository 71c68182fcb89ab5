"""What a randomised rollout shows: the effect of a training on a sales measure, with its
interval, from the first wave against the waitlist over the same calendar window.

The people are the rollout's members the viewer may see. Each person's measure is taken in the
evaluation window after the first wave started and in a window of the same length before it
(the ANCOVA adjustment); ``lms.analytics.causal`` does the statistics. People were split one by
one within their team and hire month, so the interval is by person, not by team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from lms.analytics.causal import Effect, RolloutRow, effect_of_completing, itt_ancova
from lms.analytics.measures import sales_performance
from lms.extensions import db
from lms.learning.catalog import live_item
from lms.models import ContentItem, ContentKind, ModuleProgress, PathCompletion, User
from lms.models.rollouts import Design, Rollout, RolloutMember
from lms.security import Scope


@dataclass(frozen=True)
class RolloutEffect:
    rollout: Rollout
    window: tuple[date, date]  # the evaluation window [start, end)
    itt: Effect | None  # None until the evaluation window has passed
    completing: Effect | None = None
    note: str = ""


def latest_randomised_rollout(item: ContentItem) -> Rollout | None:
    return db.session.scalar(
        select(Rollout).where(Rollout.item_id == item.id,
                              Rollout.design == Design.RANDOMISED.value,
                              Rollout.withdrawn_at.is_(None))
        .order_by(Rollout.made_at.desc(), Rollout.id.desc()).limit(1))


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


def rollout_effect(scope: Scope, item: ContentItem, measure: str, *, window_days: int,
                   today: date, follow_up_days: int) -> RolloutEffect | None:
    """The effect on ``measure`` of the latest randomised rollout of ``item``, or None when
    the item was never rolled out that way."""
    rollout = latest_randomised_rollout(item)
    if rollout is None:
        return None
    start = rollout.first_start
    window = (start, start + timedelta(days=min(window_days, rollout.interval_days)))
    if window[1] > today:
        return RolloutEffect(rollout, window, None, note=(
            f"The evaluation window ends on {window[1].isoformat()}; the comparison is made "
            "when it has passed."))
    members = db.session.execute(
        select(RolloutMember.user_id, RolloutMember.team_id, RolloutMember.wave)
        .join(User, User.id == RolloutMember.user_id)
        .where(RolloutMember.rollout_id == rollout.id, scope.condition())).all()
    people = Scope(user_ids=frozenset(m.user_id for m in members))
    length = window[1] - window[0]

    def values(first: date, last: date) -> dict[int, float | None]:
        rows = sales_performance(people, first, last, follow_up_days=follow_up_days,
                                 as_of=today)
        return {r.user_id: r.values.get(measure) for r in rows}

    before, after = values(start - length, start), values(*window)
    completed = _completed_by(item, [m.user_id for m in members], window[1])
    rows = [RolloutRow(person_id=m.user_id, team_id=m.team_id, first_wave=m.wave == 1,
                       completed=m.user_id in completed, pre=before.get(m.user_id),
                       post=after[m.user_id])
            for m in members if after.get(m.user_id) is not None]
    return RolloutEffect(rollout, window, itt_ancova(rows, by_team=False),
                         effect_of_completing(rows, by_team=False))


def for_params(scope: Scope, params: Any) -> RolloutEffect | None:
    """``rollout_effect`` for the impact page's, command's and API's chosen training."""
    item = live_item(ContentKind(params.kind), params.slug)
    if item is None:
        return None
    return rollout_effect(scope, item, params.measure, window_days=params.window_days,
                          today=params.today, follow_up_days=params.follow_up_days)


def effect_json(result: RolloutEffect | None) -> dict[str, Any] | None:
    """The API's ``effect``: the randomised rollout's estimate (None without one), with the
    effect of completing and the rollout it rests on. One measure is tested, so q = p."""
    if result is None:
        return None
    itt = result.itt.as_json(result.itt.p_value) if result.itt else {
        "design": "randomised", "estimator": "ancova_itt", "estimate": None, "ci_low": None,
        "ci_high": None, "p_value": None, "q_value": None, "n_treated": 0, "n_control": 0,
        "clusters": None, "assumption": "randomised: a causal estimate",
        "trustworthy_interval": False, "note": result.note}
    completing = (result.completing.as_json(result.completing.p_value)
                  if result.completing else None)
    return {**itt, "effect_of_completing": completing,
            "rollout": {"id": result.rollout.id, "seed": result.rollout.seed,
                        "window_start": result.window[0].isoformat(),
                        "window_end": result.window[1].isoformat(), "note": result.note}}


def effect_line(effect: dict[str, Any]) -> str:
    """The command line's first line: the randomised estimate, or why there is none yet."""
    if effect["estimate"] is None:
        return f"Randomised rollout: {effect['note'] or 'not enough data'}"
    interval = (f"95 % interval {effect['ci_low']:+.3f} to {effect['ci_high']:+.3f}, "
                f"p = {effect['p_value']:.3f}" if effect["ci_low"] is not None
                else "no interval to trust")
    return (f"Randomised rollout ({effect['assumption']}): effect {effect['estimate']:+.3f}, "
            f"{interval}; first wave n = {effect['n_treated']}, "
            f"waitlist n = {effect['n_control']}")
