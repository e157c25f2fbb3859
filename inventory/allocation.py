"""Resource allocation for one order, and its release.

Everything is claimed in the caller's transaction: a splitter port on the nearest
splitter of the premise's area that has one free, a C-VLAN of that splitter's PON
(unique within the OLT's S-VLAN), and an ONT from the region's stock.

On PostgreSQL each claim is ``SELECT … FOR UPDATE SKIP LOCKED``: concurrent orders
never get the same row and never queue behind each other's rows. When nothing
unlocked is left but the committed state still shows free rows, other transactions
hold them; the search waits briefly and looks again, so an order is refused as
exhausted only when the pool really is (not because a concurrent order happened to
be looking at the last port). On SQLite writers are serialised by ``BEGIN
IMMEDIATE``. The partial unique indexes on ``allocations`` back all of this up.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inventory import errors
from inventory.errors import AllocationError
from inventory.geo import haversine_m
from inventory.models import (
    ACTIVE,
    ALLOCATED,
    FREE,
    IN_STOCK,
    RELEASED,
    Allocation,
    CVlan,
    Olt,
    Ont,
    PonPort,
    Premise,
    Splitter,
    SplitterPort,
)


@dataclass(frozen=True)
class AllocatedResources:
    allocation_id: int
    order_ref: str
    premise_id: str
    splitter_id: str
    splitter_port: int
    pon_port_id: str
    olt_id: str
    s_vlan: int
    c_vlan: int
    onu_id: int
    ont_serial: str
    ont_model: str
    status: str
    allocated_at: datetime
    released_at: datetime | None = None


def allocate(session: Session, premise_id: str, order_ref: str,
             now: datetime) -> AllocatedResources:
    """Claim the resources for ``order_ref`` at ``premise_id`` (idempotent per order)."""
    existing = active_allocation(session, order_ref)
    if existing is not None:
        return existing
    premise = session.get(Premise, premise_id)
    if premise is None:
        raise AllocationError(errors.UNKNOWN_ADDRESS, f"unknown premise {premise_id}")
    if premise.service_area_id is None:
        raise AllocationError(errors.OUTSIDE_SERVICE_AREA, "premise outside every service area")
    served = session.scalar(select(Allocation.order_ref).where(
        Allocation.premise_id == premise.id, Allocation.status == ACTIVE))
    if served is not None:
        raise AllocationError(errors.PREMISE_ALREADY_SERVED,
                              f"premise {premise.id} is already served by order {served}")

    rows = session.execute(
        select(Splitter, Olt.id, Olt.s_vlan)
        .join(PonPort, PonPort.id == Splitter.pon_port_id).join(Olt, Olt.id == PonPort.olt_id)
        .where(Splitter.service_area_id == premise.service_area_id)).all()
    rows = sorted(rows, key=lambda r: (haversine_m(premise.lon, premise.lat, r[0].lon, r[0].lat),
                                       r[0].id))
    splitters = [r[0] for r in rows]
    olt_of = {r[0].id: (r[1], r[2]) for r in rows}

    deadline = time.monotonic() + CONTENTION_WAIT_S
    attempt = 0
    while True:
        found, reason = _lock_free_rows(session, premise, splitters)
        if found is not None:
            return _claim(session, premise, order_ref, *found, olt_of[found[0].id], now)
        # Nothing unlocked was free. If committed state still shows free rows, concurrent
        # transactions hold them: wait for those to finish instead of refusing early.
        if not _held_by_others(session, premise, splitters, reason) or \
                time.monotonic() > deadline:
            raise AllocationError(reason, _EXHAUSTED_MESSAGES[reason].format(
                area=premise.service_area_id, region=premise.region))
        attempt += 1
        time.sleep(min(0.05, 0.002 * 2 ** min(attempt, 5)) * random.uniform(0.5, 1.5))


CONTENTION_WAIT_S = 10.0
_EXHAUSTED_MESSAGES = {
    errors.NO_SPARE_SPLITTER_PORT: "no free splitter port in area {area}",
    errors.VLAN_POOL_EXHAUSTED: "every PON in area {area} with a free splitter port has used "
                                "its C-VLAN range",
    errors.NO_ONT_STOCK: "no ONT left in stock for {region}",
}


def _lock_free_rows(
    session: Session, premise: Premise, splitters: list[Splitter]
) -> tuple[tuple[Splitter, SplitterPort, CVlan, Ont] | None, str]:
    """Lock a free port (nearest splitter first), a C-VLAN of its PON and an ONT.

    Each splitter is tried inside a savepoint: rolling it back releases the port's
    row lock when its PON has no C-VLAN left, so nobody waits on a useless lock.
    """
    saw_free_port = False
    for splitter in splitters:
        attempt = _savepoint(session)
        port = session.scalars(
            select(SplitterPort)
            .where(SplitterPort.splitter_id == splitter.id, SplitterPort.status == FREE)
            .order_by(SplitterPort.port_no).limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if port is None:
            attempt.rollback()
            continue
        saw_free_port = True
        vlan = session.scalars(
            select(CVlan)
            .where(CVlan.pon_port_id == splitter.pon_port_id, CVlan.status == FREE)
            .order_by(CVlan.vlan).limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if vlan is None:
            attempt.rollback()
            continue
        ont = session.scalars(
            select(Ont)
            .where(Ont.region == premise.region, Ont.status == IN_STOCK)
            .order_by(Ont.serial).limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if ont is None:
            attempt.rollback()
            return None, errors.NO_ONT_STOCK
        attempt.commit()  # RELEASE SAVEPOINT: the locks now belong to the transaction
        return (splitter, port, vlan, ont), ""
    reason = errors.VLAN_POOL_EXHAUSTED if saw_free_port else errors.NO_SPARE_SPLITTER_PORT
    return None, reason


class _NoSavepoint:
    """SQLite serialises writers: no row locks to give back, no concurrent duplicates."""

    def rollback(self) -> None:
        pass

    def commit(self) -> None:
        pass

    def __enter__(self) -> _NoSavepoint:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _savepoint(session: Session):  # type: ignore[no-untyped-def]
    """A real savepoint where rows are locked (PostgreSQL), a no-op on SQLite."""
    if session.get_bind().dialect.name == "sqlite":
        return _NoSavepoint()
    return session.begin_nested()


def _held_by_others(session: Session, premise: Premise, splitters: list[Splitter],
                    reason: str) -> bool:
    """Whether the committed state (no locks) still shows what we could not lock."""
    if reason == errors.NO_ONT_STOCK:
        query = select(exists().where(Ont.region == premise.region, Ont.status == IN_STOCK))
        return bool(session.scalar(query))
    ids = [s.id for s in splitters]
    free_port = exists().where(SplitterPort.splitter_id == Splitter.id,
                               SplitterPort.status == FREE)
    candidates = select(Splitter.id).where(Splitter.id.in_(ids), free_port)
    if reason == errors.VLAN_POOL_EXHAUSTED:
        candidates = candidates.where(
            exists().where(CVlan.pon_port_id == Splitter.pon_port_id, CVlan.status == FREE))
    return session.scalar(select(exists(candidates))) or False


def _claim(session: Session, premise: Premise, order_ref: str, splitter: Splitter,
           port: SplitterPort, vlan: CVlan, ont: Ont, olt: tuple[str, int],
           now: datetime) -> AllocatedResources:
    olt_id, s_vlan = olt
    for row in (port, vlan):
        row.status = ALLOCATED
        row.order_ref = order_ref
    ont.status = ALLOCATED
    ont.order_ref = order_ref
    allocation = Allocation(
        order_ref=order_ref, premise_id=premise.id, splitter_id=splitter.id,
        splitter_port_id=port.id, pon_port_id=splitter.pon_port_id, olt_id=olt_id,
        s_vlan=s_vlan,
        c_vlan=vlan.vlan, c_vlan_id=vlan.id,
        onu_id=splitter.position * splitter.ratio + port.port_no,
        ont_serial=ont.serial, status=ACTIVE, allocated_at=now,
    )
    try:
        with _savepoint(session):
            session.add(allocation)
            session.flush()
    except IntegrityError as exc:
        # Only a concurrent order for the same premise can get here (the rows above
        # were claimed under locks); the savepoint undid our claims.
        raise AllocationError(errors.PREMISE_ALREADY_SERVED,
                              f"premise {premise.id} was just allocated to another order") from exc
    return _view(allocation, port.port_no, ont.model)


def active_allocation(session: Session, order_ref: str) -> AllocatedResources | None:
    allocation = session.scalars(select(Allocation).where(
        Allocation.order_ref == order_ref, Allocation.status == ACTIVE)).first()
    return _load_view(session, allocation) if allocation else None


def latest_allocation(session: Session, order_ref: str) -> AllocatedResources | None:
    """The active allocation, or else the last released one (history)."""
    allocation = session.scalars(
        select(Allocation).where(Allocation.order_ref == order_ref)
        .order_by((Allocation.status == ACTIVE).desc(), Allocation.id.desc())
    ).first()
    return _load_view(session, allocation) if allocation else None


def allocations_for(session: Session, order_refs: list[str]) -> dict[str, AllocatedResources]:
    """For each order, its active allocation or else its last released one (one query)."""
    if not order_refs:
        return {}
    rows = session.execute(
        select(Allocation, SplitterPort.port_no, Ont.model)
        .join(SplitterPort, SplitterPort.id == Allocation.splitter_port_id)
        .join(Ont, Ont.serial == Allocation.ont_serial)
        .where(Allocation.order_ref.in_(order_refs))
        .order_by(Allocation.id)).all()
    out: dict[str, AllocatedResources] = {}
    for allocation, port_no, model in rows:  # later rows win, an active one wins over all
        current = out.get(allocation.order_ref)
        if current is None or current.status != ACTIVE:
            out[allocation.order_ref] = _view(allocation, port_no, model)
    return out


def release(session: Session, order_ref: str, now: datetime) -> AllocatedResources | None:
    """Give back the order's port, C-VLAN and ONT; ``None`` if it held nothing."""
    allocation = session.scalars(
        select(Allocation)
        .where(Allocation.order_ref == order_ref, Allocation.status == ACTIVE)
        .with_for_update()
    ).first()
    if allocation is None:
        return None
    port = session.get(SplitterPort, allocation.splitter_port_id, with_for_update=True)
    vlan = session.get(CVlan, allocation.c_vlan_id, with_for_update=True)
    ont = session.get(Ont, allocation.ont_serial, with_for_update=True)
    assert port is not None and vlan is not None and ont is not None
    for row in (port, vlan):
        row.status = FREE
        row.order_ref = None
    ont.status = IN_STOCK
    ont.order_ref = None
    allocation.status = RELEASED
    allocation.released_at = now
    session.flush()
    return _view(allocation, port.port_no, ont.model)


def _load_view(session: Session, allocation: Allocation) -> AllocatedResources:
    model = select(Ont.model).where(Ont.serial == allocation.ont_serial).scalar_subquery()
    port_no, model_ = session.execute(
        select(SplitterPort.port_no, model)
        .where(SplitterPort.id == allocation.splitter_port_id)).one()
    return _view(allocation, port_no, model_)


def _view(a: Allocation, port_no: int, ont_model: str) -> AllocatedResources:
    return AllocatedResources(
        allocation_id=a.id, order_ref=a.order_ref, premise_id=a.premise_id,
        splitter_id=a.splitter_id, splitter_port=port_no, pon_port_id=a.pon_port_id,
        olt_id=a.olt_id, s_vlan=a.s_vlan, c_vlan=a.c_vlan, onu_id=a.onu_id,
        ont_serial=a.ont_serial, ont_model=ont_model, status=a.status,
        allocated_at=a.allocated_at, released_at=a.released_at,
    )
