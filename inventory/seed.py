"""A seeded generator of a realistic demo network for one town.

Streets of houses (odd numbers on one side, even on the other) and blocks of flats
scattered around the town centre, UK-style postcodes, cabinet service areas as
Voronoi cells of balanced cabinet sites inside the town's coverage disk, grouped
into exchange areas; the streets at the edge reach beyond the coverage, so some
premises are outside every area. The PON tree is built by
:func:`inventory.network.build_pon_tree`. Same name, size and seed -> same network.
"""
from __future__ import annotations

import hashlib
import math
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, Polygon

from inventory.geo import Town, town_location
from inventory.network import NetworkPlan, build_pon_tree, slug

STREET_NAMES = (
    "Church", "Mill", "Station", "Park", "Victoria", "Manor", "Queens", "Kings", "Albert",
    "Grange", "Chapel", "School", "Springfield", "Highfield", "Westfield", "Moor", "Oak",
    "Ash", "Beech", "Elm", "Willow", "Cedar", "Holly", "Rose", "Meadow", "Orchard", "Brook",
    "River", "Bridge", "Castle", "Abbey", "Priory", "Windsor", "York", "Clarence", "Cavendish",
    "Stanley", "Nelson", "Wellington", "Hall", "Green", "Hill", "Woodland", "Forest", "Heath",
    "Marsh", "Fox", "Lark", "Swallow", "Wren", "Kestrel", "Heron", "Tenter", "Ropewalk",
    "Cross", "North", "South", "East", "West", "Low",
)
STREET_SUFFIXES = (
    "Road", "Street", "Lane", "Avenue", "Close", "Grove", "Terrace", "Way", "Crescent",
    "Drive", "Gardens", "Place", "Mount", "View",
)
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _stable_int(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def town_radius_m(premises: int) -> float:
    """Radius of the covered town: about 320 premises per square kilometre."""
    return max(400.0, 1000.0 * math.sqrt(premises / 1000.0))


def generate_town(name: str, premises: int = 3000, seed: int = 0,
                  s_vlan_start: int = 101) -> NetworkPlan:
    """Build the whole network plan of a town (nothing is written to a database)."""
    if premises < 1:
        raise ValueError("premises must be at least 1")
    town = town_location(name)
    rng = np.random.default_rng([seed, _stable_int(name.strip().lower()) % 2**32])
    radius = town_radius_m(premises)
    plan = NetworkPlan(region=name)

    xy, rows = _streets(town, premises, radius, rng)
    cells, exchanges = _areas(xy, radius, rng)

    to_lonlat = _projector(town)
    region_slug = slug(name)
    town_code = 1000 + _stable_int("uprn:" + name.strip().lower()) % 9000
    cabinet_ids: list[str] = []
    for e_idx, (ex_poly, members) in enumerate(exchanges):
        ex_id = f"{region_slug}-EX{e_idx + 1:02d}"
        plan.areas.append(_area_row(ex_id, f"{name} Exchange {e_idx + 1}", "exchange", name,
                                    None, shapely.transform(ex_poly, to_lonlat)))
        for c_no, c_idx in enumerate(members):
            cab_id = f"{ex_id}-CAB{c_no + 1:03d}"
            cabinet_ids.append(cab_id)
            plan.areas.append(_area_row(cab_id, f"{name} Cabinet {e_idx + 1}.{c_no + 1}",
                                        "cabinet", name, ex_id,
                                        shapely.transform(cells[c_idx], to_lonlat)))
    cabinet_of = _assign(xy, [cells[c] for _, m in exchanges for c in m])

    lonlat = to_lonlat(xy)
    for i, row in enumerate(rows):
        cab = cabinet_of[i]
        row.update(
            id=f"{town_code}{i:08d}",
            lon=round(float(lonlat[i, 0]), 6), lat=round(float(lonlat[i, 1]), 6),
            city=name, region=name,
            service_area_id=cabinet_ids[cab] if cab >= 0 else None,
        )
        plan.premises.append(row)
    build_pon_tree(plan, rng, s_vlan_start)
    return plan


def _projector(town: Town):  # type: ignore[no-untyped-def]
    kx = 111_320.0 * math.cos(math.radians(town.lat))

    def to_lonlat(coords: np.ndarray) -> np.ndarray:
        out = np.empty_like(coords, dtype=float)
        out[:, 0] = town.lon + coords[:, 0] / kx
        out[:, 1] = town.lat + coords[:, 1] / 111_320.0
        return out

    return to_lonlat


def _streets(town: Town, premises: int, radius: float,
             rng: np.random.Generator) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Premise positions (metres from the centre) and their address/drop attributes."""
    points: list[tuple[float, float]] = []
    rows: list[dict[str, Any]] = []
    used_names: set[str] = set()
    unit_counter: dict[str, int] = {}
    while len(rows) < premises:
        r = radius * 1.035 * math.sqrt(rng.random())
        theta = rng.uniform(-math.pi, math.pi)
        cx, cy = r * math.cos(theta), r * math.sin(theta)
        heading = rng.uniform(0, math.pi)
        ux, uy = math.cos(heading), math.sin(heading)
        street = _street_name(rng, used_names)
        ring = min(2, int(3 * r / (radius * 1.035)))
        sector = int((theta + math.pi) / (2 * math.pi) * 6) % 6
        district = f"{town.postcode_area}{ring * 6 + sector + 1}"
        overhead = rng.random() < 0.35
        drop_type = "overhead" if overhead else "underground"
        homes: list[tuple[float, float, str, str | None, str]] = []  # x, y, nr, sub, type
        if rng.random() < 0.12:  # a street of blocks of flats
            for b in range(int(rng.integers(1, 4))):
                along = (b - 1) * 40.0
                bx, by = cx + ux * along + uy * 15, cy + uy * along - ux * 15
                nr = str(2 * b + 1)
                for f in range(int(rng.integers(6, 25))):
                    jx, jy = rng.normal(0, 2.0, size=2)
                    homes.append((bx + jx, by + jy, nr, str(f + 1), "flat"))
            precable_p = 0.5
        else:
            n = int(rng.poisson(36)) + 4
            spacing = 11.0
            for k in range(n):
                side = 1 if k % 2 == 0 else -1
                along = (k // 2) * spacing - (n // 2) * spacing / 2
                jx, jy = rng.normal(0, 1.5, size=2)
                homes.append((cx + ux * along + side * uy * 12 + jx,
                              cy + uy * along - side * ux * 12 + jy, str(k + 1), None, "house"))
            precable_p = 0.3
        building_precable: dict[str, bool] = {}
        for idx, (x, y, nr, sub, ptype) in enumerate(homes):
            if len(rows) >= premises:
                break
            if idx % 15 == 0:
                postcode = _next_postcode(district, rng, unit_counter)
            if ptype == "flat":
                needs = building_precable.setdefault(nr, rng.random() < precable_p)
            else:
                needs = rng.random() < precable_p
            points.append((x, y))
            rows.append({
                "street_nr": nr, "sub_unit": sub, "street_name": street,
                "postcode": postcode, "postcode_key": postcode.replace(" ", ""),
                "drop_status": "needs_precable" if needs else "connected",
                "drop_type": drop_type, "premise_type": ptype,
            })
    return np.array(points, dtype=float), rows


def _street_name(rng: np.random.Generator, used: set[str]) -> str:
    for _ in range(50):
        name = f"{rng.choice(STREET_NAMES)} {rng.choice(STREET_SUFFIXES)}"
        if name not in used:
            used.add(name)
            return name
    base = f"{rng.choice(STREET_NAMES)} {rng.choice(STREET_SUFFIXES)}"
    n = 2
    while f"Upper {base} {n}" in used:
        n += 1
    used.add(f"Upper {base} {n}")
    return f"Upper {base} {n}"


def _next_postcode(district: str, rng: np.random.Generator, counter: dict[str, int]) -> str:
    sector = int(rng.integers(1, 10))
    key = f"{district} {sector}"
    n = counter.get(key, 0)
    counter[key] = n + 1
    letters = len(UNIT_LETTERS)
    if n >= letters * letters:  # sector full: spill into sector 0
        return _next_postcode(district, rng, counter) if sector != 0 else f"{key}ZZ"
    return f"{key}{UNIT_LETTERS[n // letters]}{UNIT_LETTERS[n % letters]}"


def _kmeans(points: np.ndarray, k: int, rng: np.random.Generator, iters: int = 10) -> np.ndarray:
    centres = points[rng.choice(len(points), size=k, replace=False)].copy()
    for _ in range(iters):
        d = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        label = d.argmin(axis=1)
        for j in range(k):
            members = points[label == j]
            if len(members):
                centres[j] = members.mean(axis=0)
    return centres


def _areas(xy: np.ndarray, radius: float,
           rng: np.random.Generator) -> tuple[list[Polygon], list[tuple[Polygon, list[int]]]]:
    """Cabinet cells (clipped Voronoi) and exchanges (unions of cabinet cells)."""
    disk = Point(0.0, 0.0).buffer(radius, quad_segs=32)
    inside = xy[np.hypot(xy[:, 0], xy[:, 1]) <= radius]
    if len(inside) == 0:
        inside = np.zeros((1, 2))
    n_cab = max(2, round(len(inside) / 250))
    n_cab = min(n_cab, len(np.unique(inside, axis=0)))
    sites = _kmeans(inside, n_cab, rng) if n_cab > 1 else inside[:1]
    if len(sites) == 1:
        cells = [disk]
    else:
        vor = shapely.voronoi_polygons(MultiPoint(sites.tolist()), extend_to=disk, ordered=True)
        cells = [shapely.intersection(g, disk) for g in vor.geoms]
    n_ex = max(1, round(len(sites) / 6))
    if n_ex == 1:
        groups = [list(range(len(sites)))]
    else:
        ex_sites = _kmeans(sites, n_ex, rng)
        label = ((sites[:, None, :] - ex_sites[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        groups = [[i for i in range(len(sites)) if label[i] == j] for j in range(n_ex)]
        groups = [g for g in groups if g]
    exchanges = [(shapely.union_all([cells[i] for i in g]), g) for g in groups]
    return cells, exchanges


def _assign(xy: np.ndarray, cells: list[Polygon]) -> np.ndarray:
    """Index of the cell containing each point, -1 when outside all of them."""
    out = np.full(len(xy), -1, dtype=int)
    for idx, cell in enumerate(cells):
        hit = shapely.contains_xy(cell, xy[:, 0], xy[:, 1]) & (out < 0)
        out[hit] = idx
    return out


def _area_row(area_id: str, name: str, kind: str, region: str, parent: str | None,
              geom: Polygon) -> dict[str, Any]:
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    return {
        "id": area_id, "name": name, "kind": kind, "region": region, "parent_id": parent,
        "geometry_wkt": shapely.to_wkt(geom, rounding_precision=6),
        "min_lon": min_lon, "min_lat": min_lat, "max_lon": max_lon, "max_lat": max_lat,
    }
