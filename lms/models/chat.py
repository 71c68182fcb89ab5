"""Team chat: the Teams and Slack webhooks an admin set up for a team, and the messages posted
to them (``lms reminders send``, after the mails; lms/chat/).

A delivery row is the message's claim and its outbox at once: unique per webhook, kind and
period, inserted before anything is posted, so two runs or two servers never post the same
message twice, and a message that failed waits in its row for the next try.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, UTCDateTime, utcnow


class TeamWebhook(Base):
    __tablename__ = "team_webhooks"
    __table_args__ = (CheckConstraint("kind IN ('teams', 'slack')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    #: teams (a Power Automate "Workflows" webhook) or slack (an incoming webhook)
    kind: Mapped[str] = mapped_column(String(8))
    #: The channel's name as the admin calls it, to tell a team's webhooks apart.
    channel: Mapped[str] = mapped_column(String(100), default="")
    #: The address, encrypted with a key derived from LMS_SECRET_KEY (lms.chat.secret): the
    #: address is the webhook's only credential, and a copy of the database alone must not
    #: let anyone post to the organisation's channels.
    url_encrypted: Mapped[str] = mapped_column(Text)
    #: What pages show of the address: its host and last characters.
    url_hint: Mapped[str] = mapped_column(String(120))
    #: Gets the team's daily digest (overdue training, customers waiting), named per person.
    digest: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Gets a weekly summary: who has training due in the coming days (names only).
    summary: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    team = relationship("Team")


class ChatDelivery(Base):
    """One message for one webhook: claimed, then posted (or tried again later)."""

    __tablename__ = "chat_deliveries"
    __table_args__ = (UniqueConstraint("webhook_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("team_webhooks.id", ondelete="CASCADE"))
    #: digest / summary
    kind: Mapped[str] = mapped_column(String(16))
    #: The day of a digest; the Monday of a summary's week.
    period: Mapped[date] = mapped_column(Date)
    #: The message as it was composed when claimed; every try posts exactly this.
    payload: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Posts tried so far.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: A run is posting it until then; no other run touches it meanwhile.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_tried_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Not tried again before this (back-off after a failure).
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Given up: refused for good (404, 410 ...), tried too often, or replaced by a newer one.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last failure, in the chat service's words.
    last_error: Mapped[str | None] = mapped_column(Text)
