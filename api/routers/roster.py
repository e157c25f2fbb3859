"""Shifts per engineer and date (local times in FIELDSCHED_TIMEZONE)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from api.deps import DbDep, require
from api.roles import WORKFORCE_READ, WORKFORCE_WRITE
from api.routers.csv_body import CSV_REQUEST_BODY, read_csv
from api.schemas.common import ID_PATTERN, Region, responses
from api.schemas.workforce import ImportSummary, RosterIn, Shift, ShiftPage
from orders.auth import Principal
from orders.workforce import (
    ShiftInput,
    list_shifts,
    parse_hhmm,
    parse_roster_csv,
    upsert_shifts,
)

router = APIRouter(prefix="/roster", tags=["roster"])
Writer = Annotated[Principal, Depends(require(*WORKFORCE_WRITE))]
Reader = Annotated[Principal, Depends(require(*WORKFORCE_READ))]
Day = Annotated[dt.date | None, Query(description="YYYY-MM-DD")]


@router.get("", response_model=ShiftPage, responses=responses())
def roster(db: DbDep, _: Reader, date: Day = None,
           date_from: Annotated[dt.date | None, Query(alias="from")] = None,
           date_to: Annotated[dt.date | None, Query(alias="to")] = None,
           engineer_id: Annotated[str | None, Query(max_length=64, pattern=ID_PATTERN)] = None,
           region: Annotated[Region | None, Query()] = None,
           limit: Annotated[int, Query(ge=1, le=5000)] = 500,
           offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> ShiftPage:
    items, total = list_shifts(db, day=date, date_from=date_from, date_to=date_to,
                               engineer_id=engineer_id, region=region, limit=limit,
                               offset=offset)
    return ShiftPage(
        items=[Shift(engineer_id=s.engineer_id, date=s.date, start=s.start.strftime("%H:%M"),
                     end=s.end.strftime("%H:%M"), region=s.region) for s in items],
        total=total, limit=limit, offset=offset)


@router.post("", response_model=ImportSummary, responses=responses(),
             summary="Create or replace shifts (one per engineer and date)")
def put_shifts(body: RosterIn, db: DbDep, _: Writer) -> ImportSummary:
    shifts = [ShiftInput(s.engineer_id, s.date, parse_hhmm(s.start, f"shifts.{i}.start"),
                         parse_hhmm(s.end, f"shifts.{i}.end"))
              for i, s in enumerate(body.shifts)]
    result = upsert_shifts(db, shifts)
    return ImportSummary(created=result.created, updated=result.updated)


@router.post("/import", response_model=ImportSummary, responses=responses(413),
             openapi_extra=CSV_REQUEST_BODY,
             summary="Create or replace shifts from CSV: engineer_id,date,start,end")
async def import_roster(request: Request, db: DbDep, _: Writer) -> ImportSummary:
    text = await read_csv(request)
    result = await run_in_threadpool(lambda: upsert_shifts(db, parse_roster_csv(text)))
    return ImportSummary(created=result.created, updated=result.updated)
