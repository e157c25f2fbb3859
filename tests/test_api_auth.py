"""Authentication on every endpoint, and each role only on its own endpoints."""
from __future__ import annotations

import pytest

from api.roles import (
    CAPACITY_READ,
    ENGINEER_SELF,
    JOBS_READ,
    ORDER_READ,
    ORDER_WRITE,
    PREMISES_READ,
    QUALIFY,
    WORKFORCE_READ,
    WORKFORCE_WRITE,
)
from orders.states import Role

BOOK = (Role.BOOKING, Role.BILLING)
BOOKING_READ = (Role.BOOKING, Role.BILLING, Role.DISPATCHER, Role.ANALYST)
SOLVE = (Role.ANALYST, Role.DISPATCHER)
pytest_plugins = ["db_fixtures"]

PO = "/tmf-api/productOrderingManagement/v4"
AP = "/tmf-api/appointment/v4"
ENGINEER = {"name": "N", "home_lon": -1.5, "home_lat": 53.8, "skills": ["install"]}

# (method, path, json body, roles allowed besides admin)
ENDPOINTS = [
    ("POST", f"{PO}/productOrder", {"externalId": "X"}, ORDER_WRITE),
    ("GET", f"{PO}/productOrder", None, ORDER_READ),
    ("GET", f"{PO}/productOrder/PO-x", None, ORDER_READ),
    ("PATCH", f"{PO}/productOrder/PO-x", {}, ORDER_WRITE),
    ("PUT", f"{PO}/productOrder/PO-x", {}, ORDER_WRITE),
    ("POST", f"{PO}/cancelProductOrder", {"productOrder": {"id": "PO-x"}}, ORDER_WRITE),
    ("POST", "/tmf-api/serviceQualificationManagement/v4/checkServiceQualification",
     {"serviceQualificationItem": []}, QUALIFY),
    ("GET", "/inventory/premises", None, PREMISES_READ),
    ("GET", "/inventory/premises/P-x", None, PREMISES_READ),
    ("GET", "/inventory/capacity", None, CAPACITY_READ),
    ("GET", "/engineers", None, WORKFORCE_READ),
    ("POST", "/engineers", {"id": "E-new", **ENGINEER}, WORKFORCE_WRITE),
    ("GET", "/engineers/ENG-1", None, WORKFORCE_READ),
    ("PUT", "/engineers/E-put", ENGINEER, WORKFORCE_WRITE),
    ("POST", "/engineers/import", None, WORKFORCE_WRITE),
    ("GET", "/engineers/me", None, ENGINEER_SELF),
    ("GET", "/roster", None, WORKFORCE_READ),
    ("POST", "/roster", {"shifts": []}, WORKFORCE_WRITE),
    ("POST", "/roster/import", None, WORKFORCE_WRITE),
    ("GET", "/jobs", None, JOBS_READ),
    ("GET", "/jobs/J-x", None, JOBS_READ),
    ("GET", "/engineers/me/jobs", None, ENGINEER_SELF),
    ("POST", "/jobs/J-x/start", {}, ENGINEER_SELF),
    ("POST", "/jobs/J-x/complete", {}, ENGINEER_SELF),
    ("POST", "/jobs/J-x/fail", {"reason": "no_access"}, ENGINEER_SELF),
    ("POST", f"{PO}/hub", {"callback": "http://127.0.0.1:9/x"}, ORDER_WRITE),
    ("GET", f"{PO}/hub/H-x", None, ORDER_WRITE),
    ("DELETE", f"{PO}/hub/H-x", None, ORDER_WRITE),
    ("GET", "/events", None, ORDER_WRITE),
    ("POST", "/events/replay", {}, ORDER_WRITE),
    ("POST", "/events/E-x/replay", None, ORDER_WRITE),
    ("POST", f"{AP}/searchTimeSlot", {}, BOOK),
    ("POST", f"{AP}/appointment", {}, BOOK),
    ("GET", f"{AP}/appointment", None, BOOKING_READ),
    ("GET", f"{AP}/appointment/A-x", None, BOOKING_READ),
    ("PATCH", f"{AP}/appointment/A-x", {}, BOOK),
    ("POST", "/schedules", {"date": "2030-01-01"}, WORKFORCE_WRITE),
    ("GET", "/schedules/R-x", None, JOBS_READ),
    ("GET", "/schedules/R-x/routes", None, JOBS_READ),
    ("GET", "/schedules/R-x/routes.geojson", None, JOBS_READ),
    ("GET", "/schedules/R-x/map.html", None, JOBS_READ),
    ("GET", "/schedules/R-x/gantt.html", None, JOBS_READ),
    ("POST", "/schedules/R-x/events", {"type": "job_delayed"}, WORKFORCE_WRITE),
    ("POST", "/solve", {}, SOLVE),
    ("GET", "/solve/S-x", None, SOLVE),
    ("POST", "/admin/apikeys", {"role": "analyst", "name": "n"}, ()),
    ("GET", "/admin/apikeys", None, ()),
    ("DELETE", "/admin/apikeys/999", None, ()),
]


