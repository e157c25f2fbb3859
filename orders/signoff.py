"""Field sign-off: engineers list their day, start, complete or fail their jobs.

An engineer may only touch jobs assigned to them (``Forbidden`` otherwise); an admin
key (no engineer) may act on any job. Times may be given by the engineer's device,
which syncs late; otherwise they are the service clock's now.

What follows a sign-off:

* install completed → provisioning, line test, completion (``orders.activation``);
* repair completed on an order held for a fault → the order resumes and is activated
  and tested again;
* install failed → order ``held`` (reason code = the failure reason) and a new install
  job to be booked (the rebook); civils reasons add a civils job before it;
* pre-cable failed for civils (``civils_required``, ``duct_blocked``) → a civils job, a
  new pre-cable after it, the install re-pointed to that pre-cable, and a jeopardy note;
  other pre-cable failures → a new pre-cable and a jeopardy note;
* repair or civils failed → another job of the same kind and a note.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

import orders.outbox  # noqa: F401  (state changes become outbox events)
from inventory.allocation import active_allocation
from inventory.provisioning import ProvisioningDriver
from orders import clock
from orders.activation import ActivationOutcome, activate_and_test
from orders.db import Database
from orders.dispatch_models import ScheduleAssignment, ScheduleRun
from orders.errors import Conflict, Forbidden, InvalidInput, NotFound
from orders.follow_up import add_follow_up_job, add_note
from orders.lifecycle import transition
from orders.models import Appointment, Job, ProductOrder
from orders.signoff_models import JobSignoff
from orders.states import (
    OPEN_APPOINTMENT_STATUSES,
    AppointmentStatus,
    JobKind,
    JobStatus,
    OrderState,
)
from orders.views import JobView, job_view

FAILURE_REASONS = ("no_access", "customer_absent", "civils_required", "duct_blocked",
                   "wrong_address", "customer_refused", "unsafe_site", "equipment_fault",
                   "other")
CIVILS_REASONS = frozenset({"civils_required", "duct_blocked"})
CLOCK_SKEW = timedelta(minutes=10)  # device times may run a little ahead of ours


@dataclass(frozen=True)
class SignoffData:
    notes: str | None = None
    ont_serial: str | None = None
    rx_power_dbm: float | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True)
class SignoffView:
    outcome: str
    started_at: datetime | None
    finished_at: datetime | None
    failure_reason: str | None
    ont_serial: str | None
    rx_power_dbm: float | None
    notes: str | None


@dataclass(frozen=True)
class EngineerJob:
    job: JobView
    order_state: str | None
    order_external_id: str | None
    assigned_ont_serial: str | None  # the ONT to fit (from inventory)
    signoff: SignoffView | None


@dataclass(frozen=True)
class JobOutcome:
    job: JobView
    order_state: str | None
    follow_up_job_ids: list[str]
    line_test: dict | None = None  # type: ignore[type-arg]
    message: str | None = None


def _check_time(value: datetime | None, name: str) -> datetime:
    now = clock.now()
    if value is None:
        return now
    if value > now + CLOCK_SKEW:
        raise InvalidInput(f"{name} is in the future", field=name)
    return value


def assigned_engineer(session: Session, job: Job) -> str | None:
    """Who does ``job``: its engineer, else the engineer of the day's current plan."""
    if job.engineer_id:
        return job.engineer_id
    return session.scalar(
        select(ScheduleAssignment.engineer_id)
        .join(ScheduleRun, ScheduleRun.id == ScheduleAssignment.run_id)
        .where(ScheduleAssignment.job_id == job.id, ScheduleRun.current.is_(True),
               ScheduleAssignment.engineer_id.is_not(None))
        .order_by(ScheduleRun.date.desc(), ScheduleRun.finished_at.desc()).limit(1))


def _own_job(session: Session, job_id: str, engineer_id: str | None) -> Job:
    job = session.get(Job, job_id, with_for_update=True)
    if job is None:
        raise NotFound(f"no job {job_id!r}")
    if engineer_id is not None and assigned_engineer(session, job) != engineer_id:
        raise Forbidden(f"job {job_id} is not assigned to engineer {engineer_id}")
    return job


def _signoff(session: Session, job: Job, engineer_id: str | None) -> JobSignoff:
    row = session.get(JobSignoff, job.id)
    if row is None:
        row = JobSignoff(job_id=job.id, order_id=job.order_id,
                         engineer_id=engineer_id or job.engineer_id, outcome="started",
                         recorded_at=clock.now())
        session.add(row)
    return row


def _close_appointment(session: Session, job: Job, status: AppointmentStatus,
                       now: datetime) -> None:
    for appt in session.scalars(select(Appointment).where(
            Appointment.job_id == job.id,
            Appointment.status.in_([s.value for s in OPEN_APPOINTMENT_STATUSES]))):
        appt.status, appt.updated_at = status, now


