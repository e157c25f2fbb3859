"""Billing's event subscriptions (TMF hub) and the outbox for reconciliation and replay."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from api.deps import DbDep, require
from api.roles import ORDER_WRITE
from api.schemas.common import ID_PATTERN, responses
from api.schemas.field import (
    Delivery,
    Event,
    EventPage,
    Hub,
    HubCreate,
    HubCreated,
    ReplayBody,
    Replayed,
)
from billing_hook import store
from orders import clock
from orders.auth import Principal
from orders.errors import NotFound

HUB = "/tmf-api/productOrderingManagement/v4/hub"
router = APIRouter(tags=["billing events"])
Billing = Annotated[Principal, Depends(require(*ORDER_WRITE))]
HubId = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]


def _hub(v: store.SubscriptionView) -> Hub:
    return Hub(**v.__dict__)


@router.post(HUB, status_code=201, response_model=HubCreated, responses=responses(),
             summary="Subscribe a callback to order events (the secret is shown once)")
def subscribe(body: HubCreate, db: DbDep, _: Billing, response: Response) -> HubCreated:
    view, secret = store.create_subscription(db, str(body.callback), body.query, clock.now())
    response.headers["Location"] = f"{HUB}/{view.id}"
    return HubCreated(**view.__dict__, secret=secret)


@router.get(HUB + "/{hub_id}", response_model=Hub, responses=responses(404))
def subscription(hub_id: HubId, db: DbDep, _: Billing) -> Hub:
    view = store.get_subscription(db, hub_id)
    if view is None:
        raise NotFound(f"no subscription {hub_id!r}")
    return _hub(view)


@router.delete(HUB + "/{hub_id}", status_code=204, responses=responses(404))
def unsubscribe(hub_id: HubId, db: DbDep, _: Billing) -> Response:
    if store.get_subscription(db, hub_id) is None:
        raise NotFound(f"no subscription {hub_id!r}")
    store.delete_subscription(db, hub_id, clock.now())
    return Response(status_code=204)


@router.get("/events", response_model=EventPage, responses=responses(),
            summary="Outbox events with their delivery state (reconciliation)")
def events(db: DbDep, _: Billing,
           delivered: Annotated[bool | None, Query(
               description="false: events some subscriber has not received")] = None,
           order_id: Annotated[str | None, Query(max_length=64, pattern=ID_PATTERN)] = None,
           limit: Annotated[int, Query(ge=1, le=1000)] = 100,
           offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> EventPage:
    items, total = store.list_events(db, delivered, order_id, limit, offset)
    return EventPage(total=total, limit=limit, offset=offset, items=[
        Event(**{**e.__dict__, "deliveries": [Delivery(**d.__dict__) for d in e.deliveries]})
        for e in items])


@router.post("/events/replay", response_model=Replayed, responses=responses(),
             summary="Queue deliveries again (all, some events, one subscriber, dead letters)")
def replay(body: ReplayBody, db: DbDep, _: Billing) -> Replayed:
    return Replayed(queued=store.replay(db, body.event_ids, body.subscription_id,
                                        body.dead_only))


@router.post("/events/{event_id}/replay", response_model=Replayed, responses=responses(404),
             summary="Send one event again (to every subscriber that had it, or to one)")
def replay_one(event_id: Annotated[str, Path(max_length=40, pattern=ID_PATTERN)], db: DbDep,
               _: Billing,
               subscription_id: Annotated[str | None, Query(max_length=40,
                                                            pattern=ID_PATTERN)] = None
               ) -> Replayed:
    queued = store.replay(db, [event_id], subscription_id)
    if not queued:
        raise NotFound(f"no deliveries of event {event_id!r} to queue")
    return Replayed(queued=queued)
