"""The demo organisation's booster mails: about one salesperson in three with boosters asked
for them by mail (account page), so ``lms reminders send`` on the demo has some to send."""

from __future__ import annotations

import random

from sqlalchemy import select

from lms.extensions import db
from lms.models import BoosterCard, BoosterMail, User

SHARE = 1 / 3


def choose_booster_mails(reps: list[User], *, seed: int) -> int:
    """Opt some of the people with booster cards in; returns how many."""
    with_cards = set(db.session.scalars(select(BoosterCard.user_id).distinct()))
    chosen = [rep for rep in reps if rep.id in with_cards
              and random.Random(f"{seed}:booster-mail:{rep.email}").random() < SHARE]
    db.session.add_all(BoosterMail(user_id=rep.id) for rep in chosen)
    db.session.flush()
    return len(chosen)
