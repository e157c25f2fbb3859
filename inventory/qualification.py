"""Service qualification (TMF645-shaped): can this place get fibre, and if not, why not.

A dry run of allocation: it looks at what is free without claiming anything, so a
``qualified`` answer can still lose the last port to a concurrent order; the
allocation itself decides under row locks.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from inventory import errors
from inventory.addresses import AddressQuery, find_premises
from inventory.models import (
    ACTIVE,
    FREE,
    IN_STOCK,
    Allocation,
    CVlan,
    Ont,
    Premise,
    Splitter,
    SplitterPort,
)

QUALIFIED = "qualified"
UNQUALIFIED = "unqualified"

MESSAGES = {
    errors.UNKNOWN_ADDRESS: "no premise matches the given place",
    errors.AMBIGUOUS_ADDRESS: "several premises match the address; give the flat (sub-unit)",
    errors.OUTSIDE_SERVICE_AREA: "the premise is outside every service area",
    errors.NO_SPARE_SPLITTER_PORT: "no splitter in the premise's area has a free port",
    errors.VLAN_POOL_EXHAUSTED: "the PON ports with free splitter ports have no free C-VLAN",
    errors.NO_ONT_STOCK: "no ONT left in the region's stock",
    errors.PREMISE_ALREADY_SERVED: "the premise already has an active order with resources",
}


@dataclass
class Qualification:
    result: str
    reasons: list[str] = field(default_factory=list)
    premise: Premise | None = None

    @property
    def qualified(self) -> bool:
        return self.result == QUALIFIED

    @property
    def messages(self) -> list[str]:
        return [MESSAGES.get(r, r) for r in self.reasons]


def resolve_place(
    session: Session, premise_id: str | None = None, address: AddressQuery | None = None
) -> tuple[Premise | None, str | None]:
    """The premise a place names, or ``(None, reason)``."""
    if premise_id:
        premise = session.get(Premise, premise_id)
        return (premise, None) if premise else (None, errors.UNKNOWN_ADDRESS)
    if address is None:
        return None, errors.UNKNOWN_ADDRESS
    matches = find_premises(session, address)
    if not matches:
        return None, errors.UNKNOWN_ADDRESS
    if len(matches) > 1:
        return None, errors.AMBIGUOUS_ADDRESS
    return matches[0], None


def qualify(
    session: Session, premise_id: str | None = None, address: AddressQuery | None = None,
    check_capacity: bool = True,
) -> Qualification:
    """Qualify a place; without ``check_capacity`` only the address and the service area
    are checked (for callers that allocate next, which checks capacity under locks)."""
    premise, reason = resolve_place(session, premise_id, address)
    if premise is None:
        return Qualification(UNQUALIFIED, [reason or errors.UNKNOWN_ADDRESS])
    if not check_capacity:
        outside = premise.service_area_id is None
        return Qualification(UNQUALIFIED if outside else QUALIFIED,
                             [errors.OUTSIDE_SERVICE_AREA] if outside else [], premise)
    reasons = capacity_reasons(session, premise)
    return Qualification(UNQUALIFIED if reasons else QUALIFIED, reasons, premise)


def capacity_reasons(session: Session, premise: Premise) -> list[str]:
    """Why the network could not serve ``premise`` right now (empty: it could)."""
    if premise.service_area_id is None:
        return [errors.OUTSIDE_SERVICE_AREA]
    reasons: list[str] = []
    served = session.scalar(select(exists().where(
        Allocation.premise_id == premise.id, Allocation.status == ACTIVE)))
    if served:
        reasons.append(errors.PREMISE_ALREADY_SERVED)
    free_port = (
        select(SplitterPort.id)
        .join(Splitter, Splitter.id == SplitterPort.splitter_id)
        .where(Splitter.service_area_id == premise.service_area_id, SplitterPort.status == FREE)
    )
    if not session.scalar(select(exists(free_port))):
        reasons.append(errors.NO_SPARE_SPLITTER_PORT)
    else:
        free_vlan = exists().where(CVlan.pon_port_id == Splitter.pon_port_id, CVlan.status == FREE)
        if not session.scalar(select(exists(free_port.where(free_vlan)))):
            reasons.append(errors.VLAN_POOL_EXHAUSTED)
    stock = exists().where(Ont.region == premise.region, Ont.status == IN_STOCK)
    if not session.scalar(select(stock)):
        reasons.append(errors.NO_ONT_STOCK)
    return reasons
