"""What managers and integrations need besides learner state: API tokens, the log of reminders
sent (so a cron job can run twice without mailing twice), organisation settings, and the
change counters that key the reports' cache."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Double,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, UTCDateTime, utcnow


class ApiToken(Base):
    """A token for the JSON API. It carries its user's role and scope; only its hash is
    stored, so a database leak does not leak working tokens."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    #: sha256 hex of the token.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters, shown in lists so people can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Updated at most every few minutes: not a write on every API call.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: None: valid until revoked.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set by a revoke, and by deactivating the person (reactivation does not undo it).
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")

    def status(self, now: datetime) -> str:
        """"active", "expired" or "revoked"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


class RateLimitCounter(Base):
    """A rate-limit counter (lms.ratelimit): in the site's database, so every worker process
    and every server of the site counts the same login attempts."""

    __tablename__ = "rate_limits"

    #: sha256 hex of the limiter's key (keys hold client input such as the email tried).
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    #: Unix time at which this window ends and the count starts again.
    expires_at: Mapped[float] = mapped_column(Double, index=True)


class ReminderLog(Base):
    """One reminder mail sent. Unique per recipient, subject, kind and day."""

    __tablename__ = "reminder_log"
    __table_args__ = (
        UniqueConstraint("user_id", "assignment_id", "kind", "sent_on"),
        # NULLs never clash in a unique constraint, so digests (no assignment) need their own.
        Index("uq_reminder_log_digest", "user_id", "kind", "sent_on", unique=True,
              sqlite_where=text("assignment_id IS NULL"),
              postgresql_where=text("assignment_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: Empty for a manager's digest, which covers several assignments.
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id",
                                                                 ondelete="CASCADE"))
    #: due_soon / overdue / digest / sales / boosters
    kind: Mapped[str] = mapped_column(String(16))
    sent_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Setting(Base):
    """An organisation-wide setting that admins change in the browser (e.g. auto-enrolment)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ChangeCounter(Base):
    """How many times the data a kind of report reads has changed ("content", "learning").

    Bumped by database triggers (migration 0006), whoever writes; never by the app. A report
    cached under one number is current while the number stays the same.
    """

    __tablename__ = "change_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, default=0)


class JobLease(Base):
    """Who is running a scheduled job now: several app servers may start the same cron job at
    once, and only the one that takes the lease does the work (``lms.maintenance.leases``)."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: host and process id of the run that holds it, for the others' message
    holder: Mapped[str] = mapped_column(String(200))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: after this the lease counts as abandoned (a run that died) and may be taken again
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
