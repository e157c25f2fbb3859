"""The contract problem of one day (and region) built from the database.

- Engineers: everyone active with a shift that day (one entry per engineer-shift), from
  and back to home, with a 30-minute lunch break between 12:00 and 14:00 local time on
  shifts longer than six hours.
- Installs: booked for that day (their appointment window is a hard time window). An
  install whose pre-cable is neither done nor in the same day's problem is left out
  (``excluded``, reason ``precable_not_done``): the chain could not be kept.
- Pre-cables: due in their allowed range (``earliest_date`` ≤ day ≤ ``latest_date``) and
  before their install; the closer the install, the higher the priority (earliest first).
- Repairs and civils: open from ``earliest_date``, with their priority and window if any.
- Jobs already in progress or done that day (their sign-off's ``started_at``) are pinned to
  their engineer at the head of the route with their actual start as a point window and,
  when finished, their actual duration (frozen, see ``frozen``).

Times are seconds after local midnight of the day (``horizon_start``, given in UTC).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from orders.dispatch_models import RunStatus, ScheduleAssignment, ScheduleRun
from orders.errors import NotFound
from orders.models import Engineer, Job, Shift
from orders.signoff_models import JobSignoff
from orders.states import JobKind, JobStatus

TRAVEL = {"metric": "haversine", "speed_kmh": 30, "detour_factor": 1.3}
LUNCH = (time(12, 0), time(14, 0), 1800)
LUNCH_MIN_SHIFT_S = 6 * 3600
DONE_STATUSES = (JobStatus.IN_PROGRESS, JobStatus.COMPLETED)


@dataclass
class DayProblem:
    problem: dict[str, Any]
    frozen: dict[str, list[str]] = field(default_factory=dict)
    excluded: list[dict[str, Any]] = field(default_factory=list)


def midnight_utc(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def seconds(at: datetime, origin: datetime) -> int:
    return int(round((at - origin).total_seconds()))


def build_day_problem(session: Session, day: date, region: str | None,
                      tz: ZoneInfo) -> DayProblem:
    origin = midnight_utc(day, tz)
    engineers = _engineers(session, day, region, tz, origin)
    if not engineers:
        where = f"region {region!r}" if region else "any region"
        raise NotFound(f"no engineer is rostered on {day} in {where}", code="no_roster",
                       field="region" if region else "date")
    jobs, frozen, excluded = _jobs(session, day, region, tz, origin,
                                   {e["id"] for e in engineers})
    by_id = {j["id"]: j for j in jobs}
    for e in engineers:  # the day so far is history: start where the first started job is
        if frozen.get(e["id"]):
            first = by_id[frozen[e["id"]][0]]
            e["start"] = first["location"]
            e["shift"] = [min(e["shift"][0], first["time_windows"][0][0]), e["shift"][1]]
    problem = {"name": f"{region or 'all'}-{day.isoformat()}",
               "horizon_start": origin.isoformat(), "travel": dict(TRAVEL),
               "engineers": engineers, "jobs": jobs}
    return DayProblem(problem, frozen, excluded)


def _engineers(session: Session, day: date, region: str | None, tz: ZoneInfo,
               origin: datetime) -> list[dict[str, Any]]:
    q = (select(Engineer, Shift).join(Shift, Shift.engineer_id == Engineer.id)
         .where(Shift.date == day, Engineer.active.is_(True)).order_by(Engineer.id))
    if region is not None:
        q = q.where(Engineer.region == region)
    out = []
    for eng, shift in session.execute(q).all():
        start = seconds(datetime.combine(day, shift.start_time, tzinfo=tz), origin)
        end = seconds(datetime.combine(day, shift.end_time, tzinfo=tz), origin)
        home = [eng.home_lon, eng.home_lat]
        entry: dict[str, Any] = {"id": eng.id, "start": home, "end": home,
                                 "shift": [start, end], "skills": sorted(eng.skills)}
        lo = seconds(datetime.combine(day, LUNCH[0], tzinfo=tz), origin)
        hi = seconds(datetime.combine(day, LUNCH[1], tzinfo=tz), origin)
        if end - start > LUNCH_MIN_SHIFT_S and start <= lo and hi + LUNCH[2] <= end:
            entry["breaks"] = [{"window": [lo, hi], "duration": LUNCH[2]}]
        out.append(entry)
    return out


def _planned_elsewhere(session: Session, day: date) -> set[str]:
    """Jobs assigned by the current plan of another day (a pre-cable planned for Monday is
    not offered to Tuesday)."""
    q = (select(ScheduleAssignment.job_id)
         .join(ScheduleRun, ScheduleRun.id == ScheduleAssignment.run_id)
         .where(ScheduleRun.current.is_(True), ScheduleRun.status == RunStatus.DONE,
                ScheduleRun.date != day, ScheduleAssignment.engineer_id.is_not(None)))
    return set(session.scalars(q))


def _jobs(session: Session, day: date, region: str | None, tz: ZoneInfo, origin: datetime,
          rostered: set[str]) -> tuple[list[dict[str, Any]], dict[str, list[str]],
                                       list[dict[str, Any]]]:
    next_origin = midnight_utc(day + timedelta(days=1), tz)
    open_ = (JobStatus.PENDING, JobStatus.SCHEDULED)
    q = select(Job).where(or_(Job.status.in_(open_), Job.status.in_(DONE_STATUSES)))
    if region is not None:
        q = q.where(Job.region == region)
    candidates = list(session.scalars(q.order_by(Job.id)))
    elsewhere = _planned_elsewhere(session, day)
    by_id = {j.id: j for j in candidates}
    chosen: dict[str, Job] = {}
    frozen_rows: list[tuple[Job, datetime]] = []
    signoffs = {s.job_id: s for s in session.scalars(select(JobSignoff).where(
        JobSignoff.started_at >= origin, JobSignoff.started_at < next_origin))}
    for j in candidates:
        if j.status in DONE_STATUSES:
            so = signoffs.get(j.id)
            engineer = (so.engineer_id if so else None) or j.engineer_id
            if so is not None and so.started_at is not None and engineer in rostered:
                frozen_rows.append((j, so.started_at, so.finished_at, engineer))
            continue
        if j.id in elsewhere:
            continue
        booked = j.window_start is not None and origin <= j.window_start < next_origin
        if j.kind == JobKind.INSTALL:
            if booked:
                chosen[j.id] = j
        elif j.kind == JobKind.PRECABLE:
            if j.earliest_date <= day and (j.latest_date is None or j.latest_date >= day):
                chosen[j.id] = j
        elif j.earliest_date <= day or booked:
            chosen[j.id] = j
    # Pre-cables only before (or on the day of) their install.
    install_of = {j.predecessor_job_id: j for j in candidates
                  if j.kind == JobKind.INSTALL and j.predecessor_job_id}
    for pc_id in list(chosen):
        inst = install_of.get(pc_id)
        if chosen[pc_id].kind == JobKind.PRECABLE and inst is not None \
                and inst.window_start is not None and inst.window_start < origin:
            del chosen[pc_id]  # its install's day has passed: a rebook is needed first
    frozen_ids = {r[0].id for r in frozen_rows}
    excluded = []
    for jid in list(chosen):
        pred = chosen[jid].predecessor_job_id
        if pred is None or pred in chosen or pred in frozen_ids:
            continue
        pred_row = by_id.get(pred) or session.get(Job, pred)
        if pred_row is not None and pred_row.status == JobStatus.COMPLETED:
            continue
        excluded.append({"job": jid, "reason": "precable_not_done"})
        del chosen[jid]
    jobs: list[dict[str, Any]] = []
    frozen: dict[str, list[str]] = {}
    for j, started, finished, engineer in sorted(frozen_rows, key=lambda r: r[1]):
        at = seconds(started, origin)
        d = {**_job_dict(j, origin, day, install_of), "time_windows": [[at, at]],
             "engineer": engineer, "pin": "frozen"}
        if finished is not None and finished >= started:
            d["duration"] = seconds(finished, started)  # what it really took
        d.pop("after", None)  # already started: its chain is history
        jobs.append(d)
        frozen.setdefault(engineer, []).append(j.id)
    for j in chosen.values():
        jobs.append(_job_dict(j, origin, day, install_of))
    present = {d["id"] for d in jobs}
    for d in jobs:
        if d.get("after"):
            d["after"] = [p for p in d["after"] if p in present]
            if not d["after"]:
                del d["after"]
    return jobs, frozen, excluded


def _job_dict(j: Job, origin: datetime, day: date, install_of: dict[str, Job]
              ) -> dict[str, Any]:
    d: dict[str, Any] = {"id": j.id, "location": [j.lon, j.lat], "duration": j.duration_s,
                         "skills": sorted(j.skills), "priority": max(0, j.priority or 0),
                         "kind": j.kind}
    if j.order_id:
        d["order"] = j.order_id
    if j.window_start is not None and j.window_end is not None:
        lo, hi = seconds(j.window_start, origin), seconds(j.window_end, origin)
        if hi > 0 and lo < 86400:
            d["time_windows"] = [[max(lo, 0), min(hi, 86400)]]
    if j.predecessor_job_id:
        d["after"] = [j.predecessor_job_id]
    if j.kind == JobKind.PRECABLE:
        inst = install_of.get(j.id)
        urgency = 0
        if inst is not None and inst.window_start is not None:
            days_left = (inst.window_start.date() - day).days
            urgency = 3 if days_left <= 1 else 2 if days_left <= 3 else 1
        d["priority"] += urgency
    return d
