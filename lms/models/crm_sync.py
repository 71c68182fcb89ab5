"""Where each CRM connection's sync stands (``lms sales sync``): the watermark the next run
starts from and how the last run went. The connection's secrets live in the environment only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, UTCDateTime


class CrmSyncState(Base):
    __tablename__ = "crm_sync_states"
    __table_args__ = (CheckConstraint("last_result IN ('ok', 'failed')", name="last_result"),)

    #: "hubspot" or "salesforce"
    connection: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: The newest last-modified time among the deals of the last successful sync (never past
    #: that run's start): the next run asks for deals changed at or after ten minutes before
    #: it. None until a sync succeeds, or when an undo sent it back to the beginning.
    watermark: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_result: Mapped[str | None] = mapped_column(String(8))
    #: why the last run failed (never holds a secret), or empty
    last_message: Mapped[str] = mapped_column(String(1000), default="")
    #: deals the last successful run read from the CRM
    rows: Mapped[int] = mapped_column(Integer, default=0)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("sales_imports.id",
                                                             ondelete="SET NULL"))

    #: The newest import a run of this connection made (kept through runs that change nothing)
    #: and the watermark that run started from: undoing that import moves the watermark back to
    #: it (``lms.sales.crm_sync.rewind``).
    newest_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_imports.id", ondelete="SET NULL"))
    newest_import_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sales_import = relationship("SalesImport", foreign_keys=[import_id])
