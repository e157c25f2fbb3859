"""TMF646 searchTimeSlot and appointment over HTTP (SQLite and PostgreSQL)."""
from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from inventory.samples import contended_network
from orders import booking, clock
from orders.booking_demo import seed_orders, seed_workforce
from orders.booking_plans import CACHE
from orders.booking_settings import get_booking_settings
from orders.network_admin import store_network
from scheduler import Problem, solve

pytest_plugins = ["db_fixtures"]

PO = "/tmf-api/productOrderingManagement/v4/productOrder"
STS = "/tmf-api/appointment/v4/searchTimeSlot"
APT = "/tmf-api/appointment/v4/appointment"
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # a Monday; London is on UTC in November
DAYS = [date(2026, 11, 24) + timedelta(days=k) for k in range(7)]
REGION = "Testville"
CENTER = (-1.55, 53.80)


@pytest.fixture
def booking_api(api, db) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    clock.set_clock(lambda: NOW)
    CACHE.clear()
    store_network(db, contended_network(premises=30))
    seed_workforce(db, REGION, CENTER, 3, DAYS, random.Random(0), spread=0.01)
    yield api
    clock.set_clock(None)
    CACHE.clear()
    get_booking_settings.cache_clear()


def order(api, premise: str, ext: str) -> str:  # type: ignore[no-untyped-def]
    body = {"externalId": ext, "billingAccount": {"id": "BA-1"},
            "productOrderItem": [{"id": "1", "action": "add",
                                  "productOffering": {"id": "FTTP-500"},
                                  "product": {"place": [{"id": premise}]}}]}
    r = api.client.post(PO, json=body, headers=api.auth("billing"))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def period(start: str, end: str) -> dict[str, Any]:
    return {"startDateTime": start, "endDateTime": end}


def search(api, order_id: str, start: str = "2026-11-24T00:00:00Z",  # type: ignore[no-untyped-def]
           end: str = "2026-11-30T00:00:00Z", role: str = "booking"):
    return api.client.post(STS, headers=api.auth(role), json={
        "relatedEntity": [{"id": order_id, "@referredType": "ProductOrder"}],
        "requestedTimeSlot": [{"validFor": period(start, end)}]})


def book(api, order_id: str, slot: dict[str, Any], status: str = "confirmed"):  # type: ignore[no-untyped-def]
    return api.client.post(APT, headers=api.auth("booking"), json={
        "relatedEntity": [{"id": order_id, "@referredType": "ProductOrder"}],
        "validFor": slot["validFor"], "status": status})


