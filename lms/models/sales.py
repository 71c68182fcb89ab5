"""Sales records from the CRM, the imports that brought them, and what each import changed
(so an import can be undone)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base, UTCDateTime, utcnow


class SalesImport(Base):
    __tablename__ = "sales_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    #: file name, or "api" for POST /api/v1/sales
    source: Mapped[str] = mapped_column(String(255))
    preset: Mapped[str] = mapped_column(String(64))
    #: sha256 of the uploaded bytes
    file_hash: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    imported_by = relationship("User")


class Sale(Base):
    """One deal as the CRM knows it, keyed by the CRM's own id."""

    __tablename__ = "sales"
    __table_args__ = (
        CheckConstraint("stage IN ('won', 'lost', 'open')", name="stage"),
        CheckConstraint("satisfaction_scale IS NULL OR satisfaction_scale IN (5, 10)",
                        name="satisfaction_scale"),
        # "Repeat customer": an earlier won deal with the same customer is one seek.
        Index("ix_sales_customer_key_stage_closed_on", "customer_key", "stage", "closed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    crm_id: Mapped[str] = mapped_column(String(100), unique=True)
    #: The salesperson, once matched (by email, CRM id or CRM name alias).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    #: The owner exactly as the CRM wrote it; kept so unmatched deals link up later.
    owner_email: Mapped[str | None] = mapped_column(String(254), index=True)
    owner_crm_id: Mapped[str | None] = mapped_column(String(100), index=True)
    owner_name: Mapped[str | None] = mapped_column(String(200), index=True)
    #: Account id, or the normalised account name when the CRM has no id.
    customer_key: Mapped[str] = mapped_column(String(200))
    customer_name: Mapped[str] = mapped_column(String(200), default="")
    product: Mapped[str] = mapped_column(String(200), default="")
    stage: Mapped[str] = mapped_column(String(8))
    created_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    satisfaction: Mapped[float | None] = mapped_column(Float)
    #: 5 (a 1-5 score) or 10 (a 0-10 score): measures normalise to 0-1 with it.
    satisfaction_scale: Mapped[int | None] = mapped_column(Integer)
    complaint_on: Mapped[date | None] = mapped_column(Date)
    complaint_resolved_on: Mapped[date | None] = mapped_column(Date)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("sales_imports.id",
                                                             ondelete="SET NULL"), index=True)


class SaleChange(Base):
    """What an import did to one sale: added it, or updated it from ``previous``."""

    __tablename__ = "sale_changes"
    __table_args__ = (CheckConstraint("action IN ('added', 'updated')", name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("sales_imports.id", ondelete="CASCADE"),
                                           index=True)
    crm_id: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(8))
    #: The sale's columns before this import changed them (for undo); empty when added.
    previous: Mapped[Any] = mapped_column(JSON, nullable=True)
