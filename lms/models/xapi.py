"""The xAPI outbox: statements waiting for (or delivered to) the learning record store.

Filled from the statements derived from learning records (lms/xapi/derive.py) and emptied by
``lms xapi push``. A statement's id is its primary key, so filling twice never adds a row twice,
and a delivered row stays as the proof it went out (it is never sent again).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.models.base import Base, UTCDateTime, utcnow


class XapiOutbox(Base):
    __tablename__ = "xapi_outbox"
    __table_args__ = (
        # The rows still to send, in the order they happened: the push reads only these.
        Index("ix_xapi_outbox_pending", "next_try_at", "statement_at",
              sqlite_where=text("delivered_at IS NULL AND failed_at IS NULL"),
              postgresql_where=text("delivered_at IS NULL AND failed_at IS NULL")),
    )

    #: The statement's UUID (stable: derived from the learning record it describes).
    statement_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: The statement exactly as it is sent, validated before it was stored.
    payload: Mapped[Any] = mapped_column(JSON)
    #: When it happened (the record's time): statements go out in this order.
    statement_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Sends tried so far (failed ones: 5xx, timeouts, dropped connections, 429).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: Not sent before this (back-off after a failure); empty: as soon as possible.
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The LRS accepted it (or already had it: 409 for a known id).
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The LRS refused it for good (400): not tried again until ``lms xapi push --retry-failed``.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last failure, in the LRS's words.
    last_error: Mapped[str | None] = mapped_column(Text)
