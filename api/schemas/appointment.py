"""TMF646 appointment shapes (a subset): searchTimeSlot and appointment."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.schemas.common import Identifier, Page, ShortText, Strict, Timestamp
from api.schemas.product_order import TmfRef

APPOINTMENT_STATES = ("initialized", "confirmed", "cancelled", "completed", "failed")
AppointmentState = Literal[APPOINTMENT_STATES]


class TimePeriod(Strict):
    """A period with explicit offsets (``2026-11-25T08:00:00Z`` or ``...+00:00``)."""

    startDateTime: Timestamp
    endDateTime: Timestamp

    @model_validator(mode="after")
    def _ordered(self) -> TimePeriod:
        if self.endDateTime <= self.startDateTime:
            raise ValueError("endDateTime must be after startDateTime")
        return self


class RelatedEntity(TmfRef):
    """The product order whose install is being booked."""

    id: Identifier
    role: ShortText | None = None
    name: ShortText | None = None


class RequestedTimeSlot(Strict):
    validFor: TimePeriod


class SearchTimeSlotCreate(TmfRef):
    relatedEntity: list[RelatedEntity] = Field(min_length=1, max_length=1)
    requestedTimeSlot: list[RequestedTimeSlot] = Field(min_length=1, max_length=1)


class AppointmentCreate(TmfRef):
    relatedEntity: list[RelatedEntity] = Field(min_length=1, max_length=1)
    validFor: TimePeriod
    status: Literal["confirmed", "initialized"] = Field(
        default="confirmed",
        description="`initialized` makes a hold that expires (FIELDSCHED_BOOKING_HOLD_HOURS) "
                    "unless confirmed with PATCH `status: confirmed`")
    description: ShortText | None = None


class AppointmentUpdate(TmfRef):
    """Either a new `validFor` (reschedule) or a `status` (`confirmed` for a hold,
    `cancelled`)."""

    validFor: TimePeriod | None = None
    status: Literal["confirmed", "cancelled"] | None = None
    cancellationReason: ShortText | None = None

    @model_validator(mode="after")
    def _one_change(self) -> AppointmentUpdate:
        if (self.validFor is None) == (self.status is None):
            raise ValueError("send exactly one of validFor or status")
        return self


# -- responses --------------------------------------------------------------------------------

class Response(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class Period(Response):
    startDateTime: datetime
    endDateTime: datetime


class GradeReason(Response):
    name: str
    value: float | None


class TimeSlot(Response):
    id: str
    validFor: Period
    grade: float = Field(description="0-100, higher is better (weights in "
                                     "FIELDSCHED_BOOKING_WEIGHT_*)")
    reasons: list[GradeReason] = Field(description="The grade's components")
    slotLabel: str
    day: date
    type_: str = Field(default="TimeSlot", alias="@type")


class SearchTimeSlot(Response):
    id: str
    href: str
    status: Literal["done"] = "done"
    searchDate: datetime
    relatedEntity: list[dict[str, Any]]
    requestedTimeSlot: list[dict[str, Any]]
    availableTimeSlot: list[TimeSlot]
    installJobId: str
    region: str
    preCableDay: date | None = Field(default=None,
                                     description="Planned day of the order's pre-cable")
    type_: str = Field(default="SearchTimeSlot", alias="@type")


class Appointment(Response):
    id: str
    href: str
    status: AppointmentState
    validFor: Period
    relatedEntity: list[dict[str, Any]]
    creationDate: datetime
    lastUpdate: datetime
    jobId: str
    region: str | None = None
    day: date | None = None
    slotLabel: str | None = None
    grade: float | None = None
    reasons: list[GradeReason] = []
    expiresAt: datetime | None = None
    preCableJobId: str | None = None
    preCableDay: date | None = None
    statusReason: str | None = None
    type_: str = Field(default="Appointment", alias="@type")


class AppointmentPage(Page):
    items: list[Appointment]


class SlotUnavailableBody(Response):
    code: str
    message: str
    status: int
    field: str | None = None
    availableTimeSlot: list[TimeSlot] = Field(description="Fresh alternatives")
