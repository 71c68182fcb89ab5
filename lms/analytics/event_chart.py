"""The event study as a chart: the estimate for each 30-day period around training with its
95 % interval, as server-rendered SVG (no JavaScript). Before training (left of the dashed
line) the points should sit around 0 if trained and untrained people's results moved alike.
The page shows the same numbers in a table beside it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask_babel import gettext as _
from markupsafe import Markup, escape

from lms.analytics.causal_did import EventPoint
from lms.analytics.charts import BRAND, INK, MUTED, number, svg_open, y_grid
from lms.analytics.scatter import span_ticks

ZERO = "#1c2430"


def event_study_svg(*, chart_id: str, title: str, desc: str, points: Sequence[EventPoint],
                    y_format: Callable[[float], str] = number, width: int = 640,
                    height: int = 340) -> Markup | None:
    """None when no period could be estimated (the page says "not enough data")."""
    shown = [p for p in points if p.estimate is not None]
    if not any(p.offset_days != -30 for p in shown):
        return None
    left, right, top, bottom = 76, 16, 18, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [0.0] + [v for p in shown for v in (p.estimate, p.ci_low, p.ci_high)
                      if v is not None]
    ticks = span_ticks(min(values), max(values))
    y0, y1 = ticks[0], ticks[-1]
    first, last = points[0].offset_days, points[-1].offset_days

    def px(days: float) -> float:
        return left + (days - first + 15) / (last - first + 30) * plot_w

    def py(value: float) -> float:
        return top + plot_h - (value - y0) / (y1 - y0) * plot_h

    parts = svg_open(chart_id, title, desc, width, height, "chart event-study")
    parts += y_grid(ticks, py, left, width - right, y_format)
    zero = py(0.0)
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{zero:.1f}" y2="{zero:.1f}" '
                 f'stroke="{ZERO}" stroke-width="1.5"/>')
    start = (px(-30) + px(0)) / 2  # between the base period and the training period
    parts.append(f'<line x1="{start:.1f}" x2="{start:.1f}" y1="{top}" y2="{top + plot_h}" '
                 f'stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="5 4"/>')
    parts.append(f'<text x="{start + 4:.1f}" y="{top + 12}" fill="{INK}">'
                 f'{escape(_("training"))}</text>')
    for p in points:
        x = px(p.offset_days)
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                     f'fill="{MUTED}">{p.offset_days:+d}</text>')
        if p.estimate is None:
            continue
        if p.ci_low is not None and p.ci_high is not None:
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{py(p.ci_low):.1f}" '
                         f'y2="{py(p.ci_high):.1f}" stroke="{BRAND}" stroke-width="2"/>')
        if p.offset_days == -30:
            label = _("the base period, 0 by construction")
        elif p.ci_low is not None and p.ci_high is not None:
            label = _("%(estimate)s (95 %% interval %(low)s to %(high)s)",
                      estimate=y_format(p.estimate), low=y_format(p.ci_low),
                      high=y_format(p.ci_high))
        else:
            label = y_format(p.estimate)
        fill = "#fff" if p.offset_days == -30 else BRAND
        parts.append(f'<circle cx="{x:.1f}" cy="{py(p.estimate):.1f}" r="5" fill="{fill}" '
                     f'stroke="{BRAND}" stroke-width="2"><title>'
                     + str(escape(_("%(offset)s days: %(value)s",
                                    offset=f"{p.offset_days:+d}", value=label)))
                     + '</title></circle>')
    parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
                 f'stroke="{MUTED}" stroke-width="1"/>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 10}" text-anchor="middle" '
                 f'fill="{INK}">{escape(_("Days from training (30-day periods)"))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
