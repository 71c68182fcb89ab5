"""Causal effects given on the command line (``lms demo --effect PATH:MEASURE=DELTA``), and what
they do to one deal's odds.

An effect is a constant change in a sales measure (``lms.analytics.measures``) caused by
completing a path, on the deals a rep closes after the day they completed it. With effects
given they are the only causes in the world; without, the built-in score-dependent effects of
``lms.demo.sales`` hold. Each delta moves the quantity the generator draws from, so the
measure's true change is the delta itself: a probability stays ``baseline + delta`` (checked
here to stay within 0-1, never clamped later), which is what lets an estimator recover it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from lms.demo.training import INSIGHT, ONBOARDING
from lms.i18n import _l
from lms.safeyaml import quote

PATHS = (ONBOARDING, INSIGHT)

#: What the generator draws without any effect: probabilities, stars, days, euros.
BASE = {"win": 0.28, "satisfaction": 3.5, "complaint": 0.16, "resolve_days": 8.0,
        "follow_up": 0.50, "repeat": 0.25}
#: 5 % of new deals go to a team colleague's customer, drawn just past the repeat band.
COLLEAGUE_SHARE = 0.05
#: The smallest deal the price list allows (Compact C1 at the deepest discount, 690 × 0.6).
SMALLEST_DEAL = 414.0
#: The window the revenue measure is read over (the impact page's default).
REVENUE_DAYS = 90
#: The largest revenue a rep may lose per window: spread over their expected wins it keeps
#: every deal's amount above zero for all but the slowest reps (checked again per deal).
LARGEST_REVENUE_LOSS = 2000.0

#: measure -> (what the generator draws for it, its baseline, the lowest and highest that
#: baseline + delta may reach)
RANGES: dict[str, tuple[Any, float, float, float]] = {
    "win_rate": (_l("the win probability"), BASE["win"], 0.0, 1.0),
    "follow_up_rate": (_l("the probability of a follow-up within 14 days"), BASE["follow_up"],
                       0.0, 1.0),
    # The repeat band and the colleague band after it must both fit in one draw.
    "repeat_rate": (_l("the probability of a repeat customer"), BASE["repeat"], 0.0,
                    1.0 - COLLEAGUE_SHARE),
    "satisfaction": (_l("the mean satisfaction on 0-1"), (BASE["satisfaction"] - 1) / 4, 0.0, 1.0),
    "complaints_per_10": (_l("complaints per 10 won deals"), 10 * BASE["complaint"], 0.0, 10.0),
    "resolve_days": (_l("the median days to resolve a complaint"), BASE["resolve_days"], 1.0,
                     math.inf),
    "avg_deal_size": (_l("the smallest deal in euros"), SMALLEST_DEAL, 1.0, math.inf),
    "revenue": (_l("a rep's revenue change per 90 days in euros"), 0.0, -LARGEST_REVENUE_LOSS,
                math.inf),
}
SUPPORTED = tuple(RANGES)

_SYNTAX = re.compile(r"^\s*([a-z0-9-]+)\s*:\s*([a-z0-9_]+)\s*=\s*(\S+)\s*$")


class EffectError(ValueError):
    """A one-line reason an --effect was refused."""


@dataclass(frozen=True)
class Effect:
    path: str
    measure: str
    delta: float

    def __str__(self) -> str:
        return f"{self.path}:{self.measure}={self.delta:g}"


def parse_effect(text: str) -> Effect:
    match = _SYNTAX.match(text)
    if match is None:
        raise EffectError(_("%(text)s is not PATH:MEASURE=DELTA "
                            "(e.g. customer-insight:follow_up_rate=0.08).", text=quote(text)))
    path, measure, number = match.groups()
    if path not in PATHS:
        raise EffectError(_("unknown path %(path)s: the demo's paths are %(paths)s.",
                            path=quote(path), paths=", ".join(PATHS)))
    if measure not in RANGES:
        raise EffectError(_("the demo cannot cause %(measure)s: supported measures are "
                            "%(measures)s.", measure=quote(measure),
                            measures=", ".join(SUPPORTED)))
    try:
        delta = float(number)
    except ValueError:
        raise EffectError(_("%(number)s in %(text)s is not a number.", number=quote(number),
                            text=quote(text.strip()))) from None
    if not math.isfinite(delta):
        raise EffectError(_("%(number)s in %(text)s is not a finite number.",
                            number=quote(number), text=quote(text.strip())))
    return Effect(path, measure, delta)


def parse_effects(texts: Iterable[str]) -> tuple[Effect, ...]:
    """Parse and check the --effect options: no PATH:MEASURE twice, and the measure's
    baseline plus the deltas that can act together stays possible."""
    effects: list[Effect] = []
    for text in texts:
        effect = parse_effect(text)
        if any((e.path, e.measure) == (effect.path, effect.measure) for e in effects):
            raise EffectError(_("%(effect)s is given twice.",
                                effect=f"{effect.path}:{effect.measure}"))
        effects.append(effect)
    for measure, (what, base, low, high) in RANGES.items():
        deltas = [e.delta for e in effects if e.measure == measure]
        # A rep may have completed either path or both: the extremes are the sums of
        # the positive deltas and of the negative ones.
        top, bottom = base + sum(d for d in deltas if d > 0), base + sum(d for d in deltas if d < 0)
        if top > high or bottom < low:
            shown = ", ".join(str(e) for e in effects if e.measure == measure)
            reached = f"{top if top > high else bottom:g}"
            if high == math.inf:
                raise EffectError(_("%(effects)s would take %(what)s from %(base)s to "
                                    "%(reached)s; it must stay at least %(low)s.",
                                    effects=shown, what=str(what), base=f"{base:g}",
                                    reached=reached, low=f"{low:g}"))
            raise EffectError(_("%(effects)s would take %(what)s from %(base)s to %(reached)s; "
                                "it must stay between %(low)s and %(high)s.", effects=shown,
                                what=str(what), base=f"{base:g}", reached=reached,
                                low=f"{low:g}", high=f"{high:g}"))
    return tuple(effects)


def describe(effects: tuple[Effect, ...] | None) -> str:
    if effects is None:
        return _("the built-in ones, which grow with the path score (lms/demo/sales.py)")
    if not effects:
        return _("none (training changes nothing)")
    return _("only %(effects)s", effects=", ".join(str(e) for e in effects))


@dataclass(frozen=True, slots=True)
class Odds:
    """What one deal is drawn with."""

    win: float
    amount_factor: float
    amount_add: float
    stars: float
    ten: float
    complaint: float
    resolve_days: float
    follow_up: float
    repeat: float


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def built_in_odds(size: float, quality: float) -> Odds:
    """The built-in effect: ``size`` and ``quality`` are ``e = (S - 70) / 10`` of onboarding
    and customer insight (0 before completing it). The expressions are the original ones, so
    the same seed gives the same deals."""
    return Odds(win=_clamp(BASE["win"] + 0.10 * size, 0.05, 0.85),
                amount_factor=1 + 0.05 * size, amount_add=0.0,
                stars=BASE["satisfaction"] + 0.25 * quality, ten=6.25 + 0.6 * quality,
                complaint=max(BASE["complaint"] - 0.03 * quality, 0.02),
                resolve_days=max(BASE["resolve_days"] * (1 - 0.1 * quality), 2.0),
                follow_up=min(BASE["follow_up"] + 0.12 * quality, 0.97),
                repeat=_clamp(BASE["repeat"] + 0.06 * quality, 0.0, 0.9))


def given_odds(deltas: dict[str, float], deals_per_window: float) -> Odds:
    """Baseline plus the deltas in force (summed per measure). ``deals_per_window`` is how
    many deals the rep is expected to open in ``REVENUE_DAYS`` at this time of year: a
    revenue effect is spread over their expected wins, so it adds ``delta`` to the window's
    revenue on average (an approximation: the actual number of wins varies around it)."""
    win = BASE["win"] + deltas.get("win_rate", 0.0)
    satisfaction = deltas.get("satisfaction", 0.0)
    revenue = deltas.get("revenue", 0.0)
    wins = deals_per_window * win
    return Odds(win=win, amount_factor=1.0,
                amount_add=deltas.get("avg_deal_size", 0.0) + (revenue / wins if wins else 0.0),
                stars=BASE["satisfaction"] + 4 * satisfaction, ten=6.25 + 10 * satisfaction,
                complaint=BASE["complaint"] + deltas.get("complaints_per_10", 0.0) / 10,
                resolve_days=BASE["resolve_days"] + deltas.get("resolve_days", 0.0),
                follow_up=BASE["follow_up"] + deltas.get("follow_up_rate", 0.0),
                repeat=BASE["repeat"] + deltas.get("repeat_rate", 0.0))
