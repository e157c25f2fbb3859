"""Schedule runs: request a day's schedule (or a stateless contract solve), let the worker
solve it, store the plan per job, and read it back.

A run moves ``queued → running → done | failed``. Day runs hold their region-day's
``active_key`` while queued or running, so there is never more than one writer of a
day's routes: a second request gets :class:`DayBeingSolved` naming the run in charge.
The newest finished run of a region-day is its ``current`` plan.
"""
from __future__ import annotations

import logging
import secrets
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orders import booking, clock
from orders.booking_models import PlannedJob
from orders.db import Database
from orders.dispatch_models import ReplanEvent, RunStatus, ScheduleAssignment, ScheduleRun
from orders.dispatch_problem import build_day_problem
from orders.errors import Conflict, InvalidInput, NotFound
from orders.models import Engineer, Shift
from scheduler import Problem, ProblemError, SolveOptions, solve

log = logging.getLogger(__name__)

DECOMPOSE_ABOVE_JOBS = 800
MAX_SOLVE_JOBS = 5000
MAX_SOLVE_ENGINEERS = 500
DEFAULT_TIME_LIMIT_S = 30.0


class DayBeingSolved(Conflict):
    code = "day_being_solved"

    def __init__(self, run_id: str, message: str):
        super().__init__(message)
        self.run_id = run_id


class ProblemTooLarge(InvalidInput):
    code = "problem_too_large"


@dataclass(frozen=True)
class RunView:
    id: str
    kind: str
    date: date | None
    region: str | None
    status: str
    progress: float
    phase: str | None
    current: bool
    parent_run_id: str | None
    kpis: dict[str, Any] | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def new_run_id() -> str:
    return "SR-" + secrets.token_hex(8)


def day_key(day: date, region: str | None) -> str:
    return f"{day.isoformat()}|{region or '*'}"


def run_view(r: ScheduleRun) -> RunView:
    return RunView(r.id, r.kind, r.date, r.region, r.status, r.progress, r.phase, r.current,
                   r.parent_run_id, r.kpis, r.error, r.created_at, r.started_at, r.finished_at)


# -- requesting ---------------------------------------------------------------------------

