"""The rollout splits: made again from their seed, balanced in every team and hire cohort."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from lms.analytics.rollout import (
    FIRST_WAVE,
    WAITLIST,
    Person,
    randomised_split,
    staggered_waves,
    stratum_counts,
)


def _people(n: int = 137, seed: int = 3) -> list[Person]:
    rng = random.Random(seed)
    return [Person(id=1000 + i, team_id=rng.choice([1, 2, 3, 4, None]),
                   hire_cohort=rng.choice(["2026-01", "2026-02", "2026-03", None]))
            for i in range(n)]


def test_randomised_split_is_made_again_from_its_seed_whatever_the_input_order():
    people = _people()
    shuffled = list(people)
    random.Random(9).shuffle(shuffled)
    assert randomised_split(people, seed=42) == randomised_split(shuffled, seed=42)
    assert set(randomised_split(people, seed=42)) == {p.id for p in people}


def test_different_seeds_give_different_splits():
    people = _people()
    splits = {tuple(sorted(randomised_split(people, seed=s).items())) for s in range(5)}
    assert len(splits) == 5


def test_every_stratum_is_split_as_evenly_as_possible():
    people = _people()
    split = randomised_split(people, seed=7)
    for counts in stratum_counts(people, split).values():
        assert abs(counts.get(FIRST_WAVE, 0) - counts.get(WAITLIST, 0)) <= 1
    totals = Counter(split.values())
    # The odd people of the strata are spread, so the groups differ by little overall too.
    assert abs(totals[FIRST_WAVE] - totals[WAITLIST]) <= len(stratum_counts(people, split))


def test_the_split_is_random_within_a_stratum():
    # One stratum of 40: over seeds, each person goes first about half of the time.
    people = [Person(id=i, team_id=1, hire_cohort="2026-01") for i in range(40)]
    first = Counter()
    for seed in range(200):
        first.update(pid for pid, g in randomised_split(people, seed).items() if g == FIRST_WAVE)
    assert all(60 <= first[p.id] <= 140 for p in people)


def test_staggered_waves_are_reproducible_balanced_and_cover_everyone():
    people = _people(200)
    waves = staggered_waves(people, k=4, seed=11)
    assert waves == staggered_waves(list(reversed(people)), k=4, seed=11)
    assert waves != staggered_waves(people, k=4, seed=12)
    assert set(waves.values()) == {1, 2, 3, 4}
    for counts in stratum_counts(people, waves).values():
        sizes = [counts.get(w, 0) for w in (1, 2, 3, 4)]
        assert max(sizes) - min(sizes) <= 1


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="twice"):
        randomised_split([Person(1, 1, None), Person(1, 2, None)], seed=1)
    with pytest.raises(ValueError, match="two waves"):
        staggered_waves(_people(), k=1, seed=1)
