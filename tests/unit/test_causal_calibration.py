"""A small fixed-seed version of bench/calibration.py: intervals cover the known effect.

Ten worlds per design (seeds 0..9; no effect in the even ones). An honest 95 % interval
misses in 7 or more of 10 with probability about 0.001, and a test at 0.05 calls 3 or more
of 5 null worlds significant with probability about 0.001; the seeds are fixed, so this
fails only when an estimator changes for the worse.
"""

from __future__ import annotations

import pytest

from lms.analytics.causal import effect_of_completing, itt_ancova
from lms.analytics.causal_did import staggered_effect
from lms.analytics.causal_worlds import (
    did_truth,
    new_hires_world,
    randomised_world,
    self_paced_world,
    staggered_world,
)

WORLDS = range(10)


def _randomised(seed, effect, estimator, by_team):
    world = randomised_world(seed, effect=effect, by_team=by_team)
    result = estimator(world.rows, by_team=by_team)
    truth = world.true_itt if estimator is itt_ancova else world.true_effect_of_completing
    return result, truth


def _did(seed, effect, build):
    world = build(seed, effect=effect)
    result = staggered_effect(world.people, design="staggered", by_team=True)
    return result.effect, did_truth(world, result.cohorts)


CASES = {
    "randomised ITT": lambda s, e: _randomised(s, e, itt_ancova, False),
    "randomised effect of completing": lambda s, e: _randomised(s, e, effect_of_completing,
                                                                False),
    "randomised by team": lambda s, e: _randomised(s, e, itt_ancova, True),
    "staggered": lambda s, e: _did(s, e, staggered_world),
    "self-paced": lambda s, e: _did(s, e, self_paced_world),
    "new hires by tenure": lambda s, e: _did(s, e, new_hires_world),
}


@pytest.mark.parametrize("design", list(CASES))
def test_intervals_cover_the_known_effect_and_null_worlds_stay_null(design):
    covered = false_positives = 0
    for seed in WORLDS:
        effect = 0.0 if seed % 2 == 0 else 0.5
        result, truth = CASES[design](seed, effect)
        assert result.trustworthy_interval, result.note
        covered += result.ci_low <= truth <= result.ci_high
        false_positives += effect == 0.0 and result.p_value < 0.05
    assert covered >= 7
    assert false_positives <= 2
