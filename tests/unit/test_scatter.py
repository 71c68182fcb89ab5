"""The impact page's scatter chart: axes, points and line as SVG markup."""

from __future__ import annotations

import re

import pytest

from lms.analytics.scatter import GRID, MOST_DOTS, density_cells, scatter_svg, span_ticks
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


def test_points_fall_in_the_square_they_sit_in_and_the_edges_stay_inside():
    cells = density_cells([0.0, 0.4, 0.6, 1.0, 1.0], [0.0, 0.1, 0.9, 1.0, 0.99],
                          (0.0, 1.0, 0.0, 1.0), grid=(2, 2))
    assert cells == {(0, 0): 2, (1, 1): 3}


def test_thousands_of_people_are_shaded_squares_not_a_dot_each():
    """A chart of 5,000 people was 800 KB of dots on the impact page of a large organisation;
    shaded by how many people each square holds, it stays small and says how many."""
    import random

    rng = random.Random(3)
    points = [(f"Person {i}", rng.uniform(50, 100), rng.uniform(0.1, 0.6)) for i in range(5000)]
    svg = str(scatter_svg(chart_id="c", title="t", desc="d", points=points, fit=None,
                          x_label="Score", y_label="Win rate"))
    assert "<circle" not in svg and "Person 1" not in svg
    counts = [int(n) for n in re.findall(r"<title>(\d+) people: score", svg)]
    assert sum(counts) == 5000 and len(counts) <= GRID[0] * GRID[1]
    assert len(svg) < 150_000
    few = str(scatter_svg(chart_id="c", title="t", desc="d", points=points[:MOST_DOTS],
                          fit=None, x_label="Score", y_label="Win rate"))
    assert few.count("<circle") == MOST_DOTS and "people: score" not in few
