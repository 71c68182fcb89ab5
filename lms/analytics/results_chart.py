"""The My results charts as server-rendered SVG (no JavaScript), in the style of
``lms.analytics.charts``: one small chart per measure over the months, and a timeline strip
with the training milestones and goals. Pure functions from numbers to markup; the page puts
the same numbers in a table.

Time runs left to right in days, so a completion or a deadline sits on the day it happened
within its month. Meaning is never carried by colour alone: the current month is drawn
outlined and dashed ("so far"), milestones carry their number, goals their letter, and every
mark has a ``<title>`` saying what it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from babel import dates as babel_dates
from flask import has_app_context
from flask_babel import gettext as _
from markupsafe import Markup, escape

from lms.analytics.charts import BRAND, INK, LINE, MUTED, nice_ticks, svg_open, y_grid
from lms.analytics.my_results import GoalMark, Milestone, Month
from lms.i18n import format_date, locale_code

MILESTONE = "#6b21a8"   # 8.7:1 on white
GOAL = "#9a3412"        # 7.3:1 on white
FUTURE = "#f4f6f8"


# --- geometry (pure) ------------------------------------------------------------------------

@dataclass(frozen=True)
class TimeAxis:
    """Days from ``first`` up to ``end`` (exclusive) across ``width`` pixels from ``left``."""

    first: date
    end: date
    left: float
    width: float

    @property
    def days(self) -> int:
        return max((self.end - self.first).days, 1)

    def edge(self, day: date) -> float:
        """Where ``day`` begins (the end of the axis for ``end`` itself)."""
        return self.left + (day - self.first).days / self.days * self.width

    def x(self, day: date) -> float:
        """The middle of ``day``, kept on the axis."""
        days = min(max((day - self.first).days, 0), self.days - 1)
        return self.left + (days + 0.5) / self.days * self.width

    def contains(self, day: date) -> bool:
        return self.first <= day < self.end


def time_axis(timeline: Sequence[Month], left: float, width: float) -> TimeAxis:
    if not timeline:
        raise ValueError("a timeline needs months")
    return TimeAxis(timeline[0].start, timeline[-1].end, left, width)


def month_slots(timeline: Sequence[Month], axis: TimeAxis) -> list[tuple[float, float]]:
    """Each month's span (x from, x to) on the axis: months are as wide as they are long."""
    return [(axis.edge(m.start), axis.edge(m.end)) for m in timeline]


