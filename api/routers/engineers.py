"""Engineers (dispatcher/admin write, analyst reads; an engineer sees itself)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import DbDep, require
from api.roles import ENGINEER_SELF, WORKFORCE_READ, WORKFORCE_WRITE
from api.routers.csv_body import CSV_REQUEST_BODY, read_csv
from api.schemas.common import ID_PATTERN, Region, responses
from api.schemas.workforce import (
    Engineer,
    EngineerBody,
    EngineerCreate,
    EngineerPage,
    ImportSummary,
)
from orders.auth import Principal
from orders.errors import NotFound
from orders.workforce import (
    EngineerInput,
    EngineerView,
    create_engineer,
    get_engineer,
    list_engineers,
    parse_engineers_csv,
    put_engineer,
    upsert_engineers,
)

router = APIRouter(prefix="/engineers", tags=["engineers"])
EngineerId = Annotated[str, Path(max_length=64, pattern=ID_PATTERN)]
Writer = Annotated[Principal, Depends(require(*WORKFORCE_WRITE))]
Reader = Annotated[Principal, Depends(require(*WORKFORCE_READ))]


def _out(e: EngineerView) -> Engineer:
    return Engineer(**e.__dict__)


def _input(engineer_id: str, body: EngineerBody) -> EngineerInput:
    return EngineerInput(engineer_id, body.name, body.home_lon, body.home_lat,
                         tuple(dict.fromkeys(body.skills)), body.region)


@router.get("", response_model=EngineerPage, responses=responses())
def engineers(db: DbDep, _: Reader, region: Annotated[Region | None, Query()] = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> EngineerPage:
    items, total = list_engineers(db, region, limit, offset)
    return EngineerPage(items=[_out(e) for e in items], total=total, limit=limit, offset=offset)


@router.post("", status_code=201, response_model=Engineer, responses=responses(409))
def add_engineer(body: EngineerCreate, db: DbDep, _: Writer) -> Engineer:
    return _out(create_engineer(db, _input(body.id, body)))


@router.post("/import", response_model=ImportSummary, responses=responses(413),
             openapi_extra=CSV_REQUEST_BODY,
             summary="Create or update engineers from CSV: id,name,home_lon,home_lat,skills")
async def import_engineers(request: Request, db: DbDep, _: Writer) -> ImportSummary:
    text = await read_csv(request)
    result = await run_in_threadpool(lambda: upsert_engineers(db, parse_engineers_csv(text)))
    return ImportSummary(created=result.created, updated=result.updated)


@router.get("/me", response_model=Engineer, responses=responses(404),
            summary="The engineer the calling key speaks for")
def me(db: DbDep, caller: Annotated[Principal, Depends(require(*ENGINEER_SELF))]) -> Engineer:
    if caller.engineer_id is None:
        raise NotFound("this key does not speak for an engineer")
    return _out(get_engineer(db, caller.engineer_id))


@router.get("/{engineer_id}", response_model=Engineer, responses=responses(404))
def engineer(engineer_id: EngineerId, db: DbDep, _: Reader) -> Engineer:
    return _out(get_engineer(db, engineer_id))


@router.put("/{engineer_id}", response_model=Engineer,
            responses={**responses(), 201: {"model": Engineer, "description": "Created"}})
def replace_engineer(engineer_id: EngineerId, body: EngineerBody, db: DbDep, response: Response,
                     _: Writer) -> Engineer:
    view, created = put_engineer(db, _input(engineer_id, body))
    if created:
        response.status_code = 201
    return _out(view)
