"""After acknowledgement: qualify, allocate, create the jobs — one transaction per order.

Unqualified orders (unknown address, outside the areas, a pool ran out) end in
``rejected`` with the reason code billing reads back; qualified ones go to
``inProgress`` with their resources and jobs.
"""
from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.allocation import allocate
from inventory.errors import AllocationError
from inventory.models import Premise
from inventory.qualification import UNQUALIFIED, qualify
from orders import clock
from orders.db import Database
from orders.errors import NotFound
from orders.intake import Place
from orders.job_rules import job_spec, needs_precable
from orders.lifecycle import transition
from orders.models import Job, ProductOrder
from orders.settings import Settings
from orders.states import JobKind, JobStatus, OrderState

log = logging.getLogger(__name__)


def process_order(db: Database, order_id: str) -> str:
    """Take an acknowledged order as far as it goes; returns its state (idempotent)."""

    def work(session: Session) -> str:
        order = session.get(ProductOrder, order_id, with_for_update=True)
        if order is None:
            raise NotFound(f"no product order {order_id!r}")
        if order.state != OrderState.ACKNOWLEDGED:
            return order.state
        _fulfil(session, order, db.settings)
        return order.state

    return db.run(work)


def process_pending(db: Database, limit: int = 1000) -> int:
    """Process orders left acknowledged (e.g. the server stopped before it got to them)."""
    with db.read() as session:
        ids = list(session.scalars(
            select(ProductOrder.id).where(ProductOrder.state == OrderState.ACKNOWLEDGED)
            .order_by(ProductOrder.order_date).limit(limit)
        ))
    for order_id in ids:
        try:
            process_order(db, order_id)
        except Exception:  # one bad order must not stop the others
            log.exception("processing order %s failed", order_id)
    return len(ids)


def _fulfil(session: Session, order: ProductOrder, settings: Settings) -> None:
    now = clock.now()
    place = Place.from_json(order.place)
    # Address and area here; capacity is decided by the allocation itself, under locks.
    result = qualify(session, place.premise_id, place.address, check_capacity=False)
    premise = result.premise
    if premise is not None:
        order.premise_id = premise.id
        order.region = premise.region
    order.qualification_result = result.result
    order.qualification_reasons = list(result.reasons)
    if not result.qualified:
        _reject(session, order, result.reasons, now)
        return
    assert premise is not None
    try:
        resources = allocate(session, premise.id, order.id, now)
    except AllocationError as exc:
        order.qualification_result = UNQUALIFIED
        order.qualification_reasons = [exc.reason]
        _reject(session, order, [exc.reason], now)
        return
    jobs = create_order_jobs(session, order, premise, settings, clock.today(settings.tz))
    transition(
        session, order, OrderState.IN_PROGRESS, now,
        reason=(f"qualified; port {resources.splitter_id}/{resources.splitter_port}, "
                f"VLAN {resources.s_vlan}/{resources.c_vlan}, ONT {resources.ont_serial}; "
                f"jobs {', '.join(j.kind for j in jobs)}"),
    )


def _reject(session: Session, order: ProductOrder, reasons: list[str], now) -> None:  # type: ignore[no-untyped-def]
    transition(session, order, OrderState.REJECTED, now,
               reason="unqualified: " + ", ".join(reasons), reason_code=reasons[0])


def create_order_jobs(session: Session, order: ProductOrder, premise: Premise,
                      settings: Settings, today: date) -> list[Job]:
    """A pre-cable job when the premise needs a drop, then the install (after it)."""
    now = clock.now()
    due = (order.requested_completion_date.astimezone(settings.tz).date()
           if order.requested_completion_date else None)
    common = dict(order_id=order.id, status=JobStatus.PENDING, lon=premise.lon, lat=premise.lat,
                  premise_id=premise.id, region=premise.region, due_date=due,
                  created_at=now, updated_at=now)
    jobs: list[Job] = []
    precable: Job | None = None
    if needs_precable(premise.drop_status):
        spec = job_spec(JobKind.PRECABLE, order.offering_id, premise.drop_type,
                        premise.premise_type)
        precable = Job(id=f"{order.id}-PC", order_seq=0, kind=JobKind.PRECABLE,
                       duration_s=spec.duration_s, skills=list(spec.skills),
                       priority=spec.priority, needs_appointment=False,
                       earliest_date=today + timedelta(days=settings.precable_lead_days),
                       **common)
        jobs.append(precable)
    spec = job_spec(JobKind.INSTALL, order.offering_id, premise.drop_type, premise.premise_type)
    earliest = today + timedelta(days=settings.install_lead_days)
    if precable is not None:
        earliest = max(earliest, precable.earliest_date + timedelta(days=1))
    jobs.append(Job(id=f"{order.id}-IN", order_seq=1, kind=JobKind.INSTALL,
                    duration_s=spec.duration_s, skills=list(spec.skills), priority=spec.priority,
                    needs_appointment=True, earliest_date=earliest,
                    predecessor_job_id=precable.id if precable else None, **common))
    session.add_all(jobs)
    session.flush()
    return jobs
