"""What was recorded in Verkoopklaar lately: the follow-ups and resolutions of the last days,
newest first, with the note written with each, for the salesperson's and the manager's
follow-ups pages. One query, scoped like the worklist (``lms.sales.worklist``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from lms.extensions import db
from lms.models import ActionKind, Sale, SaleAction, User, utcnow

#: The lists go back this many days.
RECENT_DAYS = 30
#: and show at most this many.
RECENT_LIMIT = 50


@dataclass(frozen=True)
class Recorded:
    recorded_at: datetime
    kind: str
    done_on: date
    note: str
    customer: str
    crm_id: str
    person: str
    #: who recorded it, when it was not the salesperson themselves (a manager); None otherwise
    by: str | None

    @property
    def follow_up(self) -> bool:
        """A follow-up; else a complaint resolved."""
        return self.kind == ActionKind.FOLLOW_UP


def recently_recorded(who: ColumnElement[bool], *, days: int = RECENT_DAYS,
                      limit: int = RECENT_LIMIT) -> list[Recorded]:
    """The actions recorded in the last ``days`` days on the deals ``who`` selects (a
    condition on ``Sale`` and the salesperson ``User``), newest first."""
    since = utcnow() - timedelta(days=days)
    recorder = aliased(User)
    rows = db.session.execute(
        select(SaleAction.recorded_at, SaleAction.kind, SaleAction.done_on, SaleAction.note,
               Sale.customer_name, Sale.crm_id, User.id, User.name, recorder.id, recorder.name)
        .join(Sale, Sale.crm_id == SaleAction.crm_id)
        .join(User, User.id == Sale.user_id)
        .outerjoin(recorder, recorder.id == SaleAction.by_user_id)
        .where(who, SaleAction.recorded_at >= since)
        .order_by(SaleAction.recorded_at.desc(), SaleAction.id.desc())
        .limit(limit)).all()
    return [Recorded(at, kind, done_on, note or "", customer or "", crm_id, person,
                     by_name if by_id != person_id else None)
            for (at, kind, done_on, note, customer, crm_id, person_id, person, by_id,
                 by_name) in rows]
