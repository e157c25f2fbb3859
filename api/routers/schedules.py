"""A day's schedule: request it, watch it, read it (JSON, GeoJSON, map, timeline), re-plan."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import DbDep, require
from api.roles import JOBS_READ, WORKFORCE_WRITE
from api.schemas.common import ID_PATTERN, responses
from api.schemas.dispatch import Event, Replan, Run, ScheduleRequest
from orders.auth import Principal
from orders.dispatch import post_event
from orders.maps import gantt_html, map_html, routes_geojson, routes_view
from orders.schedule_runs import (
    DayBeingSolved,
    events_of,
    get_run,
    request_day,
    run_documents,
)

router = APIRouter(prefix="/schedules", tags=["schedules"])
Dispatcher = Annotated[Principal, Depends(require(*WORKFORCE_WRITE))]
Reader = Annotated[Principal, Depends(require(*JOBS_READ))]
RunId = Annotated[str, Path(max_length=40, pattern=ID_PATTERN)]


def _busy(exc: DayBeingSolved) -> JSONResponse:
    """409 naming the run that holds the day (also in ``Location``)."""
    headers = {"Location": f"/schedules/{exc.run_id}"} if exc.run_id else None
    return JSONResponse({"code": exc.code, "message": exc.message, "status": 409,
                         "field": "date", "run_id": exc.run_id}, status_code=409,
                        headers=headers)


@router.post("", status_code=202, response_model=Run, responses={
    **responses(404, 409), 202: {"description": "Queued; poll GET /schedules/{id}"}},
    summary="Schedule a day (region omitted: all regions); solved by the worker")
def create(body: ScheduleRequest, db: DbDep, _: Dispatcher) -> Any:
    try:
        run = request_day(db, body.date, body.region, body.time_limit, body.seed)
    except DayBeingSolved as exc:
        return _busy(exc)
    return JSONResponse(Run(**run.__dict__).model_dump(mode="json"), status_code=202,
                        headers={"Location": f"/schedules/{run.id}"})


@router.get("/{run_id}", response_model=Run, responses=responses(404))
def status(run_id: RunId, db: DbDep, _: Reader) -> Run:
    return Run(**get_run(db, run_id, kind="day").__dict__)


@router.get("/{run_id}/routes", responses=responses(404, 409),
            summary="The plan: routes with local times, unassigned jobs with reasons, KPIs")
def routes(run_id: RunId, db: DbDep, _: Reader) -> dict[str, Any]:
    run, problem, schedule = run_documents(db, run_id, kind="day")
    out = routes_view(problem, schedule, run.excluded, db.settings.tz)
    out.update(run_id=run.id, date=run.date.isoformat() if run.date else None,
               region=run.region, kpis=run.kpis, events=events_of(db, run.id))
    return out


@router.get("/{run_id}/routes.geojson", responses=responses(404, 409),
            response_class=JSONResponse)
def geojson(run_id: RunId, db: DbDep, _: Reader) -> JSONResponse:
    _, problem, schedule = run_documents(db, run_id, kind="day")
    return JSONResponse(routes_geojson(problem, schedule, db.settings.tz),
                        media_type="application/geo+json")


@router.get("/{run_id}/map.html", response_class=HTMLResponse, responses=responses(404, 409))
async def map_page(run_id: RunId, db: DbDep, _: Reader) -> HTMLResponse:
    run, problem, schedule = await run_in_threadpool(run_documents, db, run_id, "day")
    page = await run_in_threadpool(map_html, problem, schedule, db.settings.tz, None,
                                   f"{problem['name']} ({run.id})")
    return HTMLResponse(page)


@router.get("/{run_id}/gantt.html", response_class=HTMLResponse, responses=responses(404, 409),
            summary="Per-engineer timeline")
def gantt(run_id: RunId, db: DbDep, _: Reader) -> HTMLResponse:
    run, problem, schedule = run_documents(db, run_id, kind="day")
    return HTMLResponse(gantt_html(problem, schedule, db.settings.tz,
                                   f"{problem['name']} ({run.id})"))


@router.post("/{run_id}/events", response_model=Replan, responses=responses(404, 409),
             summary="Report an event of the day; the rest of the day is re-planned")
async def event(run_id: RunId, body: Event, db: DbDep, _: Dispatcher) -> Any:
    try:
        out = await run_in_threadpool(post_event, db, run_id, body.as_event(), body.time_limit)
    except DayBeingSolved as exc:
        return _busy(exc)
    return Replan(**out)