def _lock_day(session: Session, day: date) -> None:
    """Serialise run creation per date (PostgreSQL advisory lock; SQLite has one writer)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                        {"k": zlib.crc32(f"fieldsched-day-{day}".encode())})


def _active_overlap(session: Session, day: date, region: str | None) -> ScheduleRun | None:
    """A queued or running run writing this region-day (or all regions of the day)."""
    q = select(ScheduleRun).where(ScheduleRun.date == day,
                                  ScheduleRun.active_key.is_not(None))
    for r in session.scalars(q):
        if region is None or r.region is None or r.region == region:
            return r
    return None


def claim_day(session: Session, day: date, region: str | None, kind: str,
              parent: str | None, time_limit: float, seed: int) -> ScheduleRun:
    """Create a queued run holding the region-day, or raise :class:`DayBeingSolved`."""
    _lock_day(session, day)
    busy = _active_overlap(session, day, region)
    if busy is not None:
        raise DayBeingSolved(busy.id, f"{day} ({busy.region or 'all regions'}) is being "
                             f"solved by run {busy.id} ({busy.status})")
    run = ScheduleRun(id=new_run_id(), kind=kind, date=day, region=region,
                      status=RunStatus.QUEUED, active_key=day_key(day, region), current=False,
                      parent_run_id=parent, progress=0.0, time_limit_s=time_limit, seed=seed,
                      created_at=clock.now())
    session.add(run)
    session.flush()
    return run


def request_day(db: Database, day: date, region: str | None,
                time_limit: float = DEFAULT_TIME_LIMIT_S, seed: int = 0) -> RunView:
    """Queue the schedule of ``day`` (``region`` None: all regions)."""
    def work(session: Session) -> RunView:
        q = select(Shift.id).join(Engineer, Engineer.id == Shift.engineer_id).where(
            Shift.date == day, Engineer.active.is_(True))
        if region is not None:
            q = q.where(Engineer.region == region)
        if session.scalars(q.limit(1)).first() is None:
            where = f"region {region!r}" if region else "any region"
            raise NotFound(f"no engineer is rostered on {day} in {where}", code="no_roster",
                           field="region" if region else "date")
        return run_view(claim_day(session, day, region, "day", None, time_limit, seed))

    try:
        return db.run(work)
    except IntegrityError:  # the unique active_key: another request won the race
        with db.read() as session:
            busy = _active_overlap(session, day, region)
        raise DayBeingSolved(busy.id if busy else "", f"{day} is being solved") from None


def validate_contract_problem(data: Any) -> Problem:
    """A contract problem within the size limits; 422 names the field, 413 the size."""
    if not isinstance(data, dict):
        raise InvalidInput("a contract problem must be a JSON object", field="body")
    jobs, engineers = data.get("jobs"), data.get("engineers")
    if isinstance(jobs, list) and len(jobs) > MAX_SOLVE_JOBS:
        raise ProblemTooLarge(f"{len(jobs)} jobs; at most {MAX_SOLVE_JOBS}", field="jobs")
    if isinstance(engineers, list) and len(engineers) > MAX_SOLVE_ENGINEERS:
        raise ProblemTooLarge(f"{len(engineers)} engineers; at most {MAX_SOLVE_ENGINEERS}",
                              field="engineers")
    try:
        return Problem.from_dict(data)
    except ProblemError as exc:
        first = exc.errors[0] if exc.errors else "body: invalid problem"
        path, _, message = first.partition(": ")
        field = path.replace("[", ".").replace("]", "") or "body"
        more = f" (and {len(exc.errors) - 1} more: {'; '.join(exc.errors[1:5])})" \
            if len(exc.errors) > 1 else ""
        raise InvalidInput(f"{first}{more}", code="invalid_problem", field=field) from None


def request_solve(db: Database, data: dict[str, Any], time_limit: float = 10.0,
                  seed: int = 0) -> RunView:
    """Queue a stateless solve of a contract problem (validated first)."""
    validate_contract_problem(data)

    def work(session: Session) -> RunView:
        run = ScheduleRun(id=new_run_id(), kind="solve", status=RunStatus.QUEUED,
                          current=False, progress=0.0, time_limit_s=time_limit, seed=seed,
                          problem=data, created_at=clock.now())
        session.add(run)
        session.flush()
        return run_view(run)

    return db.run(work)


# -- reading ------------------------------------------------------------------------------

def get_run(db: Database, run_id: str, kind: str | None = None) -> RunView:
    with db.read() as session:
        return run_view(_load(session, run_id, kind))


def _load(session: Session, run_id: str, kind: str | None = None) -> ScheduleRun:
    run = session.get(ScheduleRun, run_id)
    if run is None or (kind is not None and (kind == "solve") != (run.kind == "solve")):
        raise NotFound(f"no run {run_id!r}")
    return run


def run_documents(db: Database, run_id: str, kind: str | None = None
                  ) -> tuple[ScheduleRun, dict[str, Any], dict[str, Any]]:
    """A finished run with its contract problem and schedule."""
    with db.read() as session:
        run = _load(session, run_id, kind)
        if run.status != RunStatus.DONE or run.problem is None or run.schedule is None:
            raise Conflict(f"run {run_id} is {run.status}, not done", code="run_not_done")
        session.expunge(run)
        return run, run.problem, run.schedule


def current_run_id(db: Database, day: date, region: str | None) -> str:
    with db.read() as session:
        rid = session.scalars(select(ScheduleRun.id).where(
            ScheduleRun.date == day, ScheduleRun.region.is_(None) if region is None
            else ScheduleRun.region == region, ScheduleRun.current.is_(True))).first()
    if rid is None:
        raise NotFound(f"no finished schedule for {day} ({region or 'all regions'})",
                       code="no_schedule")
    return rid


# -- executing (the worker) ---------------------------------------------------------------

def claim_next(db: Database) -> str | None:
    """Mark the oldest queued run running and return its id (None when there is none)."""
    def work(session: Session) -> str | None:
        rid = session.scalars(select(ScheduleRun.id).where(
            ScheduleRun.status == RunStatus.QUEUED).order_by(ScheduleRun.created_at)
            .limit(1)).first()
        if rid is None:
            return None
        done = session.execute(update(ScheduleRun).where(
            ScheduleRun.id == rid, ScheduleRun.status == RunStatus.QUEUED).values(
            status=RunStatus.RUNNING, started_at=clock.now(), phase="starting"))
        return rid if done.rowcount == 1 else None  # type: ignore[attr-defined]

    return db.run(work)


def requeue_abandoned(db: Database) -> int:
    """Runs left ``running`` by a worker that died go back to the queue (one worker)."""
    def work(session: Session) -> int:
        res = session.execute(update(ScheduleRun).where(
            ScheduleRun.status == RunStatus.RUNNING, ScheduleRun.kind != "replan").values(
            status=RunStatus.QUEUED, phase="requeued"))
        return int(res.rowcount or 0)  # type: ignore[attr-defined]

    return db.run(work)


def _progress_writer(db: Database, run_id: str) -> Callable[[str, float], None]:
    last = [0.0]

    def tick(phase: str, frac: float) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and frac < 1.0:
            return
        last[0] = now

        def work(session: Session) -> None:
            session.execute(update(ScheduleRun).where(ScheduleRun.id == run_id).values(
                phase=phase[:64], progress=round(min(max(frac, 0.0), 1.0), 3)))

        try:
            db.run(work)
        except Exception:  # progress is informative; never fail the solve for it
            log.debug("progress update failed", exc_info=True)

    return tick


def solve_contract(data: dict[str, Any], options: SolveOptions,
                   progress: Callable[[str, float], None] | None = None) -> dict[str, Any]:
    """The project's solver on a contract problem (decomposed above a size)."""
    problem = Problem.from_dict(data)
    if len(problem.jobs) > DECOMPOSE_ABOVE_JOBS and not options.frozen \
            and options.warm_start is None:
        from scheduler.decompose import solve_decomposed
        return solve_decomposed(problem, options, progress=progress).to_dict()
    return solve(problem, options, progress=progress).to_dict()


