"""Engineers, rosters and jobs over HTTP (both databases)."""
from __future__ import annotations

import pytest

from inventory.samples import contended_network
from orders.network_admin import store_network

pytest_plugins = ["db_fixtures"]

CSV_ENGINEERS = "id,name,home_lon,home_lat,skills\nE1,Ada,-1.55,53.80,install;precable\n" \
                "E2,Bob,-1.55,53.80,install\n"
CSV_ROSTER = "engineer_id,date,start,end\nE1,2026-11-23,08:00,17:00\nE2,2026-11-23,09:00,18:00\n"


@pytest.fixture
def dispatcher(api, db):  # type: ignore[no-untyped-def]
    store_network(db, contended_network(premises=5))
    return api


def test_engineers_crud(dispatcher) -> None:  # type: ignore[no-untyped-def]
    c, h = dispatcher.client, dispatcher.auth("dispatcher")
    new = {"id": "E9", "name": "Nine", "home_lon": -1.55, "home_lat": 53.8,
           "skills": ["install", "overhead"]}
    r = c.post("/engineers", json=new, headers=h)
    assert r.status_code == 201 and r.json()["region"] == "Testville"
    assert c.post("/engineers", json=new, headers=h).status_code == 409
    put = c.put("/engineers/E9", json={**{k: v for k, v in new.items() if k != "id"},
                                        "region": "Leeds"}, headers=h)
    assert put.status_code == 200 and put.json()["region"] == "Leeds"
    created = c.put("/engineers/E10", json={"name": "Ten", "home_lon": 0, "home_lat": 51},
                    headers=h)
    assert created.status_code == 201 and created.json()["region"] is None
    assert c.get("/engineers/E9", headers=dispatcher.auth("analyst")).json()["name"] == "Nine"
    assert c.get("/engineers/NOPE", headers=h).status_code == 404
    page = c.get("/engineers", params={"limit": 2}, headers=h).json()
    assert page["total"] == 3 and len(page["items"]) == 2  # ENG-1 from the fixture too
    bad = c.post("/engineers", json={**new, "id": "E11", "home_lat": 123}, headers=h)
    assert bad.status_code == 422 and bad.json()["field"] == "home_lat"
    bad = c.post("/engineers", json={**new, "id": "E11", "skills": ["Bad Skill"]}, headers=h)
    assert bad.status_code == 422 and bad.json()["field"] == "skills.0"


def test_csv_imports_over_http(dispatcher) -> None:  # type: ignore[no-untyped-def]
    c, h = dispatcher.client, {**dispatcher.auth("dispatcher"), "Content-Type": "text/csv"}
    r = c.post("/engineers/import", content=CSV_ENGINEERS.encode(), headers=h)
    assert r.status_code == 200 and r.json() == {"created": 2, "updated": 0}
    r = c.post("/roster/import", content=CSV_ROSTER.encode(), headers=h)
    assert r.json() == {"created": 2, "updated": 0}
    roster = c.get("/roster", params={"date": "2026-11-23"}, headers=h).json()
    assert [(s["engineer_id"], s["start"], s["end"]) for s in roster["items"]] == [
        ("E1", "08:00", "17:00"), ("E2", "09:00", "18:00")]
    bad = c.post("/roster/import", content=b"engineer_id,date,start,end\nE1,2026-11-23,9,17\n",
                 headers=h)
    assert bad.status_code == 422 and bad.json()["field"] == "line 2: start"
    ghost = c.post("/roster/import", content=b"engineer_id,date,start,end\n"
                   b"GHOST,2026-11-23,09:00,17:00\n", headers=h)
    assert ghost.status_code == 422
    binary = c.post("/engineers/import", content=b"\xff\xfe\x00", headers=h)
    assert binary.status_code == 422


def test_roster_json(dispatcher) -> None:  # type: ignore[no-untyped-def]
    c, h = dispatcher.client, dispatcher.auth("dispatcher")
    shifts = {"shifts": [{"engineer_id": "ENG-1", "date": "2026-11-24", "start": "08:00",
                          "end": "16:30"}]}
    assert c.post("/roster", json=shifts, headers=h).json() == {"created": 1, "updated": 0}
    assert c.post("/roster", json=shifts, headers=h).json() == {"created": 0, "updated": 1}
    backwards = {"shifts": [{**shifts["shifts"][0], "start": "17:00"}]}
    r = c.post("/roster", json=backwards, headers=h)
    assert r.status_code == 422 and r.json()["field"] == "shifts.0.end"
    assert c.post("/roster", json={"shifts": [{**shifts["shifts"][0], "end": "25:00"}]},
                  headers=h).json()["field"] == "shifts.0.end"
    got = c.get("/roster", params={"from": "2026-11-24", "to": "2026-11-24",
                                   "engineer_id": "ENG-1"}, headers=h).json()
    assert got["total"] == 1 and got["items"][0]["end"] == "16:30"


def test_jobs_for_the_scheduler(dispatcher) -> None:  # type: ignore[no-untyped-def]
    c = dispatcher.client
    order = {"externalId": "J-1", "billingAccount": {"id": "BA"},
             "productOrderItem": [{"id": "1", "action": "add",
                                   "productOffering": {"id": "FTTP-150"},
                                   "product": {"place": [{"id": "TV000000"}]}}]}
    assert c.post("/tmf-api/productOrderingManagement/v4/productOrder", json=order,
                  headers=dispatcher.auth("billing")).status_code == 201
    h = dispatcher.auth("dispatcher")
    jobs = c.get("/jobs", params={"region": "Testville"}, headers=h).json()
    assert jobs["total"] == 2
    precable, install = sorted(jobs["items"], key=lambda j: j["kind"] != "precable")
    assert install["predecessor_job_id"] == precable["id"] and install["needs_appointment"]
    assert precable["lon"] == install["lon"] and precable["region"] == "Testville"
    day = precable["earliest_date"]
    available = c.get("/jobs", params={"available_on": day}, headers=h).json()
    assert [j["id"] for j in available["items"]] == [precable["id"]]
    assert c.get(f"/jobs/{install['id']}", headers=h).json()["kind"] == "install"
    assert c.get("/jobs/NOPE", headers=h).status_code == 404
    assert c.get("/jobs", params={"status": "done"}, headers=h).status_code == 422
    assert c.get("/inventory/capacity", headers=h).json()["allocated_ports"] == 1
