"""The impact analysis as data (the JSON of ``lms report impact`` and the API) and as text.

The JSON carries, for every person, the training day, the training score, every module score
and every measure before and after with its window and closed deals: every figure in it can be
recomputed from the people list with the inclusion rules stated in ``analysis.rules``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext, ngettext
from flask_babel import gettext as _

from lms.analytics.csvsafe import csv_text
from lms.analytics.impact import (
    GROUPS,
    NOTE,
    Comparison,
    DidFigure,
    Figure,
    Impact,
    PersonResult,
)
from lms.analytics.impact_rules import ANALYSES, q_table
from lms.analytics.impact_training import SKILL
from lms.analytics.measures import OUTCOME_BY_KEY as BY_KEY
from lms.analytics.measures import format_value
from lms.analytics.stats import Correlation
from lms.boosters.retention import WINDOW_DAYS
from lms.i18n import format_number
from lms.safeyaml import quote


def _window(window: tuple[date, date] | None) -> dict[str, str] | None:
    if window is None:
        return None
    return {"first_day": window[0].isoformat(),
            "last_day": (window[1] - timedelta(days=1)).isoformat()}


def _corr(c: Correlation | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"r": c.r, "n": c.n, "ci_low": c.ci_low, "ci_high": c.ci_high, "p_value": c.p_value}


def _figure(f: Figure, q: dict[str, float | None]) -> dict[str, Any]:
    """A figure with each p-value's Benjamini–Hochberg q-value over its table (``q``)."""
    def corr(column: str) -> dict[str, Any] | None:
        data = _corr(getattr(f, column))
        return None if data is None else {**data, "q_value": q.get(column)}

    return {"measure": f.measure, "n": f.n, "enough_data": f.enough,
            "pearson": corr("pearson"), "spearman": corr("spearman"),
            "adjusted_for_before": corr("adjusted"),
            "line": None if f.fit is None else {"slope": f.fit.slope,
                                                "intercept": f.fit.intercept}}


def _person(p: PersonResult, wave: int | None) -> dict[str, Any]:
    return {
        "id": p.person.id, "name": p.person.name, "email": p.person.email,
        "team": p.person.team, "active": p.person.active, "group": p.group, "wave": wave,
        "training_date": p.training_date.isoformat() if p.training_date else None,
        "training_score": p.training_score, "training_value": p.training_value,
        "module_scores": p.module_scores,
        "before": {"window": _window(p.before_window), "closed_deals": p.before_closed,
                   "observations": p.before_observations, "values": p.before},
        "after": {"window": _window(p.after_window), "complete": p.after_complete,
                  "closed_deals": p.after_closed, "observations": p.after_observations,
                  "values": p.after},
    }


def _comparison(c: Comparison) -> dict[str, Any]:
    r = c.result
    return {"a": c.a, "b": c.b, "n_a": c.n_a, "n_b": c.n_b, "enough_data": c.enough,
            "difference": r.difference if r else None, "ci_low": r.ci_low if r else None,
            "ci_high": r.ci_high if r else None, "p_value": r.p_value if r else None}


def _did(d: DidFigure) -> dict[str, Any]:
    r = d.result
    return {"n_trained": d.n_trained, "n_untrained": d.n_untrained, "enough_data": d.enough,
            **{f"mean_{k}": v for k, v in d.means.items()},
            "estimate": r.estimate if r else None, "ci_low": r.ci_low if r else None,
            "ci_high": r.ci_high if r else None, "p_value": r.p_value if r else None}


def training_text(impact: Impact) -> str:
    """What the training measure is, in a sentence (the page, the JSON, the text report)."""
    p = impact.params
    if p.training_measure == "retention":
        return _("Retention: the share of each person's booster answers on the training's "
                 "modules that were right in the last %(days)d days before today (for a path, "
                 "the mean over its scored modules with answers), as a percentage. It is "
                 "measured now, so for people trained long ago it can come after the window "
                 "after training.", days=WINDOW_DAYS)
    if p.training_measure == "recall":
        return _("Predicted recall: the booster scheduler's (FSRS) estimate today of the "
                 "chance that the person recalls the questions of the training's modules, "
                 "averaged over their booster cards per module (for a path, the mean over its "
                 "scored modules with cards), as a percentage. It is estimated now, so for "
                 "people trained long ago it can come after the window after training.")
    if p.training_measure == SKILL:
        which = (_("the skill %(skill)s", skill=impact.skill_name) if impact.skill_name
                 else _("every skill"))
        return _("Skill rating: the mean of each person's coaching ratings of %(which)s in "
                 "the observations up to %(day)s, each on a 0-100 scale (the rubric's lowest "
                 "level 0, its highest 100). Observations after the training day count too.",
                 which=which, day=p.today.isoformat())
    return _("Training score: the quiz result under the quiz's grading method (for a path, the "
             "mean of its required modules' quiz results).")