def _signoff_view(s: JobSignoff | None) -> SignoffView | None:
    if s is None:
        return None
    return SignoffView(s.outcome, s.started_at, s.finished_at, s.failure_reason, s.ont_serial,
                       s.rx_power_dbm, s.notes)


def jobs_for_engineer(db: Database, engineer_id: str, day: date) -> list[EngineerJob]:
    """The engineer's jobs on ``day`` (local date): in the day's current plan, assigned
    with an appointment that day, assigned without a window whose date range covers it,
    or signed off that day; in planned order."""
    tz = db.settings.tz
    start = datetime.combine(day, time.min, tz)
    end = start + timedelta(days=1)
    with db.read() as session:
        planned = dict(session.execute(
            select(ScheduleAssignment.job_id, ScheduleAssignment.planned_start)
            .join(ScheduleRun, ScheduleRun.id == ScheduleAssignment.run_id)
            .where(ScheduleRun.current.is_(True), ScheduleRun.date == day,
                   ScheduleAssignment.engineer_id == engineer_id)).all())
        signed = select(JobSignoff.job_id).where(
            JobSignoff.engineer_id == engineer_id, JobSignoff.finished_at >= start,
            JobSignoff.finished_at < end)
        mine = session.scalars(select(Job).where(
            Job.engineer_id == engineer_id, Job.status != JobStatus.CANCELLED,
            or_(and_(Job.window_start >= start, Job.window_start < end),
                and_(Job.window_start.is_(None),
                     Job.status.in_([JobStatus.SCHEDULED, JobStatus.IN_PROGRESS]),
                     Job.earliest_date <= day,
                     or_(Job.latest_date.is_(None), Job.latest_date >= day))))).all()
        others = session.scalars(select(Job).where(
            Job.id.in_(list(planned)) | Job.id.in_(signed),
            Job.status != JobStatus.CANCELLED)).all()
        jobs = {j.id: j for j in [*mine, *others]}.values()

        def key(j: Job) -> tuple[datetime, str]:
            return (planned.get(j.id) or j.window_start or end, j.id)

        out = []
        for j in sorted(jobs, key=key):
            order = session.get(ProductOrder, j.order_id) if j.order_id else None
            alloc = active_allocation(session, order.id) if order else None
            out.append(EngineerJob(job_view(j), order.state if order else None,
                                   order.external_id if order else None,
                                   alloc.ont_serial if alloc else None,
                                   _signoff_view(session.get(JobSignoff, j.id))))
        return out


def start_job(db: Database, engineer_id: str | None, job_id: str,
              started_at: datetime | None = None) -> JobView:
    at = _check_time(started_at, "started_at")

    def work(session: Session) -> JobView:
        job = _own_job(session, job_id, engineer_id)
        if job.status == JobStatus.IN_PROGRESS:
            return job_view(job)  # a device retrying its request
        if job.status not in (JobStatus.PENDING, JobStatus.SCHEDULED):
            raise Conflict(f"job {job_id} is {job.status}; it cannot start",
                           code="invalid_job_state")
        row = _signoff(session, job, engineer_id)
        row.outcome, row.started_at, row.recorded_at = "started", at, clock.now()
        job.status, job.updated_at = JobStatus.IN_PROGRESS, clock.now()
        return job_view(job)

    return db.run(work)


def complete_job(db: Database, engineer_id: str | None, job_id: str, data: SignoffData,
                 driver: ProvisioningDriver | None = None) -> JobOutcome:
    """Record the sign-off; for installs (and repairs of faulty lines) activate and test."""
    finished = _check_time(data.completed_at, "completed_at")
    if data.started_at is not None and data.started_at > finished:
        raise InvalidInput("started_at is after completed_at", field="started_at")

    def work(session: Session) -> tuple[JobView, str | None, bool]:
        job = _own_job(session, job_id, engineer_id)
        if job.status not in (JobStatus.PENDING, JobStatus.SCHEDULED, JobStatus.IN_PROGRESS):
            raise Conflict(f"job {job_id} is {job.status}; it cannot be completed",
                           code="invalid_job_state")
        if job.kind == JobKind.INSTALL and (data.ont_serial is None or data.rx_power_dbm is None):
            field = "ont_serial" if data.ont_serial is None else "rx_power_dbm"
            raise InvalidInput("an install sign-off needs the ONT serial and the optical "
                               "reading taken on site", field=field)
        now = clock.now()
        row = _signoff(session, job, engineer_id)
        row.outcome, row.finished_at, row.recorded_at = "completed", finished, now
        row.started_at = data.started_at or row.started_at or finished
        row.ont_serial, row.rx_power_dbm, row.notes = (data.ont_serial, data.rx_power_dbm,
                                                       data.notes)
        job.status, job.updated_at = JobStatus.COMPLETED, now
        _close_appointment(session, job, AppointmentStatus.COMPLETED, now)
        order = session.get(ProductOrder, job.order_id, with_for_update=True) \
            if job.order_id else None
        activate = False
        if order is not None and job.kind == JobKind.INSTALL:
            activate = order.state == OrderState.IN_PROGRESS
        elif order is not None and job.kind == JobKind.REPAIR and order.state == OrderState.HELD \
                and (order.state_reason or "").startswith(("line_test", "provisioning")):
            transition(session, order, OrderState.IN_PROGRESS, now,
                       reason=f"repair {job.id} done; testing the line again")
            activate = True
        elif order is not None and job.kind == JobKind.CIVILS:
            add_note(session, order.id, "civils", f"civils done ({job.id})", job.id, now)
        return job_view(job), order.state if order else None, activate

    view, order_state, activate = db.run(work)
    if not activate or view.order_id is None:
        return JobOutcome(view, order_state, [])
    result: ActivationOutcome = activate_and_test(db, view.order_id, job_id, driver)
    follow = [result.follow_up_job_id] if result.follow_up_job_id else []
    return JobOutcome(view, result.order_state, follow,
                      result.line_test.as_json() if result.line_test else None, result.error)