def booked_plan(db: Database, day: date, region: str | None) -> dict[str, Any] | None:
    """The booking service's tentative routes for the day: every booked job was inserted
    into them with its window, so the day's solve starts from a plan that keeps them all
    (a cold start can lose a few booked jobs on a full day)."""
    with db.read() as session:
        regions = [region] if region else sorted(set(session.scalars(
            select(PlannedJob.region).where(PlannedJob.day == day))))
    routes: list[dict[str, Any]] = []
    for name in regions:
        routes += booking.tentative_day(db, name, day)[1].get("routes", [])
    return {"routes": routes} if routes else None


def execute_run(db: Database, run_id: str) -> RunView:
    """Solve one claimed run and store the result (a failure is stored, not raised)."""
    tick = _progress_writer(db, run_id)
    try:
        with db.read() as session:
            run = _load(session, run_id)
            kind, day, region = run.kind, run.date, run.region
            opts = SolveOptions(time_limit=run.time_limit_s, seed=run.seed)
            if kind == "day":
                assert day is not None
                built = build_day_problem(session, day, region, db.settings.tz)
                data, excluded = built.problem, built.excluded
                opts = SolveOptions(time_limit=run.time_limit_s, seed=run.seed,
                                    frozen=built.frozen)
            else:
                data, excluded = dict(run.problem or {}), []
        if kind == "day" and len(data.get("jobs", [])) <= DECOMPOSE_ABOVE_JOBS:
            assert day is not None
            opts = replace(opts, warm_start=booked_plan(db, day, region))
        tick("solve", 0.0)
        schedule = solve_contract(data, opts, tick)
        store_result(db, run_id, data, schedule, excluded)
    except Exception as exc:
        log.exception("schedule run %s failed", run_id)
        message = getattr(exc, "message", None) or f"{exc.__class__.__name__}: {exc}"

        def fail(session: Session) -> None:
            session.execute(update(ScheduleRun).where(ScheduleRun.id == run_id).values(
                status=RunStatus.FAILED, error=str(message)[:2000], active_key=None,
                finished_at=clock.now()))

        db.run(fail)
    return get_run(db, run_id)


def run_pending(db: Database, limit: int = 100) -> int:
    """Execute queued runs in this process (the worker's loop body; tests, the CLI)."""
    n = 0
    while n < limit:
        rid = claim_next(db)
        if rid is None:
            break
        execute_run(db, rid)
        n += 1
    return n


