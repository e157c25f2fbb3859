"""Field sign-off for engineers: their day's jobs; start, complete or fail a job."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.deps import DbDep, require
from api.roles import ENGINEER_SELF
from api.schemas.common import ID_PATTERN, responses
from api.schemas.field import (
    CompleteBody,
    EngineerDay,
    EngineerJob,
    FailBody,
    JobOutcome,
    Signoff,
    StartBody,
)
from api.schemas.workforce import Job
from orders import clock
from orders.auth import Principal
from orders.errors import NotFound
from orders.signoff import JobOutcome as JobOutcomeView
from orders.signoff import (
    SignoffData,
    complete_job,
    fail_job,
    jobs_for_engineer,
    start_job,
)

router = APIRouter(tags=["field"])
JobId = Annotated[str, Path(max_length=64, pattern=ID_PATTERN)]
Engineer = Annotated[Principal, Depends(require(*ENGINEER_SELF))]


def _outcome(o: JobOutcomeView) -> JobOutcome:
    return JobOutcome(job=Job(**o.job.__dict__), order_state=o.order_state,
                      follow_up_job_ids=o.follow_up_job_ids, line_test=o.line_test,
                      message=o.message)


@router.get("/engineers/me/jobs", response_model=EngineerDay, responses=responses(404),
            summary="The calling engineer's jobs on a day (default: today)")
def my_jobs(db: DbDep, caller: Engineer,
            date: Annotated[dt.date | None, Query(description="Local date")] = None
            ) -> EngineerDay:
    if caller.engineer_id is None:
        raise NotFound("this key does not speak for an engineer")
    day = date or clock.today(db.settings.tz)
    items = jobs_for_engineer(db, caller.engineer_id, day)
    return EngineerDay(engineer_id=caller.engineer_id, date=day.isoformat(), jobs=[
        EngineerJob(**i.job.__dict__, order_state=i.order_state,
                    order_external_id=i.order_external_id,
                    assigned_ont_serial=i.assigned_ont_serial,
                    signoff=Signoff(**i.signoff.__dict__) if i.signoff else None)
        for i in items])


@router.post("/jobs/{job_id}/start", response_model=Job, responses=responses(404, 409))
def start(job_id: JobId, db: DbDep, caller: Engineer, body: StartBody | None = None) -> Job:
    view = start_job(db, caller.engineer_id, job_id, body.started_at if body else None)
    return Job(**view.__dict__)


@router.post("/jobs/{job_id}/complete", response_model=JobOutcome,
             responses=responses(404, 409),
             summary="Sign a job off; an install is then provisioned and line-tested")
def complete(job_id: JobId, body: CompleteBody, db: DbDep, caller: Engineer) -> JobOutcome:
    data = SignoffData(notes=body.notes, ont_serial=body.ont_serial,
                       rx_power_dbm=body.rx_power_dbm, started_at=body.started_at,
                       completed_at=body.completed_at)
    return _outcome(complete_job(db, caller.engineer_id, job_id, data))


@router.post("/jobs/{job_id}/fail", response_model=JobOutcome, responses=responses(404, 409))
def fail(job_id: JobId, body: FailBody, db: DbDep, caller: Engineer) -> JobOutcome:
    return _outcome(fail_job(db, caller.engineer_id, job_id, body.reason, body.notes,
                             body.failed_at))
