"""Simulated worlds with a known effect of training, to check the estimators' honesty.

Used by bench/calibration.py (many worlds) and by tests/unit/test_causal_calibration.py (a few).
Each world is drawn from ``numpy.random.default_rng(seed)`` alone, so a seed is a world.

Every world has people in ``TEAMS`` teams with a team level and team-wide shocks per period,
an aptitude per person that raises their results (and, in the self-paced world, makes them
train sooner: the confounding that fools a plain comparison of trained and untrained), and
noise. The measure is in arbitrary units with a person-level noise of 1.

* ``randomised_world``: a first wave and a waitlist, split by ``rollout.randomised_split``
  (or whole teams, ``by_team``); some of the first wave do not complete (more often the less
  apt). The effect of completing is ``effect``; the intention-to-treat truth is ``effect``
  times the share of everyone who would complete if offered.
* ``staggered_world``: four waves from ``rollout.staggered_waves``, trained two periods apart;
  the data end before the last wave trains. The effect grows over the first three periods
  after training (the case where a two-way fixed-effects regression goes wrong).
* ``self_paced_world``: people train when they choose, the apt sooner; some never do within
  the data. Same growing effect.
* ``new_hires_world``: a quarter are veterans hired long before, never trained; the others
  are hired during the data, sell little in their first two months whatever they do (the
  climb of ``RAMP_UP``), and most train in their second to fourth month, the apt sooner. A
  comparison with everyone not yet trained takes the climb for an effect; the comparison
  within the same month of tenure does not. Same growing effect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lms.analytics.causal import RolloutRow
from lms.analytics.causal_did import PanelPerson
from lms.analytics.rollout import FIRST_WAVE, Person, randomised_split, staggered_waves

TEAMS = 12
TEAM_SD = 0.5  # team levels
TEAM_SHOCK_SD = 0.3  # team-wide ups and downs per period
APTITUDE_SD = 1.0
NOISE_SD = 1.0
PERIODS = 14  # 0..13 for the staggered and self-paced worlds
RAMP_UP = 2.0  # how much a new hire's results climb over their first two months


@dataclass(frozen=True)
class RandomisedWorld:
    rows: list[RolloutRow]
    true_itt: float
    true_effect_of_completing: float


@dataclass(frozen=True)
class PanelWorld:
    people: list[PanelPerson]
    effect: float  # the effect once fully grown

    def true_effect(self, event_period: int) -> float:
        """The effect e periods after training (e = 0: the training month)."""
        return 0.0 if event_period < 0 else self.effect * min(1.0, (event_period + 1) / 3)


def _people(rng: np.random.Generator, n: int):
    team = rng.integers(0, TEAMS, n)
    team_level = rng.normal(0, TEAM_SD, TEAMS)
    aptitude = rng.normal(0, APTITUDE_SD, n)
    hire_cohort = rng.integers(0, 4, n)
    return team, team_level, aptitude, hire_cohort


def randomised_world(seed: int, n: int = 300, effect: float = 0.5,
                     by_team: bool = False) -> RandomisedWorld:
    rng = np.random.default_rng(seed)
    team, team_level, aptitude, hire_cohort = _people(rng, n)
    if by_team:
        first_teams = rng.permutation(TEAMS)[: TEAMS // 2]
        first = np.isin(team, first_teams)
    else:
        split = randomised_split(
            [Person(i, int(team[i]), int(hire_cohort[i])) for i in range(n)],
            seed=int(rng.integers(2**31)))
        first = np.array([split[i] == FIRST_WAVE for i in range(n)])
    # Who would complete if offered: the apt more often (about 75 % overall).
    would_complete = rng.random(n) < 1 / (1 + np.exp(-(1.2 + aptitude)))
    completed = first & would_complete
    level = team_level[team] + aptitude
    shock_pre, shock_post = rng.normal(0, TEAM_SHOCK_SD, (2, TEAMS))
    pre = level + shock_pre[team] + rng.normal(0, NOISE_SD, n)
    post = 0.2 + level + shock_post[team] + effect * completed + rng.normal(0, NOISE_SD, n)
    no_pre = rng.random(n) < 0.05  # some people had no value before (new, or no deals)
    rows = [RolloutRow(i, int(team[i]), bool(first[i]), bool(completed[i]),
                       None if no_pre[i] else float(pre[i]), float(post[i]))
            for i in range(n)]
    return RandomisedWorld(rows, effect * float(would_complete.mean()), effect)


def _panel(rng, n, team, team_level, aptitude, trained, effect) -> PanelWorld:
    world = PanelWorld([], effect)
    shocks = rng.normal(0, TEAM_SHOCK_SD, (PERIODS, TEAMS))
    trend = np.linspace(0, 0.6, PERIODS)  # everyone gets better with time
    people = []
    for i in range(n):
        values = {}
        for t in range(PERIODS):
            if rng.random() < 0.05:  # a month without a value
                continue
            boost = 0.0 if trained[i] is None else world.true_effect(t - trained[i])
            values[t] = float(team_level[team[i]] + aptitude[i] + trend[t]
                              + shocks[t, team[i]] + boost + rng.normal(0, NOISE_SD))
        people.append(PanelPerson(i, int(team[i]), trained[i], values))
    return PanelWorld(people, effect)


def staggered_world(seed: int, n: int = 300, effect: float = 0.5) -> PanelWorld:
    rng = np.random.default_rng(seed)
    team, team_level, aptitude, hire_cohort = _people(rng, n)
    waves = staggered_waves([Person(i, int(team[i]), int(hire_cohort[i])) for i in range(n)],
                            k=4, seed=int(rng.integers(2**31)))
    start = {1: 6, 2: 8, 3: 10, 4: PERIODS}  # the fourth wave trains after the data end
    trained = [start[waves[i]] if start[waves[i]] < PERIODS else None for i in range(n)]
    return _panel(rng, n, team, team_level, aptitude, trained, effect)


def self_paced_world(seed: int, n: int = 300, effect: float = 0.5) -> PanelWorld:
    rng = np.random.default_rng(seed)
    team, team_level, aptitude, _ = _people(rng, n)
    # Training opens in period 3; the apt start sooner. Waits past the data: not yet trained.
    wait = rng.exponential(6 * np.exp(-0.6 * aptitude))
    period = 3 + np.floor(wait).astype(int)
    trained = [int(p) if p < PERIODS else None for p in period]
    return _panel(rng, n, team, team_level, aptitude, trained, effect)


def new_hires_world(seed: int, n: int = 300, effect: float = 0.5) -> PanelWorld:
    rng = np.random.default_rng(seed)
    team, team_level, aptitude, _ = _people(rng, n)
    veteran = rng.random(n) < 0.25
    hired = np.where(veteran, -24, rng.integers(0, PERIODS - 3, n))
    wait = 1 + np.floor(rng.exponential(1.5 * np.exp(-0.6 * aptitude))).astype(int)
    trained = [None if veteran[i] or hired[i] + wait[i] >= PERIODS else int(hired[i] + wait[i])
               for i in range(n)]
    world = _panel(rng, n, team, team_level, aptitude, trained, effect)
    people = [PanelPerson(p.person_id, p.team_id, p.trained_period,
                          {t: v + RAMP_UP * min(t - hired[p.person_id], 2) / 2
                           for t, v in p.values.items() if t >= hired[p.person_id]},
                          int(hired[p.person_id]))
              for p in world.people]
    return PanelWorld(people, effect)


def did_truth(world: PanelWorld, cohorts) -> float:
    """The true overall effect over exactly the cohorts and periods the estimator used."""
    total = sum(c.size for c in cohorts.values())
    return sum(c.size / total * np.mean([world.true_effect(t - g) for t in c.periods])
               for g, c in cohorts.items())
