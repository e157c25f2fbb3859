"""The TMF622/TMF645 HTTP API end to end (both databases)."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import func, select

from inventory.models import SplitterPort
from inventory.samples import contended_network
from orders.network_admin import store_network

pytest_plugins = ["db_fixtures"]

PO = "/tmf-api/productOrderingManagement/v4/productOrder"
CANCEL = "/tmf-api/productOrderingManagement/v4/cancelProductOrder"
CSQ = "/tmf-api/serviceQualificationManagement/v4/checkServiceQualification"


def body(premise: str = "TV000000", external_id: str = "BILL-000123",
         **changes: Any) -> dict[str, Any]:
    b = {
        "externalId": external_id,
        "requestedCompletionDate": "2026-12-05T00:00:00Z",
        "billingAccount": {"id": "BA-77"},
        "relatedParty": [{"id": "CUST-9", "name": "A Customer", "role": "customer",
                          "@referredType": "Individual"}],
        "agreement": [{"id": "CONTRACT-1", "name": "24 months"}],
        "productOrderItem": [{
            "id": "1", "action": "add",
            "productOffering": {"id": "FTTP-900", "name": "Full Fibre 900"},
            "product": {"place": [{"id": premise, "role": "installationAddress",
                                   "@referredType": "GeographicAddress"}]},
        }],
    }
    b.update(changes)
    return b


@pytest.fixture
def billing(api, db):  # type: ignore[no-untyped-def]
    store_network(db, contended_network(premises=30))
    return api


def test_premises_are_paged_for_clients(billing) -> None:  # type: ignore[no-untyped-def]
    c, h = billing.client, billing.auth("billing")
    page = c.get("/inventory/premises", params={"serviceable": "true", "limit": 10,
                                                "offset": 5}, headers=h).json()
    assert page["total"] == 30 and page["limit"] == 10 and len(page["items"]) == 10
    assert page["items"][0]["id"] == "TV000005" and page["items"][0]["serviceable"]
    outside = c.get("/inventory/premises?serviceable=false", headers=h).json()
    assert [p["id"] for p in outside["items"]] == ["TV-OUTSIDE"]
    one = c.get("/inventory/premises/TV000001", headers=h).json()
    assert one["region"] == "Testville" and one["drop_status"] == "connected"
    assert c.get("/inventory/premises/NOPE", headers=h).status_code == 404


def test_order_flow_acknowledge_process_read_history(billing) -> None:  # type: ignore[no-untyped-def]
    c, h = billing.client, billing.auth("billing")
    r = c.post(PO, json=body(), headers=h)
    assert r.status_code == 201, r.text
    ack = r.json()
    assert ack["state"] == "acknowledged" and ack["externalId"] == "BILL-000123"
    assert r.headers["location"] == f"{PO}/{ack['id']}" == ack["href"]
    assert ack["productOrderItem"][0]["productOffering"]["id"] == "FTTP-900"

    order = c.get(f"{PO}/{ack['id']}", headers=h).json()  # processed after the answer
    assert order["state"] == "inProgress" and order["region"] == "Testville"
    assert [s["state"] for s in order["stateHistory"]] == ["acknowledged", "inProgress"]
    assert all(s["changeDate"] for s in order["stateHistory"])
    res = order["allocatedResources"]
    assert res["status"] == "active" and res["sVlan"] == 3000 and 100 <= res["cVlan"] <= 195
    assert res["ontSerialNumber"] and res["splitterId"].startswith("TV-S")
    kinds = [j["kind"] for j in order["jobs"]]
    assert kinds == ["precable", "install"]
    assert order["jobs"][1]["predecessorJobId"] == order["jobs"][0]["id"]
    assert order["qualification"] == {"result": "qualified", "reasons": []}

    # Replay: same order back (200), nothing duplicated.
    again = c.post(PO, json=body(), headers=h)
    assert again.status_code == 200 and again.json()["id"] == ack["id"]
    listed = c.get(PO, params={"externalId": "BILL-000123"}, headers=h)
    assert listed.headers["x-total-count"] == "1" and listed.json() == [order]
    # Same externalId, other body: 409.
    other = body()
    other["billingAccount"]["id"] = "BA-78"
    conflict = c.post(PO, json=other, headers=h)
    assert conflict.status_code == 409 and conflict.json()["code"] == "external_id_conflict"


@pytest.mark.parametrize("method", ["patch", "put"])
def test_the_lock_refuses_every_edit(billing, method: str) -> None:  # type: ignore[no-untyped-def]
    c, h = billing.client, billing.auth("billing")
    order_id = c.post(PO, json=body(), headers=h).json()["id"]
    before = c.get(f"{PO}/{order_id}", headers=h).json()
    edit = {"productOrderItem": [{"id": "1", "action": "modify",
                                  "productOffering": {"id": "FTTP-150"}}]}
    r = getattr(c, method)(f"{PO}/{order_id}", json=edit, headers=h)
    assert r.status_code == 409
    assert r.json()["code"] == "order_locked" and "locked" in r.json()["message"]
    assert c.get(f"{PO}/{order_id}", headers=h).json() == before
    assert getattr(c, method)(f"{PO}/PO-nope", json=edit, headers=h).status_code == 404


def test_cancellation_releases_and_is_idempotent(billing, db) -> None:  # type: ignore[no-untyped-def]
    c, h = billing.client, billing.auth("billing")
    order_id = c.post(PO, json=body(), headers=h).json()["id"]
    r = c.post(CANCEL, json={"productOrder": {"id": order_id}, "cancellationReason": "moved"},
               headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["productOrder"]["id"] == order_id and r.json()["state"] == "done"
    order = c.get(f"{PO}/{order_id}", headers=h).json()
    assert order["state"] == "cancelled" and order["cancellationReason"] == "moved"
    assert {j["status"] for j in order["jobs"]} == {"cancelled"}
    assert order["allocatedResources"]["status"] == "released"
    with db.read() as s:
        assert s.scalar(select(func.count()).where(SplitterPort.status != "free")) == 0
    again = c.post(CANCEL, json={"productOrder": {"id": order_id}}, headers=h)
    assert again.status_code == 200
    missing = c.post(CANCEL, json={"productOrder": {"id": "PO-nope"}}, headers=h)
    assert missing.status_code == 404 and missing.json()["field"] == "productOrder.id"


def test_unqualified_orders_are_rejected_with_a_reason(billing) -> None:  # type: ignore[no-untyped-def]
    c, h = billing.client, billing.auth("billing")
    for i, (premise, reason) in enumerate([("TV-OUTSIDE", "outside_service_area"),
                                           ("NO-SUCH", "unknown_address")]):
        order_id = c.post(PO, json=body(premise, f"B-{i}"), headers=h).json()["id"]
        order = c.get(f"{PO}/{order_id}", headers=h).json()
        assert order["state"] == "rejected" and order["stateReason"] == reason
        assert order["qualification"]["result"] == "unqualified"
        assert order["qualification"]["reasons"][0]["code"] == reason
        assert order["jobs"] == [] and order["allocatedResources"] is None
        cancel = c.post(CANCEL, json={"productOrder": {"id": order_id}}, headers=h)
        assert cancel.status_code == 409


def test_order_by_address_and_qualification_check(billing) -> None:  # type: ignore[no-untyped-def]
    c, h = billing.client, billing.auth("billing")
    place = {"role": "installationAddress", "streetNr": "3", "streetName": "Long Road",
             "postcode": "TV1 1AA", "city": "Testville"}
    b = body()
    b["productOrderItem"][0]["product"]["place"] = [place]
    order_id = c.post(PO, json=b, headers=h).json()["id"]
    assert c.get(f"{PO}/{order_id}", headers=h).json()["premiseId"] == "TV000002"
    check = {"serviceQualificationItem": [
        {"id": "1", "service": {"place": [place]}},
        {"id": "2", "service": {"place": [{"id": "TV-OUTSIDE"}]}},
        {"id": "3", "service": {"place": [{"id": "TV000002"}]}},
    ]}
    r = c.post(CSQ, json=check, headers=billing.auth("booking"))
    assert r.status_code == 200, r.text
    items = r.json()["serviceQualificationItem"]
    assert r.json()["qualificationResult"] == "unqualified"
    assert items[1]["qualificationItemResult"] == "unqualified"
    assert items[1]["eligibilityUnavailabilityReason"][0]["code"] == "outside_service_area"
    assert items[2]["eligibilityUnavailabilityReason"][0]["code"] == "premise_already_served"
    assert items[0]["premiseId"] == "TV000002"


def _bad(path: list[Any], value: Any) -> dict[str, Any]:
    b = body()
    target = b
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return b


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # validation: one backend is enough
@pytest.mark.parametrize(("payload", "field"), [
    (_bad(["billingAccount"], KeyError), "billingAccount"),
    (_bad(["productOrderItem", 0, "productOffering", "id"], "FTTP-10G"),
     "productOrderItem.0.productOffering.id"),
    (_bad(["productOrderItem", 0, "action"], "modify"), "productOrderItem.0.action"),
    (_bad(["productOrderItem", 0, "product", "place", 0], {"streetNr": "1"}),
     "productOrderItem.0.product.place.0"),
    (_bad(["requestedCompletionDate"], "2026-12-05T00:00:00"), "requestedCompletionDate"),
    (_bad(["requestedCompletionDate"], "0001-01-01T00:00:00-23:59"), "requestedCompletionDate"),
    (_bad(["externalId"], "BILL 1"), "externalId"),
    (_bad(["externalId"], "x" * 129), "externalId"),
    (_bad(["billingAccount", "id"], "BA\u0000"), "billingAccount.id"),
    (_bad(["relatedParty", 0, "name"], "nul\u0000name"), "relatedParty.0.name"),
    (_bad(["productOrderItem"], []), "productOrderItem"),
    (_bad(["surprise"], 1), "surprise"),
])
def test_malformed_orders_are_422_naming_the_field(billing, payload, field) -> None:  # type: ignore[no-untyped-def]
    r = billing.client.post(PO, json=payload, headers=billing.auth("billing"))
    assert r.status_code == 422, r.text
    answer = r.json()
    assert answer["code"] == "invalid_request" and answer["field"] == field
    assert any(e["field"] == field for e in answer["errors"])


def test_non_json_and_bad_parameters_are_4xx(billing) -> None:  # type: ignore[no-untyped-def]
    c, h = billing.client, billing.auth("billing")
    r = c.post(PO, content=b"{not json", headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["field"] == "body"
    assert c.get(PO, params={"limit": 0}, headers=h).json()["field"] == "limit"
    assert c.get(PO, params={"state": "shipped"}, headers=h).status_code == 422
    assert c.get(f"{PO}/PO-unknown", headers=h).status_code == 404
    assert c.get(f"{PO}/bad%00id", headers=h).status_code == 422
    assert c.get("/no/such/path", headers=h).status_code == 404


def test_many_orders_then_listing_by_state(billing) -> None:  # type: ignore[no-untyped-def]
    c, h = billing.client, billing.auth("billing")
    for i in range(6):
        assert c.post(PO, json=body(f"TV{i:06d}", f"L-{i}"), headers=h).status_code == 201
    c.post(PO, json=body("TV-OUTSIDE", "L-out"), headers=h)
    r = c.get(PO, params={"state": "inProgress", "limit": 4}, headers=h)
    assert r.headers["x-total-count"] == "6" and len(r.json()) == 4
    assert c.get(PO, params={"state": "rejected"}, headers=h).headers["x-total-count"] == "1"
    assert c.get(PO, params={"region": "Testville"}, headers=h).headers["x-total-count"] == "7"
    jobs = c.get("/jobs", params={"region": "Testville", "kind": "install"},
                 headers=billing.auth("dispatcher")).json()
    assert jobs["total"] == 6
    original = copy.deepcopy(body())
    assert original["externalId"] == "BILL-000123"  # the helper is not mutated


def test_nul_bytes_never_reach_the_database(billing) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL refuses NUL in text: every entry point must stop it with a 422."""
    c = billing.client
    b, d = billing.auth("billing"), billing.auth("dispatcher")
    cases = [
        c.get("/inventory/premises", params={"region": "a\x00b"}, headers=b),
        c.get("/inventory/premises", params={"postcode": "\x00"}, headers=b),
        c.get(PO, params={"region": "x\x00"}, headers=b),
        c.get("/jobs", params={"region": "x\x00"}, headers=d),
        c.get("/roster", params={"region": "x\x00"}, headers=d),
        c.get("/engineers", params={"region": "x\x00"}, headers=d),
        c.post(CANCEL, json={"productOrder": {"id": "PO-1"}, "cancellationReason": "a\x00"},
               headers=b),
        c.post(PO, json=_bad(["description"], "text\x00"), headers=b),
        c.put("/engineers/E1", json={"name": "N\x00", "home_lon": 0, "home_lat": 51}, headers=d),
        c.post("/roster/import", content=b"engineer_id,date,start,end\n\x00,2026-01-01,08:00,"
               b"09:00\n", headers=d),
    ]
    assert [r.status_code for r in cases] == [422] * len(cases), [r.text for r in cases]