def rules_text(impact: Impact) -> dict[str, str]:
    p = impact.params
    return {
        "training_measure": training_text(impact),
        "without_training_value": _("trained people without a value of the training measure "
                                    "are left out of the score figures"),
        "skill_rating": _("the skill rating after (before) training: the mean normalised "
                          "rating of the observations dated in the window; a window counts "
                          "with at least one rated observation, whatever its closed deals"),
        "windows": _("after: the %(days)d days after the training day; before: the %(days)d "
                     "days before it; the training day itself is in neither. People not yet "
                     "trained: the same windows around the reference date.", days=p.window_days),
        "reference_date": _("the lower median training day of the trained people whose window "
                            "after training is over"),
        "score_sample": _("trained, with a value of the training measure, an after-window "
                          "that is over, at least %(min)d closed deals in it (a sales "
                          "measure) and a value of the measure", min=p.min_closed),
        "group_sample": _("after-window over (reference window for the not yet trained), at "
                          "least %(min)d closed deals in it and a value of the measure",
                          min=p.min_closed),
        "before_after_sample": _("the group sample, with at least %(min)d closed deals and a "
                                 "value in the window before as well", min=p.min_closed),
        "min_n": _("figures on fewer than %(min)d people (per group in a comparison) are 'not "
                   "enough data'", min=p.min_n),
        "statistics": _("Pearson r and Spearman rho with Fisher-z 95% intervals and t-test "
                        "p-values; Welch 95% intervals for differences of means; each "
                        "table's p-values with Benjamini-Hochberg q-values over the table"),
        "adjusted_for_before": _("Pearson r of the training measure and the measure after "
                                 "training with the measure before held constant (partial "
                                 "correlation), over the score sample with a value before too"),
    }


def to_dict(impact: Impact, *, team: str | None = None,
            waves: dict[int, int] | None = None) -> dict[str, Any]:
    """``waves``: each person's wave in the training's rollout (None: not in one)."""
    p = impact.params
    waves = waves or {}
    figure_q = q_table(impact.figures)
    module_q = q_table({r.slug: r.figure for r in impact.modules})
    return {
        "analysis": {
            "training": {"kind": p.kind, "slug": p.slug, "title": impact.item_title,
                         "scored_modules": impact.scored_modules},
            "training_measure": p.training_measure, "skill": p.skill,
            "skill_name": impact.skill_name, "training_measure_label": impact.training_label,
            "without_training_value": impact.without_training_value,
            "measure": p.measure, "window_days": p.window_days, "as_of": p.today.isoformat(),
            "team": team, "min_n": p.min_n, "min_closed_deals": p.min_closed,
            "follow_up_days": p.follow_up_days,
            "reference_date": (impact.reference_date.isoformat() if impact.reference_date
                               else None),
            "people_in_scope": len(impact.people), "trained": impact.trained_count,
            "rules": rules_text(impact), "note": str(NOTE),
        },
        "measures": [{"key": m.key, "label": str(m.label), "unit": m.unit,
                      "higher_is_better": m.higher_is_better}
                     for m in (BY_KEY[key] for key in impact.outcomes)],
        "people": [_person(person, waves.get(person.person.id)) for person in impact.people],
        "correlations": [_figure(f, figure_q[key]) for key, f in impact.figures.items()],
        "modules": [{"slug": r.slug, "title": r.title, **_figure(r.figure, module_q[r.slug])}
                    for r in impact.modules],
        "groups": {key: {"groups": [{"group": g.group, "label": str(GROUPS[g.group]), "n": g.n,
                                     "mean": g.mean} for g in impact.groups[key]],
                         "comparisons": [_comparison(c) for c in impact.comparisons[key]]}
                   for key in impact.outcomes},
        "difference_in_differences": {key: _did(impact.did[key]) for key in impact.outcomes},
        "excluded": [{"id": e.person.id, "name": e.person.name, "left_out_of": list(e.analyses),
                      "reason": str(e.reason)} for e in impact.excluded],
    }


