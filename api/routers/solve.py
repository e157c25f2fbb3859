"""Stateless solve: bring a contract problem, get a contract schedule (like VROOM's HTTP API).

``POST /solve`` validates the problem and answers 202 with a run id (oversized → 413,
invalid → 422 naming the field); the worker solves it with the same solver as
``fieldsched solve``; ``GET /solve/{id}`` returns the status and, when done, the schedule.
"""
from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import DbDep, require
from api.errors import ApiError
from api.schemas.common import ID_PATTERN, responses
from api.schemas.dispatch import Run, SolveRun
from orders.auth import Principal
from orders.schedule_runs import ProblemTooLarge, get_run, request_solve, run_documents
from orders.states import Role

MAX_BODY_BYTES = 20 * 1024 * 1024
router = APIRouter(prefix="/solve", tags=["solve"])
Caller = Annotated[Principal, Depends(require(Role.ANALYST, Role.DISPATCHER))]
PROBLEM_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"type": "object", "description": "A contract problem (shared/contract)"}}}}}


async def _read_json(request: Request) -> Any:
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > MAX_BODY_BYTES:
            raise ApiError(413, "body_too_large", f"problems are limited to {MAX_BODY_BYTES} "
                           "bytes")
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(422, "invalid_request", f"the body is not JSON: {exc}",
                       field="body") from None


@router.post("", status_code=202, response_model=Run, openapi_extra=PROBLEM_BODY,
             responses={**responses(413), 202: {"description": "Queued; poll GET /solve/{id}"}})
async def submit(request: Request, db: DbDep, _: Caller,
                 time_limit: Annotated[float, Query(gt=0, le=300)] = 10.0,
                 seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0) -> JSONResponse:
    data = await _read_json(request)
    try:
        run = await run_in_threadpool(request_solve, db, data, time_limit, seed)
    except ProblemTooLarge as exc:
        raise ApiError(413, exc.code, exc.message, exc.field) from None
    return JSONResponse(Run(**run.__dict__).model_dump(mode="json"), status_code=202,
                        headers={"Location": f"/solve/{run.id}"})


@router.get("/{run_id}", response_model=SolveRun, responses=responses(404))
def result(run_id: Annotated[str, Path(max_length=40, pattern=ID_PATTERN)], db: DbDep,
           _: Caller) -> SolveRun:
    run = get_run(db, run_id, kind="solve")
    schedule = run_documents(db, run_id, "solve")[2] if run.status == "done" else None
    return SolveRun(**run.__dict__, schedule=schedule)
