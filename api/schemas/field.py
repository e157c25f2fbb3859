"""Request/response bodies of field sign-off and the billing event hub."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel, Field, UrlConstraints

from api.schemas.common import Page, Str16, Strict, Text, Timestamp
from api.schemas.workforce import Job

FailureReason = Literal["no_access", "customer_absent", "civils_required", "duct_blocked",
                        "wrong_address", "customer_refused", "unsafe_site", "equipment_fault",
                        "other"]
Notes = Text(2000, 0)
CallbackUrl = Annotated[AnyHttpUrl, UrlConstraints(max_length=2000)]
HubQuery = Text(500, 0)
Id40 = Text(40)


class StartBody(Strict):
    started_at: Timestamp | None = Field(None, description="When the work began on site "
                                                           "(the device's clock)")


class CompleteBody(Strict):
    ont_serial: Str16 | None = Field(None, description="GPON serial of the ONT installed "
                                                       "(installs)", examples=["HWTC1A2B3C4D"])
    rx_power_dbm: float | None = Field(None, ge=-50, le=10, allow_inf_nan=False,
                                       description="Optical power read on site (installs)")
    notes: Notes | None = None
    started_at: Timestamp | None = None
    completed_at: Timestamp | None = None


class FailBody(Strict):
    reason: FailureReason
    notes: Notes | None = None
    failed_at: Timestamp | None = None


class Signoff(BaseModel):
    outcome: str
    started_at: datetime | None
    finished_at: datetime | None
    failure_reason: str | None
    ont_serial: str | None
    rx_power_dbm: float | None
    notes: str | None


class EngineerJob(Job):
    order_state: str | None
    order_external_id: str | None
    assigned_ont_serial: str | None = Field(description="The ONT to fit (installs)")
    signoff: Signoff | None


class EngineerDay(BaseModel):
    engineer_id: str
    date: str
    jobs: list[EngineerJob]


class JobOutcome(BaseModel):
    job: Job
    order_state: str | None = Field(description="The order's state after the sign-off")
    follow_up_job_ids: list[str] = Field(description="Jobs created by it (rebook, civils, "
                                                     "repair)")
    line_test: dict[str, Any] | None = None
    message: str | None = None


class HubCreate(Strict):
    callback: CallbackUrl = Field(description="Where events are POSTed")
    query: HubQuery = Field(  # type: ignore[valid-type]
        "eventType=ProductOrderStateChangeEvent",
        description="`eventType=…` and optionally `state=completed,held` or `state=all` "
                    "(default: completed orders only)")


class Hub(BaseModel):
    id: str
    callback: str
    query: str
    status: str
    disabled_reason: str | None = None
    created_at: datetime


class HubCreated(Hub):
    secret: str = Field(description="The `whsec_…` signing secret; shown only now")


class Delivery(BaseModel):
    subscription_id: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None


class Event(BaseModel):
    id: str = Field(description="The webhook-id")
    seq: int
    event_type: str
    aggregate_id: str
    state: str | None
    created_at: datetime
    payload: dict[str, Any]
    deliveries: list[Delivery]


class EventPage(Page):
    items: list[Event]


class ReplayBody(Strict):
    event_ids: list[Id40] | None = Field(None, max_length=10_000)  # type: ignore[valid-type]
    subscription_id: Id40 | None = None  # type: ignore[valid-type]
    dead_only: bool = False


class Replayed(BaseModel):
    queued: int
