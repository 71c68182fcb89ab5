"""What learners do: assignments, reading, quiz attempts and their answers, completions, goals.

Learner state points at content versions, never at live content: an attempt keeps the quiz
version it started on, the questions drawn, the order options were shown in, every response and
the points per question. Submissions are added, never edited.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, UTCDateTime, utcnow


class Assignment(Base):
    """A path or module a person must complete, with its due date."""

    __tablename__ = "assignments"
    __table_args__ = (
        # One live assignment per person and item; a withdrawn one may be followed by a new one.
        Index("uq_assignments_live", "user_id", "item_id", unique=True,
              sqlite_where=text("withdrawn_at IS NULL"),
              postgresql_where=text("withdrawn_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: A learning path or a module.
    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"),
                                         index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    #: The team the assignment was made through, if it was made for a whole team.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    due_date: Mapped[date | None] = mapped_column(Date)
    #: Set when the due date was given relative to the hire date ("within 30 days of starting").
    due_days_after_hire: Mapped[int | None] = mapped_column(Integer)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])
    item = relationship("ContentItem")
    assigned_by = relationship("User", foreign_keys=[assigned_by_id])


class ModuleProgress(Base):
    """One row per person and module: reading, and completion (read and, with a quiz, passed)."""

    __tablename__ = "module_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "module_id"),
        # A person's latest reading is one look-up (the reports' "last activity").
        Index("ix_module_progress_user_id_last_opened_at", "user_id", "last_opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"),
                                           index=True)
    first_opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the person marked it read, and which version they had read.
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_version_id: Mapped[int | None] = mapped_column(ForeignKey("content_versions.id",
                                                                   ondelete="SET NULL"))
    #: The "training date" of the impact analysis.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    module = relationship("ContentItem")


class PathCompletion(Base):
    __tablename__ = "path_completions"
    __table_args__ = (UniqueConstraint("user_id", "path_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"),
                                         index=True)
    path_version_id: Mapped[int | None] = mapped_column(ForeignKey("content_versions.id",
                                                                   ondelete="SET NULL"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: From the path's certificate_validity_days; empty when the certificate does not expire.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    path = relationship("ContentItem")


class AttemptStatus(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"


class Attempt(Base):
    """One try at a quiz, pinned to the quiz version it started on."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "quiz_id", "number"),
        # At most one unfinished attempt per person and quiz: a second tab resumes it.
        Index("uq_attempts_open", "user_id", "quiz_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
        CheckConstraint("status IN ('open', 'submitted')", name="status"),
        # A person's attempts in order: the latest in one step on PostgreSQL too (0012).
        Index("ix_attempts_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"),
                                         index=True)
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("content_versions.id"), index=True)
    #: 1, 2, 3 ... per person and quiz.
    number: Mapped[int] = mapped_column(Integer)
    #: Seed of the draw, so the attempt can be explained and reproduced.
    seed: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=AttemptStatus.OPEN.value)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: started_at + the time limit; empty without a limit.
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The language the attempt was taken in: its quiz version's (a translation's, or the
    #: original's).
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")

    quiz = relationship("ContentItem")
    quiz_version = relationship("ContentVersion")
    questions: Mapped[list[AttemptQuestion]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position",
        cascade="all, delete-orphan")
    submission: Mapped[Submission | None] = relationship(back_populates="attempt",
                                                         uselist=False)


class AttemptQuestion(Base):
    """A question as drawn for one attempt, with the learner's response and its grade."""

    __tablename__ = "attempt_questions"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),
                      UniqueConstraint("attempt_id", "question_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    #: The question's id in the quiz file (stable across versions).
    question_id: Mapped[str] = mapped_column(String(100))
    #: The order choices (or right-hand matching items) were shown in.
    option_order: Mapped[Any] = mapped_column(JSON, nullable=True)
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    points: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)
    #: correct / partial / incorrect / unanswered, set at grading.
    result: Mapped[str | None] = mapped_column(String(16))

    attempt: Mapped[Attempt] = relationship(back_populates="questions")


class Submission(Base):
    """The grading of an attempt. Unique per attempt: a double submit, a second tab or a
    submit racing the timer grades the attempt exactly once."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"),
                                            unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Why it ended: the learner submitted, the time ran out, or the quiz changed.
    reason: Mapped[str] = mapped_column(String(16), default="submitted")
    #: Submitted after the time limit and grace: graded with the answers saved by then.
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    points: Mapped[float] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)
    percent: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)

    attempt: Mapped[Attempt] = relationship(back_populates="submission")


class GoalKind(StrEnum):
    # training goals
    COMPLETE_PATH = "complete_path"
    COMPLETE_MODULE = "complete_module"
    REACH_SCORE = "reach_score"
    # performance goals (measured on sales data)
    REVENUE = "revenue"
    WON_DEALS = "won_deals"
    SATISFACTION = "satisfaction"
    REPEAT_RATE = "repeat_rate"
    COMPLAINTS_RESOLVED = "complaints_resolved"
    # set by a coaching observation (lms.coaching): done when the person marks it done
    COACHING_STEP = "coaching_step"

    @property
    def is_training(self) -> bool:
        return self in (GoalKind.COMPLETE_PATH, GoalKind.COMPLETE_MODULE, GoalKind.REACH_SCORE)

    @property
    def is_coaching(self) -> bool:
        return self is GoalKind.COACHING_STEP


class Goal(Base):
    """A goal a person sets themselves, with a deadline."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    #: The path or module of a training goal.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("content_items.id",
                                                           ondelete="SET NULL"))
    #: Score in %, revenue in euros, a number of deals, satisfaction 0-1, a rate 0-1 ...
    target: Mapped[float | None] = mapped_column(Float)
    #: For "complaints resolved within N days".
    within_days: Mapped[int | None] = mapped_column(Integer)
    #: Performance goals count sales from this day to the deadline.
    starts_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    achieved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item = relationship("ContentItem")
