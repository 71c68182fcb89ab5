"""The demo organisation's sales: 15 months of Brewline deals, written as a CRM export in the
generic template and imported through the real sales import (``lms.sales.importer``).

Effects given with ``lms demo --effect PATH:MEASURE=DELTA``
---------------------------------------------------------

When given, they are the only causes: completing PATH changes MEASURE by DELTA, whatever the
score, on deals closed after the completion day. What each moves is in ``lms.demo.effects``
(``given_odds``): a probability moves by DELTA unclamped (the parser refuses deltas that would
take it outside 0-1), so the measure's true change is DELTA; a revenue effect is spread over
the wins the rep is expected to have in 90 days, so it holds on average.

The built-in effect (without ``--effect``; the impact page can be checked against it)
-------------------------------------------------------------------------------------

Two paths have an effect, each on deals a rep closes **after the day they completed it**. S is
the rep's score on that path as the impact analysis computes it (the mean of the path's required
modules' quiz results under each quiz's grading method, 0-100), and ``e = (S - 70) / 10``.

**new-hire-onboarding** (products, pricing, objections): the size of the sales.

* a deal is won with probability ``0.28 + 0.10·e`` instead of 0.28: each 10 points of score
  above 70 add 10 percentage points to the win rate (clamped to 0.05-0.85);
* its amount is multiplied by ``1 + 0.05·e``: 5 % larger deals per 10 points.

**customer-insight** (segments, buying committees, follow-up and complaints, repeat business):
the quality of the sales.

* a won deal's satisfaction averages ``3.5 + 0.25·e`` on the 1-5 scale instead of 3.5 (Team Zuid
  en België scores 0-10: ``6.25 + 0.6·e``), i.e. +0.0625 per 10 points after normalising to 0-1;
* a complaint is raised with probability ``0.16 - 0.03·e`` instead of 0.16 (at least 0.02), and
  resolved in a median of ``8·(1 - 0.1·e)`` days instead of 8 (at least 2);
* the customer is followed up within 14 days with probability ``0.50 + 0.12·e`` instead of 0.50
  (at most 0.97);
* a new deal goes to a customer the rep won before with probability ``0.25 + 0.06·e`` instead of
  0.25 (repeat business).

In the ``--effect`` form, at a score of 80 (e = 1) and scaling with e:
``new-hire-onboarding:win_rate=0.10``, a deal size × 1.05 (about
``new-hire-onboarding:avg_deal_size=230`` on the mean deal of about 4,600 euros),
``customer-insight:satisfaction=0.0625`` (0.06 on 0-10),
``customer-insight:complaints_per_10=-0.3``, ``customer-insight:resolve_days=-0.8``,
``customer-insight:follow_up_rate=0.12`` and
``customer-insight:repeat_rate=0.06``; unlike given effects they are clamped as above.

Before those days, and for reps who have not completed a path, the baseline holds: training is
the only way a score reaches sales. Aptitude drives the quiz scores (``lms.demo.training``) and
nothing else, but it drives both paths' scores, so each path's score also correlates a little
with the other path's effects: an example of why the impact page says "correlation, not proof
of cause". Onboarding is finished within weeks of the hire date, so hardly anyone has deals
before it (its before/after comparison says "not enough data"); customer insight comes after
three months, so its before/after comparison has data.

The noise: each rep opens ``24·v`` deals a month, v lognormal (σ 0.25) per rep, half as many in
their first 30 days, with a seasonal factor (July-August 0.8, December-January 0.85, autumn up to
1.15) and daily Poisson arrivals; sales cycles are lognormal (median 21 days); products follow
Brewline's price list (content/modules/company-and-product-range.md) with quantities, discounts
(lognormal) and subscriptions; satisfaction is recorded for 70 % of won deals with normal noise
(σ 0.9 stars; 2 points on 0-10), rounded to whole scores; 5 % of deals go to a team colleague's
customer. One former rep's deals
match nobody (they show as unmatched in the import report). Nothing happens after ``today``:
deals still running are open, later complaints and follow-ups are not there yet.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from lms.analytics import impact_sql
from lms.demo.effects import (
    COLLEAGUE_SHARE,
    REVENUE_DAYS,
    Effect,
    Odds,
    built_in_odds,
    given_odds,
)
from lms.demo.training import INSIGHT, ONBOARDING
from lms.models import AliasKind, User
from lms.progress import Progress, quiet
from lms.sales.importer import import_sales
from lms.sales.presets import TEMPLATE_COLUMNS
from lms.security import Scope

HISTORY_DAYS = 456  # 15 months
DEALS_PER_MONTH = 24
SEASON = {1: 0.85, 2: 0.95, 3: 1.05, 4: 1.0, 5: 1.05, 6: 1.0, 7: 0.8, 8: 0.8, 9: 1.1,
          10: 1.15, 11: 1.1, 12: 0.85}
ZERO_TO_TEN_TEAM = "Team Zuid en België"

#: (product, list price in euros, weight, largest quantity)
PRODUCTS = (
    ("Compact C1", 690.0, 16, 3),
    ("Compact C2", 1190.0, 14, 3),
    ("Office B60", 3450.0, 20, 2),
    ("Office B120", 5950.0, 14, 2),
    ("Pro B250", 11900.0, 6, 1),
    ("AquaPoint P40", 1190.0, 10, 3),
    ("AquaTap T60", 2150.0, 8, 2),
    ("Complete Office B60, 36 months", 10764.0, 6, 1),
    ("Supplies subscription, 12 months", 2400.0, 6, 1),
)
BUSINESSES = ("Advocatenkantoor", "Tandartspraktijk", "Accountantskantoor", "Architectenbureau",
              "Makelaardij", "Fysiotherapie", "Drukkerij", "Autobedrijf", "Installatiebedrijf",
              "Reclamebureau", "Notariskantoor", "Huisartsenpraktijk", "Bouwbedrijf",
              "Softwarehuis", "Uitzendbureau", "Hotel", "Sportschool", "Bakkerij")
NAMES = ("De Linde", "Van Dam", "Het Anker", "Noorderlicht", "De Eik", "Mulder", "Zonneveld",
         "Bergman", "De Brug", "Hoekstra", "Vermeer", "Oostpoort", "De Molen", "Kuipers",
         "Waterkant", "Lindeboom", "Van Rijn", "De Kroon", "Dijkhuis", "Veldkamp", "Peeters",
         "Claessens", "De Smet", "Zilverberg", "Torenzicht", "Brinkman")
FORMS = {"nl": ("B.V.", "B.V.", "", "V.O.F."), "be": ("BV", "NV", "", "CommV")}
FORMER_REP = ("Pieter Oudejans", "0055g09999")


@dataclass
class _Customers:
    counter: int = 0

    def new(self, rng: random.Random, country: str) -> tuple[str, str]:
        self.counter += 1
        name = " ".join(part for part in (rng.choice(BUSINESSES), rng.choice(NAMES),
                                          rng.choice(FORMS[country])) if part)
        return f"ACC-{self.counter:05d}", name


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


#: (day of completion, score) of one path
Trained = tuple[date, float]


def path_scores(reps: list[User], slug: str) -> dict[int, Trained]:
    """Each rep's completion day and score on a path, computed as the impact analysis does."""
    catalogue = impact_sql.load_catalogue()
    path = catalogue.path_by_slug(slug)
    if path is None:
        return {}
    people = impact_sql.people_ids(Scope(user_ids=frozenset(r.id for r in reps)))
    completed = impact_sql.load_completions("path", path.id, people)
    modules = [catalogue.modules[m] for m in path.scored_module_ids]
    results = impact_sql.load_results(people, [m.quiz_id for m in modules])  # type: ignore[misc]
    out = {}
    for user_id, at in completed.items():
        score, _ = impact_sql.training_score(results, user_id, modules)
        if score is not None:
            out[user_id] = (at.date(), score)
    return out


