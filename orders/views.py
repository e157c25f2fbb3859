"""Read models of orders and jobs (plain dataclasses, detached from the session)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from inventory.allocation import AllocatedResources, allocations_for, latest_allocation
from orders.db import Database
from orders.errors import NotFound
from orders.models import Appointment, Job, ProductOrder


@dataclass(frozen=True)
class StateChangeView:
    from_state: str | None
    to_state: str
    reason: str | None
    at: datetime


@dataclass(frozen=True)
class JobView:
    id: str
    order_id: str | None
    kind: str
    status: str
    duration_s: int
    skills: list[str]
    lon: float
    lat: float
    premise_id: str | None
    region: str | None
    predecessor_job_id: str | None
    priority: int
    needs_appointment: bool
    window_start: datetime | None
    window_end: datetime | None
    earliest_date: date
    latest_date: date | None
    due_date: date | None
    engineer_id: str | None


@dataclass(frozen=True)
class AppointmentView:
    id: str
    job_id: str
    status: str
    window_start: datetime
    window_end: datetime


@dataclass(frozen=True)
class OrderView:
    id: str
    external_id: str
    state: str
    state_reason: str | None
    qualification_result: str | None
    qualification_reasons: list[str]
    billing_account_id: str
    customer_id: str | None
    offering_id: str
    premise_id: str | None
    region: str | None
    requested_completion_date: datetime | None
    order_date: datetime
    completion_date: datetime | None
    cancellation_reason: str | None
    cancelled_at: datetime | None
    updated_at: datetime
    request_body: dict[str, Any]
    history: list[StateChangeView] = field(default_factory=list)
    allocation: AllocatedResources | None = None
    jobs: list[JobView] = field(default_factory=list)
    appointments: list[AppointmentView] = field(default_factory=list)


def job_view(j: Job) -> JobView:
    return JobView(
        id=j.id, order_id=j.order_id, kind=j.kind, status=j.status, duration_s=j.duration_s,
        skills=list(j.skills), lon=j.lon, lat=j.lat, premise_id=j.premise_id, region=j.region,
        predecessor_job_id=j.predecessor_job_id, priority=j.priority,
        needs_appointment=j.needs_appointment, window_start=j.window_start,
        window_end=j.window_end, earliest_date=j.earliest_date, latest_date=j.latest_date,
        due_date=j.due_date, engineer_id=j.engineer_id,
    )


def _order_view(session: Session, o: ProductOrder, detail: bool,
                history: list[StateChangeView] | None = None,
                allocation: AllocatedResources | None = None,
                appointments: list[AppointmentView] | None = None) -> OrderView:
    view = dict(
        id=o.id, external_id=o.external_id, state=o.state, state_reason=o.state_reason,
        qualification_result=o.qualification_result,
        qualification_reasons=list(o.qualification_reasons or []),
        billing_account_id=o.billing_account_id, customer_id=o.customer_id,
        offering_id=o.offering_id, premise_id=o.premise_id, region=o.region,
        requested_completion_date=o.requested_completion_date, order_date=o.order_date,
        completion_date=o.completion_date, cancellation_reason=o.cancellation_reason,
        cancelled_at=o.cancelled_at, updated_at=o.updated_at, request_body=o.request_body,
        history=history if history is not None else [
            StateChangeView(h.from_state, h.to_state, h.reason, h.at) for h in o.history],
        jobs=[job_view(j) for j in o.jobs] if history is None else [],
    )
    if detail:
        view["allocation"] = latest_allocation(session, o.id)
        view["appointments"] = _appointments(session, [o.id]).get(o.id, [])
    else:
        view["allocation"] = allocation
        view["appointments"] = appointments or []
    return OrderView(**view)


def _appointments(session: Session, order_ids: list[str]) -> dict[str, list[AppointmentView]]:
    out: dict[str, list[AppointmentView]] = {}
    for a in session.scalars(select(Appointment).where(Appointment.order_id.in_(order_ids))
                             .order_by(Appointment.id)):
        out.setdefault(a.order_id or "", []).append(
            AppointmentView(a.id, a.job_id, a.status, a.window_start, a.window_end))
    return out


def new_order_view(session: Session, o: ProductOrder) -> OrderView:
    """The view of an order just received (no query: nothing but its creation yet)."""
    return _order_view(session, o, detail=False, history=[
        StateChangeView(None, o.state, "order received", o.order_date)])


def get_order(db: Database, order_id: str) -> OrderView:
    with db.read() as session:
        order = session.scalars(
            select(ProductOrder).where(ProductOrder.id == order_id)
            .options(selectinload(ProductOrder.history), selectinload(ProductOrder.jobs))
        ).first()
        if order is None:
            raise NotFound(f"no product order {order_id!r}")
        return _order_view(session, order, detail=True)


def list_orders(db: Database, *, external_id: str | None = None, state: str | None = None,
                region: str | None = None, limit: int = 50,
                offset: int = 0) -> tuple[list[OrderView], int]:
    """A page of orders (newest first, with resources, jobs and history) and the total
    count matching the filters."""
    filters = []
    if external_id is not None:
        filters.append(ProductOrder.external_id == external_id)
    if state is not None:
        filters.append(ProductOrder.state == state)
    if region is not None:
        filters.append(ProductOrder.region == region)
    with db.read() as session:
        total = session.scalar(select(func.count()).select_from(ProductOrder).where(*filters))
        orders = session.scalars(
            select(ProductOrder).where(*filters)
            .order_by(ProductOrder.order_date.desc(), ProductOrder.id)
            .limit(limit).offset(offset)
            .options(selectinload(ProductOrder.history), selectinload(ProductOrder.jobs))
        ).all()
        ids = [o.id for o in orders]
        allocations = allocations_for(session, ids)
        appointments = _appointments(session, ids) if ids else {}
        return [_order_view(session, o, detail=False, allocation=allocations.get(o.id),
                            appointments=appointments.get(o.id))
                for o in orders], int(total or 0)


def list_jobs(db: Database, *, region: str | None = None, status: str | None = None,
              kind: str | None = None, order_id: str | None = None,
              available_on: date | None = None, limit: int = 100,
              offset: int = 0) -> tuple[list[JobView], int]:
    """Jobs matching the filters; ``available_on`` keeps those whose date range covers it."""
    filters = []
    if region is not None:
        filters.append(Job.region == region)
    if status is not None:
        filters.append(Job.status == status)
    if kind is not None:
        filters.append(Job.kind == kind)
    if order_id is not None:
        filters.append(Job.order_id == order_id)
    if available_on is not None:
        filters.append(Job.earliest_date <= available_on)
        filters.append((Job.latest_date.is_(None)) | (Job.latest_date >= available_on))
    with db.read() as session:
        total = session.scalar(select(func.count()).select_from(Job).where(*filters))
        jobs = session.scalars(
            select(Job).where(*filters).order_by(Job.earliest_date, Job.id)
            .limit(limit).offset(offset)
        ).all()
        return [job_view(j) for j in jobs], int(total or 0)


def get_job(db: Database, job_id: str) -> JobView:
    with db.read() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound(f"no job {job_id!r}")
        return job_view(job)