# -- storing ------------------------------------------------------------------------------

def kpis_of(problem: dict[str, Any], schedule: dict[str, Any],
            excluded: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Jobs, travel, utilisation (work / shift time of the engineers used), on-window rate
    (jobs with a window that are planned inside it, over all jobs with a window)."""
    jobs = {j["id"]: j for j in problem.get("jobs", [])}
    engineers = {e["id"]: e for e in problem.get("engineers", [])}
    work = shift = 0.0
    in_window = 0
    for route in schedule.get("routes", []):
        e = engineers.get(route["engineer"])
        if e:
            shift += e["shift"][1] - e["shift"][0]
        for s in route["steps"]:
            if s["type"] != "job":
                continue
            work += s["end"] - s["start"]
            tws = jobs.get(s["job"], {}).get("time_windows")
            if tws and any(lo <= s["start"] <= hi for lo, hi in tws):
                in_window += 1
    windowed = sum(1 for j in jobs.values() if j.get("time_windows"))
    summary = schedule.get("summary", {})
    return {
        "jobs": len(jobs), "assigned": summary.get("assigned", 0),
        "unassigned": summary.get("unassigned", 0), "excluded": len(excluded or []),
        "engineers": len(engineers), "engineers_used": summary.get("engineers_used", 0),
        "travel_time_s": summary.get("travel_time", 0), "distance_m": summary.get("distance", 0),
        "utilisation": round(work / shift, 4) if shift else 0.0,
        "on_window_rate": round(in_window / windowed, 4) if windowed else 1.0,
    }


def store_result(db: Database, run_id: str, problem: dict[str, Any],
                 schedule: dict[str, Any], excluded: list[dict[str, Any]] | None = None,
                 session: Session | None = None) -> None:
    def work(s: Session) -> None:
        run = s.get(ScheduleRun, run_id, with_for_update=True)
        assert run is not None
        run.problem, run.schedule, run.excluded = problem, schedule, excluded or []
        run.kpis = kpis_of(problem, schedule, excluded)
        run.status, run.progress, run.phase = RunStatus.DONE, 1.0, "done"
        run.active_key, run.finished_at = None, clock.now()
        if run.kind != "solve":
            s.execute(update(ScheduleRun).where(
                ScheduleRun.date == run.date, ScheduleRun.id != run.id,
                ScheduleRun.region.is_(None) if run.region is None
                else ScheduleRun.region == run.region).values(current=False))
            run.current = True
            s.execute(delete(ScheduleAssignment).where(ScheduleAssignment.run_id == run.id))
            s.add_all(_assignments(run.id, schedule, excluded or [], _origin(problem)))

    if session is not None:
        work(session)
    else:
        db.run(work)


def _origin(problem: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(problem["horizon_start"])


def at(origin: datetime, secs: float | None) -> datetime | None:
    return None if secs is None else origin + timedelta(seconds=float(secs))


def _assignments(run_id: str, schedule: dict[str, Any], excluded: list[dict[str, Any]],
                 origin: datetime) -> list[ScheduleAssignment]:
    rows = []
    for route in schedule["routes"]:
        seq = 0
        for s in route["steps"]:
            if s["type"] == "job":
                rows.append(ScheduleAssignment(
                    run_id=run_id, job_id=s["job"], engineer_id=route["engineer"], seq=seq,
                    planned_arrival=at(origin, s["arrival"]), planned_start=at(origin, s["start"]),
                    planned_end=at(origin, s["end"])))
                seq += 1
    for u in list(schedule["unassigned"]) + list(excluded):
        rows.append(ScheduleAssignment(run_id=run_id, job_id=u["job"],
                                       unassigned_reason=u["reason"]))
    return rows


def events_of(db: Database, run_id: str) -> list[dict[str, Any]]:
    with db.read() as session:
        rows = session.scalars(select(ReplanEvent).where(ReplanEvent.run_id == run_id)
                               .order_by(ReplanEvent.id))
        return [{"id": e.id, "type": e.type, "body": e.body, "result_run_id": e.result_run_id,
                 "diff": e.diff, "created_at": e.created_at.isoformat()} for e in rows]