# --- text --------------------------------------------------------------------------------------

def _signed(value: float, digits: int) -> str:
    """"+0.42" / "−0,42" in the reader's numbers."""
    return ("−" if value < 0 else "+") + format_number(abs(value), digits)


def interval(low: str, high: str) -> str:
    """"[low, high]"; Dutch separates with a semicolon, its numbers having a decimal comma."""
    return gettext("[%(low)s, %(high)s]", low=low, high=high)


def fmt_corr(c: Correlation | None) -> str:
    if c is None:
        return "—"
    ci = (" " + interval(format_number(c.ci_low, 2), format_number(c.ci_high, 2))
          if c.ci_low is not None and c.ci_high is not None else "")
    return f"{_signed(c.r, 2)}{ci}, {fmt_p(c.p_value)}"


def fmt_p(p: float | None) -> str:
    if p is None:
        return "p —"
    return f"p < {format_number(0.001, 3)}" if p < 0.001 else f"p = {format_number(p, 3)}"


def fmt_q(q: float | None) -> str:
    if q is None:
        return "q —"
    return f"q < {format_number(0.001, 3)}" if q < 0.001 else f"q = {format_number(q, 3)}"


def fmt_diff(key: str, value: float | None) -> str:
    """A difference in a measure's unit, with its sign; shares differ by percentage points."""
    if value is None:
        return "—"
    sign = "−" if value < 0 else "+"
    if BY_KEY[key].unit == "share":
        return sign + gettext("%(points)s points", points=format_number(abs(value) * 100, 1))
    if BY_KEY[key].unit == "count":  # a difference of counts is rarely whole
        return _signed(value, 1)
    return sign + format_value(key, abs(value))


def not_enough(n: int, min_n: int) -> str:
    return _("not enough data (n = %(n)d, at least %(min)d needed)", n=n, min=min_n)


