"""Follow-up work on an order: new jobs (rebook, civils, repair, retry) and notes."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orders import clock
from orders.job_rules import job_spec
from orders.models import Job, ProductOrder
from orders.settings import get_settings
from orders.signoff_models import OrderNote
from orders.states import JobKind, JobStatus

_PREFIX = {JobKind.PRECABLE: "PC", JobKind.INSTALL: "IN", JobKind.REPAIR: "RP",
           JobKind.CIVILS: "CV"}


def add_note(session: Session, order_id: str, kind: str, text: str, job_id: str | None,
             at: datetime) -> None:
    session.add(OrderNote(order_id=order_id, kind=kind, text=text, job_id=job_id, at=at))


def add_follow_up_job(session: Session, order: ProductOrder, kind: JobKind, now: datetime,
                      template: Job | None = None, predecessor_id: str | None = None,
                      lead_days: int = 0) -> Job:
    """A new pending job of ``kind`` for ``order`` at its premise (copying ``template``'s
    duration, skills and appointment need when given)."""
    existing = list(session.scalars(select(Job).where(Job.order_id == order.id)))
    same_kind = sum(1 for j in existing if j.kind == kind)
    seq = (session.scalar(select(func.max(Job.order_seq)).where(Job.order_id == order.id))
           or 0) + 1
    site = template or next((j for j in existing if j.kind == JobKind.INSTALL), existing[0])
    if template is not None:
        duration, skills, priority = template.duration_s, list(template.skills), template.priority
        needs_appointment = template.needs_appointment
    else:
        spec = job_spec(kind, order.offering_id)
        duration, skills, priority = spec.duration_s, list(spec.skills), spec.priority
        needs_appointment = False
    ids = {j.id for j in existing}
    n = same_kind + 1
    while f"{order.id}-{_PREFIX[kind]}{n}" in ids:
        n += 1
    today = clock.today(get_settings().tz)
    job = Job(id=f"{order.id}-{_PREFIX[kind]}{n}", order_seq=seq, order_id=order.id, kind=kind,
              status=JobStatus.PENDING, duration_s=duration, skills=skills,
              lon=site.lon, lat=site.lat, premise_id=site.premise_id, region=site.region,
              predecessor_job_id=predecessor_id, priority=priority,
              needs_appointment=needs_appointment,
              earliest_date=today + timedelta(days=lead_days), due_date=site.due_date,
              created_at=now, updated_at=now)
    session.add(job)
    session.flush()
    return job