def test_every_route_is_in_the_matrix(api) -> None:  # type: ignore[no-untyped-def]
    schema = api.client.get("/openapi.json").json()
    routes = {(m.upper(), p) for p, item in schema["paths"].items() for m in item}
    covered = {(m, p.replace("PO-x", "{id}").replace("P-x", "{premise_id}")
                .replace("ENG-1", "{engineer_id}").replace("E-put", "{engineer_id}")
                .replace("J-x", "{job_id}").replace("999", "{key_id}")
                .replace("H-x", "{hub_id}").replace("E-x", "{event_id}")
                .replace("A-x", "{appointment_id}").replace("R-x", "{run_id}")
                .replace("S-x", "{run_id}"))
               for m, p, _, _ in ENDPOINTS}
    assert routes == covered
    # Every operation declares the bearer scheme in the OpenAPI document.
    assert all(op.get("security") for item in schema["paths"].values() for op in item.values())


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("method", "path", "payload", "allowed"), ENDPOINTS,
                         ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS])
def test_roles(api, method, path, payload, allowed) -> None:  # type: ignore[no-untyped-def]
    c = api.client
    kwargs = {"json": payload} if payload is not None else {"content": b"id\n"}
    anonymous = c.request(method, path, **kwargs)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    wrong = c.request(method, path, headers={"Authorization": "Bearer fsk_not-a-key"}, **kwargs)
    assert wrong.status_code == 401
    basic = c.request(method, path, headers={"Authorization": "Basic dXNlcjpwdw=="}, **kwargs)
    assert basic.status_code == 401
    for role in Role:
        r = c.request(method, path, headers=api.auth(role.value), **kwargs)
        if role is Role.ADMIN or role in allowed:
            assert r.status_code not in (401, 403), (role, r.status_code, r.text)
        else:
            assert r.status_code == 403, (role, r.status_code, r.text)
            assert r.json()["code"] == "forbidden" and role.value in r.json()["message"]


def test_admin_manages_keys_and_revocation_is_immediate(api) -> None:  # type: ignore[no-untyped-def]
    c, admin = api.client, api.auth("admin")
    made = c.post("/admin/apikeys", json={"role": "analyst", "name": "notebooks"}, headers=admin)
    assert made.status_code == 201
    key, key_id = made.json()["key"], made.json()["id"]
    assert key.startswith("fsk_") and made.json()["prefix"] == key[:12]
    listed = c.get("/admin/apikeys", headers=admin).json()
    assert all("key" not in k for k in listed) and key_id in [k["id"] for k in listed]
    mine = {"Authorization": f"Bearer {key}"}
    assert c.get("/jobs", headers=mine).status_code == 200
    assert c.delete(f"/admin/apikeys/{key_id}", headers=admin).json()["revoked_at"]
    assert c.get("/jobs", headers=mine).status_code == 401
    assert c.delete("/admin/apikeys/99999", headers=admin).status_code == 404


def test_engineer_keys_carry_their_engineer(api) -> None:  # type: ignore[no-untyped-def]
    c, admin = api.client, api.auth("admin")
    me = c.get("/engineers/me", headers=api.auth("engineer"))
    assert me.status_code == 200 and me.json()["id"] == "ENG-1"
    no_engineer = c.post("/admin/apikeys", json={"role": "engineer", "name": "x"}, headers=admin)
    assert no_engineer.status_code == 422 and no_engineer.json()["field"] == "engineer"
    ghost = c.post("/admin/apikeys", json={"role": "engineer", "name": "x", "engineer": "GHOST"},
                   headers=admin)
    assert ghost.status_code == 404
    misplaced = c.post("/admin/apikeys", json={"role": "billing", "name": "x",
                                               "engineer": "ENG-1"}, headers=admin)
    assert misplaced.status_code == 422