@dataclass(frozen=True)
class ValueAxis:
    """Values from ``ticks[0]`` (0) to ``ticks[-1]`` over ``height`` pixels down from ``top``."""

    ticks: list[float]
    top: float
    height: float

    def y(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        share = (min(max(value, low), high) - low) / (high - low)
        return self.top + self.height - share * self.height


def value_axis(values: Sequence[float | None], top: float, height: float,
               share: bool = False) -> ValueAxis:
    """Round ticks from 0 to at least the largest value (targets included); shares (0-1) go
    up to at most 1."""
    known = [v for v in values if v is not None]
    high = max(known, default=0.0)
    if share:
        high = min(max(high, 0.1), 1.0)
    return ValueAxis(nice_ticks(high, most=4), top, height)


def runs(points: Sequence[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """The stretches of a line between months without a value: a gap is never bridged."""
    out: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for x, y in points:
        if y is None:
            if current:
                out.append(current)
            current = []
        else:
            current.append((x, y))
    if current:
        out.append(current)
    return out


def lanes(xs: Sequence[float], gap: float) -> list[int]:
    """A lane (row) for each mark at ``xs`` (in order) so that marks closer than ``gap`` in the
    same lane never overlap: the lowest free lane."""
    last: list[float] = []
    out = []
    for x in xs:
        for lane, at in enumerate(last):
            if x - at >= gap:
                last[lane] = x
                out.append(lane)
                break
        else:
            last.append(x)
            out.append(len(last) - 1)
    return out


# --- words ----------------------------------------------------------------------------------

def month_short(start: date) -> str:
    if not has_app_context():
        return start.strftime("%b")
    return babel_dates.format_date(start, "LLL", locale=locale_code())


def _day(day: date) -> str:
    return format_date(day) if has_app_context() else day.isoformat()


def milestone_text(m: Milestone) -> str:
    if m.kind == "path":
        return _("%(number)s. Completed the learning path “%(title)s” on %(day)s",
                 number=m.number, title=m.title, day=_day(m.day))
    return _("%(number)s. Completed the module “%(title)s” on %(day)s",
             number=m.number, title=m.title, day=_day(m.day))


def goal_text(g: GoalMark) -> str:
    return _("%(letter)s. Goal “%(title)s”: deadline %(day)s",
             letter=g.letter, title=g.title, day=_day(g.deadline))


# --- the charts -----------------------------------------------------------------------------

def _month_labels(timeline: Sequence[Month], slots: Sequence[tuple[float, float]], y: float,
                  every: int) -> list[str]:
    parts = []
    for i, (month, (x0, x1)) in enumerate(zip(timeline, slots, strict=True)):
        if i % every and i != len(timeline) - 1:
            continue
        label = month_short(month.start)
        parts.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{y:.1f}" text-anchor="middle" '
                     f'fill="{MUTED}" font-size="10">{escape(label)}</text>')
        if month.start.month == 1 or i == 0:
            parts.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{y + 12:.1f}" '
                         f'text-anchor="middle" fill="{MUTED}" font-size="10">'
                         f'{month.start.year}</text>')
    return parts


def _future(timeline: Sequence[Month], slots: Sequence[tuple[float, float]], top: float,
            height: float) -> list[str]:
    future = [s for m, s in zip(timeline, slots, strict=True) if m.future]
    if not future:
        return []
    x0, x1 = future[0][0], future[-1][1]
    return [f'<rect x="{x0:.1f}" y="{top}" width="{x1 - x0:.1f}" height="{height}" '
            f'fill="{FUTURE}"><title>{escape(_("Months ahead"))}</title></rect>']


def measure_chart_svg(*, chart_id: str, title: str, desc: str, timeline: Sequence[Month],
                      values: Sequence[float | None], bars: bool,
                      milestones: Sequence[Milestone] = (), goals: Sequence[GoalMark] = (),
                      y_format: Callable[[float], str] = str, share: bool = False,
                      width: int = 360, height: int = 200) -> Markup:
    """One measure per month: bars (totals) or a line (rates and averages) over the months
    of ``timeline`` that are not ahead of today (``values`` one per such month, None for
    "nothing to divide by"); the current month outlined and dashed. Path completions are
    numbered lines, module completions ticks on the axis; a goal on this measure is a dashed
    target from its start to its deadline (for a running total, the monthly pace that reaches
    it) ending in its letter."""
    shown = [m for m in timeline if not m.future]
    if len(values) != len(shown):
        raise ValueError("one value per month up to today")
    left, right, top, bottom = 58, 10, 16, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    axis = time_axis(timeline, left, plot_w)
    slots = month_slots(timeline, axis)
    targets = [g.monthly_pace() for g in goals]
    vaxis = value_axis([*values, *targets], top, plot_h, share=share)
    parts = svg_open(chart_id, title, desc, width, height, "chart results-chart")
    parts += _future(timeline, slots, top, plot_h)
    parts += y_grid(vaxis.ticks, vaxis.y, left, width - right, y_format)
    base = top + plot_h
    every = 1 if len(timeline) <= 12 else 2
    parts += _month_labels(timeline, slots, base + 13, every)
    points: list[tuple[float, float | None]] = []
    for month, (x0, x1), value in zip(shown, slots, values, strict=False):
        label = _("%(month)s: %(value)s", month=month_short(month.start) + f" {month.start.year}",
                  value="—" if value is None else y_format(value))
        if month.partial:
            label += " " + _("(so far)")
        cx = (x0 + x1) / 2
        if bars:
            if value is None:
                points.append((cx, None))
                continue
            w = (x1 - x0) * 0.64
            y = vaxis.y(value)
            style = (f'fill="#ffffff" stroke="{BRAND}" stroke-width="1.5" '
                     f'stroke-dasharray="3 2"' if month.partial else f'fill="{BRAND}"')
            parts.append(f'<rect x="{cx - w / 2:.1f}" y="{y:.1f}" width="{w:.1f}" '
                         f'height="{max(base - y, 0):.1f}" {style}><title>{escape(label)}'
                         f'</title></rect>')
        points.append((cx, None if value is None else vaxis.y(value)))
        if not bars and value is not None:
            fill = "#ffffff" if month.partial else BRAND
            parts.append(f'<circle cx="{cx:.1f}" cy="{vaxis.y(value):.1f}" r="3.5" '
                         f'fill="{fill}" stroke="{BRAND}" stroke-width="2"><title>'
                         f'{escape(label)}</title></circle>')
    if not bars:
        partial = shown[-1].partial if shown else False
        for run in runs(points):
            full = run[:-1] if partial and run[-1][0] == points[-1][0] else run
            if len(full) > 1:
                parts.append(_polyline(full, ""))
            if len(full) < len(run) and full:
                parts.append(_polyline([full[-1], run[-1]], ' stroke-dasharray="4 3"'))
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{base}" y2="{base}" '
                 f'stroke="{MUTED}" stroke-width="1"/>')
    parts += _milestone_marks(milestones, axis, top, base)
    for goal, target in zip(goals, targets, strict=True):
        if target is not None:
            parts += _target(goal, target, axis, vaxis, y_format)
    parts.append("</svg>")
    return Markup("".join(parts))


