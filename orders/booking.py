"""TMF646 appointment booking: slot search and booking, consistent with the day's plan.

A slot is offered only if the order's install job can be inserted into that region-day's
tentative plan (:mod:`orders.booking_plans`, :class:`scheduler.slots.DayPlan`) with every
booked job keeping its window. Booking re-checks the insertion under the region-day lock and
stores the new route order; the loser of a race for the last capacity gets
:class:`SlotUnavailable` (409) with fresh alternatives. Orders needing pre-cable are offered
install days only from the pre-cable's first feasible day plus a lead time; booking places the
pre-cable on that day's plan too.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orders import clock
from orders.booking_models import AppointmentBooking, PlannedJob
from orders.booking_plans import (
    CACHE,
    bump,
    local_instant,
    lock_days,
    seconds,
    slot_job,
    stamps,
    sync_entries,
)
from orders.booking_settings import BookingSettings, get_booking_settings
from orders.db import Database
from orders.errors import Conflict, InvalidInput, NotFound
from orders.lifecycle import transition
from orders.models import Appointment, Job, ProductOrder
from orders.states import (
    OPEN_APPOINTMENT_STATUSES,
    OPEN_JOB_STATUSES,
    AppointmentStatus,
    JobKind,
    OrderState,
)
from scheduler.slots import DayPlan

T = TypeVar("T")
PERIOD_FIELD = "requestedTimeSlot.validFor"
SLOT_FIELD = "validFor"


class SlotUnavailable(Conflict):
    """The slot can no longer be booked; ``alternatives`` are fresh offers."""

    code = "slot_unavailable"

    def __init__(self, message: str, alternatives: list[SlotView] | None = None):
        super().__init__(message, field=SLOT_FIELD)
        self.alternatives = alternatives or []


@dataclass(frozen=True)
class SlotView:
    day: date
    label: str
    start: datetime
    end: datetime
    grade: float
    components: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchResult:
    order_id: str
    job_id: str
    region: str
    period_start: datetime
    period_end: datetime
    slots: list[SlotView]
    precable_day: date | None


@dataclass(frozen=True)
class AppointmentView:
    id: str
    order_id: str | None
    job_id: str
    status: str
    start: datetime
    end: datetime
    created_at: datetime
    updated_at: datetime
    region: str | None = None
    day: date | None = None
    slot_label: str | None = None
    grade: float | None = None
    components: dict[str, Any] | None = None
    expires_at: datetime | None = None
    precable_job_id: str | None = None
    precable_day: date | None = None
    status_reason: str | None = None


# -- what is being booked ------------------------------------------------------------------

@dataclass(frozen=True)
class _Target:
    order: ProductOrder
    install: Job
    precable: Job | None  # an open pre-cable the install must follow
    precable_day: date | None  # its planned day, when already placed


def _target(session: Session, order_id: str, lock: bool = False) -> _Target:
    order = session.get(ProductOrder, order_id, with_for_update=lock)
    if order is None:
        raise NotFound(f"no product order {order_id!r}", code="unknown_order",
                       field="relatedEntity.id")
    if order.state == OrderState.REJECTED:
        raise InvalidInput(f"order {order.id} is not qualified ({order.state_reason})",
                           code="order_not_qualified", field="relatedEntity.id")
    if order.state == OrderState.ACKNOWLEDGED:
        raise Conflict(f"order {order.id} is still being qualified; try again shortly",
                       code="order_not_ready", field="relatedEntity.id")
    if order.state not in (OrderState.IN_PROGRESS, OrderState.HELD):
        raise Conflict(f"order {order.id} is {order.state}: nothing to book",
                       code="order_closed", field="relatedEntity.id")
    jobs = session.scalars(select(Job).where(Job.order_id == order.id)).all()
    install = next((j for j in jobs if j.kind == JobKind.INSTALL and j.needs_appointment
                    and j.status in OPEN_JOB_STATUSES), None)
    if install is None or not install.region:
        raise Conflict(f"order {order.id} has no install job waiting for an appointment",
                       code="no_install_job", field="relatedEntity.id")
    pre = next((j for j in jobs if j.id == install.predecessor_job_id
                and j.status in OPEN_JOB_STATUSES), None)
    pre_day = None
    if pre is not None:
        entry = session.get(PlannedJob, pre.id)
        pre_day = entry.day if entry is not None else None
    return _Target(order, install, pre, pre_day)


# -- periods and slots ----------------------------------------------------------------------

def _first_day(tgt: _Target, today: date, bs: BookingSettings) -> date:
    return max(today + timedelta(days=bs.min_notice_days), tgt.install.earliest_date)


def check_period(start: datetime, end: datetime, today: date, tz: ZoneInfo,
                 bs: BookingSettings) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("date-times need a time zone offset", code="invalid_period",
                           field=PERIOD_FIELD)
    if end <= start:
        raise InvalidInput("the period must end after it starts", code="invalid_period",
                           field=PERIOD_FIELD)
    if end <= clock.now():
        raise InvalidInput("the period is in the past", code="period_in_past",
                           field=PERIOD_FIELD)
    if end.astimezone(tz).date() > today + timedelta(days=bs.horizon_days):
        raise InvalidInput(f"the period ends beyond the booking horizon "
                           f"({bs.horizon_days} days)", code="beyond_horizon", field=PERIOD_FIELD)
    if end - start > timedelta(days=bs.max_period_days):
        raise InvalidInput(f"the period is longer than {bs.max_period_days} days",
                           code="period_too_long", field=PERIOD_FIELD)


def _slot_windows(region: str, start: datetime, end: datetime, first: date, tz: ZoneInfo,
                  bs: BookingSettings) -> dict[date, list[tuple[str, datetime, datetime]]]:
    """Template windows lying inside [start, end], per day, from ``first`` on."""
    out: dict[date, list[tuple[str, datetime, datetime]]] = {}
    day = max(start.astimezone(tz).date(), first)
    last = end.astimezone(tz).date()
    while day <= last:
        for label, a, b in bs.templates(region):
            ws, we = local_instant(day, a, tz), local_instant(day, b, tz)
            if start <= ws and we <= end:
                out.setdefault(day, []).append((label, ws, we))
        day += timedelta(days=1)
    return out


def _slot_of(region: str, start: datetime, end: datetime, tz: ZoneInfo, bs: BookingSettings
             ) -> tuple[date, str]:
    """The template slot exactly matching [start, end] (a booking names one offered slot)."""
    day = start.astimezone(tz).date()
    for label, a, b in bs.templates(region):
        if local_instant(day, a, tz) == start and local_instant(day, b, tz) == end:
            return day, label
    names = ", ".join(f"{lbl} {a:%H:%M}-{b:%H:%M}" for lbl, a, b in bs.templates(region))
    raise InvalidInput(f"validFor is not a slot of region {region} (local slots: {names})",
                       code="not_a_slot", field=SLOT_FIELD)


# -- plans ----------------------------------------------------------------------------------

def _plans(session: Session, db: Database, region: str, days: list[date], tz: ZoneInfo,
           bs: BookingSettings, known: dict[date, str] | None = None) -> dict[date, DayPlan]:
    st = known if known is not None else stamps(session, region, days)
    return {d: CACHE.get(session, db.url, region, d, st[d], tz, bs) for d in days}


def _precable_day(session: Session, db: Database, tgt: _Target, first: date, last: date,
                  tz: ZoneInfo, bs: BookingSettings, today: date) -> date | None:
    """The first day in [first, last] whose plan can take the pre-cable (any time)."""
    assert tgt.precable is not None
    lo = max(first, tgt.precable.earliest_date, today + timedelta(days=bs.min_notice_days))
    if lo > last:
        return None
    days = [lo + timedelta(days=k) for k in range((last - lo).days + 1)]
    job = slot_job(tgt.precable)
    st = stamps(session, tgt.install.region or "", days)
    for d in days:
        plan = CACHE.get(session, db.url, tgt.install.region or "", d, st[d], tz, bs)
        if plan.options(job, (-float("inf"), float("inf")), enough=1):
            return d
    return None


def search_slots(db: Database, order_id: str, start: datetime, end: datetime,
                 bs: BookingSettings | None = None) -> SearchResult:
    """Slots in [start, end] the order's install fits in, graded (best first by day)."""
    bs = bs or get_booking_settings()
    tz = db.settings.tz
    today = clock.today(tz)
    check_period(start, end, today, tz, bs)
    expire_holds(db)
    with db.read() as session:
        tgt = _target(session, order_id)
        return _search(session, db, tgt, start, end, today, tz, bs)


