"""Region-day tentative plans: built from the database, cached per process, locked for
booking.

A region-day's plan holds that day's rostered engineers of the region and the jobs of its
:class:`PlannedJob` rows (booked installs with their windows, pre-cables placed for them),
in the route order stored with them. The plan is cached in-process and rebuilt only when
the day's ``stamp`` in :class:`BookingRegionDay` differs (another process changed the day)
or after ``plan_ttl_s`` (roster edits do not bump stamps).

Bookings lock region-day rows in ascending day order (PostgreSQL: ``SELECT ... FOR
UPDATE``; SQLite: every writing transaction already holds the database's write lock).
"""
from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from orders import clock
from orders.booking_models import BookingRegionDay, PlannedJob
from orders.booking_settings import BookingSettings
from orders.models import Engineer, Job, Shift
from orders.states import OPEN_JOB_STATUSES
from scheduler.model import TravelSpec
from scheduler.slots import DayPlan, SlotJob


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """Local midnight of ``day`` as a UTC instant: time zero of the day's plan."""
    return datetime.combine(day, datetime.min.time(), tzinfo=tz).astimezone(UTC)


def seconds(at: datetime, day: date, tz: ZoneInfo) -> float:
    return (at - day_start(day, tz)).total_seconds()


def local_instant(day: date, hhmm, tz: ZoneInfo) -> datetime:  # type: ignore[no-untyped-def]
    return datetime.combine(day, hhmm, tzinfo=tz).astimezone(UTC)


def slot_job(job: Job) -> SlotJob:
    return SlotJob(job.id, (job.lon, job.lat), float(job.duration_s), frozenset(job.skills))


def travel_spec(bs: BookingSettings) -> TravelSpec:
    return TravelSpec("haversine", bs.travel_speed_kmh, bs.travel_detour_factor)


# -- building from the database -----------------------------------------------------------

def day_engineers(session: Session, region: str, day: date, tz: ZoneInfo,
                  bs: BookingSettings) -> list[dict]:
    """The region's rostered engineers on ``day`` as contract engineers."""
    rows = session.execute(
        select(Engineer, Shift).join(Shift, Shift.engineer_id == Engineer.id)
        .where(Engineer.region == region, Engineer.active.is_(True), Shift.date == day)
        .order_by(Engineer.id)).all()
    out = []
    for eng, shift in rows:
        lo = seconds(local_instant(day, shift.start_time, tz), day, tz)
        hi = seconds(local_instant(day, shift.end_time, tz), day, tz)
        e = {"id": eng.id, "start": [eng.home_lon, eng.home_lat],
             "end": [eng.home_lon, eng.home_lat], "shift": [lo, hi],
             "skills": sorted(eng.skills)}
        if bs.break_window and bs.break_minutes:

            b_lo = seconds(local_instant(day, dtime.fromisoformat(bs.break_window[0]), tz), day, tz)
            b_hi = seconds(local_instant(day, dtime.fromisoformat(bs.break_window[1]), tz), day, tz)
            if lo <= b_lo and b_hi <= hi:
                e["breaks"] = [{"window": [b_lo, b_hi], "duration": bs.break_minutes * 60}]
        out.append(e)
    return out


def day_jobs(session: Session, region: str, day: date, tz: ZoneInfo
             ) -> tuple[list[dict], dict[str, list[str]]]:
    """The jobs of the day's plan (contract jobs) and the stored route order."""
    rows = session.execute(
        select(PlannedJob, Job).join(Job, Job.id == PlannedJob.job_id)
        .where(PlannedJob.region == region, PlannedJob.day == day,
               Job.status.in_([s.value for s in OPEN_JOB_STATUSES]))
        .order_by(PlannedJob.engineer_id, PlannedJob.seq, PlannedJob.job_id)).all()
    jobs, routes = [], {}
    for entry, job in rows:
        d = {"id": job.id, "location": [job.lon, job.lat], "duration": job.duration_s,
             "skills": sorted(job.skills), "order": job.order_id}
        if job.window_start is not None and job.window_end is not None and \
                job.kind != "precable":
            d["time_windows"] = [[seconds(job.window_start, day, tz),
                                  seconds(job.window_end, day, tz)]]
        jobs.append(d)
        if entry.engineer_id is not None:
            routes.setdefault(entry.engineer_id, []).append(job.id)
    return jobs, routes