def fail_job(db: Database, engineer_id: str | None, job_id: str, reason: str,
             notes: str | None = None, at: datetime | None = None) -> JobOutcome:
    if reason not in FAILURE_REASONS:
        raise InvalidInput(f"unknown reason {reason!r}; one of {', '.join(FAILURE_REASONS)}",
                           field="reason")
    when = _check_time(at, "failed_at")
    return db.run(lambda session: record_failure(session, engineer_id, job_id, reason,
                                                 notes, when))


def record_failure(session: Session, engineer_id: str | None, job_id: str, reason: str,
                   notes: str | None, when: datetime) -> JobOutcome:
    """A failed visit inside the caller's transaction (the engineer's sign-off, or the
    dispatcher's ``customer_absent`` re-plan event): the job fails, its appointment too,
    and the order is held for a rebook or gets its follow-up job."""
    job = _own_job(session, job_id, engineer_id)
    if job.status not in (JobStatus.PENDING, JobStatus.SCHEDULED, JobStatus.IN_PROGRESS):
        raise Conflict(f"job {job_id} is {job.status}; it cannot fail",
                       code="invalid_job_state")
    now = clock.now()
    row = _signoff(session, job, engineer_id)
    row.outcome, row.finished_at, row.failure_reason = "failed", when, reason
    row.notes, row.recorded_at = notes, now
    job.status, job.updated_at = JobStatus.FAILED, now
    _close_appointment(session, job, AppointmentStatus.FAILED, now)
    order = session.get(ProductOrder, job.order_id, with_for_update=True) \
        if job.order_id else None
    if order is None or order.state not in (OrderState.IN_PROGRESS, OrderState.HELD):
        return JobOutcome(job_view(job), order.state if order else None, [])
    follow = _after_failure(session, order, job, reason, now)
    return JobOutcome(job_view(job), order.state, [j.id for j in follow])


def _after_failure(session: Session, order: ProductOrder, job: Job, reason: str,
                   now: datetime) -> list[Job]:
    civils = reason in CIVILS_REASONS
    created: list[Job] = []
    if job.kind == JobKind.INSTALL:
        before = job.predecessor_job_id
        if civils:
            cv = add_follow_up_job(session, order, JobKind.CIVILS, now, lead_days=1)
            created.append(cv)
            before = cv.id
        rebook = add_follow_up_job(session, order, JobKind.INSTALL, now, template=job,
                                   predecessor_id=before, lead_days=1)
        created.append(rebook)
        add_note(session, order.id, "rebook",
                 f"install {job.id} failed ({reason}); book {rebook.id}", job.id, now)
        if order.state == OrderState.IN_PROGRESS:
            transition(session, order, OrderState.HELD, now,
                       reason=f"install failed: {reason}; rebook {rebook.id}",
                       reason_code=reason)
        return created
    if job.kind == JobKind.PRECABLE:
        before = None
        if civils:
            cv = add_follow_up_job(session, order, JobKind.CIVILS, now, lead_days=1)
            created.append(cv)
            before = cv.id
        pc = add_follow_up_job(session, order, JobKind.PRECABLE, now, template=job,
                               predecessor_id=before, lead_days=1)
        created.append(pc)
        for install in session.scalars(select(Job).where(
                Job.order_id == order.id, Job.kind == JobKind.INSTALL,
                Job.predecessor_job_id == job.id)):
            install.predecessor_job_id, install.updated_at = pc.id, now
        add_note(session, order.id, "jeopardy",
                 f"pre-cable {job.id} failed ({reason}); "
                 + (f"civils {created[0].id}, then " if civils else "")
                 + f"pre-cable {pc.id}; the install date is in jeopardy", job.id, now)
        return created
    again = add_follow_up_job(session, order, JobKind(job.kind), now, template=job)
    add_note(session, order.id, "jeopardy", f"{job.kind} {job.id} failed ({reason}); "
             f"new job {again.id}", job.id, now)
    return [again]