def _search(session: Session, db: Database, tgt: _Target, start: datetime, end: datetime,
            today: date, tz: ZoneInfo, bs: BookingSettings) -> SearchResult:
    region = tgt.install.region or ""
    first = _first_day(tgt, today, bs)
    pre_day = tgt.precable_day
    lead = timedelta(days=bs.precable_lead_days)
    windows = _slot_windows(region, start, end, first, tz, bs)
    if tgt.precable is not None and pre_day is None and windows:
        pre_day = _precable_day(session, db, tgt, today, max(windows) - lead, tz, bs, today)
        if pre_day is None:
            windows = {}
    if pre_day is not None:
        windows = {d: w for d, w in windows.items() if d >= pre_day + lead}
    plans = _plans(session, db, region, sorted(windows), tz, bs)
    job = slot_job(tgt.install)
    slots: list[SlotView] = []
    for day, wins in sorted(windows.items()):
        secs = [(seconds(a, day, tz), seconds(b, day, tz)) for _, a, b in wins]
        by_window = {w: (label, a, b) for w, (label, a, b) in zip(secs, wins, strict=True)}
        for offer in plans[day].offers(job, secs, bs.weights, bs.enough_options):
            label, a, b = by_window[offer.window]
            slots.append(SlotView(day, label, a, b, offer.grade, offer.components))
    return SearchResult(tgt.order.id, tgt.install.id, region, start, end, slots, pre_day)


