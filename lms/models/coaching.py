"""Coaching: the organisation's rubrics (stored versions of ``content/rubrics/*.yaml``) and the
observations managers record, with a rating per skill.

An observation points at the rubric version it was rated on and keeps the scale's ends and each
skill's name as they were, so its ratings keep their meaning when the rubric changes later.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, UTCDateTime, utcnow


class RubricVersion(Base):
    """One immutable version of a rubric and its translations, keyed by the hash of their
    texts."""

    __tablename__ = "rubric_versions"
    __table_args__ = (UniqueConstraint("slug", "number"), UniqueConstraint("slug", "content_hash"))

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80))
    #: 1, 2, 3 ... per slug, in the order versions were first seen.
    number: Mapped[int] = mapped_column(Integer)
    #: sha256 over the original's text and its translations' (lms.coaching.rubrics).
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    #: ``RubricDoc.as_data()`` of the original, plus ``translations``: {language: the same}.
    data: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Rubric(Base):
    """A rubric by its slug, and the version new observations are rated on."""

    __tablename__ = "rubrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    current_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    #: Set when the file disappeared: no new observations; old ones keep their version.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    current_version: Mapped[RubricVersion] = relationship()


class ObservationKind(StrEnum):
    RIDE_ALONG = "ride_along"
    CALL_REVIEW = "call_review"
    ROLE_PLAY = "role_play"

    @property
    def label(self) -> str:
        return str(OBSERVATION_KIND_LABELS[self.value])


OBSERVATION_KIND_LABELS = {
    "ride_along": _l("Ride-along"),
    "call_review": _l("Call review"),
    "role_play": _l("Role-play"),
}


class Observation(Base):
    """What a manager saw a salesperson do, rated on a rubric, with an agreed next step."""

    __tablename__ = "coaching_observations"
    __table_args__ = (
        CheckConstraint("kind IN ('ride_along', 'call_review', 'role_play')", name="kind"),
        CheckConstraint("scale_low < scale_high", name="scale"),
        Index("ix_coaching_observations_user_id_observed_on", "user_id", "observed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The salesperson observed.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    observer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                    index=True)
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"), index=True)
    #: The rubric's lowest and highest level when it was rated (for comparing across scales).
    scale_low: Mapped[int] = mapped_column(Integer)
    scale_high: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    observed_on: Mapped[date] = mapped_column(Date)
    strengths: Mapped[str] = mapped_column(Text, default="")
    improvements: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(Text)
    next_step_due: Mapped[date] = mapped_column(Date)
    #: The goal the next step became on the salesperson's goals.
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the salesperson acknowledged it; empty until then.
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])
    observer = relationship("User", foreign_keys=[observer_id])
    rubric_version: Mapped[RubricVersion] = relationship()
    ratings: Mapped[list[Rating]] = relationship(
        back_populates="observation", order_by="Rating.position", cascade="all, delete-orphan")

    @property
    def kind_enum(self) -> ObservationKind:
        return ObservationKind(self.kind)


class Rating(Base):
    """One skill's rating in an observation, with the skill's name as it was then."""

    __tablename__ = "coaching_ratings"
    __table_args__ = (
        UniqueConstraint("observation_id", "skill_id"),
        CheckConstraint("rating >= 0", name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_observations.id", ondelete="CASCADE"))
    #: The skill's id in the rubric (stable across versions).
    skill_id: Mapped[str] = mapped_column(String(64))
    #: The skill's name in the rubric's own language when it was rated.
    skill_name: Mapped[str] = mapped_column(String(200))
    #: The skill's place in the rubric, for showing ratings in the rubric's order.
    position: Mapped[int] = mapped_column(Integer)
    rating: Mapped[int] = mapped_column(Integer)

    observation: Mapped[Observation] = relationship(back_populates="ratings")
