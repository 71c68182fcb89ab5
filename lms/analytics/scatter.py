"""The impact page's scatter chart: training score against a measure, with the least-squares
line, as server-rendered SVG (no JavaScript; colours as presentation attributes, which the
Content Security Policy allows). The page shows the same numbers in a table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from flask import has_app_context
from flask_babel import gettext as _
from markupsafe import Markup, escape

from lms.analytics.charts import INK, LINE, MUTED, number, svg_open, y_grid
from lms.analytics.stats import LinearFit
from lms.i18n import format_number

POINT = "#0b5d5b"
FIT = "#b42318"
#: Above this many people the chart shades squares by how many people fall in each, instead of
#: a dot per person: thousands of dots overlap into a blot and made the page megabytes long.
MOST_DOTS = 400
#: The squares across and up of the shaded chart.
GRID = (40, 24)


def _local(value: float) -> str:
    """``number`` in the reader's language ("72.5" / "72,5")."""
    text = number(value)
    return format_number(float(text)) if has_app_context() else text


def span_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round ticks covering [low, high]: steps of 1, 2 or 5 × 10^k."""
    if not math.isfinite(low) or not math.isfinite(high):
        raise ValueError("ticks need finite bounds")
    if high <= low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9) * step
    ticks = []
    value = first
    while value < high + step - 1e-9 * step:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


Bounds = tuple[float, float, float, float]


def shaded(count: int) -> bool:
    """Whether a chart of ``count`` people shades squares instead of drawing a dot each (the
    page's caption and the chart's description say which)."""
    return count > MOST_DOTS


def density_cells(xs: Sequence[float], ys: Sequence[float], bounds: Bounds,
                  grid: tuple[int, int] = GRID) -> dict[tuple[int, int], int]:
    """How many points fall in each square of a ``grid`` (columns, rows) laid over ``bounds``
    (x0, x1, y0, y1): {(column, row from the bottom): count}, empty squares left out."""
    x0, x1, y0, y1 = bounds
    columns, rows = grid
    cells: dict[tuple[int, int], int] = {}
    for x, y in zip(xs, ys, strict=True):
        column = min(int((x - x0) / (x1 - x0) * columns), columns - 1)
        row = min(int((y - y0) / (y1 - y0) * rows), rows - 1)
        cells[column, row] = cells.get((column, row), 0) + 1
    return cells


def _density(xs: Sequence[float], ys: Sequence[float], px: Callable[[float], float],
             py: Callable[[float], float], bounds: Bounds,
             y_format: Callable[[float], str]) -> list[str]:
    x0, x1, y0, y1 = bounds
    columns, rows = GRID
    cell_w, cell_h = (x1 - x0) / columns, (y1 - y0) / rows
    cells = density_cells(xs, ys, bounds)
    most = max(cells.values())
    parts = []
    for (column, row), count in sorted(cells.items()):
        low_x, low_y = x0 + column * cell_w, y0 + row * cell_h
        # At least a fifth as dark, so that a square of one person still shows.
        shade = 0.2 + 0.8 * count / most
        parts.append(
            f'<rect x="{px(low_x):.1f}" y="{py(low_y + cell_h):.1f}" '
            f'width="{px(low_x + cell_w) - px(low_x):.1f}" '
            f'height="{py(low_y) - py(low_y + cell_h):.1f}" fill="{POINT}" '
            f'fill-opacity="{shade:.2f}"><title>'
            + str(escape(_("%(count)s people: score %(low)s to %(high)s, %(bottom)s to %(top)s",
                           count=count, low=_local(round(low_x, 1)),
                           high=_local(round(low_x + cell_w, 1)), bottom=y_format(low_y),
                           top=y_format(low_y + cell_h))))
            + "</title></rect>")
    return parts


def scatter_svg(*, chart_id: str, title: str, desc: str,
                points: Sequence[tuple[str, float, float]], fit: LinearFit | None,
                x_label: str, y_label: str, y_format: Callable[[float], str] = number,
                width: int = 640, height: int = 380) -> Markup:
    """``points`` are (label, x, y); the line is drawn across the points' x range."""
    if not points:
        raise ValueError("a scatter chart needs points")
    left, right, top, bottom = 70, 16, 18, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    xs, ys = [p[1] for p in points], [p[2] for p in points]
    # A little room around the points, so that none sits on the frame.
    x_pad, y_pad = (max(xs) - min(xs)) * 0.03, (max(ys) - min(ys)) * 0.03
    x_ticks = span_ticks(min(xs) - x_pad, max(xs) + x_pad)
    y_ticks = span_ticks(min(ys) - y_pad, max(ys) + y_pad)
    x0, x1, y0, y1 = x_ticks[0], x_ticks[-1], y_ticks[0], y_ticks[-1]

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * plot_w

    def py(y: float) -> float:
        return top + plot_h - (y - y0) / (y1 - y0) * plot_h

    parts = svg_open(chart_id, title, desc, width, height, "chart impact-scatter")
    parts += y_grid(y_ticks, py, left, width - right, y_format)
    for tick in x_ticks:
        x = px(tick)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" '
                     f'stroke="{LINE}" stroke-width="1"/>')
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                     f'fill="{MUTED}">{_local(tick)}</text>')
    parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
                 f'stroke="{MUTED}" stroke-width="1"/>')
    if fit is not None:
        lo, hi = min(xs), max(xs)
        ya, yb = py(fit.intercept + fit.slope * lo), py(fit.intercept + fit.slope * hi)
        parts.append(
            f'<line class="impact-scatter__fit" x1="{px(lo):.1f}" y1="{ya:.1f}" '
            f'x2="{px(hi):.1f}" y2="{yb:.1f}" stroke="{FIT}" stroke-width="2" '
            f'stroke-dasharray="6 4"><title>'
            + str(escape(_("Least-squares line: %(measure)s = %(intercept)s + %(slope)s × score",
                           measure=y_label, intercept=f"{fit.intercept:.4g}",
                           slope=f"{fit.slope:.4g}")))
            + '</title></line>')
    if shaded(len(points)):
        parts += _density(xs, ys, px, py, (x0, x1, y0, y1), y_format)
    else:
        for label, x, y in points:
            parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="5" fill="{POINT}" '
                         f'fill-opacity="0.75" stroke="#fff" stroke-width="1"><title>'
                         + str(escape(_("%(name)s: score %(score)s, %(value)s", name=label,
                                        score=_local(round(x, 1)), value=y_format(y))))
                         + '</title></circle>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 10}" text-anchor="middle" '
                 f'fill="{INK}">{escape(x_label)}</text>')
    parts.append(f'<text x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" fill="{INK}" '
                 f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">{escape(y_label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