def _effect(trained: Trained | None, closed: date) -> float:
    """e = (S - 70) / 10 for a deal closed after the training day, else 0."""
    return (trained[1] - 70) / 10 if trained and closed > trained[0] else 0.0


#: A rep's odds for a deal closed on a day, given the deals they open in a revenue window
OddsFor = Callable[[date, float], Odds]


def odds_for(trained: dict[str, Trained | None], effects: tuple[Effect, ...] | None) -> OddsFor:
    """How a rep's deals are drawn: the built-in effect of their scores, or only ``effects``,
    each from the day after the rep completed its path."""
    if effects is None:
        onboarding, insight = trained[ONBOARDING], trained[INSIGHT]
        return lambda closed, _: built_in_odds(_effect(onboarding, closed),
                                               _effect(insight, closed))

    def given(closed: date, deals_per_window: float) -> Odds:
        deltas: dict[str, float] = {}
        for effect in effects:
            done = trained[effect.path]
            if done is not None and closed > done[0]:
                deltas[effect.measure] = deltas.get(effect.measure, 0.0) + effect.delta
        return given_odds(deltas, deals_per_window)
    return given


def _deals_of(rng: random.Random, owner: tuple[str, str], start: date, stop: date,
              today: date, hire: date | None, odds: OddsFor, zero_to_ten: bool,
              customers: _Customers, team_pool: list[tuple[str, str]], country: str,
              numbers: list[int]) -> list[dict]:
    name, crm_id = owner
    volume = DEALS_PER_MONTH * math.exp(rng.gauss(0, 0.25))
    won_customers: list[tuple[str, str]] = []
    rows = []
    day = start
    while day < stop:
        rate = volume / 30.4 * SEASON[day.month]
        if hire is not None and (day - hire).days < 30:
            rate /= 2
        for _ in range(_poisson(rng, rate)):
            numbers[0] += 1
            rows.append(_deal(rng, numbers[0], name, crm_id, day, today, (odds, volume),
                              zero_to_ten, customers, won_customers, team_pool, country))
        day += timedelta(days=1)
    return rows


