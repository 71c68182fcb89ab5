"""The causal estimates as data (the API's and ``lms report impact``'s ``effect`` and
``effects``) and as lines of text. ``lms.analytics.training_effect`` computes them."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from lms.analytics.causal import NOT_ENOUGH_DATA, PARALLEL_TRENDS, RANDOMISED, Effect
from lms.analytics.causal_did import EventPoint
from lms.analytics.impact_report import fmt_diff, fmt_p, fmt_q, interval
from lms.analytics.measures import BY_KEY, MEASURE_KEYS
from lms.analytics.training_effect import TrainingEffects


def _empty(effects: TrainingEffects) -> dict[str, Any]:
    """The answer for a measure without an estimate yet (a rollout's window still open)."""
    randomised = effects.design == "randomised"
    return {"design": effects.design,
            "estimator": "ancova_itt" if randomised else "callaway_santanna",
            "estimate": None, "ci_low": None, "ci_high": None, "p_value": None,
            "q_value": None, "n_treated": 0, "n_control": 0, "clusters": None,
            "assumption": str(RANDOMISED if randomised else PARALLEL_TRENDS),
            "trustworthy_interval": False, "note": str(effects.note or NOT_ENOUGH_DATA)}


def _point(e: EventPoint) -> dict[str, Any]:
    return {"offset_days": e.offset_days, "estimate": e.estimate, "ci_low": e.ci_low,
            "ci_high": e.ci_high, "n_treated": e.n_treated, "n_control": e.n_control}


def measure_json(effects: TrainingEffects, measure: str) -> dict[str, Any]:
    """One measure's estimate: the issue's fields, what it rests on, and (randomised) the
    effect of completing or (otherwise) the event study."""
    e: Effect | None = effects.effects.get(measure)
    data = e.as_json(effects.q_values.get(measure)) if e else _empty(effects)
    data["design_label"] = str(effects.label)
    data["claimed"] = measure in effects.claimed()
    if effects.design == "randomised":
        completing = effects.completing.get(measure)
        data["effect_of_completing"] = completing.as_json() if completing else None
    else:
        data["event_study"] = [_point(p) for p in effects.event_study.get(measure, ())]
    return data


def effect_json(effects: TrainingEffects | None, measure: str) -> dict[str, Any] | None:
    """The chosen measure's estimate with the rollout it rests on (None: no such training)."""
    if effects is None:
        return None
    data = measure_json(effects, measure)
    r = effects.rollout
    data["rollout"] = None if r is None else {
        "id": r.id, "design": r.design, "seed": r.seed, "made_at": r.made_at.isoformat(),
        "first_start": r.first_start.isoformat(), "interval_days": r.interval_days,
        "waves": r.waves,
        "window_start": effects.window[0].isoformat() if effects.window else None,
        "window_end": effects.window[1].isoformat() if effects.window else None,
        "note": str(effects.note)}
    return data


def effects_json(effects: TrainingEffects | None) -> dict[str, Any] | None:
    """Every measure's estimate, each with its q-value over the ten."""
    if effects is None:
        return None
    return {key: measure_json(effects, key) for key in MEASURE_KEYS}


def fmt_interval(key: str, e: Effect) -> str:
    if e.ci_low is None or e.ci_high is None:
        return _("no interval to trust") if e.clusters is not None else _("no interval")
    return interval(fmt_diff(key, e.ci_low), fmt_diff(key, e.ci_high))


def groups_text(e: Effect) -> str:
    if e.design == "randomised":
        return _("first wave n = %(treated)d, waitlist n = %(control)d", treated=e.n_treated,
                 control=e.n_control)
    return _("trained n = %(treated)d, not yet trained n = %(control)d", treated=e.n_treated,
             control=e.n_control)


def effect_line(effects: TrainingEffects, measure: str, title: str) -> str:
    """The command line's first line: the chosen measure's estimate, or why there is none."""
    e = effects.effects.get(measure)
    label = BY_KEY[measure].label.lower()
    if e is None or e.estimate is None:
        why = e.note if e is not None else (effects.note or NOT_ENOUGH_DATA)
        return _("%(design)s: effect of %(title)s on %(measure)s: %(why)s",
                 design=effects.label, title=title, measure=label, why=why)
    if measure in effects.claimed():
        return _("%(design)s (%(assumption)s): effect of %(title)s on %(measure)s %(estimate)s "
                 "%(interval)s, %(p)s, %(q)s: an effect; %(groups)s",
                 design=effects.label, assumption=e.assumption, title=title, measure=label,
                 estimate=fmt_diff(measure, e.estimate), interval=fmt_interval(measure, e),
                 p=fmt_p(e.p_value), q=fmt_q(effects.q_values.get(measure)),
                 groups=groups_text(e))
    return _("%(design)s (%(assumption)s): effect of %(title)s on %(measure)s %(estimate)s "
             "%(interval)s, %(p)s, %(q)s: no clear effect (could be chance); %(groups)s",
             design=effects.label, assumption=e.assumption, title=title, measure=label,
             estimate=fmt_diff(measure, e.estimate), interval=fmt_interval(measure, e),
             p=fmt_p(e.p_value), q=fmt_q(effects.q_values.get(measure)), groups=groups_text(e))


def effects_text(effects: TrainingEffects, measure: str) -> list[str]:
    """Every measure's estimate with p and q, and the chosen measure's event study."""
    lines = [_("What the training changed, every measure (%(design)s; q: Benjamini-Hochberg "
               "over the ten; an effect only where q < 0.05)", design=effects.label)]
    for key in MEASURE_KEYS:
        e = effects.effects.get(key)
        name = str(BY_KEY[key].label)
        if e is None or e.estimate is None:
            lines.append(f"  {name:<30} {e.note if e else effects.note or NOT_ENOUGH_DATA}")
            continue
        mark = _("effect") if key in effects.claimed() else "—"
        lines.append(f"  {name:<30} {fmt_diff(key, e.estimate):>16} "
                     f"{fmt_interval(key, e):<34} {fmt_p(e.p_value):<12} "
                     f"{fmt_q(effects.q_values.get(key)):<12} {mark}")
    events = effects.event_study.get(measure)
    if events:
        lines += ["", _("Event study: %(measure)s, trained against not yet trained, per 30 "
                        "days around training (−30: the base, 0 by construction)",
                        measure=BY_KEY[measure].label.lower())]
        for p in events:
            if p.offset_days == -30:
                shown = _("base")
            elif p.estimate is None:
                shown = str(NOT_ENOUGH_DATA)
            else:
                ci = (" " + interval(fmt_diff(measure, p.ci_low), fmt_diff(measure, p.ci_high))
                      if p.ci_low is not None and p.ci_high is not None else "")
                shown = f"{fmt_diff(measure, p.estimate)}{ci}"
            lines.append("  " + _("%(offset)s days  %(estimate)s", offset=f"{p.offset_days:+5d}",
                                  estimate=shown))
    return lines
