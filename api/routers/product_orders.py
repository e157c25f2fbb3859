"""TMF622 productOrder intake, read, the lock, and cancelProductOrder (billing)."""
from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Body, Depends, Path, Query, Response

from api.deps import DbDep, require
from api.roles import ORDER_READ, ORDER_WRITE
from api.schemas.common import ID_PATTERN, Region, responses
from api.schemas.product_order import (
    AllocatedResources,
    AppointmentSummary,
    CancelProductOrder,
    CancelProductOrderCreate,
    JobSummary,
    OrderStateName,
    PlaceRef,
    ProductOrder,
    ProductOrderCreate,
    Qualification,
    ReasonCode,
    StateChange,
)
from inventory.addresses import AddressQuery
from inventory.qualification import MESSAGES
from orders.auth import Principal
from orders.db import Database
from orders.fulfilment import process_order
from orders.intake import NewOrder, Place, cancel_order, place_order, refuse_edit
from orders.states import OrderState
from orders.views import OrderView, get_order, list_orders

BASE = "/tmf-api/productOrderingManagement/v4"
router = APIRouter(prefix=BASE, tags=["productOrder (TMF622)"])
log = logging.getLogger(__name__)

OrderId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN,
                              description="The productOrder id")]
Writer = Annotated[Principal, Depends(require(*ORDER_WRITE))]
Reader = Annotated[Principal, Depends(require(*ORDER_READ))]


def place_of(ref: PlaceRef) -> Place:
    if ref.id is not None:
        return Place(premise_id=ref.id)
    sub = ref.geographicSubAddress[0].subUnitNumber if ref.geographicSubAddress else None
    assert ref.streetNr and ref.streetName and ref.postcode
    return Place(address=AddressQuery(ref.streetNr, ref.streetName, ref.postcode, ref.city, sub))


def href(order_id: str) -> str:
    return f"{BASE}/productOrder/{order_id}"


def to_tmf(view: OrderView) -> ProductOrder:
    body: dict[str, Any] = view.request_body
    items = [dict(item, state=view.state) for item in body.get("productOrderItem", [])]
    alloc = view.allocation
    return ProductOrder(
        id=view.id, href=href(view.id), externalId=view.external_id, state=view.state,
        stateReason=view.state_reason, orderDate=view.order_date,
        completionDate=view.completion_date,
        requestedCompletionDate=view.requested_completion_date,
        cancellationDate=view.cancelled_at, cancellationReason=view.cancellation_reason,
        description=body.get("description"), billingAccount=body.get("billingAccount", {}),
        relatedParty=body.get("relatedParty", []), agreement=body.get("agreement", []),
        productOrderItem=items, region=view.region, premiseId=view.premise_id,
        qualification=Qualification(
            result=view.qualification_result,
            reasons=[ReasonCode(code=r, label=MESSAGES.get(r, r))
                     for r in view.qualification_reasons]),
        allocatedResources=AllocatedResources(
            status=alloc.status, splitterId=alloc.splitter_id, splitterPort=alloc.splitter_port,
            ponPortId=alloc.pon_port_id, oltId=alloc.olt_id, sVlan=alloc.s_vlan,
            cVlan=alloc.c_vlan, onuId=alloc.onu_id, ontSerialNumber=alloc.ont_serial,
            ontModel=alloc.ont_model, allocatedDate=alloc.allocated_at,
            releasedDate=alloc.released_at,
        ) if alloc else None,
        jobs=[JobSummary(id=j.id, kind=j.kind, status=j.status, durationSeconds=j.duration_s,
                         skills=j.skills, predecessorJobId=j.predecessor_job_id,
                         needsAppointment=j.needs_appointment, earliestDate=j.earliest_date,
                         windowStart=j.window_start, windowEnd=j.window_end)
              for j in view.jobs],
        appointments=[AppointmentSummary(id=a.id, jobId=a.job_id, status=a.status,
                                         windowStart=a.window_start, windowEnd=a.window_end)
                      for a in view.appointments],
        stateHistory=[StateChange(state=h.to_state, previousState=h.from_state,
                                  changeDate=h.at, reason=h.reason) for h in view.history],
    )