def _deal(rng: random.Random, number: int, name: str, crm_id: str, created: date, today: date,
          rep_odds: tuple[OddsFor, float], zero_to_ten: bool,
          customers: _Customers,
          won_customers: list[tuple[str, str]], team_pool: list[tuple[str, str]],
          country: str) -> dict:
    cycle = int(_clamp(round(21 * math.exp(rng.gauss(0, 0.5))), 2, 120))
    closed = created + timedelta(days=cycle)
    odds_of, volume = rep_odds
    # The deals the rep opens in a revenue window at this time of year (a revenue effect is
    # spread over their expected wins).
    odds = odds_of(closed, volume / 30.4 * SEASON[closed.month] * REVENUE_DAYS)
    roll = rng.random()
    if roll < odds.repeat and won_customers:
        customer = rng.choice(won_customers)
    elif roll < odds.repeat + COLLEAGUE_SHARE and team_pool:
        customer = rng.choice(team_pool)
    else:
        customer = customers.new(rng, country)
    product, price, _, most = rng.choices(PRODUCTS, weights=[p[2] for p in PRODUCTS])[0]
    quantity = rng.randint(1, most)
    discount = _clamp(math.exp(rng.gauss(-0.05, 0.12)), 0.6, 1.15)
    # Only a revenue loss given with a win-rate loss could reach 0: keep such a deal at 1 euro.
    amount = max(price * quantity * discount * odds.amount_factor + odds.amount_add, 1.0)
    row = {"crm_id": f"OPP-{number:06d}", "owner_crm_id": crm_id, "owner_name": name,
           "customer_id": customer[0], "customer_name": customer[1],
           "product": product if quantity == 1 else f"{product} × {quantity}",
           "created_on": created.isoformat(), "amount": f"{amount:.2f}", "currency": "EUR"}
    if closed >= today:
        return {**row, "stage": "open"}
    won = rng.random() < odds.win
    row.update(stage="won" if won else "lost", closed_on=closed.isoformat())
    if not won:
        return row
    won_customers.append(customer)
    team_pool.append(customer)
    if rng.random() < 0.7:
        if zero_to_ten:
            score = _clamp(round(rng.gauss(odds.ten, 2.0)), 0, 10)
        else:
            score = _clamp(round(rng.gauss(odds.stars, 0.9)), 1, 5)
        row.update(satisfaction=str(int(score)), satisfaction_scale="10" if zero_to_ten else "5")
    if rng.random() < odds.complaint:
        raised = closed + timedelta(days=rng.randint(3, 60))
        if raised < today:
            row["complaint_on"] = raised.isoformat()
            median = odds.resolve_days
            took = max(1, round(median * math.exp(rng.gauss(0, 0.6))))
            resolved = raised + timedelta(days=took)
            if resolved < today:
                row["complaint_resolved_on"] = resolved.isoformat()
    if rng.random() < odds.follow_up:
        follow = closed + timedelta(days=rng.randint(1, 14))
    else:
        follow = closed + timedelta(days=rng.randint(15, 45)) if rng.random() < 0.5 else None
    if follow is not None and follow < today:
        row["follow_up_on"] = follow.isoformat()
    return row


