"""Service functions over the inventory: seeding a town, loading GeoJSON, browsing premises."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from inventory.errors import InventoryError
from inventory.geojson_load import read_geojson
from inventory.models import (
    ACTIVE,
    FREE,
    IN_STOCK,
    Allocation,
    Ont,
    Premise,
    ServiceArea,
    Splitter,
    SplitterPort,
)
from inventory.network import NetworkPlan
from inventory.qualification import qualify
from inventory.seed import generate_town
from inventory.store import insert_plan, next_s_vlan, region_exists
from orders.db import Database
from orders.errors import Conflict, InvalidInput, NotFound
from orders.intake import Place


@dataclass(frozen=True)
class PremiseView:
    id: str
    street_nr: str
    sub_unit: str | None
    street_name: str
    postcode: str
    city: str
    lon: float
    lat: float
    region: str
    service_area_id: str | None
    drop_status: str
    drop_type: str
    premise_type: str
    active_order_id: str | None = None


def seed_town(db: Database, town: str, premises: int = 3000, seed: int = 0) -> dict[str, int]:
    """Generate and store a demo network for ``town`` (refused if the town exists)."""
    town = town.strip()
    if not town:
        raise InvalidInput("a town name is required", field="town")
    if not 1 <= premises <= 200_000:
        raise InvalidInput("premises must be between 1 and 200000", field="premises")
    with db.transaction() as session:
        if region_exists(session, town):
            raise Conflict(f"the network of {town} is already in the inventory",
                           code="region_exists")
        plan = generate_town(town, premises, seed, s_vlan_start=next_s_vlan(session))
        try:
            return insert_plan(session, plan)
        except InventoryError as exc:
            raise Conflict(exc.message, code=exc.reason) from exc


def load_geojson(db: Database, path: str | Path, region: str | None = None) -> dict[str, int]:
    """Load service areas and premises from a GeoJSON file, with a PON tree for them."""
    with db.transaction() as session:
        try:
            plan = read_geojson(path, region, s_vlan_start=next_s_vlan(session))
            return insert_plan(session, plan)
        except InventoryError as exc:
            raise InvalidInput(exc.message, field=str(path)) from exc


def list_premises(db: Database, *, serviceable: bool | None = None, region: str | None = None,
                  postcode: str | None = None, limit: int = 100,
                  offset: int = 0) -> tuple[list[PremiseView], int]:
    """A page of premises in id order; ``serviceable`` = inside a service area."""
    filters = []
    if serviceable is True:
        filters.append(Premise.service_area_id.is_not(None))
    elif serviceable is False:
        filters.append(Premise.service_area_id.is_(None))
    if region is not None:
        filters.append(Premise.region == region)
    if postcode is not None:
        filters.append(Premise.postcode_key == postcode.replace(" ", "").upper())
    with db.read() as session:
        total = session.scalar(select(func.count()).select_from(Premise).where(*filters))
        rows = session.scalars(select(Premise).where(*filters).order_by(Premise.id)
                               .limit(limit).offset(offset)).all()
        return [_premise_view(p) for p in rows], int(total or 0)


def get_premise(db: Database, premise_id: str) -> PremiseView:
    with db.read() as session:
        premise = session.get(Premise, premise_id)
        if premise is None:
            raise NotFound(f"no premise {premise_id!r}")
        order = session.scalar(select(Allocation.order_ref).where(
            Allocation.premise_id == premise_id, Allocation.status == ACTIVE))
        return _premise_view(premise, order)


def capacity(db: Database, region: str | None = None) -> dict[str, int]:
    """Free and used splitter ports and ONT stock (optionally for one region)."""
    with db.read() as session:
        ports = select(SplitterPort.status, func.count()).join(
            Splitter, Splitter.id == SplitterPort.splitter_id).group_by(SplitterPort.status)
        onts = select(Ont.status, func.count()).group_by(Ont.status)
        if region is not None:
            ports = ports.join(ServiceArea, ServiceArea.id == Splitter.service_area_id).where(
                ServiceArea.region == region)
            onts = onts.where(Ont.region == region)
        port_counts = dict(session.execute(ports).all())
        ont_counts = dict(session.execute(onts).all())
    return {
        "free_ports": int(port_counts.get(FREE, 0)),
        "allocated_ports": sum(int(v) for k, v in port_counts.items() if k != FREE),
        "onts_in_stock": int(ont_counts.get(IN_STOCK, 0)),
        "onts_allocated": sum(int(v) for k, v in ont_counts.items() if k != IN_STOCK),
    }


def _premise_view(p: Premise, active_order_id: str | None = None) -> PremiseView:
    return PremiseView(p.id, p.street_nr, p.sub_unit, p.street_name, p.postcode, p.city, p.lon,
                       p.lat, p.region, p.service_area_id, p.drop_status, p.drop_type,
                       p.premise_type, active_order_id)


@dataclass(frozen=True)
class QualificationOutcome:
    result: str
    reasons: list[tuple[str, str]]  # (code, label)
    premise_id: str | None
    region: str | None
    service_area_id: str | None


def qualify_places(db: Database, places: list[Place]) -> list[QualificationOutcome]:
    """TMF645-style check of each place (nothing is reserved)."""
    out = []
    with db.read() as session:
        for place in places:
            q = qualify(session, place.premise_id, place.address)
            p = q.premise
            out.append(QualificationOutcome(
                q.result, list(zip(q.reasons, q.messages, strict=True)),
                p.id if p else None, p.region if p else None, p.service_area_id if p else None))
    return out


def store_network(db: Database, plan: NetworkPlan) -> dict[str, int]:
    """Store a ready-made network plan (e.g. :mod:`inventory.samples`)."""
    with db.transaction() as session:
        try:
            return insert_plan(session, plan)
        except InventoryError as exc:
            raise Conflict(exc.message, code=exc.reason) from exc
