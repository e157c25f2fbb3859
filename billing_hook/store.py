"""Writing events to the outbox, managing subscribers, reconciliation and replay.

``record_event`` is called inside the producer's transaction (the same one as the state
change it reports), so an event exists exactly when its change was committed.
Functions taking ``db`` accept any object with ``transaction()`` and ``read()`` context
managers yielding SQLAlchemy sessions (``orders.db.Database``).
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import parse_qs

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from billing_hook.models import (
    ACTIVE,
    DEAD,
    DELIVERED,
    DISABLED,
    PENDING,
    Delivery,
    OutboxEvent,
    Subscription,
)
from billing_hook.signing import new_secret

CONFIGURED_ID = "configured"
# What a subscriber gets when its query names no state: billing hears about an order
# when there is something to bill (``state=all`` asks for every change).
DEFAULT_STATES = {"ProductOrderStateChangeEvent": ("completed",)}


class SessionSource(Protocol):
    def transaction(self) -> Any: ...
    def read(self) -> Any: ...


@dataclass(frozen=True)
class SubscriptionView:
    id: str
    callback: str
    query: str
    status: str
    disabled_reason: str | None
    created_at: datetime


@dataclass(frozen=True)
class DeliveryView:
    subscription_id: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class EventView:
    id: str
    seq: int
    event_type: str
    aggregate_id: str
    state: str | None
    created_at: datetime
    payload: dict[str, Any]
    deliveries: list[DeliveryView]


def new_event_id() -> str:
    return "msg_" + secrets.token_hex(12)


def wants(query: str, event_type: str, state: str | None) -> bool:
    """Does a subscription's TMF hub ``query`` (``eventType=…&state=…``) match an event?"""
    params = parse_qs(query or "")

    def values(name: str) -> list[str]:
        return [v for raw in params.get(name, []) for v in raw.split(",") if v]

    types = values("eventType")
    if types and event_type not in types:
        return False
    states = values("state") or list(DEFAULT_STATES.get(event_type, ()))
    return not states or "all" in states or state in states


def record_event(session: Session, event_type: str, aggregate_id: str, state: str | None,
                 payload: dict[str, Any], at: datetime) -> OutboxEvent:
    """Add an event and a pending delivery per interested active subscriber."""
    event = OutboxEvent(id=payload.get("eventId") or new_event_id(), event_type=event_type,
                        aggregate_id=aggregate_id, state=state, payload=payload, created_at=at)
    session.add(event)
    with session.no_autoflush:
        subscribers = list(session.scalars(
            select(Subscription).where(Subscription.status == ACTIVE)))
    for sub in subscribers:
        if wants(sub.query, event_type, state):
            session.add(Delivery(event=event, subscription_id=sub.id,
                                 aggregate_id=aggregate_id, status=PENDING, attempts=0))
    return event


def create_subscription(db: SessionSource, callback: str, query: str, now: datetime,
                        secret: str | None = None,
                        subscription_id: str | None = None) -> tuple[SubscriptionView, str]:
    """Register a callback; returns it and its signing secret (shown to the caller once)."""
    secret = secret or new_secret()
    with db.transaction() as session:
        sub = Subscription(id=subscription_id or "sub_" + secrets.token_hex(10),
                           callback=callback, query=query or "", secret=secret, status=ACTIVE,
                           created_at=now, updated_at=now)
        session.add(sub)
        session.flush()
        return _sub_view(sub), secret


def ensure_configured(db: SessionSource, callback: str, secret: str, query: str,
                      now: datetime) -> SubscriptionView:
    """Create or update the subscription ``configured`` from the relay's settings."""
    with db.transaction() as session:
        sub = session.get(Subscription, CONFIGURED_ID)
        if sub is None:
            sub = Subscription(id=CONFIGURED_ID, created_at=now, status=ACTIVE)
            session.add(sub)
        elif (sub.callback, sub.secret) != (callback, secret):
            sub.status, sub.disabled_reason = ACTIVE, None  # new endpoint: try again
        sub.callback, sub.secret, sub.query, sub.updated_at = callback, secret, query, now
        session.flush()
        return _sub_view(sub)


