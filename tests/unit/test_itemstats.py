"""Facility and discrimination indices against values worked out by hand.

Discrimination is Moodle's: the correlation between the points on a question and the points
on the rest of the attempt (total minus that question).
"""

from __future__ import annotations

import math

import pytest

from lms.analytics.itemstats import (
    QuestionResult,
    item_statistics,
    pearson,
    review_reasons,
)


def results(table: dict[int, dict[str, float]], max_points: dict[str, float] | None = None):  # noqa: ANN201
    max_points = max_points or {}
    return [QuestionResult(aid, qid, points, max_points.get(qid, 1.0))
            for aid, row in table.items() for qid, points in row.items()]


# Four attempts of three one-point questions:
#
#   attempt   q1  q2  q3   total
#      1       1   1   1     3
#      2       1   0   1     2
#      3       0   1   0     1
#      4       0   0   1     1
#
# q1: x = 1,1,0,0   rest = 2,1,1,1   mean x = .5, mean rest = 1.25
#     deviations x: +.5 +.5 -.5 -.5   rest: +.75 -.25 -.25 -.25
#     Sxy = .375 - .125 + .125 + .125 = .5;  Sxx = 1;  Syy = .5625 + 3 × .0625 = .75
#     r = .5 / sqrt(.75) = 1/sqrt(3) = 0.5774
# q2: x = 1,0,1,0   rest = 2,2,0,1   Sxy = .375 - .375 - .625 + .125 = -.5
#     Syy = .5625 + .5625 + 1.5625 + .0625 = 2.75;  r = -.5 / sqrt(2.75) = -0.3015
# q3: x = 1,1,0,1   rest = 2,1,1,0   mean x = .75, mean rest = 1
#     Sxy = .25 × 1 + .25 × 0 - .75 × 0 + .25 × -1 = 0  ->  r = 0
FOUR = {1: {"q1": 1, "q2": 1, "q3": 1}, 2: {"q1": 1, "q2": 0, "q3": 1},
        3: {"q1": 0, "q2": 1, "q3": 0}, 4: {"q1": 0, "q2": 0, "q3": 1}}


def test_facility_and_discrimination_by_hand():
    stats = item_statistics(results(FOUR))
    assert {q: s.n for q, s in stats.items()} == {"q1": 4, "q2": 4, "q3": 4}
    assert stats["q1"].facility == pytest.approx(0.5)
    assert stats["q2"].facility == pytest.approx(0.5)
    assert stats["q3"].facility == pytest.approx(0.75)
    assert stats["q1"].discrimination == pytest.approx(1 / math.sqrt(3))
    assert stats["q2"].discrimination == pytest.approx(-0.5 / math.sqrt(2.75))
    assert stats["q3"].discrimination == pytest.approx(0.0, abs=1e-12)
    assert not stats["q1"].needs_review
    assert stats["q2"].needs_review and "Negative discrimination" in stats["q2"].reasons[0]
    assert stats["q3"].needs_review and stats["q3"].reasons[0].startswith(
        "Weak discrimination (0%)")


# Partial credit: q1 is worth 2 points.
#
#   attempt   q1  q2  q3   total
#      A       2   1   0     3
#      B       1   0   1     2
#      C       0   0   0     0
#
# q1: facility = (2/2 + 1/2 + 0/2) / 3 = .5
#     x = 2,1,0  rest = 1,1,0   dx = 1,0,-1   dy = 1/3,1/3,-2/3
#     Sxy = 1/3 + 2/3 = 1;  Sxx = 2;  Syy = 6/9   r = 1 / sqrt(4/3) = sqrt(3)/2 = 0.8660
# q2: facility = 1/3;  x = 1,0,0  rest = 2,2,0   dx = 2/3,-1/3,-1/3   dy = 2/3,2/3,-4/3
#     Sxy = 4/9 - 2/9 + 4/9 = 2/3;  Sxx = 2/3;  Syy = 24/9   r = (2/3) / (4/3) = 0.5
def test_partial_credit_uses_the_points_fraction_for_facility():
    table = {1: {"q1": 2, "q2": 1, "q3": 0}, 2: {"q1": 1, "q2": 0, "q3": 1},
             3: {"q1": 0, "q2": 0, "q3": 0}}
    stats = item_statistics(results(table, {"q1": 2.0}))
    assert stats["q1"].facility == pytest.approx(0.5)
    assert stats["q1"].discrimination == pytest.approx(math.sqrt(3) / 2)
    assert stats["q2"].facility == pytest.approx(1 / 3)
    assert stats["q2"].discrimination == pytest.approx(0.5)


# Drawn questions: b is in attempts 1 and 2 only.
#   a: 1,0,1   b: 1,0,-   totals 2,0,1
#   b: n = 2, facility .5, x = 1,0 rest = 1,0 -> r = 1
#   a: x = 1,0,1 rest = 1,0,0; dx = 1/3,-2/3,1/3  dy = 2/3,-1/3,-1/3
#      Sxy = 2/9 + 2/9 - 1/9 = 1/3;  Sxx = Syy = 6/9  ->  r = .5
def test_a_question_counts_only_the_attempts_it_was_drawn_in():
    stats = item_statistics(results({1: {"a": 1, "b": 1}, 2: {"a": 0, "b": 0}, 3: {"a": 1}}))
    assert (stats["b"].n, stats["b"].facility) == (2, pytest.approx(0.5))
    assert stats["b"].discrimination == pytest.approx(1.0)
    assert (stats["a"].n, stats["a"].facility) == (3, pytest.approx(2 / 3))
    assert stats["a"].discrimination == pytest.approx(0.5)


def test_discrimination_is_undefined_without_two_attempts_or_any_spread():
    assert item_statistics(results({1: {"a": 1, "b": 0}}))["a"].discrimination is None
    # Everyone right on a: no spread in a, so no correlation (and "very easy").
    stats = item_statistics(results({1: {"a": 1, "b": 1}, 2: {"a": 1, "b": 0}}))
    assert stats["a"].discrimination is None and stats["a"].facility == 1.0
    assert stats["a"].reasons == (
        "Very easy: 100% of its points are scored, so it hardly tells who knows the material.",)
    assert item_statistics([]) == {}


def test_pearson():
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert pearson([1, 2], [5, 5]) is None
    assert pearson([1], [1]) is None
    with pytest.raises(ValueError):
        pearson([1, 2], [1])


@pytest.mark.parametrize(("facility", "discrimination", "starts"), [
    (0.5, 0.4, []),
    (0.2, 0.2, []),  # the thresholds themselves are fine
    (0.95, None, []),
    (0.19, 0.5, ["Very hard: only 19%"]),
    (0.96, 0.5, ["Very easy: 96%"]),
    (0.6, 0.19, ["Weak discrimination (19%)"]),
    (0.6, -0.3, ["Negative discrimination"]),
    (0.1, -0.05, ["Very hard", "Negative discrimination"]),
    (None, None, []),
])
def test_review_reasons(facility, discrimination, starts):
    reasons = review_reasons(facility, discrimination)
    assert len(reasons) == len(starts)
    for reason, start in zip(reasons, starts, strict=True):
        assert reason.startswith(start)