def _region(rep: User) -> str:
    """The regional team's name: the rep's team, or the region it is part of."""
    team = rep.team
    while team is not None and team.parent is not None:
        team = team.parent
    return team.name if team else ""


def sales_export(reps: list[User], *, seed: int, today: date,
                 effects: tuple[Effect, ...] | None = None,
                 progress: Progress = quiet) -> bytes:
    """The CRM export (generic template, UTF-8, ISO dates) of every demo deal; ``effects``
    replace the built-in effect (``lms.demo.effects``)."""
    scores = {slug: path_scores(reps, slug) for slug in (ONBOARDING, INSIGHT)}
    customers = _Customers()
    numbers = [0]
    pools: dict[int | None, list[tuple[str, str]]] = {}
    rows: list[dict] = []
    first_day = today - timedelta(days=HISTORY_DAYS)
    for number, rep in enumerate(reps, start=1):
        progress("deals", number, len(reps))
        rng = random.Random(f"{seed}:sales:{rep.email}")
        region = _region(rep)
        crm_id = rep.alias_values(AliasKind.CRM_ID)[0]
        hire = rep.hire_date
        start = max(first_day, hire) if hire else first_day
        odds = odds_for({slug: done.get(rep.id) for slug, done in scores.items()}, effects)
        rows += _deals_of(rng, (rep.name, crm_id), start, today, today, hire, odds,
                          region == ZERO_TO_TEN_TEAM, customers,
                          pools.setdefault(rep.team_id, []),
                          "be" if region == ZERO_TO_TEN_TEAM else "nl", numbers)
    rng = random.Random(f"{seed}:sales:former")
    rows += _deals_of(rng, FORMER_REP, first_day, first_day + timedelta(days=150), today, None,
                      odds_for({ONBOARDING: None, INSIGHT: None}, effects), False, customers,
                      [], "nl", numbers)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(TEMPLATE_COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def simulate_sales(reps: list[User], *, seed: int, today: date,
                   effects: tuple[Effect, ...] | None = None,
                   progress: Progress = quiet) -> int:
    """Generate the export and import it; returns the number of deals added."""
    export = sales_export(reps, seed=seed, today=today, effects=effects, progress=progress)
    report = import_sales(export, "generic", filename="brewline-crm-export.csv",
                          progress=progress)
    if not report.ok:
        raise RuntimeError("the demo's sales export did not import: "
                           + "; ".join(str(e) for e in report.errors[:5]))
    return report.added