def _polyline(points: Sequence[tuple[float, float]], extra: str) -> str:
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return (f'<polyline points="{coords}" fill="none" stroke="{BRAND}" stroke-width="2"'
            f'{extra}/>')


def _milestone_marks(milestones: Sequence[Milestone], axis: TimeAxis, top: float,
                     base: float) -> list[str]:
    parts = []
    for m in milestones:
        if not axis.contains(m.day):
            continue
        x = axis.x(m.day)
        text = escape(milestone_text(m))
        if m.kind == "path":
            parts.append(f'<g><title>{text}</title><line x1="{x:.1f}" x2="{x:.1f}" '
                         f'y1="{top}" y2="{base}" stroke="{MILESTONE}" stroke-width="1.5"/>'
                         f'<circle cx="{x:.1f}" cy="{top}" r="7" fill="{MILESTONE}"/>'
                         f'<text x="{x:.1f}" y="{top + 3.5:.1f}" text-anchor="middle" '
                         f'fill="#ffffff" font-size="10">{m.number}</text></g>')
        else:
            parts.append(f'<path d="M{x:.1f} {base - 6:.1f} l4 6 h-8 z" fill="{MILESTONE}">'
                         f'<title>{text}</title></path>')
    return parts


def _target(goal: GoalMark, target: float, axis: TimeAxis, vaxis: ValueAxis,
            y_format: Callable[[float], str]) -> list[str]:
    start = max(goal.starts_on, axis.first)
    if start >= axis.end:
        return []
    x0 = axis.x(start)
    x1 = axis.x(goal.deadline)
    y = vaxis.y(target)
    if goal.cumulative:
        what = _("%(goal)s; %(pace)s a month reaches %(target)s by the deadline",
                 goal=goal_text(goal), pace=y_format(target),
                 target=y_format(goal.target or 0))
    else:
        what = _("%(goal)s; target %(target)s", goal=goal_text(goal), target=y_format(target))
    return [f'<g><title>{escape(what)}</title>'
            f'<line x1="{x0:.1f}" x2="{x1:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GOAL}" '
            f'stroke-width="2" stroke-dasharray="6 3"/>'
            f'<path d="M{x1:.1f} {y - 7:.1f} l7 7 l-7 7 l-7 -7 z" fill="{GOAL}"/>'
            f'<text x="{x1:.1f}" y="{y + 3.5:.1f}" text-anchor="middle" fill="#ffffff" '
            f'font-size="9">{escape(goal.letter)}</text></g>']


