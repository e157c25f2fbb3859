"""Tables of the field sign-off: what engineers reported, line tests, order notes."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from inventory.orm_base import Base, UTCDateTime


class JobSignoff(Base):
    """An engineer's report on a job (times as the engineer's device recorded them)."""

    __tablename__ = "job_signoffs"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("product_orders.id"), index=True)
    engineer_id: Mapped[str | None] = mapped_column(ForeignKey("engineers.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))  # started, completed, failed
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failure_reason: Mapped[str | None] = mapped_column(String(32))
    ont_serial: Mapped[str | None] = mapped_column(String(16))
    rx_power_dbm: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LineTest(Base):
    """One diagnostic confirmation of an order's line (kept whether it passed or not)."""

    __tablename__ = "line_tests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("product_orders.id"), index=True)
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    passed: Mapped[bool] = mapped_column(Boolean)
    failures: Mapped[list[str]] = mapped_column(JSON)
    measurements: Mapped[dict[str, Any]] = mapped_column(JSON)


class OrderNote(Base):
    """A note on an order for dispatchers and billing: jeopardy, rebook, fault."""

    __tablename__ = "order_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("product_orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    job_id: Mapped[str | None] = mapped_column(String(48))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
