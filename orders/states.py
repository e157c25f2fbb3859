"""State names and the allowed moves between them (TMF622 orders, jobs, TMF646 appointments)."""
from __future__ import annotations

from enum import StrEnum


class OrderState(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "inProgress"
    HELD = "held"
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


TERMINAL_ORDER_STATES = frozenset(
    {OrderState.COMPLETED, OrderState.FAILED, OrderState.CANCELLED, OrderState.REJECTED}
)

ORDER_TRANSITIONS: dict[OrderState, frozenset[OrderState]] = {
    OrderState.ACKNOWLEDGED: frozenset(
        {OrderState.IN_PROGRESS, OrderState.REJECTED, OrderState.CANCELLED}
    ),
    OrderState.IN_PROGRESS: frozenset(
        {OrderState.HELD, OrderState.PENDING, OrderState.COMPLETED, OrderState.FAILED,
         OrderState.CANCELLED}
    ),
    OrderState.HELD: frozenset({OrderState.IN_PROGRESS, OrderState.FAILED, OrderState.CANCELLED}),
    OrderState.PENDING: frozenset(
        {OrderState.IN_PROGRESS, OrderState.FAILED, OrderState.CANCELLED}
    ),
    OrderState.COMPLETED: frozenset(),
    OrderState.FAILED: frozenset(),
    OrderState.CANCELLED: frozenset(),
    OrderState.REJECTED: frozenset(),
}


def can_move(current: str, target: str) -> bool:
    return OrderState(target) in ORDER_TRANSITIONS[OrderState(current)]


class JobKind(StrEnum):
    PRECABLE = "precable"
    INSTALL = "install"
    REPAIR = "repair"
    CIVILS = "civils"


class JobStatus(StrEnum):
    PENDING = "pending"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


OPEN_JOB_STATUSES = frozenset({JobStatus.PENDING, JobStatus.SCHEDULED, JobStatus.IN_PROGRESS})


class AppointmentStatus(StrEnum):
    INITIALIZED = "initialized"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    FAILED = "failed"


OPEN_APPOINTMENT_STATUSES = frozenset({AppointmentStatus.INITIALIZED, AppointmentStatus.CONFIRMED})


class Role(StrEnum):
    BILLING = "billing"
    BOOKING = "booking"
    DISPATCHER = "dispatcher"
    ENGINEER = "engineer"
    ANALYST = "analyst"
    ADMIN = "admin"
