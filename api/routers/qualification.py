"""TMF645 checkServiceQualification: can these places get fibre, and if not, why not."""
from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from api.deps import DbDep, require
from api.roles import QUALIFY
from api.routers.product_orders import place_of
from api.schemas.common import responses
from api.schemas.product_order import ReasonCode
from api.schemas.qualification import (
    CheckServiceQualification,
    CheckServiceQualificationCreate,
    QualificationItem,
)
from orders import clock
from orders.auth import Principal
from orders.network_admin import qualify_places

router = APIRouter(prefix="/tmf-api/serviceQualificationManagement/v4",
                   tags=["serviceQualification (TMF645)"])


@router.post("/checkServiceQualification", response_model=CheckServiceQualification,
             responses=responses(), summary="Qualify places (nothing is reserved)")
def check_service_qualification(body: CheckServiceQualificationCreate, db: DbDep,
                                _: Annotated[Principal, Depends(require(*QUALIFY))],
                                ) -> CheckServiceQualification:
    items = body.serviceQualificationItem
    outcomes = qualify_places(db, [place_of(i.service.place[0]) for i in items])
    answer = [
        QualificationItem(
            id=item.id, qualificationItemResult=o.result,
            eligibilityUnavailabilityReason=[ReasonCode(code=c, label=lbl) for c, lbl in o.reasons],
            premiseId=o.premise_id, region=o.region, serviceAreaId=o.service_area_id,
            service=item.service.model_dump(mode="json", by_alias=True, exclude_none=True),
        )
        for item, o in zip(items, outcomes, strict=True)
    ]
    overall = "qualified" if all(o.result == "qualified" for o in outcomes) else "unqualified"
    return CheckServiceQualification(
        id=f"CSQ-{uuid.uuid4().hex}", qualificationResult=overall,
        checkServiceQualificationDate=clock.now(), serviceQualificationItem=answer)
