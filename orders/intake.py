"""Order intake from billing: idempotent acknowledgement, the lock, cancellation."""
from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inventory.addresses import AddressQuery
from inventory.allocation import release
from orders import booking, clock
from orders.catalog import offering
from orders.db import Database
from orders.errors import Conflict, InvalidInput, NotFound, OrderLocked
from orders.lifecycle import record_creation, transition
from orders.models import Appointment, Job, ProductOrder
from orders.states import (
    OPEN_APPOINTMENT_STATUSES,
    OPEN_JOB_STATUSES,
    AppointmentStatus,
    JobKind,
    JobStatus,
    OrderState,
)
from orders.views import OrderView, new_order_view

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    """Where the service goes: a premise id, or an address qualification matches."""

    premise_id: str | None = None
    address: AddressQuery | None = None

    def as_json(self) -> dict[str, Any]:
        return {"premise_id": self.premise_id,
                "address": asdict(self.address) if self.address else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Place:
        address = data.get("address")
        return cls(data.get("premise_id"), AddressQuery(**address) if address else None)


@dataclass(frozen=True)
class NewOrder:
    external_id: str
    billing_account_id: str
    customer_id: str | None
    offering_id: str
    place: Place
    requested_completion_date: datetime | None
    request_body: dict[str, Any]  # the request as received (canonical JSON), echoed back


@dataclass(frozen=True)
class IntakeResult:
    order_id: str
    created: bool
    view: OrderView | None = None  # the new order (``None`` for a replay)


@dataclass(frozen=True)
class CancelResult:
    order_id: str
    already_cancelled: bool
    cancellation_reason: str | None
    cancelled_at: datetime
    on_network: bool = False  # the install was signed off: the ONT must be deactivated


def request_hash(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def new_order_id() -> str:
    return f"PO-{uuid.uuid4().hex}"


def place_order(db: Database, new: NewOrder) -> IntakeResult:
    """Acknowledge an order; the same ``externalId`` with the same body is a no-op replay."""
    if offering(new.offering_id) is None:
        raise InvalidInput(f"unknown product offering {new.offering_id!r}",
                           field="productOrderItem.0.productOffering.id")
    if new.place.premise_id is None and new.place.address is None:
        raise InvalidInput("a place (premise id or address) is required",
                           field="productOrderItem.0.product.place")
    digest = request_hash(new.request_body)
    try:
        with db.transaction() as session:
            existing = _by_external_id(session, new.external_id)
            if existing is not None:
                return _replay(existing, digest)
            now = clock.now()
            order = ProductOrder(
                id=new_order_id(), external_id=new.external_id, request_hash=digest,
                request_body=new.request_body, state=OrderState.ACKNOWLEDGED,
                billing_account_id=new.billing_account_id, customer_id=new.customer_id,
                offering_id=new.offering_id, place=new.place.as_json(),
                requested_completion_date=new.requested_completion_date,
                order_date=now, updated_at=now,
            )
            session.add(order)
            session.flush()
            record_creation(session, order, now)
            return IntakeResult(order.id, created=True, view=new_order_view(session, order))
    except IntegrityError:
        # A concurrent request with the same externalId committed first.
        with db.read() as session:
            existing = _by_external_id(session, new.external_id)
            if existing is None:
                raise
            return _replay(existing, digest)


def _by_external_id(session: Session, external_id: str) -> ProductOrder | None:
    return session.scalars(
        select(ProductOrder).where(ProductOrder.external_id == external_id)
    ).first()


def _replay(existing: ProductOrder, digest: str) -> IntakeResult:
    if existing.request_hash != digest:
        raise Conflict(
            f"externalId {existing.external_id!r} was already used for a different order "
            f"({existing.id}); an acknowledged order cannot change",
            code="external_id_conflict",
        )
    return IntakeResult(existing.id, created=False)


def refuse_edit(db: Database, order_id: str) -> None:
    """Every edit of an acknowledged order is refused: the specification is locked."""
    with db.read() as session:
        order = session.get(ProductOrder, order_id)
        if order is None:
            raise NotFound(f"no product order {order_id!r}")
        raise OrderLocked(
            f"order {order_id} is locked: its specification cannot change after "
            f"acknowledgement ({order.order_date.isoformat()}); cancel it with "
            "cancelProductOrder and place a new order instead",
        )


def cancel_order(db: Database, order_ref: str, reason: str | None) -> CancelResult:
    """Cancel an order: release its resources, cancel its open jobs and appointments."""

    def work(session: Session) -> CancelResult:
        order = session.scalars(
            select(ProductOrder)
            .where(or_(ProductOrder.id == order_ref, ProductOrder.external_id == order_ref))
            .with_for_update()
        ).first()
        if order is None:
            raise NotFound(f"no product order {order_ref!r}", field="productOrder.id")
        if order.state == OrderState.CANCELLED:
            assert order.cancelled_at is not None
            return CancelResult(order.id, True, order.cancellation_reason, order.cancelled_at)
        if order.state in (OrderState.COMPLETED, OrderState.FAILED, OrderState.REJECTED):
            raise Conflict(f"order {order.id} is {order.state} and can no longer be cancelled",
                           code="order_not_cancellable")
        now = clock.now()
        release(session, order.id, now)
        booking.release_order(session, order.id)
        on_network = session.scalar(select(Job.id).where(
            Job.order_id == order.id, Job.kind == JobKind.INSTALL,
            Job.status == JobStatus.COMPLETED).limit(1)) is not None
        session.execute(
            update(Job)
            .where(Job.order_id == order.id, Job.status.in_([s.value for s in OPEN_JOB_STATUSES]))
            .values(status=JobStatus.CANCELLED.value, updated_at=now)
        )
        session.execute(
            update(Appointment)
            .where(Appointment.order_id == order.id,
                   Appointment.status.in_([s.value for s in OPEN_APPOINTMENT_STATUSES]))
            .values(status=AppointmentStatus.CANCELLED.value, updated_at=now)
        )
        order.cancellation_reason = reason
        order.cancelled_at = now
        transition(session, order, OrderState.CANCELLED, now,
                   reason=f"cancelled by request: {reason}" if reason else "cancelled by request",
                   reason_code="cancelled_by_customer")
        return CancelResult(order.id, False, reason, now, on_network)

    result = db.run(work)
    if result.on_network:
        _take_off_network(db, result.order_id)
    return result


def _take_off_network(db: Database, order_id: str) -> None:
    """Deactivate a cancelled order's ONT. The cancellation has committed and stands; a
    driver failure is logged for the network team rather than undoing it."""
    from orders.activation import deactivate_order  # activation imports the order backbone

    try:
        deactivate_order(db, order_id)
    except Exception:
        log.exception("deactivating the ONT of cancelled order %s failed", order_id)
