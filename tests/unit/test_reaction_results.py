"""The reaction results trainers see: averages only from five answers up, per version only where
no held-back group can be worked out from the total, comments only with the total."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.analytics.reactions import MIN_ANSWERS, Tally, shown_versions, summarise


def tally(*scores: tuple[int, int, int]) -> Tally:
    return Tally(len(scores), sum(s[0] for s in scores), sum(s[1] for s in scores),
                 sum(s[2] for s in scores))


def test_below_five_answers_nothing_is_shown():
    results = summarise({1: tally((5, 5, 5), (1, 2, 3), (4, 4, 4), (2, 2, 2))},
                        [(1, "Great module")])
    assert results.count == 4 and not results.shown and results.total is None
    assert results.comments == []
    assert [(v.number, v.count, v.averages) for v in results.versions] == [(1, 4, None)]


def test_at_five_answers_the_averages_per_question():
    results = summarise({1: tally((5, 4, 3), (5, 4, 3), (4, 4, 3), (4, 2, 1), (2, 1, 5))})
    assert results.shown and results.count == 5
    assert (results.total.useful, results.total.clear, results.total.recommend) == \
        pytest.approx((4.0, 3.0, 3.0))
    assert results.versions[0].averages == results.total


def test_a_small_version_is_counted_in_the_total_only():
    big = tally(*[(5, 5, 5)] * 7)
    small = tally(*[(1, 1, 1)] * 5)
    lone = tally((1, 2, 3))
    # Version 1 (one answer) alone held back would be total minus the others: so the
    # smallest shown version (3, five answers) is held back with it.
    results = summarise({1: lone, 2: big, 3: small})
    shown = {v.number: v.averages for v in results.versions}
    assert results.total is not None and results.count == 13
    assert shown[1] is None and shown[3] is None and shown[2] is not None
    assert [v.number for v in results.versions] == [3, 2, 1]  # newest first


def test_a_module_with_five_answers_over_two_small_versions_shows_only_the_total():
    results = summarise({1: tally(*[(4, 4, 4)] * 3), 2: tally(*[(2, 2, 2)] * 2)})
    assert results.total is not None and results.total.useful == pytest.approx(3.2)
    assert all(v.averages is None for v in results.versions)


def test_comments_are_shown_with_the_total_and_labelled_only_by_shown_versions():
    results = summarise({1: tally((1, 1, 1)), 2: tally(*[(5, 5, 5)] * 5)},
                        [(1, "Too long"), (2, " Clear examples "), (2, ""), (2, "   ")],
                        rng=random.Random(1))
    assert results.shown  # six answers
    # Version 1 (one answer) is held back, so version 2 is too: no comment names a version.
    assert sorted((c.text, c.version) for c in results.comments) == [
        ("Clear examples", None), ("Too long", None)]


def test_comment_order_is_not_the_order_given():
    texts = [f"comment {n}" for n in range(30)]
    results = summarise({1: tally(*[(3, 3, 3)] * 30)}, [(1, t) for t in texts],
                        rng=random.Random(7))
    assert sorted(c.text for c in results.comments) == sorted(texts)
    assert [c.text for c in results.comments] != texts
    assert {c.version for c in results.comments} == {1}


@given(st.dictionaries(st.integers(1, 8), st.integers(1, 12), max_size=6))
def test_no_held_back_group_can_be_worked_out(counts):
    """Whatever the counts: every shown version has five answers, and the answers held back
    add up to none or at least five, so subtracting the shown from the total reveals no group
    smaller than five."""
    shown = shown_versions(counts)
    assert all(counts[n] >= MIN_ANSWERS for n in shown)
    held = sum(counts.values()) - sum(counts[n] for n in shown)
    # (With nothing shown, the total is all there is: summarise shows it from five answers.)
    assert not shown or held == 0 or held >= MIN_ANSWERS
    # Nothing is held back needlessly: a version with five answers is shown when all are.
    if all(c >= MIN_ANSWERS for c in counts.values()):
        assert shown == set(counts)
