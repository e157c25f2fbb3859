"""A tiny hand-built network with scarce capacity (tests, benchmarks, demos).

One cabinet with three 1:32 splitters: ``<P>-SA`` on PON A (48 C-VLANs) and
``<P>-SB1``/``<P>-SB2`` sharing PON B (64 ports but only 48 C-VLANs). At most
32 + 48 = 80 orders can be served, whatever the number of premises.
"""
from __future__ import annotations

from inventory.network import NetworkPlan

CONTENDED_CAPACITY = 32 + 48


def _square(lon0: float, lat0: float, size: float) -> str:
    return (f"POLYGON (({lon0} {lat0}, {lon0 + size} {lat0}, {lon0 + size} {lat0 + size}, "
            f"{lon0} {lat0 + size}, {lon0} {lat0}))")


def contended_network(premises: int = 200, ont_stock: int = 1000, region: str = "Testville",
                      prefix: str = "TV", s_vlan: int = 3000) -> NetworkPlan:
    """Premises ``<P>000000…`` on a grid inside the cabinet, plus ``<P>-OUTSIDE``."""
    lon0, lat0, size = -1.56, 53.79, 0.02
    plan = NetworkPlan(region=region)
    bounds = {"min_lon": lon0, "min_lat": lat0, "max_lon": lon0 + size, "max_lat": lat0 + size}
    cab = f"{prefix}-CAB"
    plan.areas += [
        {"id": f"{prefix}-EX", "name": f"{region} exchange", "kind": "exchange",
         "region": region, "parent_id": None, "geometry_wkt": _square(lon0, lat0, size),
         **bounds},
        {"id": cab, "name": f"{region} cabinet", "kind": "cabinet", "region": region,
         "parent_id": f"{prefix}-EX", "geometry_wkt": _square(lon0, lat0, size), **bounds},
    ]
    side = max(1, int(premises ** 0.5) + 1)
    for i in range(premises):
        plan.premises.append({
            "id": f"{prefix}{i:06d}", "street_nr": str(i + 1), "sub_unit": None,
            "street_name": "Long Road", "postcode": "TV1 1AA", "postcode_key": "TV11AA",
            "city": region, "region": region, "service_area_id": cab,
            "lon": lon0 + size * ((i % side) + 0.5) / side,
            "lat": lat0 + size * ((i // side) + 0.5) / side,
            "drop_status": "needs_precable" if i % 3 == 0 else "connected",
            "drop_type": "overhead" if i % 2 else "underground", "premise_type": "house",
        })
    plan.premises.append({
        "id": f"{prefix}-OUTSIDE", "street_nr": "1", "sub_unit": None, "street_name": "Far Lane",
        "postcode": "TV9 9ZZ", "postcode_key": "TV99ZZ", "city": region, "region": region,
        "service_area_id": None, "lon": lon0 - 0.05, "lat": lat0, "drop_status": "connected",
        "drop_type": "underground", "premise_type": "house",
    })
    olt = f"{prefix}-OLT"
    plan.olts.append({"id": olt, "name": f"{region} OLT", "region": region,
                      "exchange_area_id": f"{prefix}-EX", "s_vlan": s_vlan, "lon": lon0,
                      "lat": lat0})
    for port, (name, vmin) in enumerate((("A", 100), ("B", 148)), start=1):
        plan.pon_ports.append({"id": f"{olt}-{name}", "olt_id": olt, "slot": 1, "port": port,
                               "c_vlan_min": vmin, "c_vlan_max": vmin + 47})
        plan.c_vlans += [{"olt_id": olt, "pon_port_id": f"{olt}-{name}", "vlan": v,
                          "status": "free"} for v in range(vmin, vmin + 48)]
    for sid, pon, pos, lon in (("SA", "A", 0, lon0 + 0.001), ("SB1", "B", 0, lon0 + 0.01),
                               ("SB2", "B", 1, lon0 + 0.019)):
        plan.splitters.append({"id": f"{prefix}-{sid}", "service_area_id": cab,
                               "pon_port_id": f"{olt}-{pon}", "position": pos, "ratio": 32,
                               "lon": lon, "lat": lat0 + 0.01})
        plan.splitter_ports += [{"splitter_id": f"{prefix}-{sid}", "port_no": n,
                                 "status": "free"} for n in range(32)]
    plan.onts += [{"serial": f"{prefix[:4]:X<4}{i:08X}", "model": "T-1", "region": region,
                   "status": "in_stock"} for i in range(ont_stock)]
    return plan
