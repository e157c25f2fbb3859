"""A network plan (plain rows, ready to insert) and the builder of its PON tree.

Both the demo generator (:mod:`inventory.seed`) and the GeoJSON loader produce a
:class:`NetworkPlan`; :func:`build_pon_tree` equips cabinet areas with splitters,
PON ports, OLTs with their S-VLAN, C-VLAN ranges and ONT stock, following simple
planning rules an operator would use.
"""
from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SPLITTER_RATIO = 32
PONS_PER_SLOT = 16
C_VLAN_FIRST = 100
C_VLAN_LAST = 4000
C_VLAN_RANGE = 48          # customer VLANs per PON port
ONT_VENDORS = ("ALCL", "HWTC", "ZTEG", "NOKW")
ONT_MODELS = {"ALCL": "G-010G-Q", "HWTC": "HG8010H", "ZTEG": "F601", "NOKW": "XS-010X-Q"}


@dataclass
class NetworkPlan:
    """Rows for the inventory tables (dicts keyed by column name)."""

    region: str
    areas: list[dict[str, Any]] = field(default_factory=list)
    premises: list[dict[str, Any]] = field(default_factory=list)
    olts: list[dict[str, Any]] = field(default_factory=list)
    pon_ports: list[dict[str, Any]] = field(default_factory=list)
    splitters: list[dict[str, Any]] = field(default_factory=list)
    splitter_ports: list[dict[str, Any]] = field(default_factory=list)
    c_vlans: list[dict[str, Any]] = field(default_factory=list)
    onts: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        inside = sum(1 for p in self.premises if p["service_area_id"])
        return {
            "premises": len(self.premises),
            "premises_outside_areas": len(self.premises) - inside,
            "needs_precable": sum(1 for p in self.premises if p["drop_status"] == "needs_precable"),
            "exchanges": sum(1 for a in self.areas if a["kind"] == "exchange"),
            "cabinets": sum(1 for a in self.areas if a["kind"] == "cabinet"),
            "olts": len(self.olts),
            "pon_ports": len(self.pon_ports),
            "splitters": len(self.splitters),
            "splitter_ports": len(self.splitter_ports),
            "c_vlans": len(self.c_vlans),
            "onts": len(self.onts),
        }


def slug(name: str) -> str:
    """An upper-case id fragment for a name ("St Albans" -> "ST-ALBANS")."""
    s = re.sub(r"[^A-Za-z0-9]+", "-", name.strip()).strip("-").upper()
    return s[:24] or "X"


