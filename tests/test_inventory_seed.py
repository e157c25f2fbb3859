"""The demo network generator: deterministic, realistic, consistent."""
from __future__ import annotations

from collections import Counter, defaultdict

import pytest
import shapely
from shapely.geometry import Point

from inventory.geo import KNOWN_TOWNS, haversine_m, town_location
from inventory.network import C_VLAN_RANGE, SPLITTER_RATIO
from inventory.seed import generate_town
from orders.db import Database
from orders.errors import Conflict
from orders.network_admin import capacity, list_premises, seed_town

pytest_plugins = ["db_fixtures"]


@pytest.fixture(scope="module")
def leeds():
    return generate_town("Leeds", premises=2500, seed=7)


def test_same_seed_same_network_other_seed_other_network(leeds) -> None:
    again = generate_town("Leeds", premises=2500, seed=7)
    assert again.premises == leeds.premises and again.splitters == leeds.splitters
    other = generate_town("Leeds", premises=2500, seed=8)
    assert other.premises != leeds.premises


def test_town_is_realistic(leeds) -> None:
    s = leeds.summary()
    assert s["premises"] == 2500
    assert 0.02 < s["premises_outside_areas"] / 2500 < 0.15
    assert 0.2 < s["needs_precable"] / 2500 < 0.5
    assert s["exchanges"] >= 1 and s["cabinets"] >= 5
    kinds = Counter((p["premise_type"], p["drop_type"]) for p in leeds.premises)
    assert {k for k, _ in kinds} == {"house", "flat"}
    assert {d for _, d in kinds} == {"overhead", "underground"}
    centre = KNOWN_TOWNS["leeds"]
    assert max(haversine_m(p["lon"], p["lat"], centre.lon, centre.lat)
               for p in leeds.premises) < 5000
    assert len({p["id"] for p in leeds.premises}) == 2500
    assert all(len(p["id"]) == 12 and p["id"].isdigit() for p in leeds.premises)
    assert all(p["postcode"].startswith("LS") for p in leeds.premises)
    # Addresses are unique (flats are told apart by their sub-unit).
    keys = Counter((p["postcode"], p["street_name"], p["street_nr"], p["sub_unit"])
                   for p in leeds.premises)
    assert max(keys.values()) == 1


def test_areas_contain_their_premises(leeds) -> None:
    areas = {a["id"]: a for a in leeds.areas}
    geoms = {a["id"]: shapely.from_wkt(a["geometry_wkt"]) for a in leeds.areas}
    for a in leeds.areas:
        assert (a["kind"] == "cabinet") == (a["parent_id"] is not None)
        if a["parent_id"]:
            assert areas[a["parent_id"]]["kind"] == "exchange"
            assert geoms[a["parent_id"]].buffer(1e-9).covers(geoms[a["id"]])
    cabinets = [g for i, g in geoms.items() if areas[i]["kind"] == "cabinet"]
    for p in leeds.premises[::7]:
        point = Point(p["lon"], p["lat"])
        if p["service_area_id"]:
            assert geoms[p["service_area_id"]].buffer(1e-7).covers(point)
        else:
            assert not any(g.contains(point) for g in cabinets)


def test_pon_tree_is_consistent(leeds) -> None:
    homes = Counter(p["service_area_id"] for p in leeds.premises if p["service_area_id"])
    ports = Counter(sp["service_area_id"] for sp in leeds.splitters)
    assert set(ports) == set(homes)  # every cabinet with homes has splitters
    congested = [c for c in homes if ports[c] * SPLITTER_RATIO < homes[c]]
    assert len(congested) < len(homes)  # most cabinets can serve every home
    assert len(leeds.splitter_ports) == SPLITTER_RATIO * len(leeds.splitters)
    s_vlans = [o["s_vlan"] for o in leeds.olts]
    assert len(set(s_vlans)) == len(s_vlans) and all(2 <= v <= 4094 for v in s_vlans)
    by_olt = defaultdict(list)
    for pon in leeds.pon_ports:
        assert pon["c_vlan_max"] - pon["c_vlan_min"] + 1 == C_VLAN_RANGE
        by_olt[pon["olt_id"]].append(range(pon["c_vlan_min"], pon["c_vlan_max"] + 1))
    for ranges in by_olt.values():
        values = [v for r in ranges for v in r]
        assert len(values) == len(set(values)) and min(values) >= 1 and max(values) <= 4094
    per_pon = Counter(sp["pon_port_id"] for sp in leeds.splitters)
    assert max(per_pon.values()) <= 2 and 2 in per_pon.values()  # some 1:64 PONs
    positions = Counter((sp["pon_port_id"], sp["position"]) for sp in leeds.splitters)
    assert max(positions.values()) == 1
    serials = [o["serial"] for o in leeds.onts]
    assert len(set(serials)) == len(serials) and all(len(s) == 12 for s in serials)


def test_unknown_towns_get_a_deterministic_place_in_great_britain() -> None:
    a, b = town_location("Lower Wibbleton"), town_location("Lower Wibbleton")
    assert a == b and -5.5 < a.lon < 1.8 and 50.0 < a.lat < 58.7
    assert town_location("Upper Wibbleton") != a
    plan = generate_town("Lower Wibbleton", premises=300, seed=1)
    assert all(p["region"] == "Lower Wibbleton" for p in plan.premises)


def test_seed_stores_the_town_once_with_fresh_vlans(db: Database) -> None:
    summary = seed_town(db, "York", premises=400, seed=3)
    assert summary["premises"] == 400 and summary["splitter_ports"] > 0
    with pytest.raises(Conflict) as exc:
        seed_town(db, "York", premises=400, seed=4)
    assert exc.value.code == "region_exists"
    seed_town(db, "Harrogate", premises=300, seed=3)
    page, total = list_premises(db, serviceable=True, region="York", limit=50, offset=10)
    assert total == 400 - summary["premises_outside_areas"] and len(page) == 50
    assert all(p.service_area_id and p.region == "York" for p in page)
    ids = [p.id for p in page]
    assert ids == sorted(ids)
    outside, n_out = list_premises(db, serviceable=False, region="York")
    assert n_out == summary["premises_outside_areas"] and all(not p.service_area_id
                                                               for p in outside)
    assert capacity(db, "York")["free_ports"] == summary["splitter_ports"]
    assert capacity(db)["free_ports"] > summary["splitter_ports"]  # both towns
