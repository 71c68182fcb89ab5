"""The impact page's scatter chart: axes, points and line as SVG markup."""

from __future__ import annotations

import re

import pytest

from lms.analytics.scatter import scatter_svg, span_ticks
from lms.analytics.stats import LinearFit


@pytest.mark.parametrize(("low", "high", "ticks"), [
    (80.3, 97.9, [80, 85, 90, 95, 100]),
    (0.21, 0.56, [0.2, 0.3, 0.4, 0.5, 0.6]),
    (5.0, 5.0, [4.4, 4.6, 4.8, 5.0, 5.2, 5.4, 5.6]),  # one value: 10 % either side
    (-3.0, 12.0, [-5, 0, 5, 10, 15]),
])
def test_ticks_cover_the_values_in_round_steps(low, high, ticks):
    assert span_ticks(low, high) == pytest.approx(ticks)


def test_the_chart_has_a_dot_per_person_the_line_and_escaped_names():
    svg = str(scatter_svg(chart_id="c", title="Score & win rate", desc="n = 3",
                          points=[("<Anna>", 80.0, 0.3), ("Bo", 90.0, 0.4), ("Cy", 100.0, 0.5)],
                          fit=LinearFit(slope=0.01, intercept=-0.5), x_label="Score",
                          y_label="Win rate", y_format=lambda v: f"{v * 100:.0f}%"))
    assert svg.count("<circle") == 3 and "&lt;Anna&gt;: score 80, 30%" in svg
    assert "Score &amp; win rate" in svg and 'aria-labelledby="c-title c-desc"' in svg
    assert "impact-scatter__fit" in svg and "style=" not in svg
    cx = [float(v) for v in re.findall(r'<circle cx="([\d.]+)"', svg)]
    assert cx == sorted(cx) and 70 < cx[0] < cx[-1] < 640


def test_no_points_no_chart():
    with pytest.raises(ValueError):
        scatter_svg(chart_id="c", title="t", desc="d", points=[], fit=None, x_label="x",
                    y_label="y")