# -- booking ----------------------------------------------------------------------------------

def book(db: Database, order_id: str, start: datetime, end: datetime, hold: bool = False,
         bs: BookingSettings | None = None) -> AppointmentView:
    """Book the slot [start, end] for the order's install (``hold``: an expiring reservation
    in state ``initialized``); :class:`SlotUnavailable` when it no longer fits."""
    bs = bs or get_booking_settings()
    tz = db.settings.tz
    today = clock.today(tz)
    expire_holds(db)

    def work(session: Session) -> AppointmentView:
        tgt = _target(session, order_id, lock=True)
        open_appt = session.scalars(select(Appointment).where(
            Appointment.job_id == tgt.install.id,
            Appointment.status.in_([s.value for s in OPEN_APPOINTMENT_STATUSES]))).first()
        if open_appt is not None:
            raise Conflict(f"order {order_id} already has appointment {open_appt.id}; "
                           "reschedule it with PATCH", code="already_booked",
                           field="relatedEntity.id")
        now = clock.now()
        appt = Appointment(id=f"APT-{uuid.uuid4().hex[:20]}", order_id=tgt.order.id,
                           job_id=tgt.install.id, window_start=start, window_end=end,
                           status=(AppointmentStatus.INITIALIZED if hold
                                   else AppointmentStatus.CONFIRMED).value,
                           created_at=now, updated_at=now)
        session.add(appt)
        session.flush()
        details = _place(session, db, tgt, appt, start, end, today, tz, bs)
        if hold:
            details.expires_at = now + timedelta(hours=bs.hold_hours)
        else:
            _resume(session, tgt.order, now)
        return _view(appt, details)

    return _with_alternatives(db, order_id, start, bs, lambda: db.run(work))


def _resume(session: Session, order: ProductOrder, now: datetime) -> None:
    """A confirmed rebook ends the hold a failed install put on the order."""
    if order.state == OrderState.HELD:
        transition(session, order, OrderState.IN_PROGRESS, now,
                   reason="install rebooked", reason_code="rebooked")


