"""Loading real service areas and premises from GeoJSON (geopandas)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from inventory.geojson_load import read_geojson
from orders.db import Database
from orders.errors import InvalidInput
from orders.fulfilment import process_order
from orders.intake import NewOrder, Place, place_order
from orders.network_admin import list_premises, load_geojson, qualify_places
from orders.views import get_order

pytest_plugins = ["db_fixtures"]


def square(lon: float, lat: float, size: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat],
                                                [lon + size, lat + size], [lon, lat + size],
                                                [lon, lat]]]}


def write_sample(path: Path) -> Path:
    features = [
        {"type": "Feature", "geometry": square(-1.10, 53.95, 0.02),
         "properties": {"id": "YK-EX1", "kind": "exchange", "name": "York Central",
                        "region": "York"}},
        {"type": "Feature", "geometry": square(-1.10, 53.95, 0.01),
         "properties": {"id": "YK-CAB1", "kind": "cabinet", "parent": "YK-EX1",
                        "region": "York"}},
        {"type": "Feature", "geometry": square(-1.09, 53.95, 0.01),
         "properties": {"id": "YK-CAB2", "kind": "cabinet", "parent": "YK-EX1",
                        "region": "York"}},
    ]
    for i, (lon, lat) in enumerate([(-1.095, 53.955), (-1.094, 53.956), (-1.085, 53.955),
                                    (-1.20, 53.90)]):
        features.append({"type": "Feature", "geometry": {"type": "Point",
                                                         "coordinates": [lon, lat]},
                         "properties": {"uprn": f"10009{i:04d}", "street_nr": str(i + 1),
                                        "street_name": "Stonegate", "postcode": "YO1 8AS",
                                        "city": "York", "drop_status": "needs_precable"
                                        if i == 0 else "connected"}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_read_geojson_places_premises_and_builds_a_pon_tree(tmp_path: Path) -> None:
    plan = read_geojson(write_sample(tmp_path / "york.geojson"))
    areas = {p["id"]: p["service_area_id"] for p in plan.premises}
    assert areas == {"100090000": "YK-CAB1", "100090001": "YK-CAB1",
                     "100090002": "YK-CAB2", "100090003": None}
    assert {s["service_area_id"] for s in plan.splitters} == {"YK-CAB1", "YK-CAB2"}
    assert len(plan.olts) == 1 and plan.olts[0]["exchange_area_id"] == "YK-EX1"
    assert all(p["region"] == "York" for p in plan.premises)


def test_load_then_order_on_a_loaded_premise(db: Database, tmp_path: Path) -> None:
    summary = load_geojson(db, write_sample(tmp_path / "york.geojson"))
    assert summary["premises"] == 4 and summary["premises_outside_areas"] == 1
    _, total = list_premises(db, serviceable=True, region="York")
    assert total == 3
    outcome = qualify_places(db, [Place("100090002"), Place("100090003")])
    assert [o.result for o in outcome] == ["qualified", "unqualified"]
    r = place_order(db, NewOrder("G-1", "BA", None, "FTTP-150", Place("100090000"), None, {}))
    assert process_order(db, r.order_id) == "inProgress"
    assert [j.kind for j in get_order(db, r.order_id).jobs] == ["precable", "install"]


def test_bad_files_are_refused(db: Database, tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    with pytest.raises(InvalidInput):
        load_geojson(db, bad)
    no_id = tmp_path / "noid.geojson"
    no_id.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 51]},
         "properties": {"street_nr": "1"}}]}))
    with pytest.raises(InvalidInput):
        load_geojson(db, no_id)
    _, total = list_premises(db)
    assert total == 0
