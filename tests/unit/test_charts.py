"""The SVG chart builders (lms.analytics.charts): pure functions from numbers to markup."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from lms.analytics.charts import (
    bar_chart,
    bucket_by_period,
    heat_band,
    heatmap_svg,
    nice_ticks,
    number,
    period_label,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # also proves the markup is well-formed XML


@pytest.mark.parametrize(("top", "expected"), [
    (0, [0, 1]),
    (1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    (7, [0, 2, 4, 6, 8]),
    (10, [0, 2, 4, 6, 8, 10]),
    (11, [0, 5, 10, 15]),
    (33, [0, 10, 20, 30, 40]),
    (100, [0, 20, 40, 60, 80, 100]),
    (1234, [0, 500, 1000, 1500]),
])
def test_nice_ticks(top, expected):
    assert nice_ticks(top) == pytest.approx(expected)


@pytest.mark.parametrize(("score", "band"), [
    (None, "none"), (0, "low"), (49.9, "low"), (50, "mid"), (69.9, "mid"), (70, "good"),
    (84.9, "good"), (85, "high"), (100, "high"),
])
def test_heat_band(score, band):
    assert heat_band(score) == band


def test_number():
    assert (number(12.0), number(12.25), number(0)) == ("12", "12.2", "0")


def test_completions_per_month_fill_the_empty_months():
    per_day = [(date(2026, 1, 5), 2), (date(2026, 1, 20), 1), (date(2026, 3, 2), 4)]
    assert bucket_by_period(per_day, "month", until=date(2026, 4, 10)) == [
        (date(2026, 1, 1), "Jan 2026", 3), (date(2026, 2, 1), "Feb 2026", 0),
        (date(2026, 3, 1), "Mar 2026", 4), (date(2026, 4, 1), "Apr 2026", 0)]


def test_completions_per_iso_week():
    # 29 Dec 2025 is the Monday of ISO week 1 of 2026.
    per_day = [(date(2025, 12, 31), 1), (date(2026, 1, 4), 2), (date(2026, 1, 5), 5)]
    assert bucket_by_period(per_day, "week", until=date(2026, 1, 6)) == [
        (date(2025, 12, 29), "2026-W01", 3), (date(2026, 1, 5), "2026-W02", 5)]
    assert period_label(date(2026, 1, 5), "week") == "2026-W02"


def test_bucketing_keeps_the_last_periods_and_handles_nothing():
    per_day = [(date(2024, 1, 1), 1), (date(2026, 1, 1), 1)]
    out = bucket_by_period(per_day, "month", until=date(2026, 1, 1), most=3)
    assert [label for _, label, _ in out] == ["Nov 2025", "Dec 2025", "Jan 2026"]
    assert bucket_by_period([], "week", until=date(2026, 1, 1)) == []
    with pytest.raises(ValueError):
        bucket_by_period(per_day, "year", until=date(2026, 1, 1))


def test_bar_chart_is_accessible_and_escapes_text():
    svg = bar_chart(chart_id="c1", title="Scores <b>", desc="People & scores",
                    labels=["<script>alert(1)</script>", "B"], values=[3, 0], unit="%")
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Scores <b>"
    assert root.find(f"{SVG}desc").text == "People & scores"
    assert "<script>" not in str(svg) and "&lt;script&gt;" in str(svg)
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 2
    assert bars[0].find(f"{SVG}title").text == "<script>alert(1)</script>: 3%"
    assert float(bars[1].get("height")) == 0
    assert "style=" not in str(svg)  # the CSP forbids inline styles; attributes only


def test_bar_heights_are_proportional():
    root = parse(bar_chart(chart_id="c", title="t", desc="d", labels=["a", "b"],
                           values=[5, 10]))
    low, high = (float(r.get("height")) for r in root.findall(f"{SVG}rect"))
    assert high == pytest.approx(2 * low)


def test_bar_chart_needs_one_label_per_value():
    with pytest.raises(ValueError):
        bar_chart(chart_id="c", title="t", desc="d", labels=["a"], values=[1, 2])


def test_many_bars_get_slanted_labels():
    svg = str(bar_chart(chart_id="c", title="t", desc="d", labels=[str(i) for i in range(40)],
                        values=list(range(40))))
    assert "rotate(-45" in svg


def test_heatmap_prints_the_value_in_every_cell():
    svg = heatmap_svg(chart_id="h", title="Heat", desc="People by module",
                      rows=["Ann", "Bob & Co"], columns=["M1", "M2"],
                      values=[[92.4, None], [40, 70]], absent=[[False, False], [False, True]])
    root = parse(svg)
    cells = [g for g in root.iter(f"{SVG}g")]
    texts = [g.find(f"{SVG}text").text for g in cells]
    assert texts == ["92", "–", "40", "n/a"]
    tips = [g.find(f"{SVG}title").text for g in cells]
    assert tips == ["Ann, M1: 92.4%", "Ann, M2: not taken", "Bob & Co, M1: 40%",
                    "Bob & Co, M2: not assigned"]
    fills = [g.find(f"{SVG}rect").get("fill") for g in cells]
    assert fills[0] == "#166534" and fills[2] == "#fee4e2" and fills[3] == "#ffffff"
    assert root.find(f"{SVG}title").text == "Heat"


def test_heatmap_shape_is_checked():
    with pytest.raises(ValueError):
        heatmap_svg(chart_id="h", title="t", desc="d", rows=["a"], columns=["x", "y"],
                    values=[[1]])
