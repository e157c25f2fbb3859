"""Writing a :class:`NetworkPlan` into the inventory tables (bulk inserts, no commit)."""
from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from inventory.errors import InventoryError
from inventory.models import (
    CVlan,
    Olt,
    Ont,
    PonPort,
    Premise,
    ServiceArea,
    Splitter,
    SplitterPort,
)
from inventory.network import NetworkPlan

S_VLAN_FIRST = 101
S_VLAN_LAST = 4094
_CHUNK = 2000


def next_s_vlan(session: Session) -> int:
    """The first S-VLAN after every one in use."""
    current = session.scalar(select(func.max(Olt.s_vlan)))
    return max(S_VLAN_FIRST, (current or 0) + 1)


def region_exists(session: Session, region: str) -> bool:
    found = session.scalar(
        select(func.count()).select_from(ServiceArea).where(ServiceArea.region == region)
    ) or session.scalar(
        select(func.count()).select_from(Premise).where(Premise.region == region)
    )
    return bool(found)


def insert_plan(session: Session, plan: NetworkPlan) -> dict[str, int]:
    """Insert every row of ``plan``; refuses ids or S-VLANs that already exist."""
    if plan.olts and max(o["s_vlan"] for o in plan.olts) > S_VLAN_LAST:
        raise InventoryError("vlan_pool_exhausted", "no S-VLAN left for another OLT")
    _refuse_existing(session, Premise, Premise.id, [p["id"] for p in plan.premises])
    _refuse_existing(session, ServiceArea, ServiceArea.id, [a["id"] for a in plan.areas])
    taken = _existing(session, Ont.serial, [o["serial"] for o in plan.onts])
    onts = [o for o in plan.onts if o["serial"] not in taken]

    # Parents before children (exchange areas before their cabinets).
    areas = sorted(plan.areas, key=lambda a: a["parent_id"] is not None)
    for model, rows in (
        (ServiceArea, areas), (Premise, plan.premises), (Olt, plan.olts),
        (PonPort, plan.pon_ports), (Splitter, plan.splitters),
        (SplitterPort, plan.splitter_ports), (CVlan, plan.c_vlans), (Ont, onts),
    ):
        for start in range(0, len(rows), _CHUNK):
            session.execute(insert(model), rows[start:start + _CHUNK])
    summary = plan.summary()
    summary["onts"] = len(onts)
    return summary


def _existing(session: Session, column, values: list[str]) -> set[str]:  # type: ignore[no-untyped-def]
    found: set[str] = set()
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        found.update(session.scalars(select(column).where(column.in_(chunk))))
    return found


def _refuse_existing(session: Session, model, column, values: list[str]) -> None:  # type: ignore[no-untyped-def]
    clash = _existing(session, column, values)
    if clash:
        sample = ", ".join(sorted(clash)[:3])
        raise InventoryError(
            "duplicate_ids", f"{len(clash)} {model.__tablename__} ids already exist (e.g. {sample})"
        )
