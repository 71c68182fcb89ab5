"""Bench: are the training-impact estimators honest? Many simulated worlds with known effects.

For each design, builds worlds with seeds 0, 1, 2, ... (lms.analytics.causal_worlds: 300
people in 12 teams, team levels and team-wide shocks, aptitude that raises results and, in the
self-paced world, makes people train sooner); in every even-numbered world training does
nothing, in every odd one it helps by 0.5 (in units of the person-level noise). Runs the
estimator and prints:

  * coverage: the share of worlds whose 95 % interval holds the true effect (target 93-97 %);
  * false positives: the share of no-effect worlds called significant at 0.05 (target <= 6 %);
  * mean bias (estimate - truth) and the median width of the interval.

For contrast it also prints the bias of two estimators the page does not use: the two-way
fixed-effects regression on the staggered worlds (already-trained people as controls), and the
plain after-training comparison of trained and untrained on the self-paced worlds (fooled by
aptitude).

A benchmark, not a test; tests/unit/test_causal_calibration.py runs a few worlds of it.
Run: .venv/bin/python bench/calibration.py [--worlds 200] [--people 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from lms.analytics.causal import Effect, effect_of_completing, itt_ancova  # noqa: E402
from lms.analytics.causal_did import PanelPerson, staggered_effect  # noqa: E402
from lms.analytics.causal_worlds import (  # noqa: E402
    PanelWorld,
    did_truth,
    new_hires_world,
    randomised_world,
    self_paced_world,
    staggered_world,
)

EFFECT = 0.5
COVERAGE_TARGET = (0.93, 0.97)
FALSE_POSITIVE_TARGET = 0.06


@dataclass
class Tally:
    covered: int = 0
    worlds: int = 0
    zero_worlds: int = 0
    false_positives: int = 0
    not_estimated: int = 0
    errors: list[float] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    contrast: list[float] = field(default_factory=list)

    def add(self, effect: Effect | None, truth: float, zero: bool) -> None:
        if effect is None or effect.ci_low is None:
            self.not_estimated += 1
            return
        self.worlds += 1
        self.covered += effect.ci_low <= truth <= effect.ci_high
        self.errors.append(effect.estimate - truth)
        self.widths.append(effect.ci_high - effect.ci_low)
        if zero:
            self.zero_worlds += 1
            self.false_positives += effect.p_value < 0.05


def _twfe(world: PanelWorld, sweeps: int = 200) -> float:
    """The two-way fixed-effects estimate of a trained-now dummy with person and period effects.

    By the Frisch-Waugh theorem: remove person and period means from both the outcome and the
    dummy by alternating projections (the panel is unbalanced), then one regression through
    the origin. tests/unit/test_causal_did.py checks the same figure against statsmodels' OLS
    with dummies, which is too slow for hundreds of worlds.
    """
    rows = [(p.person_id, t, v, p.trained_period is not None and t >= p.trained_period)
            for p in world.people for t, v in p.values.items()]
    person, period, y, treated = (np.array(c) for c in zip(*rows, strict=True))
    _, person = np.unique(person, return_inverse=True)
    _, period = np.unique(period, return_inverse=True)
    both = np.column_stack([y.astype(float), treated.astype(float)])
    for _ in range(sweeps):
        for codes in (person, period):
            counts = np.bincount(codes)
            for j in range(2):
                both[:, j] -= (np.bincount(codes, weights=both[:, j]) / counts)[codes]
    return float(both[:, 0] @ both[:, 1] / (both[:, 1] @ both[:, 1]))


def _naive(world: PanelWorld) -> float:
    """Trained minus untrained in the last period: what a plain comparison would say."""
    last = max(t for p in world.people for t in p.values)
    trained = [p.values[last] for p in world.people
               if p.trained_period is not None and last in p.values]
    untrained = [p.values[last] for p in world.people
                 if p.trained_period is None and last in p.values]
    return statistics.fmean(trained) - statistics.fmean(untrained)


def _untenured(world: PanelWorld) -> float:
    """The same estimator without tenure bands (hire dates unknown): everyone not yet trained,
    veterans included, as the comparison."""
    bare = [PanelPerson(p.person_id, p.team_id, p.trained_period, p.values)
            for p in world.people]
    estimate = staggered_effect(bare, design="self_paced", by_team=True).effect
    return estimate.estimate if estimate.estimate is not None else float("nan")


def run(worlds: int, people: int) -> dict[str, Tally]:
    tallies = {name: Tally() for name in (
        "randomised, by person: ITT (ANCOVA)",
        "randomised, by person: effect of completing",
        "randomised, by team: ITT (ANCOVA, cluster-robust)",
        "staggered waves: Callaway-Sant'Anna",
        "self-paced: Callaway-Sant'Anna",
        "new hires, self-paced: Callaway-Sant'Anna by tenure")}
    t = list(tallies.values())
    for seed in range(worlds):
        effect = 0.0 if seed % 2 == 0 else EFFECT
        zero = effect == 0.0
        w = randomised_world(seed, people, effect)
        t[0].add(itt_ancova(w.rows, by_team=False), w.true_itt, zero)
        t[1].add(effect_of_completing(w.rows, by_team=False), w.true_effect_of_completing, zero)
        w = randomised_world(seed, people, effect, by_team=True)
        t[2].add(itt_ancova(w.rows, by_team=True), w.true_itt, zero)
        for tally, build, contrast in ((t[3], staggered_world, _twfe),
                                       (t[4], self_paced_world, _naive),
                                       (t[5], new_hires_world, _untenured)):
            panel = build(seed, people, effect)
            result = staggered_effect(panel.people, design="staggered", by_team=True)
            truth = did_truth(panel, result.cohorts) if result.cohorts else 0.0
            tally.add(result.effect, truth, zero)
            # The contrast's truth: the effect averaged the same way (TWFE has no single
            # estimand; its bias against the same truth shows how far off it lands).
            tally.contrast.append(contrast(panel) - truth)
    return tallies


def _print(tallies: dict[str, Tally], worlds: int, people: int, seconds: float) -> bool:
    print(f"{worlds} worlds of {people} people (seeds 0..{worlds - 1}; effect 0 in the even "
          f"ones, {EFFECT} in the odd ones), {seconds:.1f} s\n")
    header = (f"{'design and estimator':52} {'coverage':>9} {'false +':>8} {'bias':>7} "
              f"{'width':>6}  targets")
    print(header)
    print("-" * len(header))
    all_met = True
    for name, t in tallies.items():
        coverage = t.covered / t.worlds if t.worlds else float("nan")
        fp = t.false_positives / t.zero_worlds if t.zero_worlds else float("nan")
        met = (COVERAGE_TARGET[0] <= coverage <= COVERAGE_TARGET[1]
               and fp <= FALSE_POSITIVE_TARGET)
        all_met &= met
        print(f"{name:52} {coverage:9.1%} {fp:8.1%} {statistics.fmean(t.errors):+7.3f} "
              f"{statistics.median(t.widths):6.3f}  {'met' if met else 'NOT MET'}"
              + (f" ({t.not_estimated} worlds not estimated)" if t.not_estimated else ""))
    print("\nFor contrast, estimators the page does not use (mean bias):")
    print(f"  two-way fixed effects on the staggered worlds: "
          f"{statistics.fmean(tallies[list(tallies)[3]].contrast):+.3f}")
    print(f"  trained minus untrained after, self-paced worlds: "
          f"{statistics.fmean(tallies[list(tallies)[4]].contrast):+.3f}")
    print(f"  not-yet-trained comparison without tenure bands, new-hire worlds: "
          f"{statistics.fmean(tallies[list(tallies)[5]].contrast):+.3f}")
    print(f"\nTargets: coverage {COVERAGE_TARGET[0]:.0%}-{COVERAGE_TARGET[1]:.0%}, "
          f"false positives <= {FALSE_POSITIVE_TARGET:.0%}")
    return all_met


def main(argv: list[str] | None = None, clock: Callable[[], float] = time.perf_counter) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=200)
    parser.add_argument("--people", type=int, default=300)
    args = parser.parse_args(argv)
    start = clock()
    tallies = run(args.worlds, args.people)
    _print(tallies, args.worlds, args.people, clock() - start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
