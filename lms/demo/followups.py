"""The demo's follow-ups and complaints to act on: after the CRM export is imported, each demo
salesperson is left at least ``FOLLOW_UPS`` follow-ups due or overdue and ``COMPLAINTS`` open
complaints, so that their Follow-ups page (and their manager's) has something to show.

Where the generated history already has enough, nothing changes. Otherwise, as a CRM would
show it: a recent follow-up is not logged yet (its ``follow_up_on`` emptied), and a recent won
deal got a complaint a few days after closing that nobody resolved yet. Deterministic for a
seed and day, a few statements whatever the number of people.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from lms.extensions import db
from lms.models import Sale, User
from lms.sales.worklist import listed_closing_days, rules_from, team_counts
from lms.security import Scope

FOLLOW_UPS = 3
COMPLAINTS = 2
#: Complaints are added to deals won within this many days.
RECENT_DAYS = 45


def leave_work_open(reps: list[User], *, seed: int, today: date) -> int:
    """Top up each rep's follow-ups and open complaints; returns how many deals changed."""
    if not reps:
        return 0
    rules = rules_from(current_app.config, today)
    ids = frozenset(r.id for r in reps)
    counts = {c.user_id: c for c in team_counts(Scope(user_ids=ids), rules)}
    first, last = listed_closing_days(rules)
    followed = _by_user(select(Sale).where(
        Sale.user_id.in_(sorted(ids)), Sale.stage == "won", Sale.follow_up_on.is_not(None),
        Sale.closed_on >= first, Sale.closed_on <= last).order_by(Sale.id))
    calm = _by_user(select(Sale).where(
        Sale.user_id.in_(sorted(ids)), Sale.stage == "won", Sale.complaint_on.is_(None),
        Sale.closed_on >= today - timedelta(days=RECENT_DAYS),
        Sale.closed_on <= today - timedelta(days=2)).order_by(Sale.id))
    changed = 0
    for rep in sorted(reps, key=lambda r: r.id):
        rng = random.Random(f"{seed}:follow-ups:{rep.email}")
        have = counts.get(rep.id)
        listed = (have.due + have.overdue) if have else 0
        open_complaints = have.complaints if have else 0
        candidates = followed.get(rep.id, [])
        for sale in rng.sample(candidates, min(max(FOLLOW_UPS - listed, 0), len(candidates))):
            sale.follow_up_on = None
            changed += 1
        candidates = calm.get(rep.id, [])
        wanted = min(max(COMPLAINTS - open_complaints, 0), len(candidates))
        for sale in rng.sample(candidates, wanted):
            assert sale.closed_on is not None
            latest = (today - sale.closed_on).days - 1
            sale.complaint_on = sale.closed_on + timedelta(days=rng.randint(1, max(latest, 1)))
            changed += 1
    db.session.flush()
    return changed


def _by_user(query) -> dict[int, list[Sale]]:  # noqa: ANN001 - a select of sales
    out: dict[int, list[Sale]] = {}
    for sale in db.session.scalars(query):
        out.setdefault(sale.user_id, []).append(sale)  # type: ignore[arg-type]
    return out
