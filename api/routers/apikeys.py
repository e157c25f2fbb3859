"""API key management over HTTP (admin only; the CLI does the same)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from api.deps import DbDep, require
from api.roles import ADMIN_ONLY
from api.schemas.apikeys import ApiKey, ApiKeyCreate, ApiKeyCreated
from api.schemas.common import responses
from orders.auth import Principal, create_api_key, list_api_keys, revoke_api_key

router = APIRouter(prefix="/admin/apikeys", tags=["admin"])
Admin = Annotated[Principal, Depends(require(*ADMIN_ONLY))]


@router.post("", status_code=201, response_model=ApiKeyCreated, responses=responses(404))
def create_key(body: ApiKeyCreate, db: DbDep, _: Admin) -> ApiKeyCreated:
    view, key = create_api_key(db, body.role, body.name, body.engineer)
    return ApiKeyCreated(key=key, **view.__dict__)


@router.get("", response_model=list[ApiKey], responses=responses())
def keys(db: DbDep, _: Admin) -> list[ApiKey]:
    return [ApiKey(**k.__dict__) for k in list_api_keys(db)]


@router.delete("/{key_id}", response_model=ApiKey, responses=responses(404),
               summary="Revoke a key")
def revoke_key(key_id: Annotated[int, Path(ge=1, le=2**31 - 1)], db: DbDep, _: Admin) -> ApiKey:
    return ApiKey(**revoke_api_key(db, key_id).__dict__)
