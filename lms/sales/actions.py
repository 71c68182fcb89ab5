"""Follow-ups and complaint resolutions recorded in Verkoopklaar, and how they meet the CRM.

Recording one (``record_action``) keeps it in ``sale_actions`` and sets the deal's own column
(``follow_up_on`` / ``complaint_resolved_on``), so it counts in the ten measures exactly as a
value from the CRM does.

The rule against the CRM (``effective``), applied by every import path (CSV and API, row by
row or in bulk, ``lms.sales.importer``) and by undoing an import (``lms.sales.store``):

* the CRM row has no value: the local one stays;
* the CRM row has a value: it wins only when it is a later date than the local one; otherwise
  the local one stays.

An import that brings nothing newer therefore leaves the deal unchanged (no change is recorded,
so nothing of it needs undoing), and undoing an import restores the deal with the local action
still applied. The local record itself is never deleted by an import or its undo: it is keyed
by the deal's CRM id, and applies again when a deal deleted by an undo comes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from lms.errors import DomainError
from lms.extensions import db
from lms.i18n import format_date
from lms.models import ActionKind, Sale, SaleAction, User, utcnow
from lms.sales.store import COLUMNS, FOLLOW_UP, RESOLVED

CLOSED, COMPLAINT, STAGE = (COLUMNS.index(c) for c in ("closed_on", "complaint_on", "stage"))

#: The deal column each kind of action sets.
COLUMN = {ActionKind.FOLLOW_UP: "follow_up_on", ActionKind.RESOLUTION: "complaint_resolved_on"}


def applies(day: date, since: date | str | None, *, won: bool = True) -> bool:
    """Whether a local follow-up or resolution on ``day`` still answers the deal: it is won
    (for a follow-up) and ``since`` (its closing day, or the complaint's) is on or before it."""
    if not won or not since:
        return False
    start = since if isinstance(since, date) else date.fromisoformat(since)
    return start <= day


def effective(crm: date | None, local: date | None) -> date | None:
    """The value a deal keeps: the CRM's when there is no local one or the CRM's is later;
    otherwise the local one (also when the CRM has none)."""
    if local is None:
        return crm
    if crm is None or crm <= local:
        return local
    return crm


@dataclass(frozen=True)
class LocalActions:
    """The local actions by CRM id, loaded once per import or undo (they are typed by people,
    so there are few next to the deals), applied to rows in the importer's stored form
    (``lms.sales.store.COLUMNS`` order, dates as ISO strings)."""

    #: crm_id -> (follow-up day, resolution day), either None
    days: dict[str, tuple[date | None, date | None]]

    @classmethod
    def load(cls) -> LocalActions:
        days: dict[str, list[date | None]] = {}
        for crm_id, kind, done_on in db.session.execute(
                select(SaleAction.crm_id, SaleAction.kind, SaleAction.done_on)):
            pair = days.setdefault(crm_id, [None, None])
            pair[0 if kind == ActionKind.FOLLOW_UP else 1] = done_on
        return cls({k: (v[0], v[1]) for k, v in days.items()})

    def apply(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        """``row`` with the local follow-up and resolution applied (``row`` itself when the
        deal has none). A local day applies only to what it answered: a follow-up to a won
        deal closed on or before it, a resolution to a complaint made on or before it (a newer
        complaint from the CRM is open until resolved)."""
        local = self.days.get(row[0])
        if local is None:
            return row
        values = list(row)
        for position, day, since in ((FOLLOW_UP, local[0], CLOSED),
                                     (RESOLVED, local[1], COMPLAINT)):
            if day is None or not applies(day, values[since],
                                          won=values[STAGE] == "won" or position == RESOLVED):
                continue
            crm = date.fromisoformat(values[position]) if values[position] else None
            values[position] = effective(crm, day).isoformat()  # type: ignore[union-attr]
        return tuple(values)


def action_problem(sale: Sale, kind: ActionKind, done_on: date | None,
                   today: date) -> str | None:
    """Why ``done_on`` cannot be recorded for ``sale`` (a message for the date field), or
    None. Pure: the rules of the form, the service and their tests."""
    if done_on is None:
        return _("Enter the date, e.g. %(example)s.", example=format_date(today))
    if done_on > today:
        return _("The date cannot be in the future.")
    if kind == ActionKind.FOLLOW_UP:
        if sale.closed_on is not None and done_on < sale.closed_on:
            return _("The follow-up cannot be before the deal closed (%(day)s).",
                     day=format_date(sale.closed_on))
    elif sale.complaint_on is not None and done_on < sale.complaint_on:
        return _("The complaint cannot be resolved before it was made (%(day)s).",
                 day=format_date(sale.complaint_on))
    return None


def can_act(sale: Sale, kind: ActionKind) -> bool:
    """Whether the deal still needs this action: a won deal without a follow-up, or a
    complaint without a resolution."""
    if kind == ActionKind.FOLLOW_UP:
        return sale.stage == "won" and sale.closed_on is not None and sale.follow_up_on is None
    return sale.complaint_on is not None and sale.complaint_resolved_on is None


def record_action(sale: Sale, kind: ActionKind, done_on: date | None, note: str, *,
                  actor: User, today: date) -> SaleAction:
    """Record a follow-up or resolution and set the deal's column; flushes, the caller
    commits. ``DomainError`` (with ``field``) when the deal no longer needs it or the date is
    not possible."""
    if not can_act(sale, kind):
        raise DomainError(_("This follow-up is already recorded.") if kind == ActionKind.FOLLOW_UP
                          else _("This complaint is already resolved or has none."))
    problem = action_problem(sale, kind, done_on, today)
    if problem:
        raise DomainError(problem, field="done_on")
    assert done_on is not None
    # One action per deal and kind: an earlier one that no longer answers the deal (the CRM
    # reported a newer complaint since, say) is replaced, not added to.
    action = db.session.scalar(select(SaleAction).where(SaleAction.crm_id == sale.crm_id,
                                                        SaleAction.kind == kind.value))
    # Read everything first: loading the actor inside the block would autoflush a half-made row.
    values = {"done_on": done_on, "note": note.strip(), "by_user_id": actor.id,
              "recorded_at": utcnow()}
    db.session.flush()
    try:
        with db.session.begin_nested():
            if action is None:
                action = SaleAction(crm_id=sale.crm_id, kind=kind.value, **values)
                db.session.add(action)
            else:
                for name, value in values.items():
                    setattr(action, name, value)
            setattr(sale, COLUMN[kind], done_on)
            db.session.flush()
    except IntegrityError:
        # Someone recorded it a moment ago.
        raise DomainError(_("This was recorded a moment ago by someone else.")) from None
    return action


def reapply_local_actions() -> None:
    """Apply every local action to its deal again, in SQL, inside the import's (or undo's)
    own transaction after its writes: an action recorded while a long import was checking
    its rows was not in the ``LocalActions`` it loaded, and must not be overwritten by it.
    Two statements, whatever the number of deals; the same rule as ``LocalActions.apply``."""
    sales = Sale.__table__
    for kind, column, since in ((ActionKind.FOLLOW_UP, sales.c.follow_up_on, sales.c.closed_on),
                                (ActionKind.RESOLUTION, sales.c.complaint_resolved_on,
                                 sales.c.complaint_on)):
        action = (select(SaleAction.done_on)
                  .where(SaleAction.crm_id == sales.c.crm_id, SaleAction.kind == kind.value)
                  .scalar_subquery())
        # Only the deals with an action (few), found through the unique crm_id index.
        acted = select(SaleAction.crm_id).where(SaleAction.kind == kind.value)
        stale = and_(sales.c.crm_id.in_(acted), since.is_not(None), since <= action,
                     or_(column.is_(None), column < action))
        if kind == ActionKind.FOLLOW_UP:
            stale = and_(stale, sales.c.stage == "won")
        db.session.execute(update(sales).where(stale).values({column: action}),
                           execution_options={"synchronize_session": False})
