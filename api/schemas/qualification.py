"""TMF645 checkServiceQualification (the subset booking and billing use)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from api.schemas.common import LongText, Str32, Strict
from api.schemas.product_order import PlaceRef, ReasonCode, TmfRef


class QualificationService(TmfRef):
    place: list[PlaceRef] = Field(min_length=1, max_length=1)


class QualificationItemCreate(TmfRef):
    id: Str32
    service: QualificationService


class CheckServiceQualificationCreate(Strict):
    description: LongText | None = None
    serviceQualificationItem: list[QualificationItemCreate] = Field(min_length=1, max_length=50)


class QualificationItem(BaseModel):
    id: str
    state: str = "done"
    qualificationItemResult: str = Field(description="qualified | unqualified")
    eligibilityUnavailabilityReason: list[ReasonCode]
    premiseId: str | None = None
    region: str | None = None
    serviceAreaId: str | None = None
    service: dict[str, Any]


class CheckServiceQualification(BaseModel):
    id: str
    state: str = "done"
    qualificationResult: str = Field(description="qualified if every item is")
    checkServiceQualificationDate: datetime
    serviceQualificationItem: list[QualificationItem]
