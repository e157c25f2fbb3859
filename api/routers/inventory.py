"""Premises (so clients can find premise ids) and network capacity."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.deps import DbDep, require
from api.roles import CAPACITY_READ, PREMISES_READ
from api.schemas.common import ID_PATTERN, Region, Str12, responses
from api.schemas.inventory import Capacity, Premise, PremisePage
from orders.auth import Principal
from orders.network_admin import PremiseView, capacity, get_premise, list_premises

router = APIRouter(prefix="/inventory", tags=["inventory"])


def _premise(p: PremiseView) -> Premise:
    return Premise(serviceable=p.service_area_id is not None, **p.__dict__)


@router.get("/premises", response_model=PremisePage, responses=responses(),
            summary="Premises, paged (id order)")
def premises(
    db: DbDep, _: Annotated[Principal, Depends(require(*PREMISES_READ))],
    serviceable: Annotated[bool | None, Query(description="true: inside a service area")] = None,
    region: Annotated[Region | None, Query()] = None,
    postcode: Annotated[Str12 | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> PremisePage:
    items, total = list_premises(db, serviceable=serviceable, region=region, postcode=postcode,
                                 limit=limit, offset=offset)
    return PremisePage(items=[_premise(p) for p in items], total=total, limit=limit,
                       offset=offset)


@router.get("/premises/{premise_id}", response_model=Premise, responses=responses(404))
def premise(premise_id: Annotated[str, Path(max_length=64, pattern=ID_PATTERN)], db: DbDep,
            _: Annotated[Principal, Depends(require(*PREMISES_READ))]) -> Premise:
    return _premise(get_premise(db, premise_id))


@router.get("/capacity", response_model=Capacity, responses=responses(),
            summary="Free and used splitter ports and ONT stock")
def network_capacity(db: DbDep, _: Annotated[Principal, Depends(require(*CAPACITY_READ))],
                     region: Annotated[Region | None, Query()] = None) -> Capacity:
    return Capacity(region=region, **capacity(db, region))
