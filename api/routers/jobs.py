"""Jobs as the scheduler sees them (dispatchers and analysts read them)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.deps import DbDep, require
from api.roles import JOBS_READ
from api.schemas.common import ID_PATTERN, Region, responses
from api.schemas.workforce import Job, JobKindName, JobPage, JobStatusName
from orders.auth import Principal
from orders.views import get_job, list_jobs

router = APIRouter(prefix="/jobs", tags=["jobs"])
Reader = Annotated[Principal, Depends(require(*JOBS_READ))]


@router.get("", response_model=JobPage, responses=responses())
def jobs(db: DbDep, _: Reader, region: Annotated[Region | None, Query()] = None,
         status: JobStatusName | None = None, kind: JobKindName | None = None,
         order_id: Annotated[str | None, Query(max_length=64, pattern=ID_PATTERN)] = None,
         available_on: Annotated[dt.date | None, Query(
             description="Jobs whose earliest..latest dates include this day")] = None,
         limit: Annotated[int, Query(ge=1, le=1000)] = 100,
         offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> JobPage:
    items, total = list_jobs(db, region=region, status=status, kind=kind, order_id=order_id,
                             available_on=available_on, limit=limit, offset=offset)
    return JobPage(items=[Job(**j.__dict__) for j in items], total=total, limit=limit,
                   offset=offset)


@router.get("/{job_id}", response_model=Job, responses=responses(404))
def job(job_id: Annotated[str, Path(max_length=64, pattern=ID_PATTERN)], db: DbDep,
        _: Reader) -> Job:
    return Job(**get_job(db, job_id).__dict__)
