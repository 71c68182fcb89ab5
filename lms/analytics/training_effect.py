"""What did this training change? The causal estimate behind the impact page, the command and
the API, for every measure at once, with the design it rests on.

* The item's latest randomised rollout (still in force): first wave against waitlist
  (``rollout_effect``), a causal estimate.
* Otherwise (staggered waves, everyone at once, or people trained when they got to it):
  difference in differences with people not yet trained as the comparison
  (``causal_did.staggered_effect`` over ``did_panel``), which holds if, without training,
  trained and untrained people's results would have moved alike; with an event study.

The ten measures are ten tests: each p-value gets a Benjamini–Hochberg q-value over the ten,
and the summary speaks of an effect only where q < 0.05. Intervals are cluster-robust by team
when the training was assigned to whole teams.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from lms.analytics.causal import Effect, q_values, speaks_of_effect
from lms.analytics.causal_did import EventPoint, staggered_effect
from lms.analytics.did_panel import load_panel
from lms.analytics.impact import impact_cache, sales_version
from lms.analytics.measures import MEASURE_KEYS
from lms.analytics.report_cache import data_version, gc_paused
from lms.analytics.rollout_effect import latest_rollout, rollout_effects
from lms.extensions import db
from lms.i18n import _l
from lms.learning.catalog import live_item
from lms.models import Assignment, ContentItem, ContentKind, User
from lms.models.rollouts import Design, Rollout, RolloutMember
from lms.security import Scope

DESIGNS = {
    "randomised": _l("Randomised rollout"),
    "staggered": _l("Staggered waves"),
    "everyone_now": _l("Everyone at once"),
    "self_paced": _l("Self-paced (each person trained when they got to it)"),
}
#: At least this share of the assignments made on one day: "everyone at once".
ONE_DAY_SHARE = 0.8


@dataclass(frozen=True)
class RolloutFacts:
    """What the page and the JSON say about the rollout: plain values, because the estimates
    are cached across requests and a database object would outlive its session."""

    id: int
    design: str
    seed: int
    made_at: datetime
    first_start: date
    interval_days: int
    waves: int

    @classmethod
    def of(cls, r: Rollout) -> RolloutFacts:
        return cls(r.id, r.design, r.seed, r.made_at, r.first_start, r.interval_days, r.waves)


@dataclass(frozen=True)
class TrainingEffects:
    design: str  # a key of DESIGNS
    by_team: bool  # intervals cluster-robust by team (the training went to whole teams)
    effects: dict[str, Effect]  # per measure; empty while a rollout's window is still open
    q_values: dict[str, float | None]
    completing: dict[str, Effect | None] = field(default_factory=dict)  # randomised only
    event_study: dict[str, tuple[EventPoint, ...]] = field(default_factory=dict)  # DiD only
    waves: dict[int, int] = field(default_factory=dict)  # person id -> wave of the rollout
    rollout: RolloutFacts | None = None
    window: tuple[date, date] | None = None  # a randomised rollout's evaluation window
    note: str = ""

    @property
    def label(self) -> str:
        return DESIGNS[self.design]

    def claimed(self) -> list[str]:
        """The measures the summary may call an effect (q < 0.05), in the measures' order."""
        return [k for k in MEASURE_KEYS if k in self.effects
                and self.effects[k].estimate is not None and speaks_of_effect(self.q_values[k])]


def _assignment_design(item: ContentItem, scope: Scope) -> tuple[str, bool]:
    """("everyone_now" or "self_paced", assigned to whole teams?) from the item's
    assignments to the people in scope. Assignments due some days after each person's hire
    date follow each person's own calendar: self-paced, however they were made."""
    rows = db.session.execute(
        select(Assignment.team_id, Assignment.assigned_at, Assignment.due_days_after_hire)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.item_id == item.id, scope.condition())).all()
    if not rows:
        return "self_paced", False
    by_team = sum(r.team_id is not None for r in rows) * 2 > len(rows)
    if sum(r.due_days_after_hire is not None for r in rows) * 2 > len(rows):
        return "self_paced", by_team
    busiest = Counter(r.assigned_at.date() for r in rows).most_common(1)[0][1]
    return ("everyone_now" if busiest >= ONE_DAY_SHARE * len(rows) else "self_paced"), by_team


def _did(scope: Scope, item: ContentItem, design: str, by_team: bool, *, today: date,
         follow_up_days: int) -> TrainingEffects:
    panel = load_panel(scope, item.kind, item.id, today=today, follow_up_days=follow_up_days)
    results = {key: staggered_effect(panel.people[key], design=design, by_team=by_team)
               for key in MEASURE_KEYS}
    effects = {key: r.effect for key, r in results.items()}
    return TrainingEffects(design, by_team, effects, _q(effects),
                           event_study={key: r.event_study for key, r in results.items()})


def _q(effects: dict[str, Effect]) -> dict[str, float | None]:
    keys = list(effects)
    return dict(zip(keys, q_values([effects[k].p_value for k in keys]), strict=True))


def training_effects(scope: Scope, item: ContentItem, *, window_days: int, today: date,
                     follow_up_days: int) -> TrainingEffects:
    rollout = latest_rollout(item)
    if rollout is not None and rollout.design == Design.RANDOMISED.value:
        r = rollout_effects(scope, rollout, item, window_days=window_days, today=today,
                            follow_up_days=follow_up_days)
        return TrainingEffects("randomised", False, r.itt, _q(r.itt), r.completing,
                               waves=r.waves, rollout=RolloutFacts.of(rollout), window=r.window,
                               note=r.note)
    if rollout is not None:  # staggered waves: people were split one by one, not by team
        result = _did(scope, item, "staggered", False, today=today,
                      follow_up_days=follow_up_days)
        waves = dict(db.session.execute(
            select(RolloutMember.user_id, RolloutMember.wave)
            .join(User, User.id == RolloutMember.user_id)
            .where(RolloutMember.rollout_id == rollout.id, scope.condition())).all())
        return replace(result, waves=waves, rollout=RolloutFacts.of(rollout))
    design, by_team = _assignment_design(item, scope)
    return _did(scope, item, design, by_team, today=today, follow_up_days=follow_up_days)


def for_params(scope: Scope, params: Any) -> TrainingEffects | None:
    """The estimates for the impact page's, command's and API's chosen training (None when it
    does not exist), from the reports' cache while the data has not changed."""
    item = live_item(ContentKind(params.kind), params.slug)
    if item is None:
        return None
    rollouts = db.session.execute(
        select(func.max(Rollout.id), func.count(Rollout.withdrawn_at))
        .where(Rollout.item_id == item.id)).one()
    key = ("effects", scope.key, item.id, params.window_days, params.follow_up_days,
           params.today, data_version(), sales_version(), tuple(rollouts))

    def make() -> TrainingEffects:
        with gc_paused():
            return training_effects(scope, item, window_days=params.window_days,
                                    today=params.today, follow_up_days=params.follow_up_days)

    return impact_cache().get_or_make(key, make)
