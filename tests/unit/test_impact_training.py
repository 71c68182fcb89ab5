"""The training measure of the impact analysis and the skill rating as an outcome: parsing,
normalising, and who counts in which figure (pure)."""

from __future__ import annotations

import pytest

from lms.analytics import impact_rules as rules
from lms.analytics.impact_training import (
    TrainingMeasure,
    mean_of,
    normalised,
    parse_training_measure,
)
from lms.errors import DomainError
from tests.unit.test_impact import RATES, SCORES, row, run


@pytest.mark.parametrize(("text", "expected"), [
    (None, TrainingMeasure("score")), ("", TrainingMeasure("score")),
    ("score", TrainingMeasure("score")), ("retention", TrainingMeasure("retention")),
    ("recall", TrainingMeasure("recall")), ("skill_rating", TrainingMeasure("skill_rating")),
    ("skill_rating:closing", TrainingMeasure("skill_rating", "closing")),
])
def test_training_measures_parse(text, expected):
    assert parse_training_measure(text) == expected
    assert parse_training_measure(expected.text) == expected


@pytest.mark.parametrize("text", ["Score", "score ", "retention:x", "skill_rating:", "bogus",
                                  "skill"])
def test_other_training_measures_are_refused_with_what_is_allowed(text):
    with pytest.raises(DomainError, match="use score, retention, recall, skill_rating"):
        parse_training_measure(text)


@pytest.mark.parametrize(("rating", "low", "high", "expected"), [
    (1, 1, 4, 0.0), (4, 1, 4, 1.0), (2, 1, 5, 0.25), (7, 0, 10, 0.7)])
def test_ratings_normalise_to_their_scale(rating, low, high, expected):
    assert normalised(rating, low, high) == pytest.approx(expected)


def test_a_paths_value_is_the_mean_of_its_modules_with_a_value():
    assert mean_of([0.5, None, 1.0]) == 75.0
    assert mean_of([1 / 3]) == 33.33
    assert mean_of([None, None]) is None and mean_of([]) is None


def test_the_figures_use_the_training_measure_and_leave_out_who_has_none():
    # The training value (retention, say) is what correlates; the quiz score plays no part.
    rows = [row(i, score=50.0, value=s, after=r)
            for i, (s, r) in enumerate(zip(SCORES, RATES, strict=True))]
    rows.append(row(30, score=90.0, value=None, after=0.9))
    result = run(rows, training_measure="retention")
    assert result.figure.enough and result.figure.n == len(SCORES)
    assert result.without_training_value == 1
    left_out = {e.person.id: e for e in result.excluded}
    assert left_out[30].analyses == ("score",)
    assert "booster answers" in str(left_out[30].reason)
    assert result.training_label == "Retention: booster answers right"


@pytest.mark.parametrize(("training", "skill", "reason"), [
    ("score", None, "no quiz result for the training"),
    ("recall", None, "no boosters on the training's modules"),
    ("skill_rating", None, "no coaching rating"),
    ("skill_rating", "closing", "no coaching rating of this skill"),
])
def test_each_training_measure_says_why_a_person_has_no_value(training, skill, reason):
    person = row(1, value=None)
    assert str(rules.correlation_problem(person, "win_rate", 3, training, skill)) == reason


def test_the_skill_rating_outcome_needs_a_rating_not_deals():
    rated = row(1, after_closed=0, before_closed=0, skill=(0.4, 0.7))
    unrated = row(2, after_closed=10, skill=(0.4, None))
    assert rules.counts_after(rated, "skill_rating", 3)
    assert rules.counts_before(rated, "skill_rating", 3)
    assert not rules.counts_after(rated, "win_rate", 3)  # the deal minimum stays for sales
    assert not rules.counts_after(unrated, "skill_rating", 3)
    assert "no skill rating value after training" in str(
        rules.after_problem(unrated, "skill_rating", 3))


def test_the_skill_rating_is_an_outcome_beside_the_sales_measures():
    rows = [row(i, score=s, after_closed=0, skill=(0.5, r))
            for i, (s, r) in enumerate(zip(SCORES, RATES, strict=True))]
    keys = (*rules.MEASURE_KEYS, "skill_rating")
    result = rules.score_figures(rows, run([]).params, keys)
    assert list(result) == list(keys)
    assert result["skill_rating"].enough and result["skill_rating"].n == len(SCORES)
    assert not result["win_rate"].enough  # no closed deals
