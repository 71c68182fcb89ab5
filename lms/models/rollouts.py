"""Rollout designs: an assignment given in waves, with the random split that decided the waves.

A rollout is made once and never re-drawn: its seed and the moment it was made are stored, and
each member's wave and start date are fixed at that moment, so the split can be checked by
making it again from the seed. A member's assignment is created when their wave starts; before
that they see nothing. Withdrawing a rollout stops the waves still to come and keeps the record.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, UTCDateTime, utcnow


class Design(StrEnum):
    EVERYONE_NOW = "now"
    RANDOMISED = "randomised"
    STAGGERED = "staggered"


class Rollout(Base):
    """One path or module rolled out to a group of people in waves decided at random."""

    __tablename__ = "rollouts"
    __table_args__ = (
        CheckConstraint("design IN ('randomised', 'staggered')", name="design"),
        CheckConstraint("waves >= 2", name="waves"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"),
                                         index=True)
    design: Mapped[str] = mapped_column(String(16))
    #: The seed of the random split; making the split again from it gives the same waves.
    seed: Mapped[int] = mapped_column(BigInteger)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The first wave starts on this day; wave n starts ``(n - 1) * interval_days`` later.
    first_start: Mapped[date] = mapped_column(Date)
    #: Days between waves: the evaluation window of a randomised rollout (the waitlist starts
    #: when it has passed), or the fixed interval of staggered waves.
    interval_days: Mapped[int] = mapped_column(Integer)
    waves: Mapped[int] = mapped_column(Integer)
    #: Each member's assignment is due this many days after their wave starts (None: no date).
    due_days: Mapped[int | None] = mapped_column(Integer)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item = relationship("ContentItem")
    made_by = relationship("User")
    members: Mapped[list[RolloutMember]] = relationship(
        back_populates="rollout", order_by="RolloutMember.wave", cascade="all, delete-orphan")


class RolloutMember(Base):
    """A person's place in a rollout: their stratum at the split, their wave and its start."""

    __tablename__ = "rollout_members"
    __table_args__ = (UniqueConstraint("rollout_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rollout_id: Mapped[int] = mapped_column(ForeignKey("rollouts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The person's team and hire month when the split was made (the strata).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    hire_cohort: Mapped[str | None] = mapped_column(String(7))
    #: 1 is the first wave; in a randomised rollout 2 is the waitlist.
    wave: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    #: Set when the wave started and the person was given the assignment.
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL"))

    rollout: Mapped[Rollout] = relationship(back_populates="members")
    user = relationship("User")
    team = relationship("Team")
    assignment = relationship("Assignment")
