"""Order-side tables: product orders and their history, jobs, appointments, engineers,
shifts and API keys. Inventory tables live in :mod:`inventory.models` (same metadata)."""
from __future__ import annotations

from datetime import date, datetime, time
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
    Text,
    Time,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inventory.orm_base import Base, UTCDateTime
from orders.errors import OrderLocked

# What billing ordered: fixed at acknowledgement (the order lock).
LOCKED_ORDER_FIELDS = (
    "external_id", "request_hash", "request_body", "billing_account_id", "customer_id",
    "offering_id", "place", "requested_completion_date", "order_date",
)


class ProductOrder(Base):
    """A TMF622 product order as received from billing (its specification is locked)."""

    __tablename__ = "product_orders"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(128), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    request_body: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), index=True)
    state_reason: Mapped[str | None] = mapped_column(String(64))
    qualification_result: Mapped[str | None] = mapped_column(String(16))
    qualification_reasons: Mapped[list[str] | None] = mapped_column(JSON)
    billing_account_id: Mapped[str] = mapped_column(String(128))
    customer_id: Mapped[str | None] = mapped_column(String(128))
    offering_id: Mapped[str] = mapped_column(String(32))
    # The place as requested (premise id or address fields), normalised.
    place: Mapped[dict[str, Any]] = mapped_column(JSON)
    premise_id: Mapped[str | None] = mapped_column(ForeignKey("premises.id"), index=True)
    region: Mapped[str | None] = mapped_column(String(64), index=True)
    requested_completion_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    order_date: Mapped[datetime] = mapped_column(UTCDateTime())
    completion_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    history: Mapped[list[OrderStateChange]] = relationship(
        back_populates="order", order_by="OrderStateChange.id"
    )
    jobs: Mapped[list[Job]] = relationship(back_populates="order", order_by="Job.order_seq")


@event.listens_for(ProductOrder, "before_update")
def _refuse_specification_changes(_mapper, _connection, order: ProductOrder) -> None:  # type: ignore[no-untyped-def]
    """The lock, enforced for every code path: state moves, the specification never does."""
    state = inspect(order)
    changed = [f for f in LOCKED_ORDER_FIELDS if state.attrs[f].history.has_changes()]
    if changed:
        raise OrderLocked(f"order {order.id} is locked: {', '.join(changed)} cannot change")


class OrderStateChange(Base):
    __tablename__ = "order_state_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("product_orders.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    order: Mapped[ProductOrder] = relationship(back_populates="history")


class Job(Base):
    """A piece of field work. Dates are local dates in ``FIELDSCHED_TIMEZONE``;
    the appointment window (UTC) is filled by booking."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_region_status_earliest", "region", "status", "earliest_date"),)

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    order_seq: Mapped[int] = mapped_column(Integer, default=0)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("product_orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    duration_s: Mapped[int] = mapped_column(Integer)
    skills: Mapped[list[str]] = mapped_column(JSON)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    premise_id: Mapped[str | None] = mapped_column(ForeignKey("premises.id"))
    region: Mapped[str | None] = mapped_column(String(64))
    predecessor_job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id"))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    needs_appointment: Mapped[bool] = mapped_column(Boolean, default=False)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    earliest_date: Mapped[date] = mapped_column(Date)
    latest_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    engineer_id: Mapped[str | None] = mapped_column(ForeignKey("engineers.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    order: Mapped[ProductOrder | None] = relationship(back_populates="jobs")


class Appointment(Base):
    """A TMF646 appointment for a job (booking fills these in; cancellation ends them)."""

    __tablename__ = "appointments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("product_orders.id"), index=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    window_end: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Engineer(Base):
    __tablename__ = "engineers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    home_lon: Mapped[float] = mapped_column(Float)
    home_lat: Mapped[float] = mapped_column(Float)
    skills: Mapped[list[str]] = mapped_column(JSON)
    region: Mapped[str | None] = mapped_column(String(64), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Shift(Base):
    """One engineer's working hours on one date, in local time (``FIELDSCHED_TIMEZONE``)."""

    __tablename__ = "shifts"
    __table_args__ = (UniqueConstraint("engineer_id", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    engineer_id: Mapped[str] = mapped_column(ForeignKey("engineers.id"))
    date: Mapped[date] = mapped_column(Date, index=True)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)


class ApiKey(Base):
    """An API key; only its SHA-256 is stored (keys are 256-bit random tokens)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    engineer_id: Mapped[str | None] = mapped_column(ForeignKey("engineers.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
