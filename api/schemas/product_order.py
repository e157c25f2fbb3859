"""TMF622 productOrder and cancelProductOrder (the subset billing uses)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.schemas.common import (
    Identifier,
    LongIdentifier,
    LongText,
    Name,
    ShortText,
    Str8,
    Str12,
    Str16,
    Str32,
    Str64,
    Strict,
    Timestamp,
)
from orders.catalog import OFFERINGS

OfferingId = Literal[tuple(OFFERINGS)]
ORDER_STATES = ("acknowledged", "inProgress", "held", "pending", "completed", "failed",
                "cancelled", "rejected")
OrderStateName = Literal[ORDER_STATES]


class TmfRef(Strict):
    """The polymorphism fields TMF clients send along (accepted, echoed)."""

    type_: Name | None = Field(default=None, alias="@type")
    base_type: Name | None = Field(default=None, alias="@baseType")
    referred_type: Name | None = Field(default=None, alias="@referredType")
    schema_location: ShortText | None = Field(default=None, alias="@schemaLocation")
    href: ShortText | None = None


class BillingAccountRef(TmfRef):
    id: LongIdentifier
    name: Name | None = None


class RelatedParty(TmfRef):
    id: LongIdentifier
    name: Name | None = None
    role: Str64 | None = None


class AgreementRef(TmfRef):
    id: LongIdentifier
    name: Name | None = None


class ProductOfferingRef(TmfRef):
    id: OfferingId = Field(description="One of " + ", ".join(OFFERINGS))
    name: Name | None = None


class GeographicSubAddress(TmfRef):
    subUnitNumber: Str16
    subUnitType: Str32 | None = None


class PlaceRef(TmfRef):
    """A premise id (`id`), or a GeographicAddress matched against the premises."""

    id: Identifier | None = None
    role: Str64 | None = None
    streetNr: Str16 | None = None
    streetName: Name | None = None
    postcode: Str12 | None = None
    city: Str64 | None = None
    country: Str64 | None = None
    geographicSubAddress: list[GeographicSubAddress] | None = Field(
        default=None, max_length=1)

    @model_validator(mode="after")
    def _id_or_address(self) -> PlaceRef:
        address = (self.streetNr, self.streetName, self.postcode, self.city)
        if self.id is None and not all(address):
            raise ValueError("give the premise id (`id`) or a full address: "
                             "streetNr, streetName, postcode and city")
        return self


class Product(TmfRef):
    place: list[PlaceRef] = Field(min_length=1, max_length=1)


class ProductOrderItem(TmfRef):
    id: Str32
    action: Literal["add"] = Field(description="Only `add` (a new connection) is supported")
    quantity: Literal[1] = 1
    productOffering: ProductOfferingRef
    product: Product


class ProductOrderCreate(TmfRef):
    externalId: LongIdentifier = Field(description="Billing's order id (idempotency key)")
    description: LongText | None = None
    priority: Str8 | None = None
    category: Name | None = None
    requestedCompletionDate: Timestamp | None = None
    requestedStartDate: Timestamp | None = None
    billingAccount: BillingAccountRef
    relatedParty: list[RelatedParty] = Field(default_factory=list, max_length=20)
    agreement: list[AgreementRef] = Field(default_factory=list, max_length=20)
    productOrderItem: list[ProductOrderItem] = Field(min_length=1, max_length=1)

    model_config = ConfigDict(
        extra="forbid", populate_by_name=True,
        json_schema_extra={"example": {
            "externalId": "BILL-000123",
            "requestedCompletionDate": "2026-12-05T00:00:00Z",
            "billingAccount": {"id": "BA-77"},
            "relatedParty": [{"id": "CUST-9", "name": "A Customer", "role": "customer",
                              "@referredType": "Individual"}],
            "agreement": [{"id": "CONTRACT-1", "name": "24 months"}],
            "productOrderItem": [{
                "id": "1", "action": "add",
                "productOffering": {"id": "FTTP-900", "name": "Full Fibre 900"},
                "product": {"place": [{"id": "PREMISE-ID", "role": "installationAddress",
                                       "@referredType": "GeographicAddress"}]},
            }],
        }},
    )

    def customer_id(self) -> str | None:
        for party in self.relatedParty:
            if (party.role or "").lower() == "customer":
                return party.id
        return self.relatedParty[0].id if self.relatedParty else None

    def canonical(self) -> dict[str, Any]:
        """The body as billing meant it (aliases, no nulls): hashed and echoed back."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class ProductOrderCancelRef(TmfRef):
    id: LongIdentifier = Field(description="The productOrder id (or billing's externalId)")


class CancelProductOrderCreate(TmfRef):
    productOrder: ProductOrderCancelRef
    cancellationReason: LongText | None = None
    requestedCancellationDate: Timestamp | None = None


# -- responses ------------------------------------------------------------------------------

class Response(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class StateChange(Response):
    state: str
    previousState: str | None = None
    changeDate: datetime
    reason: str | None = None


class ReasonCode(Response):
    code: str
    label: str


class Qualification(Response):
    result: str | None
    reasons: list[ReasonCode]


class AllocatedResources(Response):
    status: str
    splitterId: str
    splitterPort: int
    ponPortId: str
    oltId: str
    sVlan: int
    cVlan: int
    onuId: int
    ontSerialNumber: str
    ontModel: str
    allocatedDate: datetime
    releasedDate: datetime | None = None


class JobSummary(Response):
    id: str
    kind: str
    status: str
    durationSeconds: int
    skills: list[str]
    predecessorJobId: str | None = None
    needsAppointment: bool
    earliestDate: date
    windowStart: datetime | None = None
    windowEnd: datetime | None = None


class AppointmentSummary(Response):
    id: str
    jobId: str
    status: str
    windowStart: datetime
    windowEnd: datetime


class ProductOrder(Response):
    """The order as stored: billing's request echoed, plus its state, history,
    qualification, allocated resources and jobs."""

    id: str
    href: str
    type_: str = Field(default="ProductOrder", alias="@type")
    externalId: str
    state: str = Field(description="TMF622 state: " + ", ".join(ORDER_STATES))
    stateReason: str | None = Field(default=None, description="Reason code of the last change")
    orderDate: datetime
    completionDate: datetime | None = None
    requestedCompletionDate: datetime | None = None
    cancellationDate: datetime | None = None
    cancellationReason: str | None = None
    description: str | None = None
    billingAccount: dict[str, Any]
    relatedParty: list[dict[str, Any]]
    agreement: list[dict[str, Any]]
    productOrderItem: list[dict[str, Any]]
    region: str | None = None
    premiseId: str | None = None
    qualification: Qualification
    allocatedResources: AllocatedResources | None = None
    jobs: list[JobSummary]
    appointments: list[AppointmentSummary]
    stateHistory: list[StateChange]


class CancelProductOrder(Response):
    id: str
    href: str
    type_: str = Field(default="CancelProductOrder", alias="@type")
    state: Literal["done"] = "done"
    productOrder: dict[str, str]
    cancellationReason: str | None = None
    effectiveCancellationDate: datetime
