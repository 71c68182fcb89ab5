"""What salespeople record in Verkoopklaar about their deals: a follow-up done, a complaint
resolved. Each also sets the deal's own column (``Sale.follow_up_on`` /
``Sale.complaint_resolved_on``), so it counts in the measures as a CRM value does; this table
is what the next CRM import (and undoing one) consults so as not to undo it
(``lms.sales.actions``)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, UTCDateTime, utcnow


class ActionKind(StrEnum):
    FOLLOW_UP = "follow_up"
    RESOLUTION = "resolution"


class SaleAction(Base):
    """One follow-up or resolution recorded in Verkoopklaar, at most one of each per deal."""

    __tablename__ = "sale_actions"
    __table_args__ = (
        CheckConstraint("kind IN ('follow_up', 'resolution')", name="kind"),
        UniqueConstraint("crm_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The deal's CRM id, not its row id: undoing the import that added a deal deletes the row,
    #: and the action must be there again when a later import brings the deal back.
    crm_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    done_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    by_user = relationship("User")
