"""Reading real service areas and premises from a GeoJSON file (geopandas).

Polygon features are service areas (properties: ``id``, ``name``, ``kind`` =
exchange|cabinet, ``parent`` = the exchange of a cabinet, ``region``); point
features are premises (``id`` or ``uprn``, ``street_nr``, ``street_name``,
``postcode``, ``city``, optional ``sub_unit``, ``drop_status``, ``drop_type``,
``premise_type``, ``region``). Each premise is placed in the leaf area containing
it; leaf areas are equipped with splitters, PON ports, OLTs and VLAN ranges by the
same planning rules as the demo generator (without artificial congestion).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from inventory.addresses import postcode_key
from inventory.errors import InventoryError
from inventory.models import DROP_STATUSES, DROP_TYPES, PREMISE_TYPES
from inventory.network import NetworkPlan, build_pon_tree, slug


def _prop(row: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if name in row and row[name] is not None:
            value = row[name]
            if isinstance(value, float) and math.isnan(value):
                continue
            return value
    return default


def read_geojson(path: str | Path, region: str | None = None,
                 s_vlan_start: int = 101) -> NetworkPlan:
    """A network plan from ``path``; ``region`` names areas/premises that do not say."""
    path = Path(path)
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InventoryError("unreadable_file", f"cannot read {path}: {exc}") from exc
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    default_region = region or path.stem
    plan = NetworkPlan(region=default_region)

    kinds = frame.geometry.geom_type
    areas = frame[kinds.isin(["Polygon", "MultiPolygon"])]
    points = frame[kinds == "Point"]
    for n, (_, row) in enumerate(areas.iterrows()):
        geom = row.geometry
        area_region = str(_prop(row, "region", "town", default=default_region))
        area_id = str(_prop(row, "id", default=f"{slug(area_region)}-AREA{n + 1:03d}"))
        kind = str(_prop(row, "kind", default="cabinet")).lower()
        if kind not in ("exchange", "cabinet"):
            raise InventoryError("bad_feature", f"area {area_id}: kind must be exchange|cabinet")
        bounds = geom.bounds
        plan.areas.append({
            "id": area_id, "name": str(_prop(row, "name", default=area_id)), "kind": kind,
            "region": area_region, "parent_id": _prop(row, "parent", "parent_id"),
            "geometry_wkt": shapely.to_wkt(geom, rounding_precision=7),
            "min_lon": bounds[0], "min_lat": bounds[1], "max_lon": bounds[2], "max_lat": bounds[3],
        })
    ids = {a["id"] for a in plan.areas}
    for a in plan.areas:
        if a["parent_id"] is not None and a["parent_id"] not in ids:
            raise InventoryError("bad_feature", f"area {a['id']}: unknown parent {a['parent_id']}")

    area_regions = {a["region"] for a in plan.areas}
    if region is None and len(area_regions) == 1:  # premises outside: the file's one region
        default_region = plan.region = area_regions.pop()
    parents = {a["parent_id"] for a in plan.areas if a["parent_id"]}
    leaves = [a for a in plan.areas if a["id"] not in parents]
    leaf_geoms = [shapely.from_wkt(a["geometry_wkt"]) for a in leaves]
    xs = np.array([g.x for g in points.geometry], dtype=float)
    ys = np.array([g.y for g in points.geometry], dtype=float)
    inside = np.full(len(points), -1, dtype=int)
    for idx, geom in enumerate(leaf_geoms):
        hit = shapely.contains_xy(geom, xs, ys) & (inside < 0)
        inside[hit] = idx

    for i, (_, row) in enumerate(points.iterrows()):
        premise_id = _prop(row, "id", "uprn")
        if premise_id is None:
            raise InventoryError("bad_feature", f"premise feature {i + 1} has no id/uprn")
        area = leaves[inside[i]] if inside[i] >= 0 else None
        postcode = str(_prop(row, "postcode", default=""))
        values = {
            "drop_status": str(_prop(row, "drop_status", default="connected")),
            "drop_type": str(_prop(row, "drop_type", default="underground")),
            "premise_type": str(_prop(row, "premise_type", default="house")),
        }
        for key, allowed in (("drop_status", DROP_STATUSES), ("drop_type", DROP_TYPES),
                             ("premise_type", PREMISE_TYPES)):
            if values[key] not in allowed:
                raise InventoryError("bad_feature",
                                     f"premise {premise_id}: {key} must be one of {allowed}")
        sub_unit = _prop(row, "sub_unit", "subUnit")
        plan.premises.append({
            "id": str(premise_id),
            "street_nr": str(_prop(row, "street_nr", "streetNr", default="")).upper(),
            "sub_unit": str(sub_unit) if sub_unit is not None else None,
            "street_name": str(_prop(row, "street_name", "streetName", default="")),
            "postcode": postcode, "postcode_key": postcode_key(postcode),
            "city": str(_prop(row, "city", default=area["region"] if area else default_region)),
            "lon": float(xs[i]), "lat": float(ys[i]),
            "region": str(_prop(row, "region", default=area["region"] if area else default_region)),
            "service_area_id": area["id"] if area else None,
            **values,
        })
    build_pon_tree(plan, np.random.default_rng(0), s_vlan_start,
                   congested_share=0.0, shared_pon_share=0.0)
    return plan