def timeline_svg(*, chart_id: str, title: str, desc: str, timeline: Sequence[Month],
                 milestones: Sequence[Milestone], goals: Sequence[GoalMark], today: date,
                 width: int = 960) -> Markup:
    """The months with today marked, the numbered milestones above the axis (stacked where
    they would touch) and each goal below it as a bar from its start to its lettered
    deadline."""
    left, right = 16, 16
    plot_w = width - left - right
    axis = time_axis(timeline, left, plot_w)
    slots = month_slots(timeline, axis)
    shown = [m for m in milestones if axis.contains(m.day)]
    rows = lanes([axis.x(m.day) for m in shown], 18)
    top = 14
    axis_y = top + 20 * (max(rows, default=-1) + 1) + 12
    goal_top = axis_y + 34
    visible = [g for g in goals if g.deadline >= axis.first and g.starts_on < axis.end]
    height = goal_top + 20 * len(visible) + 8
    parts = svg_open(chart_id, title, desc, width, height, "chart results-timeline")
    parts += _future(timeline, slots, top - 10, height - top)
    for x0, _x1 in slots[1:]:
        parts.append(f'<line x1="{x0:.1f}" x2="{x0:.1f}" y1="{top - 10}" y2="{height}" '
                     f'stroke="{LINE}" stroke-width="1"/>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{axis_y}" y2="{axis_y}" '
                 f'stroke="{MUTED}" stroke-width="1.5"/>')
    parts += _month_labels(timeline, slots, axis_y + 14, 1)
    now = axis.x(today)
    parts.append(f'<g><title>{escape(_("Today, %(day)s", day=_day(today)))}</title>'
                 f'<line x1="{now:.1f}" x2="{now:.1f}" y1="{top - 10}" y2="{height}" '
                 f'stroke="{INK}" stroke-width="2"/></g>')
    for m, lane in zip(shown, rows, strict=True):
        x, y = axis.x(m.day), axis_y - 14 - 20 * lane
        fill = MILESTONE if m.kind == "path" else "#ffffff"
        ink = "#ffffff" if m.kind == "path" else MILESTONE
        parts.append(f'<g><title>{escape(milestone_text(m))}</title>'
                     f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y:.1f}" y2="{axis_y}" '
                     f'stroke="{MILESTONE}" stroke-width="1"/>'
                     f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="{fill}" '
                     f'stroke="{MILESTONE}" stroke-width="1.5"/>'
                     f'<text x="{x:.1f}" y="{y + 3.5:.1f}" text-anchor="middle" fill="{ink}" '
                     f'font-size="10">{m.number}</text></g>')
    for i, g in enumerate(visible):
        y = goal_top + 20 * i
        x0 = axis.edge(max(g.starts_on, axis.first))
        x1 = axis.x(min(g.deadline, timeline[-1].end))
        beyond = g.deadline >= axis.end
        parts.append(f'<g><title>{escape(goal_text(g))}</title>'
                     f'<rect x="{x0:.1f}" y="{y - 3}" width="{max(x1 - x0, 1):.1f}" '
                     f'height="6" rx="3" fill="#fde7d8" stroke="{GOAL}" stroke-width="1"/>')
        if beyond:
            parts.append(f'<text x="{x1 - 4:.1f}" y="{y + 4:.1f}" text-anchor="end" '
                         f'fill="{GOAL}">{escape(g.letter)} →</text>')
        else:
            parts.append(f'<path d="M{x1:.1f} {y - 8:.1f} l8 8 l-8 8 l-8 -8 z" '
                         f'fill="{GOAL}"/><text x="{x1:.1f}" y="{y + 3.5:.1f}" '
                         f'text-anchor="middle" fill="#ffffff" font-size="9">'
                         f'{escape(g.letter)}</text>')
        # The goal's name beside its bar: before it where there is room, else after it.
        name = escape(f"{g.letter} {_clip(g.title, 32)}")
        if x0 - left >= 190 or x1 > width - right - 190:
            parts.append(f'<text x="{x0 - 8:.1f}" y="{y + 4:.1f}" text-anchor="end" '
                         f'fill="{INK}">{name}</text>')
        else:
            parts.append(f'<text x="{x1 + 14:.1f}" y="{y + 4:.1f}" fill="{INK}">{name}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _clip(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
