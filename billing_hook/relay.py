"""The relay: delivers outbox events to subscribers, at least once, in order per order.

One pass (:meth:`Relay.run_once`):

1. read the pending deliveries in event order; for each (subscriber, order) only the
   oldest pending one may go (later events of that order wait for it: ordering);
2. claim it with a conditional UPDATE setting a lease (another relay, or this one
   restarted after a crash, skips it until the lease ends);
3. POST it outside any transaction, signed per Standard Webhooks; the ``webhook-id`` is
   the event's id on every try, so receivers deduplicate;
4. record the attempt and the outcome in one transaction: 2xx delivered; network error,
   timeout, 408/425/429 or 5xx retried after the (jittered) backoff, dead letter after
   the last try; 410 Gone disables the subscription; other 4xx are dead letters at once.

A relay killed between 2 and 4 leaves only its lease: the delivery goes out again when
the lease ends (a duplicate with the same webhook-id, never a loss).
"""
from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import or_, select, update

from billing_hook import signing
from billing_hook.models import (
    ACTIVE,
    DEAD,
    DELIVERED,
    DISABLED,
    PENDING,
    Delivery,
    DeliveryAttempt,
    OutboxEvent,
    Subscription,
)
from billing_hook.settings import RelaySettings
from billing_hook.store import CONFIGURED_ID, SessionSource, ensure_configured

log = logging.getLogger("fieldsched.relay")
RETRYABLE_4XX = frozenset({408, 425, 429})


