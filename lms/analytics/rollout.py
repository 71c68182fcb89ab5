"""Who is trained first: the random splits behind the rollout designs, as pure functions.

A split is made once, from a seed that is stored with it, so anyone can make it again and see
that nobody chose who went first. People are stratified by (team, hire cohort): inside every
stratum they are shuffled with ``random.Random(seed)`` and dealt out in turn, so each stratum is
split as evenly as possible (group sizes differ by at most one) and a team or a hire cohort can
never land wholly in one group by chance. Which group gets the odd person of a stratum is also
drawn, so that over many strata neither group is systematically larger.

Input order does not matter (people are sorted by id first), and no global random state is used.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

FIRST_WAVE = "first_wave"
WAITLIST = "waitlist"


@dataclass(frozen=True)
class Person:
    """What the split needs to know of a person."""

    id: int
    team_id: int | None
    hire_cohort: Hashable  # e.g. "2026-03", the month of hiring; None when unknown


def _strata(people: Iterable[Person]) -> list[list[Person]]:
    """People grouped by (team, hire cohort), in a fixed order whatever the input order."""
    ordered = sorted(people, key=lambda p: p.id)
    ids = [p.id for p in ordered]
    if len(set(ids)) != len(ids):
        raise ValueError("a person appears twice in the split")
    groups: dict[tuple[str, str], list[Person]] = defaultdict(list)
    for person in ordered:
        # repr() gives a total order on mixed keys (None, ints, strings) that is stable.
        groups[(repr(person.team_id), repr(person.hire_cohort))].append(person)
    return [groups[key] for key in sorted(groups)]


def _deal(people: Iterable[Person], groups: int, seed: int) -> list[list[int]]:
    """Shuffle each stratum and deal it round-robin over ``groups`` groups of ids.

    The dealing starts at a random group in each stratum, so the strata's odd people spread
    over the groups instead of all going to the first.
    """
    if groups < 1:
        raise ValueError("at least one group is needed")
    rng = random.Random(seed)
    dealt: list[list[int]] = [[] for _ in range(groups)]
    for stratum in _strata(people):
        members = list(stratum)
        rng.shuffle(members)
        start = rng.randrange(groups)
        for i, person in enumerate(members):
            dealt[(start + i) % groups].append(person.id)
    return [sorted(ids) for ids in dealt]


def randomised_split(people: Iterable[Person], seed: int) -> dict[int, str]:
    """Each person's group in a randomised rollout: ``FIRST_WAVE`` or ``WAITLIST``."""
    first, waitlist = _deal(people, 2, seed)
    split = {pid: FIRST_WAVE for pid in first}
    split.update({pid: WAITLIST for pid in waitlist})
    return split


def staggered_waves(people: Iterable[Person], k: int, seed: int) -> dict[int, int]:
    """Each person's wave (1..k) in a staggered rollout; the waves' order is random too.

    Every stratum is spread over the k waves as evenly as possible, so each wave is a small
    random sample of every team and hire cohort.
    """
    if k < 2:
        raise ValueError("a staggered rollout needs at least two waves")
    waves = _deal(people, k, seed)
    return {pid: wave for wave, ids in enumerate(waves, start=1) for pid in ids}


def stratum_counts(people: Sequence[Person], groups: dict[int, object]) -> dict[tuple, dict]:
    """Per (team, hire cohort), how many people each group got: for checking the balance."""
    counts: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    for person in people:
        counts[(person.team_id, person.hire_cohort)][groups[person.id]] += 1
    return {key: dict(value) for key, value in counts.items()}
