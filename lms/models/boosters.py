"""Spaced boosters: a quiz question a person passed, brought back at intervals FSRS chooses.

A card belongs to one person and one question of a quiz (its id in the quiz file, stable across
versions). It keeps the FSRS state as the ``fsrs`` package serialises it, and copies of the
figures the reports read in SQL (due, last review, stability). Every answer adds a review;
reviews are never edited. Whether a module's questions come back at all is a setting per
content item (``BoosterSetting``), org-wide, changed by managers and admins.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, UTCDateTime, utcnow


class BoosterSetting(Base):
    """Boosters switched on or off for a path (all its modules) or a module, org-wide."""

    __tablename__ = "booster_settings"

    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"),
                                         primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: At most this many questions a day for a person (1 to 3).
    per_day: Mapped[int] = mapped_column(Integer, default=3)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))

    item = relationship("ContentItem")


class BoosterCard(Base):
    """One question a person learned, with its FSRS state."""

    __tablename__ = "booster_cards"
    __table_args__ = (
        UniqueConstraint("user_id", "quiz_id", "question_id"),
        # Today's boosters: a person's cards in due order.
        Index("ix_booster_cards_user_id_due_at", "user_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The module whose quiz this question comes from (retention is reported per module).
    module_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"),
                                           index=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"))
    #: The question's id in the quiz file.
    question_id: Mapped[str] = mapped_column(String(100))
    #: The quiz version the person learned the question from (passed, or last answered).
    learned_version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id"))
    #: Fingerprint of the question's content then (lms.boosters.questions.fingerprint):
    #: a different one in the current version means the question was updated since.
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: ``fsrs.Card.to_dict()``.
    state: Mapped[Any] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: FSRS stability in days (copied from ``state`` for the reports).
    stability: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the question left the quiz (or the quiz left the module): it no longer comes.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    module = relationship("ContentItem", foreign_keys=[module_id])
    quiz = relationship("ContentItem", foreign_keys=[quiz_id])
    learned_version = relationship("ContentVersion")


class BoosterReview(Base):
    """One booster answered: added, never edited."""

    __tablename__ = "booster_reviews"
    __table_args__ = (Index("ix_booster_reviews_user_id_answered_at", "user_id", "answered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("booster_cards.id", ondelete="CASCADE"),
                                         index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The quiz version the booster was shown and graded from.
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id"))
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    correct: Mapped[bool] = mapped_column(Boolean)
    #: correct / partial / incorrect / unanswered, as grading says.
    outcome: Mapped[str] = mapped_column(String(16))
    #: The FSRS rating it was given (1 Again, 2 Hard, 3 Good, 4 Easy).
    rating: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BoosterPause(Base):
    """A person's holiday: no boosters until (and including) ``until``."""

    __tablename__ = "booster_pauses"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    until: Mapped[date] = mapped_column(Date)


class BoosterMail(Base):
    """A person who asked for their boosters by mail each day (``lms reminders send``): the
    row is the choice; no row, no mail."""

    __tablename__ = "booster_mails"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
