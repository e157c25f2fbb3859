"""Booking tables: the region-day lock/version rows, the tentative plan's entries and the
booking details of each TMF646 appointment (the appointment itself is
:class:`orders.models.Appointment`)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from inventory.orm_base import Base, UTCDateTime


class BookingRegionDay(Base):
    """One row per region and local day: the row bookings lock, and the plan's version.

    ``stamp`` changes with every change of that day's plan, so a process rebuilds its
    cached plan only when another one changed the day (a fresh database gets new stamps)."""

    __tablename__ = "booking_region_days"

    region: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    stamp: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PlannedJob(Base):
    """A job in a region-day's tentative plan: booked installs (with their window) and the
    pre-cables placed for them. ``engineer_id``/``seq`` keep the plan's route order so a
    rebuilt plan is the same plan; null when the plan could not place the job."""

    __tablename__ = "booking_plan_entries"
    __table_args__ = (Index("ix_booking_plan_entries_region_day", "region", "day"),)

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    region: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    engineer_id: Mapped[str | None] = mapped_column(String(64))
    seq: Mapped[int | None] = mapped_column(Integer)
    planned_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    appointment_id: Mapped[str | None] = mapped_column(ForeignKey("appointments.id"),
                                                       index=True)


class AppointmentBooking(Base):
    """How an appointment was booked: its slot, grade, hold expiry and pre-cable day."""

    __tablename__ = "appointment_bookings"

    appointment_id: Mapped[str] = mapped_column(ForeignKey("appointments.id"), primary_key=True)
    region: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    slot_label: Mapped[str] = mapped_column(String(32))
    grade: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    precable_job_id: Mapped[str | None] = mapped_column(String(48))
    precable_day: Mapped[date | None] = mapped_column(Date)
    status_reason: Mapped[str | None] = mapped_column(String(64))
