"""Helpers of the billing-hook tests: fast relay settings, events written as producers do."""
from __future__ import annotations

from datetime import UTC, datetime

from billing_hook.relay import Relay
from billing_hook.settings import RelaySettings
from billing_hook.store import new_event_id, record_event
from orders.db import Database

FAST = dict(retry_schedule_s="0.05,0.1,0.2,0.2,0.2,0.2,0.2,0.2", jitter=0.2, timeout_s=0.5,
            lease_s=1.0, poll_interval_s=0.02)


def fast_relay(db: Database, **changes: object) -> Relay:
    return Relay(db, RelaySettings(**{**FAST, **changes}), seed=7)  # type: ignore[arg-type]


def write_events(db: Database, orders: int, per_order: int) -> list[tuple[str, str]]:
    """``per_order`` completion-like events for each of ``orders`` orders, interleaved,
    one transaction each; returns (order id, event id) in write order."""
    written = []
    for k in range(per_order):
        for o in range(orders):
            order_id = f"PO-{o:03d}"
            with db.transaction() as session:
                event_id = new_event_id()
                record_event(session, "ProductOrderStateChangeEvent", order_id, "completed",
                             {"eventId": event_id, "n": k,
                              "event": {"productOrder": {"id": order_id, "state": "completed"}}},
                             datetime.now(UTC))
            written.append((order_id, event_id))
    return written