def build_day_plan(session: Session, region: str, day: date, tz: ZoneInfo,
                   bs: BookingSettings) -> DayPlan:
    engineers = day_engineers(session, region, day, tz, bs)
    jobs, routes = day_jobs(session, region, day, tz)
    return DayPlan(engineers, jobs, travel_spec(bs), routes, spare=16,
                   horizon_start=day_start(day, tz).isoformat())


# -- versions and locks ---------------------------------------------------------------------

def stamps(session: Session, region: str, days: Iterable[date]) -> dict[date, str]:
    days = list(days)
    rows = session.execute(select(BookingRegionDay.day, BookingRegionDay.stamp).where(
        BookingRegionDay.region == region, BookingRegionDay.day.in_(days))).all()
    got = {d: s for d, s in rows}
    return {d: got.get(d, "") for d in days}


def lock_days(session: Session, region: str, days: Iterable[date]) -> dict[date, BookingRegionDay]:
    """Create (if missing) and lock the region-day rows, in ascending day order."""
    days = sorted(set(days))
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    now = clock.now()
    for d in days:
        session.execute(insert(BookingRegionDay).values(
            region=region, day=d, version=0, stamp="", updated_at=now
        ).on_conflict_do_nothing())
    rows = session.scalars(select(BookingRegionDay).where(
        BookingRegionDay.region == region, BookingRegionDay.day.in_(days))
        .order_by(BookingRegionDay.day).with_for_update()).all()
    return {r.day: r for r in rows}


def bump(row: BookingRegionDay) -> str:
    row.version += 1
    row.stamp = uuid.uuid4().hex
    row.updated_at = clock.now()
    return row.stamp


def sync_entries(session: Session, plan: DayPlan, region: str, day: date, tz: ZoneInfo,
                 engineers: Iterable[str]) -> None:
    """Store the route order of ``engineers``' routes (after a change to them)."""
    engineers = set(engineers)
    if not engineers:
        return
    placed = {j: a for j, a in plan.assignments().items() if a[0] in engineers}
    if not placed:
        return
    t0 = day_start(day, tz)
    rows = session.scalars(select(PlannedJob).where(PlannedJob.job_id.in_(list(placed))))
    for row in rows:
        eng, pos, start = placed[row.job_id]
        row.engineer_id, row.seq = eng, pos
        row.planned_start = t0 + timedelta(seconds=start)


# -- the per-process cache --------------------------------------------------------------

@dataclass
class _Entry:
    stamp: str
    built: float
    plan: DayPlan


class PlanCache:
    """Plans per (database, region, day), valid while their stamp matches the database."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str, date], _Entry] = {}
        self.rebuilds = 0

    def get(self, session: Session, key_db: str, region: str, day: date, stamp: str,
            tz: ZoneInfo, bs: BookingSettings) -> DayPlan:
        key = (key_db, region, day)
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry.stamp == stamp and \
                time.monotonic() - entry.built < bs.plan_ttl_s:
            return entry.plan
        plan = build_day_plan(session, region, day, tz, bs)
        with self._lock:
            self.rebuilds += 1
            self._entries[key] = _Entry(stamp, time.monotonic(), plan)
        return plan

    def restamp(self, key_db: str, region: str, day: date, old: str, new: str) -> None:
        """The plan was changed in this process and the change is being committed."""
        with self._lock:
            entry = self._entries.get((key_db, region, day))
            if entry is not None and entry.stamp == old:
                entry.stamp = new

    def invalidate(self, key_db: str, region: str, days: Iterable[date]) -> None:
        with self._lock:
            for d in days:
                self._entries.pop((key_db, region, d), None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


CACHE = PlanCache()