def get_subscription(db: SessionSource, subscription_id: str) -> SubscriptionView | None:
    with db.read() as session:
        sub = session.get(Subscription, subscription_id)
        return _sub_view(sub) if sub else None


def delete_subscription(db: SessionSource, subscription_id: str, now: datetime) -> bool:
    """Unsubscribe (TMF hub DELETE): the row stays, disabled, for the delivery history."""
    with db.transaction() as session:
        sub = session.get(Subscription, subscription_id)
        if sub is None or sub.status == DISABLED and sub.disabled_reason == "unsubscribed":
            return False
        sub.status, sub.disabled_reason, sub.updated_at = DISABLED, "unsubscribed", now
        return True


def list_events(db: SessionSource, delivered: bool | None = None, aggregate_id: str | None = None,
                limit: int = 100, offset: int = 0) -> tuple[list[EventView], int]:
    """Events in order; ``delivered=False``: those some subscriber has not received yet."""
    with db.read() as session:
        q = select(OutboxEvent)
        undelivered = exists().where(Delivery.event_seq == OutboxEvent.seq,
                                     Delivery.status != DELIVERED)
        any_delivery = exists().where(Delivery.event_seq == OutboxEvent.seq)
        if delivered is False:
            q = q.where(undelivered)
        elif delivered is True:
            q = q.where(any_delivery, ~undelivered)
        if aggregate_id:
            q = q.where(OutboxEvent.aggregate_id == aggregate_id)
        total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
        events = list(session.scalars(q.order_by(OutboxEvent.seq).limit(limit).offset(offset)))
        by_event: dict[int, list[DeliveryView]] = {e.seq: [] for e in events}
        if events:
            for d in session.scalars(select(Delivery).where(
                    Delivery.event_seq.in_(list(by_event))).order_by(Delivery.id)):
                by_event[d.event_seq].append(DeliveryView(
                    d.subscription_id, d.status, d.attempts, d.last_status_code, d.last_error,
                    d.next_attempt_at, d.delivered_at))
        return [EventView(e.id, e.seq, e.event_type, e.aggregate_id, e.state, e.created_at,
                          e.payload, by_event[e.seq]) for e in events], total


def replay(db: SessionSource, event_ids: Iterable[str] | None = None,
           subscription_id: str | None = None, dead_only: bool = False) -> int:
    """Queue deliveries again (fresh attempt budget). With ``subscription_id`` and
    explicit ``event_ids``, events that subscriber never had are queued for it too.
    Returns the number of deliveries queued."""
    ids = list(event_ids) if event_ids is not None else None
    with db.transaction() as session:
        q = select(Delivery).join(OutboxEvent, Delivery.event_seq == OutboxEvent.seq)
        if ids is not None:
            q = q.where(OutboxEvent.id.in_(ids))
        if subscription_id:
            q = q.where(Delivery.subscription_id == subscription_id)
        q = q.where(Delivery.status == DEAD) if dead_only else q
        count = 0
        for d in session.scalars(q.with_for_update()):
            d.status, d.attempts, d.next_attempt_at, d.lease_until = PENDING, 0, None, None
            count += 1
        if subscription_id and ids:
            sub = session.get(Subscription, subscription_id)
            have = set(session.scalars(select(Delivery.event_seq).where(
                Delivery.subscription_id == subscription_id)))
            if sub is not None:
                for e in session.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(ids))):
                    if e.seq not in have:
                        session.add(Delivery(event_seq=e.seq, subscription_id=sub.id,
                                             aggregate_id=e.aggregate_id, status=PENDING,
                                             attempts=0))
                        count += 1
        return count


def _sub_view(s: Subscription) -> SubscriptionView:
    return SubscriptionView(s.id, s.callback, s.query, s.status, s.disabled_reason,
                            s.created_at)
