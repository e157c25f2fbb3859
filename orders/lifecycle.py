"""Moving an order between states, always with a history row (the one way to do it)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

import orders.outbox  # noqa: F401  (its flush hook turns each transition into an event)
from orders.errors import Conflict
from orders.models import OrderStateChange, ProductOrder
from orders.states import OrderState, can_move


def record_creation(session: Session, order: ProductOrder, at: datetime) -> None:
    session.add(OrderStateChange(order_id=order.id, from_state=None, to_state=order.state,
                                 reason="order received", at=at))


def transition(session: Session, order: ProductOrder, target: OrderState, at: datetime,
               reason: str | None = None, reason_code: str | None = None) -> None:
    """Move ``order`` to ``target`` (checked against the TMF622 state machine)."""
    if not can_move(order.state, target):
        raise Conflict(f"order {order.id} cannot go from {order.state} to {target}",
                       code="invalid_state_transition")
    session.add(OrderStateChange(order_id=order.id, from_state=order.state, to_state=target,
                                 reason=(reason or "")[:255] or None, at=at))
    order.state = target
    order.state_reason = reason_code
    order.updated_at = at