def test_search_book_reschedule_cancel(booking_api) -> None:  # type: ignore[no-untyped-def]
    api = booking_api
    oid = order(api, "TV000001", "B-1")  # connected premise: no pre-cable
    r = search(api, oid)
    assert r.status_code == 201, r.text
    found = r.json()
    assert found["status"] == "done" and found["region"] == REGION
    slots = found["availableTimeSlot"]
    # installs can start two days after acknowledgement: 25th to 29th, AM and PM
    assert {s["day"] for s in slots} == {str(d) for d in DAYS[1:6]}
    assert {(s["slotLabel"], s["validFor"]["startDateTime"][11:16],
             s["validFor"]["endDateTime"][11:16]) for s in slots} == \
        {("AM", "08:00", "13:00"), ("PM", "13:00", "18:00")}
    assert all(0 <= s["grade"] <= 100 for s in slots)
    names = {x["name"] for x in slots[0]["reasons"]}
    assert {"added_travel_s", "proximity_component", "balance_component"} <= names

    best = max(slots, key=lambda s: s["grade"])
    r = book(api, oid, best)
    assert r.status_code == 201, r.text
    appt = r.json()
    assert appt["status"] == "confirmed" and r.headers["location"] == appt["href"]
    assert appt["validFor"] == best["validFor"] and appt["slotLabel"] == best["slotLabel"]
    po = api.client.get(f"{PO}/{oid}", headers=api.auth("billing")).json()
    install = next(j for j in po["jobs"] if j["kind"] == "install")
    assert install["windowStart"].startswith(best["validFor"]["startDateTime"][:19])
    assert api.client.get(appt["href"], headers=api.auth("dispatcher")).json()["id"] == appt["id"]
    again = book(api, oid, best)
    assert again.status_code == 409 and again.json()["code"] == "already_booked"

    other = next(s for s in slots if s["day"] != best["day"])
    r = api.client.patch(appt["href"], headers=api.auth("booking"),
                         json={"validFor": other["validFor"]})
    assert r.status_code == 200, r.text
    assert r.json()["day"] == other["day"] and r.json()["status"] == "confirmed"
    problem, schedule = booking.tentative_day(api.client.app.state.db, REGION,
                                              date.fromisoformat(best["day"]))
    assert install["id"] not in {j["id"] for j in problem["jobs"]}  # old slot freed

    r = api.client.patch(appt["href"], headers=api.auth("booking"),
                         json={"status": "cancelled", "cancellationReason": "customer moved"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    po = api.client.get(f"{PO}/{oid}", headers=api.auth("billing")).json()
    assert next(j for j in po["jobs"] if j["kind"] == "install")["windowStart"] is None
    listed = api.client.get(APT, params={"relatedEntity.id": oid},
                            headers=api.auth("analyst")).json()
    assert listed["total"] == 1 and listed["items"][0]["status"] == "cancelled"
    assert book(api, oid, best).status_code == 201  # bookable again


def test_precable_chain_respects_the_lead_time(booking_api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FIELDSCHED_BOOKING_PRECABLE_LEAD_DAYS", "3")
    get_booking_settings.cache_clear()
    api = booking_api
    oid = order(api, "TV000000", "B-PC")  # needs a pre-cable, possible from the 24th
    found = search(api, oid).json()
    assert found["preCableDay"] == "2026-11-24"
    assert min(s["day"] for s in found["availableTimeSlot"]) == "2026-11-27"
    slot = found["availableTimeSlot"][0]
    appt = book(api, oid, slot).json()
    assert appt["preCableDay"] == "2026-11-24" and appt["preCableJobId"].endswith("-PC")
    problem, _ = booking.tentative_day(api.client.app.state.db, REGION, date(2026, 11, 24))
    assert [j["id"] for j in problem["jobs"]] == [appt["preCableJobId"]]
    po = api.client.get(f"{PO}/{oid}", headers=api.auth("billing")).json()
    assert next(j for j in po["jobs"] if j["kind"] == "precable")["earliestDate"] == "2026-11-24"


def test_last_capacity_is_refused_with_alternatives_and_the_day_solves(  # type: ignore[no-untyped-def]
        booking_api, db, check) -> None:
    api = booking_api
    oids = seed_orders(db, REGION, CENTER, 40, random.Random(5), DAYS[1], spread=0.02)
    slot = {"validFor": period("2026-11-25T08:00:00Z", "2026-11-25T13:00:00Z")}
    booked, refused = [], None
    for oid in oids:
        r = book(api, oid, slot)
        if r.status_code == 409:
            refused = r.json()
            break
        assert r.status_code == 201, r.text
        booked.append(oid)
    assert refused is not None and len(booked) >= 6  # 3 engineers
    assert refused["code"] == "slot_unavailable" and refused["availableTimeSlot"]
    assert all(s["id"] != "2026-11-25-AM" for s in refused["availableTimeSlot"])
    day_search = search(api, oids[-1], "2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z").json()
    assert [s["slotLabel"] for s in day_search["availableTimeSlot"]] in (["PM"], [])

    problem, tentative = booking.tentative_day(db, REGION, DAYS[1])
    check(problem, tentative)
    schedule = solve(Problem.from_dict(problem), time_limit=2, warm_start=tentative).to_dict()
    check(problem, schedule)
    assert not schedule["unassigned"]
    assert sum(1 for r in schedule["routes"] for s in r["steps"] if s["type"] == "job") == \
        len(booked)


def test_holds_expire_or_are_confirmed(booking_api) -> None:  # type: ignore[no-untyped-def]
    api = booking_api
    first, second = order(api, "TV000001", "H-1"), order(api, "TV000002", "H-2")
    slot = search(api, first).json()["availableTimeSlot"][0]
    held = book(api, first, slot, status="initialized").json()
    assert held["status"] == "initialized"
    assert held["expiresAt"].startswith("2026-11-24T07:00:00")
    kept = book(api, second, slot, status="initialized").json()
    r = api.client.patch(kept["href"], headers=api.auth("booking"), json={"status": "confirmed"})
    assert r.json()["status"] == "confirmed" and r.json()["expiresAt"] is None

    clock.set_clock(lambda: NOW + timedelta(hours=25))
    assert search(api, first).status_code == 201  # searches expire due holds first
    gone = api.client.get(held["href"], headers=api.auth("booking")).json()
    assert gone["status"] == "cancelled" and gone["statusReason"] == "hold_expired"
    assert api.client.get(kept["href"], headers=api.auth("booking")).json()["status"] == \
        "confirmed"
    problem, _ = booking.tentative_day(api.client.app.state.db, REGION,
                                       date.fromisoformat(slot["day"]))
    assert [j["id"] for j in problem["jobs"]] == [kept["jobId"]]


@pytest.mark.parametrize("case,status,code", [
    ("unknown", 404, "unknown_order"),
    ("unqualified", 422, "order_not_qualified"),
    ("past", 422, "period_in_past"),
    ("beyond", 422, "beyond_horizon"),
    ("too_long", 422, "period_too_long"),
    ("no_offset", 422, "invalid_request"),
    ("reversed", 422, "invalid_request"),
    ("not_a_date", 422, "invalid_request"),
    ("wrong_role", 403, "forbidden"),
])
def test_bad_searches_are_refused_with_a_reason(booking_api, case, status, code) -> None:  # type: ignore[no-untyped-def]
    api = booking_api
    oid = order(api, "TV-OUTSIDE" if case == "unqualified" else "TV000001", "BAD-1")
    args: dict[str, Any] = {
        "unknown": {"order_id": "PO-NOPE"},
        "unqualified": {},
        "past": {"start": "2026-11-01T00:00:00Z", "end": "2026-11-20T00:00:00Z"},
        "beyond": {"start": "2027-06-01T00:00:00Z", "end": "2027-06-05T00:00:00Z"},
        "too_long": {"start": "2026-11-24T00:00:00Z", "end": "2027-01-10T00:00:00Z"},
        "no_offset": {"start": "2026-11-24T00:00:00", "end": "2026-11-26T00:00:00"},
        "reversed": {"start": "2026-11-26T00:00:00Z", "end": "2026-11-24T00:00:00Z"},
        "not_a_date": {"start": "next tuesday"},
        "wrong_role": {"role": "engineer"},
    }[case]
    r = search(api, args.pop("order_id", oid), **args)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code and r.json()["message"]


def test_booking_a_window_that_is_not_a_slot_is_refused(booking_api) -> None:  # type: ignore[no-untyped-def]
    api = booking_api
    oid = order(api, "TV000001", "NS-1")
    r = book(api, oid, {"validFor": period("2026-11-25T08:30:00Z", "2026-11-25T13:00:00Z")})
    assert r.status_code == 422 and r.json()["code"] == "not_a_slot"
    r = book(api, oid, {"validFor": period("2026-11-24T08:00:00Z", "2026-11-24T13:00:00Z")})
    assert r.status_code == 422 and r.json()["code"] == "too_early"


def test_releasing_a_cancelled_order_frees_its_plan_places(booking_api, db) -> None:  # type: ignore[no-untyped-def]
    api = booking_api
    oid = order(api, "TV000000", "REL-1")  # install and pre-cable
    appt = book(api, oid, search(api, oid).json()["availableTimeSlot"][0]).json()
    day, pre_day = date.fromisoformat(appt["day"]), date.fromisoformat(appt["preCableDay"])
    assert booking.tentative_day(db, REGION, day)[0]["jobs"]
    with db.transaction() as session:
        booking.release_order(session, oid)
    assert booking.tentative_day(db, REGION, day)[0]["jobs"] == []
    assert booking.tentative_day(db, REGION, pre_day)[0]["jobs"] == []


def test_cancelling_the_order_frees_its_booked_capacity(booking_api, db) -> None:  # type: ignore[no-untyped-def]
    api = booking_api
    oid = order(api, "TV000000", "CAN-1")  # install and pre-cable
    appt = book(api, oid, search(api, oid).json()["availableTimeSlot"][0]).json()
    day, pre_day = date.fromisoformat(appt["day"]), date.fromisoformat(appt["preCableDay"])
    assert len(booking.tentative_day(db, REGION, day)[0]["jobs"]) == 1
    r = api.client.post("/tmf-api/productOrderingManagement/v4/cancelProductOrder",
                        headers=api.auth("billing"),
                        json={"productOrder": {"id": oid}, "cancellationReason": "moved"})
    assert r.status_code == 201, r.text
    assert booking.tentative_day(db, REGION, day)[0]["jobs"] == []
    assert booking.tentative_day(db, REGION, pre_day)[0]["jobs"] == []
    assert api.client.get(appt["href"], headers=api.auth("booking")).json()["status"] == \
        "cancelled"


def test_rebooking_a_failed_install_resumes_the_held_order(booking_api, db) -> None:  # type: ignore[no-untyped-def]
    from orders.signoff import fail_job

    api = booking_api
    oid = order(api, "TV000001", "REB-1")
    first = book(api, oid, search(api, oid).json()["availableTimeSlot"][0]).json()
    po = api.client.get(f"{PO}/{oid}", headers=api.auth("billing")).json()
    install = next(j for j in po["jobs"] if j["kind"] == "install")
    outcome = fail_job(db, None, install["id"], "customer_absent")
    assert outcome.order_state == "held"
    assert api.client.get(first["href"], headers=api.auth("booking")).json()["status"] == \
        "failed"
    slots = search(api, oid).json()["availableTimeSlot"]
    assert slots and all(s["day"] > str(NOW.date()) for s in slots)
    r = book(api, oid, slots[0])
    assert r.status_code == 201, r.text
    po = api.client.get(f"{PO}/{oid}", headers=api.auth("billing")).json()
    assert po["state"] == "inProgress"
    rebook = next(j for j in po["jobs"] if j["kind"] == "install" and j["status"] != "failed")
    assert rebook["id"] != install["id"] and rebook["windowStart"]