def body_bytes(payload: dict) -> bytes:  # type: ignore[type-arg]
    """The wire form of an event (stable, so a retry sends the same bytes)."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True,
                      ensure_ascii=False).encode("utf-8")


def _wall_clock() -> datetime:
    return datetime.now(UTC)


class Relay:
    """Delivers pending outbox deliveries; ``now`` is the relay's (wall) clock."""

    def __init__(self, db: SessionSource, settings: RelaySettings | None = None,
                 now: Callable[[], datetime] = _wall_clock,
                 client: httpx.Client | None = None, seed: int | None = None):
        self.db = db
        self.settings = settings or RelaySettings()
        self.now = now
        self.rng = random.Random(seed)
        self._client = client or httpx.Client(timeout=self.settings.timeout_s)
        self._owns_client = client is None

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def sync_configured_subscription(self) -> None:
        s = self.settings
        if s.callback_url:
            if not s.webhook_secret:
                raise ValueError("FIELDSCHED_BILLING_CALLBACK_URL needs "
                                 "FIELDSCHED_BILLING_WEBHOOK_SECRET (no default)")
            ensure_configured(self.db, s.callback_url, s.webhook_secret, s.callback_query,
                              self.now())

    def due(self) -> list[int]:
        """Ids of deliveries that may go now (the head of each subscriber/order queue)."""
        now = self.now()
        with self.db.read() as session:
            rows = session.execute(
                select(Delivery.id, Delivery.subscription_id, Delivery.aggregate_id,
                       Delivery.next_attempt_at, Delivery.lease_until)
                .join(Subscription, Subscription.id == Delivery.subscription_id)
                .where(Delivery.status == PENDING, Subscription.status == ACTIVE)
                .order_by(Delivery.event_seq, Delivery.id)
                .limit(self.settings.batch_size * 10)
            ).all()
        heads: set[tuple[str, str]] = set()
        due: list[int] = []
        for delivery_id, sub_id, aggregate, next_at, lease in rows:
            if (sub_id, aggregate) in heads:
                continue
            heads.add((sub_id, aggregate))
            if (next_at is None or next_at <= now) and (lease is None or lease <= now):
                due.append(delivery_id)
        return due[: self.settings.batch_size]

    def run_once(self) -> int:
        """Attempt every due delivery once; returns how many were attempted."""
        due = self.due()
        if self.settings.concurrency == 1 or len(due) <= 1:
            return sum(1 for delivery_id in due if self.deliver(delivery_id))
        with ThreadPoolExecutor(self.settings.concurrency,
                                thread_name_prefix="relay-delivery") as pool:
            return sum(1 for ok in pool.map(self.deliver, due) if ok)

    def run_forever(self, stop: threading.Event) -> None:
        self.sync_configured_subscription()
        while not stop.is_set():
            try:
                attempted = self.run_once()
            except Exception:  # the database may be briefly unavailable: keep going
                log.exception("relay pass failed")
                attempted = 0
            if not attempted:
                stop.wait(self.settings.poll_interval_s)

    def _claim(self, delivery_id: int) -> tuple[str, dict, str, str] | None:  # type: ignore[type-arg]
        now = self.now()
        with self.db.transaction() as session:
            claimed = session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.status == PENDING,
                       or_(Delivery.lease_until.is_(None), Delivery.lease_until <= now),
                       Delivery.subscription_id.in_(
                           select(Subscription.id).where(Subscription.status == ACTIVE)))
                .values(lease_until=now + timedelta(seconds=self.settings.lease))
            ).rowcount
            if claimed != 1:
                return None
            event_id, payload, callback, secret = session.execute(
                select(OutboxEvent.id, OutboxEvent.payload, Subscription.callback,
                       Subscription.secret)
                .join(Delivery, Delivery.event_seq == OutboxEvent.seq)
                .join(Subscription, Subscription.id == Delivery.subscription_id)
                .where(Delivery.id == delivery_id)
            ).one()
            return event_id, payload, callback, secret

    def deliver(self, delivery_id: int) -> bool:
        """One HTTP attempt of one delivery (if it can be claimed)."""
        claim = self._claim(delivery_id)
        if claim is None:
            return False
        event_id, payload, callback, secret = claim
        body = body_bytes(payload)
        started = time.monotonic()
        code: int | None = None
        error: str | None = None
        try:
            timestamp = int(time.time())
            response = self._client.post(callback, content=body,
                                         headers=signing.headers(secret, event_id, timestamp,
                                                                 body),
                                         timeout=self.settings.timeout_s)
            code = response.status_code
            if not 200 <= code < 300:
                error = f"HTTP {code}: {response.text[:200]}"
        except httpx.HTTPError as exc:
            error = f"{exc.__class__.__name__}: {exc}"[:500]
        self._record(delivery_id, code, error, int((time.monotonic() - started) * 1000))
        return True

    def _record(self, delivery_id: int, code: int | None, error: str | None,
                duration_ms: int) -> None:
        now = self.now()
        with self.db.transaction() as session:
            d = session.get(Delivery, delivery_id, with_for_update=True)
            assert d is not None
            d.attempts += 1
            session.add(DeliveryAttempt(delivery_id=d.id, attempt_no=d.attempts, at=now,
                                        status_code=code, error=error, duration_ms=duration_ms))
            d.last_status_code, d.last_error, d.lease_until = code, error, None
            if d.status != PENDING:  # replayed or delivered by another relay meanwhile
                return
            if code is not None and 200 <= code < 300:
                d.status, d.delivered_at, d.next_attempt_at = DELIVERED, now, None
                return
            if code == 410:
                sub = session.get(Subscription, d.subscription_id, with_for_update=True)
                assert sub is not None
                sub.status, sub.updated_at = DISABLED, now
                sub.disabled_reason = "410 Gone from the callback"
                log.warning("subscription %s disabled: its callback answered 410", sub.id)
                return  # stays pending: replayable once re-enabled
            retryable = code is None or code >= 500 or code in RETRYABLE_4XX
            delay = self.settings.delay_after(d.attempts, self.rng) if retryable else None
            if delay is None:
                d.status, d.next_attempt_at = DEAD, None
                log.warning("delivery %s is a dead letter after %s attempts: %s",
                            d.id, d.attempts, error)
            else:
                d.next_attempt_at = now + timedelta(seconds=delay)


def wait_until_delivered(db: SessionSource, relay: Relay, timeout_s: float = 30.0) -> bool:
    """Run passes until nothing is pending (tests and the demo); ``False`` on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        relay.run_once()
        with db.read() as session:
            pending = session.scalar(
                select(Delivery.id).join(Subscription,
                                         Subscription.id == Delivery.subscription_id)
                .where(Delivery.status == PENDING, Subscription.status == ACTIVE).limit(1))
        if pending is None:
            return True
        time.sleep(min(0.05, relay.settings.poll_interval_s))
    return False


__all__ = ["CONFIGURED_ID", "Relay", "body_bytes", "wait_until_delivered"]
