"""The dispatcher's service calls around a day's plan: re-plan events and export.

Re-planning runs in the caller's worker (it is short: a warm-started repair of the day), but
it holds the region-day like any schedule run, so it never races a full solve of that day.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.orm import Session

from inventory.models import Premise
from orders import clock
from orders.db import Database
from orders.dispatch_models import ReplanEvent, RunStatus, ScheduleRun
from orders.dispatch_replan import build_replan, replan_documents, to_seconds
from orders.errors import InvalidInput, NotFound
from orders.models import Job
from orders.schedule_runs import (
    claim_day,
    current_run_id,
    get_run,
    run_documents,
    store_result,
)
from orders.states import OPEN_JOB_STATUSES, JobKind, JobStatus

log = logging.getLogger(__name__)
REPLAN_TIME_LIMIT_S = 5.0


def _jsonable(event: dict[str, Any]) -> dict[str, Any]:
    def conv(v: Any) -> Any:
        if isinstance(v, datetime):
            return v.isoformat()
        if isinstance(v, list | tuple):
            return [conv(x) for x in v]
        return v

    return {k: conv(v) for k, v in event.items() if v is not None}


def _event_time(event: dict[str, Any], problem: dict[str, Any]) -> float:
    at = event.get("from") if event["type"] == "engineer_unavailable" else event.get("at")
    if event["type"] in ("engineer_unavailable", "job_finished_early") and at is None:
        key = "from" if event["type"] == "engineer_unavailable" else "at"
        raise InvalidInput(f"{event['type']} needs {key!r}", field=key)
    return to_seconds(at or clock.now(), problem)


def _resolve_location(session: Session, event: dict[str, Any]) -> dict[str, Any]:
    if event["type"] != "emergency_job" or event.get("location") is not None:
        return event
    premise_id = event.get("premise")
    if premise_id is None:
        raise InvalidInput("emergency_job needs 'location' [lon, lat] or 'premise'",
                           field="location")
    premise = session.get(Premise, premise_id)
    if premise is None:
        raise InvalidInput(f"unknown premise {premise_id!r}", field="premise")
    return {**event, "location": [premise.lon, premise.lat]}


def post_event(db: Database, run_id: str, event: dict[str, Any],
               time_limit: float = REPLAN_TIME_LIMIT_S) -> dict[str, Any]:
    """Apply ``event`` to the day's current plan and store the re-plan; returns its diff."""
    with db.read() as session:
        base = session.get(ScheduleRun, run_id)
        if base is None or base.kind == "solve" or base.date is None:
            raise NotFound(f"no schedule run {run_id!r}")
        day, region = base.date, base.region
        event = _resolve_location(session, event)
    current = current_run_id(db, day, region)
    cur, problem, schedule = run_documents(db, current)
    t = _event_time(event, problem)
    build_replan(problem, schedule, event, t)  # validate before taking the day

    def claim(session: Session) -> str:
        run = claim_day(session, day, region, "replan", cur.id, time_limit, cur.seed)
        run.status, run.started_at, run.phase = RunStatus.RUNNING, clock.now(), "re-plan"
        return run.id

    new_id = db.run(claim)
    try:
        out = replan_documents(problem, schedule, event, t, db.settings.tz, time_limit,
                               cur.seed)
    except Exception as exc:
        _fail(db, new_id, exc)
        raise
    body = _jsonable(event)

    def store(session: Session) -> int:
        store_result(db, new_id, out["problem"], out["schedule"],
                     (cur.excluded or []) + out["removed"], session=session)
        _side_effects(session, event, out, day, region)
        row = ReplanEvent(run_id=cur.id, result_run_id=new_id, type=event["type"],
                          body=body, diff=out["diff"], created_at=clock.now())
        session.add(row)
        session.flush()
        return row.id

    try:
        event_id = db.run(store)
    except Exception as exc:
        _fail(db, new_id, exc)
        raise
    return {"event_id": event_id, "run_id": new_id, "parent_run_id": cur.id,
            "type": event["type"], "diff": out["diff"], "kpis": get_run(db, new_id).kpis}


def _fail(db: Database, run_id: str, exc: BaseException) -> None:
    def work(session: Session) -> None:
        session.execute(update(ScheduleRun).where(ScheduleRun.id == run_id).values(
            status=RunStatus.FAILED, active_key=None, finished_at=clock.now(),
            error=f"{exc.__class__.__name__}: {exc}"[:2000]))

    db.run(work)


def _side_effects(session: Session, event: dict[str, Any], out: dict[str, Any], day: date,
                  region: str | None) -> None:
    """What the event means for the jobs table: a new repair job; a failed visit."""
    now = clock.now()
    if event["type"] == "emergency_job":
        jid = out["diff"]["new_jobs"][0]
        job = next(j for j in out["problem"]["jobs"] if j["id"] == jid)
        origin = datetime.fromisoformat(out["problem"]["horizon_start"])
        window = job.get("time_windows", [[None, None]])[0] if event.get("window") else None
        session.add(Job(
            id=jid, order_seq=0, order_id=None, kind=JobKind.REPAIR, status=JobStatus.PENDING,
            duration_s=job["duration"], skills=job["skills"], lon=job["location"][0],
            lat=job["location"][1], premise_id=event.get("premise"), region=region,
            priority=job["priority"], needs_appointment=False,
            window_start=origin + timedelta(seconds=window[0]) if window else None,
            window_end=origin + timedelta(seconds=window[1]) if window else None,
            earliest_date=day, created_at=now, updated_at=now))
    elif event["type"] == "customer_absent":
        row = session.get(Job, event["job"])
        if row is not None and row.status in OPEN_JOB_STATUSES:
            # the same path as the engineer's own "fail": appointment failed, order held
            # for a rebook (installs) or a follow-up job, and billing told of the hold
            from orders.signoff import record_failure  # sign-off imports the dispatch models

            record_failure(session, None, row.id, "customer_absent",
                           "customer absent, reported by the dispatcher", now)


def export_day(db: Database, day: date, region: str | None
               ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The current plan of a region-day as a contract problem and schedule."""
    _, problem, schedule = run_documents(db, current_run_id(db, day, region))
    return problem, schedule


def engineer_table(problem: dict[str, Any], schedule: dict[str, Any],
                   tz: ZoneInfo) -> list[dict[str, Any]]:
    """One row per rostered engineer: jobs, first start, last end, utilisation."""
    origin = datetime.fromisoformat(problem["horizon_start"])
    by_eng = {r["engineer"]: r for r in schedule["routes"]}

    def hhmm(secs: float) -> str:
        return (origin + timedelta(seconds=secs)).astimezone(tz).strftime("%H:%M")

    rows = []
    for e in problem["engineers"]:
        r = by_eng.get(e["id"])
        jobs = [s for s in (r["steps"] if r else []) if s["type"] == "job"]
        work = sum(s["end"] - s["start"] for s in jobs)
        shift = e["shift"][1] - e["shift"][0]
        rows.append({"engineer": e["id"], "jobs": len(jobs),
                     "first": hhmm(jobs[0]["start"]) if jobs else "-",
                     "last": hhmm(jobs[-1]["end"]) if jobs else "-",
                     "utilisation": round(work / shift, 2) if shift else 0.0})
    return rows
