"""TMF646 appointments: search time slots, book, reschedule, hold, confirm, cancel."""
from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from api.deps import DbDep, require
from api.schemas.appointment import (
    APPOINTMENT_STATES,
    Appointment,
    AppointmentCreate,
    AppointmentPage,
    AppointmentUpdate,
    GradeReason,
    Period,
    SearchTimeSlot,
    SearchTimeSlotCreate,
    SlotUnavailableBody,
    TimeSlot,
)
from api.schemas.common import ErrorBody, responses
from orders import booking, clock
from orders.auth import Principal
from orders.states import Role

BASE = "/tmf-api/appointment/v4"
BOOK = (Role.BOOKING, Role.BILLING)
READ = (Role.BOOKING, Role.BILLING, Role.DISPATCHER, Role.ANALYST)
Booker = Annotated[Principal, Depends(require(*BOOK))]
Reader = Annotated[Principal, Depends(require(*READ))]

router = APIRouter(prefix=BASE, tags=["appointment (TMF646)"])
CONFLICT = {409: {"model": SlotUnavailableBody,
                  "description": "The slot was taken (fresh alternatives included) or the "
                                 "order/appointment is in a state that forbids this"}}


def _reasons(components: dict[str, Any] | None) -> list[GradeReason]:
    return [GradeReason(name=k, value=v) for k, v in (components or {}).items()]


def _slot(s: booking.SlotView) -> TimeSlot:
    return TimeSlot(id=f"{s.day.isoformat()}-{s.label}",
                    validFor=Period(startDateTime=s.start, endDateTime=s.end), grade=s.grade,
                    reasons=_reasons(s.components), slotLabel=s.label, day=s.day)


def _href(appointment_id: str) -> str:
    return f"{BASE}/appointment/{appointment_id}"


def _appointment(v: booking.AppointmentView) -> Appointment:
    return Appointment(
        id=v.id, href=_href(v.id), status=v.status,
        validFor=Period(startDateTime=v.start, endDateTime=v.end),
        relatedEntity=[{"id": v.order_id, "@referredType": "ProductOrder",
                        "role": "installation"}] if v.order_id else [],
        creationDate=v.created_at, lastUpdate=v.updated_at, jobId=v.job_id, region=v.region,
        day=v.day, slotLabel=v.slot_label, grade=v.grade, reasons=_reasons(v.components),
        expiresAt=v.expires_at, preCableJobId=v.precable_job_id, preCableDay=v.precable_day,
        statusReason=v.status_reason)


def _taken(exc: booking.SlotUnavailable) -> JSONResponse:
    body = SlotUnavailableBody(code=exc.code, message=exc.message, status=409, field=exc.field,
                               availableTimeSlot=[_slot(s) for s in exc.alternatives])
    return JSONResponse(body.model_dump(mode="json", by_alias=True), status_code=409)


@router.post("/searchTimeSlot", status_code=201, response_model=SearchTimeSlot,
             responses=responses(404, 409), summary="Search the slots an order can book")
def search_time_slot(body: SearchTimeSlotCreate, db: DbDep, _: Booker) -> SearchTimeSlot:
    """Slots (AM/PM windows by default) in the requested period where the order's install
    fits the day's tentative plan, each graded (higher is better) with its components."""
    period = body.requestedTimeSlot[0].validFor
    result = booking.search_slots(db, body.relatedEntity[0].id, period.startDateTime,
                                  period.endDateTime)
    sid = f"STS-{uuid.uuid4().hex[:20]}"
    return SearchTimeSlot(
        id=sid, href=f"{BASE}/searchTimeSlot/{sid}", searchDate=clock.now(),
        relatedEntity=[e.model_dump(mode="json", by_alias=True, exclude_none=True)
                       for e in body.relatedEntity],
        requestedTimeSlot=[r.model_dump(mode="json", by_alias=True)
                           for r in body.requestedTimeSlot],
        availableTimeSlot=[_slot(s) for s in result.slots], installJobId=result.job_id,
        region=result.region, preCableDay=result.precable_day)


@router.post("/appointment", status_code=201, response_model=Appointment,
             responses={**responses(404), **CONFLICT}, summary="Book a slot")
def create_appointment(body: AppointmentCreate, db: DbDep, _: Booker) -> Any:
    """Book one offered slot (`status: confirmed`, or `initialized` for a hold). Feasibility
    is re-checked under the region-day lock: a slot taken meanwhile answers 409 with fresh
    alternatives in `availableTimeSlot`."""
    try:
        view = booking.book(db, body.relatedEntity[0].id, body.validFor.startDateTime,
                            body.validFor.endDateTime, hold=body.status == "initialized")
    except booking.SlotUnavailable as exc:
        return _taken(exc)
    out = _appointment(view)
    return JSONResponse(out.model_dump(mode="json", by_alias=True), status_code=201,
                        headers={"Location": out.href})


@router.get("/appointment/{appointment_id}", response_model=Appointment,
            responses=responses(404), summary="Read an appointment")
def get_appointment(appointment_id: str, db: DbDep, _: Reader) -> Appointment:
    return _appointment(booking.get_appointment(db, appointment_id))


@router.get("/appointment", response_model=AppointmentPage, summary="List appointments")
def list_appointments(db: DbDep, _: Reader,
                      order_id: Annotated[str | None, Query(alias="relatedEntity.id",
                                                            max_length=64)] = None,
                      status: Annotated[str | None, Query(
                          pattern="^(" + "|".join(APPOINTMENT_STATES) + ")$")] = None,
                      limit: Annotated[int, Query(ge=1, le=500)] = 100,
                      offset: Annotated[int, Query(ge=0)] = 0) -> AppointmentPage:
    items, total = booking.list_appointments(db, order_id=order_id, status=status,
                                             limit=limit, offset=offset)
    return AppointmentPage(total=total, limit=limit, offset=offset,
                           items=[_appointment(v) for v in items])


@router.patch("/appointment/{appointment_id}", response_model=Appointment,
              responses={**responses(404), **CONFLICT, 400: {"model": ErrorBody}},
              summary="Reschedule, confirm a hold, or cancel")
def patch_appointment(appointment_id: str, body: AppointmentUpdate, db: DbDep,
                      _: Booker) -> Any:
    """`validFor` moves the appointment to another offered slot (the old one is freed only
    if the new one fits); `status: confirmed` confirms a hold; `status: cancelled` cancels
    and frees the capacity."""
    try:
        if body.validFor is not None:
            view = booking.reschedule(db, appointment_id, body.validFor.startDateTime,
                                      body.validFor.endDateTime)
        elif body.status == "confirmed":
            view = booking.confirm(db, appointment_id)
        else:
            view = booking.cancel(db, appointment_id,
                                  body.cancellationReason or "cancelled by request")
    except booking.SlotUnavailable as exc:
        return _taken(exc)
    return _appointment(view)