def _process_quietly(db: Database, order_id: str) -> None:
    """Runs after the 201 was sent; a failure leaves the order acknowledged for a retry."""
    try:
        process_order(db, order_id)
    except Exception:
        log.exception("processing order %s failed; it stays acknowledged", order_id)


@router.post(
    "/productOrder", status_code=201, response_model=ProductOrder,
    responses={**responses(409), 200: {"model": ProductOrder,
                                       "description": "Replay of an already received order"}},
    summary="Receive a product order from billing",
)
def create_product_order(body: ProductOrderCreate, background: BackgroundTasks, db: DbDep,
                         response: Response, _: Writer) -> ProductOrder:
    """Acknowledge the order (201, `state: acknowledged`); qualification, allocation and
    jobs follow right after the answer. The same `externalId` and body again answers
    200 with the same order; the same `externalId` with another body is a 409."""
    item = body.productOrderItem[0]
    new = NewOrder(
        external_id=body.externalId, billing_account_id=body.billingAccount.id,
        customer_id=body.customer_id(), offering_id=item.productOffering.id,
        place=place_of(item.product.place[0]),
        requested_completion_date=body.requestedCompletionDate, request_body=body.canonical(),
    )
    result = place_order(db, new)
    view = result.view or get_order(db, result.order_id)
    if view.state == OrderState.ACKNOWLEDGED:
        background.add_task(_process_quietly, db, result.order_id)
    if not result.created:
        response.status_code = 200
    response.headers["Location"] = href(result.order_id)
    return to_tmf(view)


@router.get("/productOrder", response_model=list[ProductOrder], responses=responses(),
            summary="List product orders (newest first)")
def list_product_orders(
    db: DbDep, response: Response, _: Reader,
    externalId: Annotated[str | None, Query(max_length=128, pattern=ID_PATTERN)] = None,
    state: OrderStateName | None = None,
    region: Annotated[Region | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[ProductOrder]:
    views, total = list_orders(db, external_id=externalId, state=state, region=region,
                               limit=limit, offset=offset)
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-Result-Count"] = str(len(views))
    return [to_tmf(v) for v in views]


@router.get("/productOrder/{id}", response_model=ProductOrder, responses=responses(404),
            summary="An order with its state history, resources and jobs")
def read_product_order(id: OrderId, db: DbDep, _: Reader) -> ProductOrder:  # noqa: A002
    return to_tmf(get_order(db, id))


_LOCK_DOC = ("Always refused: after acknowledgement an order's specification is locked "
             "(409 `order_locked`). Cancel with cancelProductOrder instead.")


@router.patch("/productOrder/{id}", status_code=409, responses=responses(404, 409),
              summary="Edit an order (refused: the order is locked)", description=_LOCK_DOC)
def patch_product_order(id: OrderId, db: DbDep, _: Writer,  # noqa: A002
                        body: Annotated[dict[str, Any] | None, Body()] = None) -> None:
    refuse_edit(db, id)


@router.put("/productOrder/{id}", status_code=409, responses=responses(404, 409),
            summary="Replace an order (refused: the order is locked)", description=_LOCK_DOC)
def put_product_order(id: OrderId, db: DbDep, _: Writer,  # noqa: A002
                      body: Annotated[dict[str, Any] | None, Body()] = None) -> None:
    refuse_edit(db, id)


@router.post(
    "/cancelProductOrder", status_code=201, response_model=CancelProductOrder,
    responses={**responses(404, 409),
               200: {"model": CancelProductOrder, "description": "Already cancelled"}},
    summary="Cancel an order: release its resources, cancel its jobs and appointments",
)
def cancel_product_order(body: CancelProductOrderCreate, db: DbDep, response: Response,
                         _: Writer) -> CancelProductOrder:
    result = cancel_order(db, body.productOrder.id, body.cancellationReason)
    if result.already_cancelled:
        response.status_code = 200
    return CancelProductOrder(
        id=f"CPO-{result.order_id}", href=f"{BASE}/cancelProductOrder/CPO-{result.order_id}",
        productOrder={"id": result.order_id, "href": href(result.order_id)},
        cancellationReason=result.cancellation_reason,
        effectiveCancellationDate=result.cancelled_at,
    )
