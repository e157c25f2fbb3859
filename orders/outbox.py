"""Every order state change becomes an outbox event, in the transaction that made it.

A ``before_flush`` hook on all sessions turns each new :class:`OrderStateChange` row
into a TMF622 ``ProductOrderStateChangeEvent`` in ``billing_hook``'s outbox, so no code
path that moves an order can forget to tell subscribers (``lifecycle.transition`` is the
one way to move an order, and it always writes that row). The ``completed`` event carries
the confirmed service: product and speed, ONT, PON port, VLANs and the passing line test
(flushed before the transition, see ``orders.activation``).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from billing_hook.store import new_event_id, record_event
from inventory.allocation import latest_allocation
from inventory.models import PonPort
from orders.catalog import offering
from orders.models import OrderStateChange, ProductOrder
from orders.signoff_models import LineTest
from orders.states import OrderState

EVENT_TYPE = "ProductOrderStateChangeEvent"
ORDER_PATH = "/tmf-api/productOrderingManagement/v4/productOrder"


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def service_details(session: Session, order: ProductOrder) -> dict[str, Any]:
    """What was activated, as billing needs it (from inventory and the line test)."""
    product = offering(order.offering_id)
    details: dict[str, Any] = {
        "productOffering": {"id": order.offering_id, "name": product.name if product else None},
        "downstreamMbps": product.down_mbps if product else None,
        "upstreamMbps": product.up_mbps if product else None,
        "bandwidthProfile": product.bandwidth_profile if product else None,
    }
    alloc = latest_allocation(session, order.id)
    if alloc is not None:
        port = session.get(PonPort, alloc.pon_port_id)
        details.update({
            "ontSerialNumber": alloc.ont_serial, "ontModel": alloc.ont_model,
            "ponPort": {"id": alloc.pon_port_id, "oltId": alloc.olt_id,
                        "slot": port.slot if port else None, "port": port.port if port else None,
                        "onuId": alloc.onu_id},
            "sVlan": alloc.s_vlan, "cVlan": alloc.c_vlan, "premiseId": alloc.premise_id,
        })
    test = session.scalars(select(LineTest).where(
        LineTest.order_id == order.id, LineTest.passed.is_(True))
        .order_by(LineTest.id.desc()).limit(1)).first()
    if test is not None:
        m = test.measurements
        details["lineTest"] = {
            "testedAt": _iso(test.at), "passed": True,
            "ontRxPowerDbm": m.get("rx_power_ont_dbm"), "oltRxPowerDbm": m.get("rx_power_olt_dbm"),
            "onuOperState": m.get("oper_state"), "losAlarm": m.get("los_alarm"),
            "marginDb": m.get("margin_db"),
        }
    return details


def event_payload(session: Session, order: ProductOrder, change: OrderStateChange,
                  event_id: str) -> dict[str, Any]:
    product_order: dict[str, Any] = {
        "id": order.id, "href": f"{ORDER_PATH}/{order.id}", "externalId": order.external_id,
        "state": change.to_state, "previousState": change.from_state,
        "stateChangeReason": change.reason, "stateReasonCode": order.state_reason,
        "billingAccount": {"id": order.billing_account_id}, "@type": "ProductOrder",
    }
    if change.to_state == OrderState.COMPLETED:
        details = service_details(session, order)
        activation = details.get("lineTest", {}).get("testedAt") or _iso(order.completion_date)
        product_order.update({
            "completionDate": _iso(order.completion_date), "activationDate": activation,
            "serviceDetails": details,
            "productOrderItem": [{
                "id": "1", "action": "add", "state": "completed",
                "productOffering": details["productOffering"],
                "product": {"startDate": activation, "status": "active",
                            "productCharacteristic": [
                                {"name": k, "value": v} for k, v in details.items()
                                if k not in ("productOffering", "lineTest")]},
            }],
        })
    return {"eventId": event_id, "eventTime": _iso(change.at), "eventType": EVENT_TYPE,
            "event": {"productOrder": product_order}}


@event.listens_for(Session, "before_flush")
def _state_changes_to_outbox(session: Session, _context: Any, _instances: Any) -> None:
    changes = [o for o in session.new if isinstance(o, OrderStateChange)]
    if not changes:
        return
    pending = {o.id: o for o in session.new if isinstance(o, ProductOrder)}
    with session.no_autoflush:
        for change in changes:
            order = pending.get(change.order_id) or session.get(ProductOrder, change.order_id)
            if order is None:
                continue
            event_id = new_event_id()
            record_event(session, EVENT_TYPE, order.id, change.to_state,
                         event_payload(session, order, change, event_id), change.at)