def _place(session: Session, db: Database, tgt: _Target, appt: Appointment, start: datetime,
           end: datetime, today: date, tz: ZoneInfo, bs: BookingSettings,
           also_lock: set[date] | None = None) -> AppointmentBooking:
    """Under the region-day locks: re-check and insert the install (and its pre-cable) into
    the fresh plans, store the entries and bump the days' stamps."""
    region = tgt.install.region or ""
    day, label = _slot_of(region, start, end, tz, bs)
    if day < _first_day(tgt, today, bs):
        raise InvalidInput(f"the first bookable day for this order is "
                           f"{_first_day(tgt, today, bs)}", code="too_early", field=SLOT_FIELD)
    if day > today + timedelta(days=bs.horizon_days):
        raise InvalidInput("the slot is beyond the booking horizon", code="beyond_horizon",
                           field=SLOT_FIELD)
    lead = timedelta(days=bs.precable_lead_days)
    pre_day = tgt.precable_day
    if tgt.precable is not None and pre_day is None:
        pre_day = _precable_day(session, db, tgt, today, day - lead, tz, bs, today)
        if pre_day is None:
            raise SlotUnavailable("no day before this slot can take the pre-cable")
    if pre_day is not None and day < pre_day + lead:
        raise SlotUnavailable(f"the install must be at least {bs.precable_lead_days} day(s) "
                              f"after the pre-cable ({pre_day})")
    days = {day} | (also_lock or set())
    place_pre = tgt.precable is not None and tgt.precable_day is None
    if place_pre:
        days.add(pre_day)  # type: ignore[arg-type]
    rows = lock_days(session, region, days)
    plans = _plans(session, db, region, sorted(days), tz, bs,
                   known={d: r.stamp for d, r in rows.items()})
    job = slot_job(tgt.install)
    window = (seconds(start, day, tz), seconds(end, day, tz))
    offers = plans[day].offers(job, [window], bs.weights, bs.enough_options)
    if not offers:
        raise SlotUnavailable(f"the {label} slot on {day} is no longer available")
    touched: dict[date, set[str]] = {}
    try:
        opt = plans[day].add(job, window, bs.enough_options)
        if opt is None:
            raise SlotUnavailable(f"the {label} slot on {day} is no longer available")
        touched.setdefault(day, set()).add(plans[day].eng_ids[opt.engineer])
        session.add(PlannedJob(job_id=job.id, region=region, day=day, kind=JobKind.INSTALL,
                               appointment_id=appt.id))
        if place_pre:
            assert tgt.precable is not None and pre_day is not None
            pj = slot_job(tgt.precable)
            popt = plans[pre_day].add(pj, None)
            if popt is None:
                raise SlotUnavailable(f"the pre-cable no longer fits on {pre_day}")
            touched.setdefault(pre_day, set()).add(plans[pre_day].eng_ids[popt.engineer])
            session.add(PlannedJob(job_id=pj.id, region=region, day=pre_day,
                                   kind=JobKind.PRECABLE, appointment_id=appt.id))
            tgt.precable.latest_date = pre_day  # the day the install's plan relies on
            tgt.precable.updated_at = clock.now()
        session.flush()
        for d, engs in touched.items():
            sync_entries(session, plans[d], region, d, tz, engs)
        for d in touched:
            CACHE.restamp(db.url, region, d, rows[d].stamp, bump(rows[d]))
    except BaseException:
        # The cached plans may hold a half-made change: rebuild them from the database.
        CACHE.invalidate(db.url, region, days)
        raise
    tgt.install.window_start, tgt.install.window_end = start, end
    tgt.install.updated_at = clock.now()
    offer = offers[0]
    details = AppointmentBooking(
        appointment_id=appt.id, region=region, day=day, slot_label=label,
        grade=offer.grade, reasons=offer.components,
        precable_job_id=tgt.precable.id if tgt.precable is not None else None,
        precable_day=pre_day)
    session.add(details)
    return details


def _with_alternatives(db: Database, order_id: str, start: datetime, bs: BookingSettings,
                       attempt: Callable[[], T]) -> T:
    try:
        return attempt()
    except SlotUnavailable as exc:
        exc.alternatives = alternatives(db, order_id, start, bs)
        raise


def alternatives(db: Database, order_id: str, near: datetime, bs: BookingSettings,
                 days: int = 7, limit: int = 6) -> list[SlotView]:
    """Fresh offers from the day of ``near`` on (best grade first)."""
    tz = db.settings.tz
    start = max(near.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0),
                clock.now())
    end = start + timedelta(days=days)
    horizon = local_instant(clock.today(tz) + timedelta(days=bs.horizon_days),
                            datetime.max.time().replace(microsecond=0), tz)
    end = min(end, horizon)
    if end <= start:
        return []
    try:
        found = search_slots(db, order_id, start, end, bs).slots
    except (InvalidInput, Conflict, NotFound):
        return []
    return sorted(found, key=lambda s: -s.grade)[:limit]


# -- changing an appointment ------------------------------------------------------------------

def _unplace(session: Session, db: Database, appt: Appointment, tz: ZoneInfo,
             bs: BookingSettings, keep_precable: bool = False) -> None:
    """Take the appointment's jobs out of their plans (capacity freed); caller holds locks."""
    entries = [e for e in session.scalars(select(PlannedJob).where(
        PlannedJob.appointment_id == appt.id)).all()
        if not (keep_precable and e.kind == JobKind.PRECABLE)]
    if not entries:
        return
    region = entries[0].region
    rows = lock_days(session, region, {e.day for e in entries})  # ascending, before any plan
    for e in entries:
        plan = _plans(session, db, region, [e.day], tz, bs,
                      known={e.day: rows[e.day].stamp})[e.day]
        try:
            eng = plan.remove(e.job_id)
            session.delete(e)
            session.flush()
            if eng is not None:
                sync_entries(session, plan, region, e.day, tz, [eng])
            CACHE.restamp(db.url, region, e.day, rows[e.day].stamp, bump(rows[e.day]))
        except BaseException:
            CACHE.invalidate(db.url, region, [e.day])
            raise
        if e.kind == JobKind.PRECABLE:
            pre = session.get(Job, e.job_id)
            if pre is not None:
                pre.latest_date = None
    job = session.get(Job, appt.job_id)
    if job is not None:
        job.window_start = job.window_end = None
        job.updated_at = clock.now()


