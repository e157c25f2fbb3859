"""Dispatch tables: schedule runs (a day's solve, a re-plan, or a stateless contract solve),
the stored plan per job, and the re-plan events with their diffs.

One writer per region-day: while a day run is queued or running its ``active_key``
(``DATE|REGION`` or ``DATE|*``) is set, and a unique constraint refuses a second one.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from inventory.orm_base import Base, UTCDateTime


class RunStatus:
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ScheduleRun(Base):
    __tablename__ = "schedule_runs"
    __table_args__ = (Index("ix_schedule_runs_day", "date", "region", "status"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # day | replan | solve
    date: Mapped[dt.date | None] = mapped_column(Date)
    region: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    active_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    current: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_run_id: Mapped[str | None] = mapped_column(ForeignKey("schedule_runs.id"))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    phase: Mapped[str | None] = mapped_column(String(64))
    time_limit_s: Mapped[float] = mapped_column(Float)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    problem: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    schedule: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Jobs of the day left out of the problem, with the reason (e.g. pre-cable not done).
    excluded: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    kpis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ScheduleAssignment(Base):
    """One job of a finished run: its engineer and planned times, or why it is unassigned."""

    __tablename__ = "schedule_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("schedule_runs.id"), index=True)
    job_id: Mapped[str] = mapped_column(String(48), index=True)
    engineer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    seq: Mapped[int | None] = mapped_column(Integer)
    planned_arrival: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    planned_start: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    planned_end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    unassigned_reason: Mapped[str | None] = mapped_column(String(64))


class ReplanEvent(Base):
    __tablename__ = "replan_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("schedule_runs.id"), index=True)
    result_run_id: Mapped[str | None] = mapped_column(ForeignKey("schedule_runs.id"))
    type: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    diff: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
