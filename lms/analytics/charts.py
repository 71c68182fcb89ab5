"""Server-rendered SVG charts: pure functions from numbers to markup, no JavaScript.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and ``<desc>`` (through
aria-labelledby, so screen readers announce both); the pages put the same numbers in a table
beside it. Every piece of text is escaped with markupsafe; numbers are formatted here. Colours
are SVG presentation attributes (``fill``), which the Content Security Policy allows, unlike
inline ``style`` attributes. Colour never carries meaning alone: bars carry their value and the
heat map prints the score in every cell. Words and numbers are in the language being spoken
(English, plainly written, outside an application: the unit tests).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from babel import dates as babel_dates
from flask import has_app_context
from flask_babel import gettext as _
from markupsafe import Markup, escape

from lms.analytics.readiness import local_number
from lms.i18n import _l, locale_code

INK, MUTED, LINE, BRAND = "#1c2430", "#525f6f", "#d5dbe2", "#0b5d5b"

#: Heat map bands: (name, lowest score in it, fill, text colour, label). Text on each fill
#: has at least 4.5:1 contrast.
HEAT_BANDS = (
    ("high", 85.0, "#166534", "#ffffff", "85-100"),
    ("good", 70.0, "#bbf7d0", "#14532d", "70-84"),
    ("mid", 50.0, "#fef3c7", "#854d0e", "50-69"),
    ("low", 0.0, "#fee4e2", "#b42318", "0-49"),
)
HEAT_NONE = ("none", None, "#f4f6f8", "#525f6f", _l("not taken"))


def heat_band(score: float | None) -> str:
    """The band a best score falls in: high, good, mid, low, or none (not taken)."""
    if score is None:
        return "none"
    for name, low, *_rest in HEAT_BANDS:
        if score >= low:
            return name
    return "low"


def nice_ticks(top: float, most: int = 5) -> list[float]:
    """Round axis ticks from 0 to at least ``top``: steps of 1, 2 or 5 × 10^k."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def number(value: float) -> str:
    """12 rather than 12.0; one decimal otherwise (plainly written: the impact charts')."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def period_start(day: date, period: str) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _next_period(start: date, period: str) -> date:
    if period == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def period_label(start: date, period: str) -> str:
    if period == "week":
        year, week, _day = start.isocalendar()
        return f"{year}-W{week:02d}"
    if not has_app_context():
        return start.strftime("%b %Y")
    return babel_dates.format_date(start, "LLL y", locale=locale_code())


def bucket_by_period(per_day: Sequence[tuple[date, int]], period: str, *,
                     until: date, most: int = 60) -> list[tuple[date, str, int]]:
    """Counts per day summed per week (ISO, Monday first) or month, with empty periods as 0,
    from the first day with a count to ``until``; at most the last ``most`` periods."""
    if period not in ("week", "month"):
        raise ValueError("period must be 'week' or 'month'")
    if not per_day:
        return []
    totals: dict[date, int] = {}
    for day, count in per_day:
        key = period_start(day, period)
        totals[key] = totals.get(key, 0) + count
    start = period_start(min(d for d, _n in per_day), period)
    end = period_start(max(until, max(d for d, _n in per_day)), period)
    out = []
    while start <= end:
        out.append((start, period_label(start, period), totals.get(start, 0)))
        start = _next_period(start, period)
    return out[-most:]


def svg_open(chart_id: str, title: str, desc: str, width: int, height: int,
             css_class: str = "chart") -> list[str]:
    """The opening of every chart: an image named by its title and described by its desc."""
    cid = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="{escape(css_class)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{cid}-title {cid}-desc" font-family="system-ui, sans-serif" '
        f'font-size="12">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]


def y_grid(ticks: Sequence[float], y_of: Callable[[float], float], left: float, right: float,
           label: Callable[[float], str]) -> list[str]:
    """Horizontal grid lines at ``ticks``, each labelled to the left of the plot."""
    parts = []
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{LINE}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'fill="{MUTED}">{escape(label(tick))}</text>')
    return parts


def bar_chart(*, chart_id: str, title: str, desc: str, labels: Sequence[str],
              values: Sequence[float], unit: str = "", width: int = 640,
              height: int = 280) -> Markup:
    """Vertical bars with a value above each, a y axis with round ticks and the labels below
    (slanted when there are many)."""
    if len(labels) != len(values):
        raise ValueError("one label per value")
    left, right, top, bottom = 44, 12, 22, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = nice_ticks(max(values, default=0))
    scale = plot_h / ticks[-1]
    parts = svg_open(chart_id, title, desc, width, height)
    for tick in ticks:
        y = top + plot_h - tick * scale
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{LINE}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'fill="{MUTED}">{local_number(tick)}</text>')
    n = max(len(values), 1)
    slot = plot_w / n
    bar_w = max(min(slot * 0.7, 48), 2)
    slanted = n > 12
    show_values = n <= 31
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + i * slot + (slot - bar_w) / 2
        h = value * scale
        y = top + plot_h - h
        text = f"{escape(label)}: {local_number(value)}{escape(unit)}"
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                     f'fill="{BRAND}"><title>{text}</title></rect>')
        if show_values and value:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                         f'fill="{INK}">{local_number(value)}</text>')
        lx, ly = x + bar_w / 2, top + plot_h + 14
        if slanted:
            if i % math.ceil(n / 24) == 0:
                parts.append(f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="end" '
                             f'transform="rotate(-45 {lx:.1f} {ly:.1f})" '
                             f'fill="{MUTED}">{escape(label)}</text>')
        else:
            parts.append(f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="middle" '
                         f'fill="{MUTED}">{escape(label)}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" '
                 f'y2="{top + plot_h}" stroke="{MUTED}" stroke-width="1"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def heatmap_svg(*, chart_id: str, title: str, desc: str, rows: Sequence[str],
                columns: Sequence[str], values: Sequence[Sequence[float | None]],
                absent: Sequence[Sequence[bool]] | None = None, cell_w: int = 46,
                cell_h: int = 24, row_label_w: int = 170, column_label_h: int = 150) -> Markup:
    """People × modules: each cell filled by its score band and printing the score, a dash
    when the quiz was not taken, or "n/a" where ``absent`` marks the module as not assigned;
    a legend below."""
    if len(values) != len(rows) or any(len(r) != len(columns) for r in values):
        raise ValueError("values must be one row per row label, one value per column")
    absent = absent or [[False] * len(columns) for _ in rows]
    legend_h = 40
    # Column labels lean right: leave room for the last ones beyond the grid.
    width = row_label_w + cell_w * max(len(columns), 1) + 120
    height = column_label_h + cell_h * len(rows) + legend_h
    parts = svg_open(chart_id, title, desc, width, height)
    fills = {name: (fill, ink) for name, _low, fill, ink, _label in (*HEAT_BANDS, HEAT_NONE)}
    for j, label in enumerate(columns):
        x = row_label_w + j * cell_w + cell_w / 2
        y = column_label_h - 6
        parts.append(f'<text x="{x:.1f}" y="{y}" transform="rotate(-50 {x:.1f} {y})" '
                     f'fill="{INK}">{escape(_clip(label, 26))}<title>{escape(label)}</title>'
                     f'</text>')
    for i, (label, row) in enumerate(zip(rows, values, strict=True)):
        y = column_label_h + i * cell_h
        parts.append(f'<text x="{row_label_w - 8}" y="{y + cell_h / 2 + 4:.1f}" '
                     f'text-anchor="end" fill="{INK}">{escape(_clip(label, 26))}</text>')
        for j, value in enumerate(row):
            x = row_label_w + j * cell_w
            if absent[i][j]:
                fill, ink, shown, what = "#ffffff", MUTED, _("n/a"), _("not assigned")
            else:
                fill, ink = fills[heat_band(value)]
                shown = "–" if value is None else local_number(round(value))
                what = _("not taken") if value is None else f"{local_number(value)}%"
            parts.append(f'<g><title>{escape(f"{label}, {columns[j]}: {what}")}</title>'
                         f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                         f'fill="{fill}" stroke="{LINE}" stroke-width="0.5"/>'
                         f'<text x="{x + (cell_w - 2) / 2:.1f}" y="{y + cell_h / 2 + 3:.1f}" '
                         f'text-anchor="middle" fill="{ink}">{shown}</text></g>')
    y = column_label_h + cell_h * len(rows) + 14
    x = 0
    legend = [(fill, str(label)) for _name, _low, fill, _ink, label in (*HEAT_BANDS, HEAT_NONE)]
    for fill, label in [*legend, ("#ffffff", _("n/a: not assigned"))]:
        parts.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="{fill}" '
                     f'stroke="{LINE}"/><text x="{x + 18}" y="{y + 11}" fill="{INK}">'
                     f'{escape(label)}</text>')
        x += 28 + 7 * len(label)
    parts.append("</svg>")
    return Markup("".join(parts))


def _clip(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