def _get(session: Session, appointment_id: str, lock: bool = False
         ) -> tuple[Appointment, AppointmentBooking | None]:
    appt = session.get(Appointment, appointment_id, with_for_update=lock)
    if appt is None:
        raise NotFound(f"no appointment {appointment_id!r}", code="unknown_appointment")
    return appt, session.get(AppointmentBooking, appointment_id)


def _require_open(appt: Appointment) -> None:
    if appt.status not in OPEN_APPOINTMENT_STATUSES:
        raise Conflict(f"appointment {appt.id} is {appt.status}", code="appointment_closed",
                       field="status")


def cancel(db: Database, appointment_id: str, reason: str = "cancelled by request",
           bs: BookingSettings | None = None) -> AppointmentView:
    """Cancel an open appointment: its install (and the pre-cable placed for it) leave the
    plans, freeing their capacity."""
    bs = bs or get_booking_settings()
    tz = db.settings.tz

    def work(session: Session) -> AppointmentView:
        appt, details = _get(session, appointment_id, lock=True)
        if appt.status == AppointmentStatus.CANCELLED:
            return _view(appt, details)
        _require_open(appt)
        _unplace(session, db, appt, tz, bs)
        _close(appt, details, AppointmentStatus.CANCELLED, reason)
        return _view(appt, details)

    return db.run(work)


def confirm(db: Database, appointment_id: str) -> AppointmentView:
    """Confirm a hold (``initialized`` -> ``confirmed``) before it expires."""
    expire_holds(db)

    def work(session: Session) -> AppointmentView:
        appt, details = _get(session, appointment_id, lock=True)
        if appt.status == AppointmentStatus.CONFIRMED:
            return _view(appt, details)
        _require_open(appt)
        appt.status = AppointmentStatus.CONFIRMED.value
        appt.updated_at = clock.now()
        if details is not None:
            details.expires_at = None
        order = session.get(ProductOrder, appt.order_id, with_for_update=True)
        if order is not None:
            _resume(session, order, appt.updated_at)
        return _view(appt, details)

    return db.run(work)


def reschedule(db: Database, appointment_id: str, start: datetime, end: datetime,
               bs: BookingSettings | None = None) -> AppointmentView:
    """Move an open appointment to another slot in one transaction: the old slot is freed
    only if the new one fits (else :class:`SlotUnavailable`, nothing changed)."""
    bs = bs or get_booking_settings()
    tz = db.settings.tz
    today = clock.today(tz)
    expire_holds(db)
    holder: dict[str, str] = {}

    def work(session: Session) -> AppointmentView:
        appt, _ = _get(session, appointment_id)
        if appt.order_id is None:
            raise Conflict("appointment has no order", code="no_install_job")
        holder["order"] = appt.order_id
        _target(session, appt.order_id, lock=True)  # lock order: order, appointment, days
        appt, details = _get(session, appointment_id, lock=True)
        _require_open(appt)
        check_period(start, end, today, tz, bs)
        old = session.scalars(select(PlannedJob).where(
            PlannedJob.appointment_id == appt.id)).all()
        # Lock every day involved in ascending order before touching any plan.
        new_day = start.astimezone(tz).date()
        region = old[0].region if old else None
        if region is not None:
            lock_days(session, region, {e.day for e in old} | {new_day})
        _unplace(session, db, appt, tz, bs, keep_precable=True)
        if details is not None:
            session.delete(details)
            session.flush()
        tgt = _target(session, appt.order_id, lock=True)
        new = _place(session, db, tgt, appt, start, end, today, tz, bs)
        new.expires_at = details.expires_at if details is not None else None
        appt.window_start, appt.window_end = start, end
        appt.updated_at = clock.now()
        return _view(appt, new)

    try:
        return db.run(work)
    except SlotUnavailable as exc:
        if "order" in holder:
            exc.alternatives = alternatives(db, holder["order"], start, bs)
        raise