def text_report(impact: Impact, *, team: str | None = None) -> str:
    p = impact.params
    key = p.measure
    label = str(BY_KEY[key].label)
    enough_not = _("not enough data")
    lines = [
        _("Training impact: %(title)s (%(kind)s %(slug)s)", title=impact.item_title,
          kind=impact.item_kind_label, slug=quote(p.slug)),
        _("Measure %(measure)s; window %(days)d days; as of %(day)s; team %(team)s",
          measure=label, days=p.window_days, day=p.today.isoformat(),
          team=team or _("all in scope")),
        _("%(people)d people in scope, %(trained)d trained; reference date for the not yet "
          "trained: %(day)s", people=len(impact.people), trained=impact.trained_count,
          day=impact.reference_date or "—"),
        _("Minimum n %(min_n)d; minimum closed deals per window %(min_closed)d.",
          min_n=p.min_n, min_closed=p.min_closed),
        training_text(impact),
        ngettext("%(num)d trained person has no value of the training measure and is left "
                 "out of the score figures.",
                 "%(num)d trained people have no value of the training measure and are left "
                 "out of the score figures.", impact.without_training_value),
        str(NOTE), "",
        _("%(training)s and each measure after training (descriptive; q: Benjamini-Hochberg "
          "over the measures in the table)", training=impact.training_label),
        f"  {_('measure'):<30} {'n':>4}  {_('Pearson r [95% CI], p, q'):<46} "
        + _("r with the value before held constant, p, q"),
    ]
    figure_q = q_table(impact.figures)
    for key, f in impact.figures.items():
        name = str(BY_KEY[f.measure].label)
        if not f.enough:
            lines.append(f"  {name:<30} {f.n:>4}  {not_enough(f.n, p.min_n)}")
        else:
            q = figure_q[key]
            adjusted = (f"{fmt_corr(f.adjusted)}, {fmt_q(q['adjusted'])}" if f.adjusted
                        else enough_not)
            lines.append(f"  {name:<30} {f.n:>4}  "
                         f"{fmt_corr(f.pearson) + ', ' + fmt_q(q['pearson']):<46} {adjusted}")
    lines += ["", _("Modules by how their score relates to %(measure)s after training",
                    measure=label.lower())]
    module_q = q_table({r.slug: r.figure for r in impact.modules})
    for rank in impact.modules:
        f = rank.figure
        shown = (f"{fmt_corr(f.pearson)}, {fmt_q(module_q[rank.slug]['pearson'])}" if f.enough
                 else not_enough(f.n, p.min_n))
        lines.append(f"  {rank.title:<45} n={f.n:<4} r {shown}")
    lines += ["", _("%(measure)s after training, by group", measure=label)]
    for g in impact.groups[key]:
        mean = format_value(key, g.mean) if g.n >= p.min_n else enough_not
        lines.append(f"  {str(GROUPS[g.group]):<30} n={g.n:<4} "
                     + _("mean %(value)s", value=mean))
    for c in impact.comparisons[key]:
        what = f"  {GROUPS[c.a]} − {GROUPS[c.b]}"
        if not c.enough or c.result is None:
            lines.append(f"{what}: {not_enough(min(c.n_a, c.n_b), p.min_n)}")
        else:
            r = c.result
            ci = (" " + interval(fmt_diff(key, r.ci_low), fmt_diff(key, r.ci_high))
                  if r.ci_low is not None else "")
            lines.append(f"{what}: {fmt_diff(key, r.difference)}{ci}, {fmt_p(r.p_value)}")
    d = impact.did[key]
    lines += ["", _("Before → after (difference in differences)")]
    for side_label, n, side in ((_("trained"), d.n_trained, "trained"),
                                (_("not yet trained"), d.n_untrained, "untrained")):
        shown = (f"{format_value(key, d.means[side + '_before'])} → "
                 f"{format_value(key, d.means[side + '_after'])}" if n >= p.min_n
                 else enough_not)
        lines.append(f"  {side_label} n={n}: {shown}")
    if d.enough and d.result is not None:
        r = d.result
        ci = (" " + interval(fmt_diff(key, r.ci_low), fmt_diff(key, r.ci_high))
              if r.ci_low is not None else "")
        lines.append("  " + _("difference in differences: %(estimate)s",
                              estimate=f"{fmt_diff(key, r.estimate)}{ci}, {fmt_p(r.p_value)}"))
    else:
        lines.append("  " + _("difference in differences: %(estimate)s",
                              estimate=not_enough(min(d.n_trained, d.n_untrained), p.min_n)))
    lines += ["", _("Left out (%(count)d)", count=len(impact.excluded))]
    for e in impact.excluded:
        lines.append(f"  {e.person.name} ({', '.join(e.analyses)}): {e.reason}")
    return "\n".join(lines) + "\n"


def people_csv(impact: Impact) -> str:
    """Every person of the analysis as a spreadsheet (the impact page's download): their
    group, training day and value, the chosen measure and its deals (or rated observations)
    before and after, whether they count in the score figures, and what they are left out of
    and why. Headings in the reader's language; values as data, people by name."""
    key, skill = impact.params.measure, impact.params.measure == SKILL
    label = str(BY_KEY[key].label) if key in BY_KEY else key
    counted = gettext("Rated observations") if skill else gettext("Closed deals")
    header = [gettext("Name"), gettext("Email"), gettext("Team"), gettext("Group"),
              gettext("Training day"), impact.training_label,
              gettext("%(measure)s before", measure=label), f"{counted} ({gettext('Before')})",
              gettext("%(measure)s after", measure=label), f"{counted} ({gettext('After')})",
              gettext("In the score figures"), gettext("Left out of"), gettext("Why")]
    left_out = {e.person.id: e for e in impact.excluded}
    in_score = {p.person.id for p, _x, _y in impact.scatter_points()}
    rows = []
    for p in sorted(impact.people, key=lambda p: (p.person.name.casefold(), p.person.id)):
        out = left_out.get(p.person.id)
        rows.append([
            p.person.name, p.person.email, p.person.team or "", str(GROUPS.get(p.group, p.group)),
            p.training_date, p.training_value, p.before.get(key),
            p.before_observations if skill else p.before_closed, p.after.get(key),
            p.after_observations if skill else p.after_closed, p.person.id in in_score,
            ", ".join(str(ANALYSES[a]) for a in out.analyses) if out else "",
            str(out.reason) if out else ""])
    return csv_text(header, rows)