def build_pon_tree(
    plan: NetworkPlan,
    rng: np.random.Generator,
    s_vlan_start: int,
    congested_share: float = 0.08,
    shared_pon_share: float = 0.25,
    ont_stock_share: float = 0.35,
) -> None:
    """Add OLTs, PON ports, splitters, their ports, C-VLANs and ONT stock to ``plan``.

    Splitters go into leaf areas (cabinets, or exchanges without cabinets). Every
    cabinet gets enough 1:32 splitters for all its premises, except a
    ``congested_share`` of cabinets that got a quarter of that (so a port can run
    out); a ``shared_pon_share`` of splitters share a PON with the previous one (a
    1:64 PON whose 48 C-VLANs can run out before its ports).
    """
    parents = {a["parent_id"] for a in plan.areas if a["parent_id"]}
    cabinets = [a for a in plan.areas if a["id"] not in parents]  # leaf areas host splitters
    by_cabinet: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in plan.premises:
        if p["service_area_id"]:
            by_cabinet[p["service_area_id"]].append(p)
    exchange_of = {a["id"]: (a["parent_id"] or a["id"]) for a in cabinets}
    area_by_id = {a["id"]: a for a in plan.areas}

    # Splitters per cabinet, grouped by exchange (the OLT lives there).
    splitters_by_exchange: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for cab in cabinets:
        homes = by_cabinet.get(cab["id"], [])
        if not homes:
            continue
        needed = math.ceil(len(homes) / SPLITTER_RATIO)
        if rng.random() < congested_share:
            needed = max(1, math.ceil(needed / 4))
        picks = rng.choice(len(homes), size=min(needed, len(homes)), replace=False)
        for i in range(needed):
            home = homes[int(picks[i % len(picks)])]
            dlon, dlat = rng.normal(0, 0.0002, size=2)
            splitters_by_exchange[exchange_of[cab["id"]]].append({
                "id": f"{cab['id']}-SP{i + 1:02d}",
                "service_area_id": cab["id"],
                "lon": round(home["lon"] + float(dlon), 6),
                "lat": round(home["lat"] + float(dlat), 6),
                "ratio": SPLITTER_RATIO,
            })

    s_vlan = s_vlan_start
    for exchange_id in sorted(splitters_by_exchange):
        exchange = area_by_id.get(exchange_id, {})
        olt: dict[str, Any] | None = None
        pon: dict[str, Any] | None = None
        pon_count = 0
        for sp in splitters_by_exchange[exchange_id]:
            share = (pon is not None and pon["_splitters"] == 1
                     and pon["_cabinet"] == sp["service_area_id"]
                     and rng.random() < shared_pon_share)
            if not share:
                max_pons = (C_VLAN_LAST - C_VLAN_FIRST + 1) // C_VLAN_RANGE
                if olt is None or pon_count >= max_pons:
                    olt = _new_olt(plan, exchange_id, exchange, s_vlan, sp)
                    s_vlan += 1
                    pon_count = 0
                slot, port = divmod(pon_count, PONS_PER_SLOT)
                vmin = C_VLAN_FIRST + pon_count * C_VLAN_RANGE
                pon = {
                    "id": f"{olt['id']}-{slot + 1}/{port + 1}", "olt_id": olt["id"],
                    "slot": slot + 1, "port": port + 1,
                    "c_vlan_min": vmin, "c_vlan_max": vmin + C_VLAN_RANGE - 1,
                    "_splitters": 0, "_cabinet": sp["service_area_id"],
                }
                plan.pon_ports.append(pon)
                plan.c_vlans.extend(
                    {"olt_id": olt["id"], "pon_port_id": pon["id"], "vlan": v, "status": "free"}
                    for v in range(vmin, vmin + C_VLAN_RANGE)
                )
                pon_count += 1
            assert pon is not None
            sp["pon_port_id"] = pon["id"]
            sp["position"] = pon["_splitters"]
            pon["_splitters"] += 1
            plan.splitters.append(sp)
            plan.splitter_ports.extend(
                {"splitter_id": sp["id"], "port_no": n, "status": "free"}
                for n in range(SPLITTER_RATIO)
            )
    for pon in plan.pon_ports:
        pon.pop("_splitters", None)
        pon.pop("_cabinet", None)

    inside = sum(len(v) for v in by_cabinet.values())
    stock = max(20, math.ceil(inside * ont_stock_share)) if inside else 0
    plan.onts.extend(_ont(plan.region, i) for i in range(stock))


def _new_olt(plan: NetworkPlan, exchange_id: str, exchange: dict[str, Any], s_vlan: int,
             near: dict[str, Any]) -> dict[str, Any]:
    n = sum(1 for o in plan.olts if o["exchange_area_id"] == exchange_id) + 1
    lon = (exchange["min_lon"] + exchange["max_lon"]) / 2 if exchange else near["lon"]
    lat = (exchange["min_lat"] + exchange["max_lat"]) / 2 if exchange else near["lat"]
    olt = {
        "id": f"{exchange_id}-OLT{n}", "name": f"{exchange.get('name', exchange_id)} OLT {n}",
        "region": plan.region, "exchange_area_id": exchange_id if exchange else None,
        "s_vlan": s_vlan, "lon": round(lon, 6), "lat": round(lat, 6),
    }
    plan.olts.append(olt)
    return olt


def _ont(region: str, i: int) -> dict[str, Any]:
    digest = hashlib.sha256(f"{region.lower()}:{i}".encode()).hexdigest()
    vendor = ONT_VENDORS[int(digest[0], 16) % len(ONT_VENDORS)]
    return {"serial": vendor + digest[1:9].upper(), "model": ONT_MODELS[vendor],
            "region": region, "status": "in_stock"}