def _close(appt: Appointment, details: AppointmentBooking | None, status: AppointmentStatus,
           reason: str | None) -> None:
    appt.status = status.value
    appt.updated_at = clock.now()
    if details is not None:
        details.expires_at = None
        details.status_reason = (reason or "")[:64] or None


_last_sweep: dict[str, datetime] = {}


def expire_holds(db: Database, limit: int = 100, every_s: float = 5.0) -> int:
    """Cancel holds past their expiry. Runs before searches and bookings, at most every
    ``every_s`` seconds per process (an expired hold lingers that long at most)."""
    now = clock.now()
    last = _last_sweep.get(db.url)
    if last is not None and timedelta(0) <= now - last < timedelta(seconds=every_s):
        return 0
    _last_sweep[db.url] = now
    with db.read() as session:
        due = list(session.scalars(
            select(AppointmentBooking.appointment_id).join(
                Appointment, Appointment.id == AppointmentBooking.appointment_id)
            .where(AppointmentBooking.expires_at <= now,
                   Appointment.status == AppointmentStatus.INITIALIZED.value).limit(limit)))
    for appointment_id in due:
        def work(session: Session, appointment_id: str = appointment_id) -> None:
            appt, details = _get(session, appointment_id, lock=True)
            if appt.status != AppointmentStatus.INITIALIZED or details is None or \
                    details.expires_at is None or details.expires_at > now:
                return
            _unplace(session, db, appt, db.settings.tz, get_booking_settings())
            _close(appt, details, AppointmentStatus.CANCELLED, "hold_expired")
        db.run(work)
    return len(due)


# -- reading ------------------------------------------------------------------------------------

def get_appointment(db: Database, appointment_id: str) -> AppointmentView:
    with db.read() as session:
        appt, details = _get(session, appointment_id)
        return _view(appt, details)


def list_appointments(db: Database, *, order_id: str | None = None, status: str | None = None,
                      limit: int = 100, offset: int = 0) -> tuple[list[AppointmentView], int]:
    filters = []
    if order_id is not None:
        filters.append(Appointment.order_id == order_id)
    if status is not None:
        filters.append(Appointment.status == status)
    with db.read() as session:
        total = session.scalar(select(func.count()).select_from(Appointment).where(*filters))
        rows = session.execute(
            select(Appointment, AppointmentBooking)
            .outerjoin(AppointmentBooking,
                       AppointmentBooking.appointment_id == Appointment.id)
            .where(*filters).order_by(Appointment.created_at, Appointment.id)
            .limit(limit).offset(offset)).all()
        return [_view(a, d) for a, d in rows], int(total or 0)


def _view(a: Appointment, d: AppointmentBooking | None) -> AppointmentView:
    return AppointmentView(
        a.id, a.order_id, a.job_id, a.status, a.window_start, a.window_end, a.created_at,
        a.updated_at,
        region=d.region if d else None, day=d.day if d else None,
        slot_label=d.slot_label if d else None, grade=d.grade if d else None,
        components=d.reasons if d else None, expires_at=d.expires_at if d else None,
        precable_job_id=d.precable_job_id if d else None,
        precable_day=d.precable_day if d else None,
        status_reason=d.status_reason if d else None)


def tentative_day(db: Database, region: str, day: date,
                  bs: BookingSettings | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The region-day's tentative plan as a contract problem and schedule (the day's solve
    can warm-start from the schedule; every booked job is in it with its window)."""
    bs = bs or get_booking_settings()
    with db.read() as session:
        plan = _plans(session, db, region, [day], db.settings.tz, bs)[day]
        return plan.problem_dict(f"{region}-{day}"), plan.schedule()


def release_order(session: Session, order_id: str) -> None:
    """Free the plan capacity of an order being cancelled (call inside the cancelling
    transaction): its jobs leave their region-day plans, whose stamps change so every
    process rebuilds them."""
    entries = session.scalars(select(PlannedJob).join(Job, Job.id == PlannedJob.job_id)
                              .where(Job.order_id == order_id)).all()
    by_region: dict[str, set[date]] = {}
    for e in entries:
        by_region.setdefault(e.region, set()).add(e.day)
    for region, days in by_region.items():
        rows = lock_days(session, region, days)
        for e in entries:
            if e.region == region:
                session.delete(e)
        for row in rows.values():
            bump(row)  # cached plans of these days no longer match: rebuilt on next use
