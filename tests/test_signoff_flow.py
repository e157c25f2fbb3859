"""Field sign-off through the HTTP API: engineers' days, start/complete/fail, provisioning,
line test, completion with its signed event to billing's reference receiver."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from billing_helpers import fast_relay
from signoff_helpers import PO, assign, ont_serial, place
from sqlalchemy import select

from billing_hook.models import OutboxEvent
from billing_hook.receiver import ReferenceReceiver
from billing_hook.relay import wait_until_delivered
from inventory.provisioning import SimOltSettings, SimulatedOltDriver, set_driver
from inventory.samples import contended_network
from orders import clock
from orders.auth import create_api_key
from orders.db import Database
from orders.models import Job, ProductOrder
from orders.network_admin import store_network
from orders.signoff_models import LineTest, OrderNote
from orders.workforce import EngineerInput, upsert_engineers

pytest_plugins = ["db_fixtures"]
HUB = "/tmf-api/productOrderingManagement/v4/hub"


class Field:
    def __init__(self, api, db: Database, other_key: str):  # type: ignore[no-untyped-def]
        self.api, self.db, self.c = api, db, api.client
        self.eng = api.auth("engineer")
        self.other = {"Authorization": f"Bearer {other_key}"}
        self.day = (clock.now() + timedelta(days=3)).date()

    def at(self, hour: int, minute: int = 0) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, hour, minute, tzinfo=UTC)

    def play(self, hour: int, minute: int = 0) -> None:
        """The service clock on the future day the engineers work."""
        moment = self.at(hour, minute)
        clock.set_clock(lambda: moment)

    def order(self, premise: str, external_id: str) -> tuple[str, dict[str, str]]:
        order_id = place(self.api, premise, external_id)
        return order_id, assign(self.db, order_id, "ENG-1", self.day)

    def get_order(self, order_id: str) -> dict:  # type: ignore[type-arg]
        return self.c.get(f"{PO}/{order_id}", headers=self.api.auth("billing")).json()


@pytest.fixture
def field(api, db: Database) -> Iterator[Field]:  # type: ignore[no-untyped-def]
    store_network(db, contended_network(premises=30))
    upsert_engineers(db, [EngineerInput("ENG-2", "Other Engineer", -1.55, 53.8, ("install",))])
    other = create_api_key(db, "engineer", "eng 2", "ENG-2")[1]
    set_driver(SimulatedOltDriver(SimOltSettings(failure_rate=0, latency_s=0)))
    try:
        yield Field(api, db, other)
    finally:
        clock.set_clock(None)
        set_driver(None)


def test_install_sign_off_completes_the_order_and_billing_gets_a_signed_event(
        field: Field) -> None:
    c, f = field.c, field
    receiver = ReferenceReceiver("whsec_" + "A" * 44).start()
    try:
        r = c.post(HUB, json={"callback": receiver.url,
                              "query": "eventType=ProductOrderStateChangeEvent"},
                   headers=f.api.auth("billing"))
        assert r.status_code == 201, r.text
        hub = r.json()
        assert hub["id"] and hub["secret"].startswith("whsec_")
        assert "secret" not in c.get(f"{HUB}/{hub['id']}", headers=f.api.auth("billing")).json()
        receiver.secret = hub["secret"]

        order_id, jobs = f.order("TV000000", "BILL-7001")
        f.play(7, 30)
        day = c.get(f"/engineers/me/jobs?date={f.day}", headers=f.eng).json()
        assert [j["id"] for j in day["jobs"]] == [jobs["precable"], jobs["install"]] or \
            sorted(j["id"] for j in day["jobs"]) == sorted(jobs.values())
        assert day["jobs"][0]["order_external_id"] == "BILL-7001"
        assert day["jobs"][1]["assigned_ont_serial"] == ont_serial(f.db, order_id)
        other_day = c.get(f"/engineers/me/jobs?date={f.day}", headers=f.other).json()
        assert other_day["jobs"] == []
        for verb in ("start", "complete", "fail"):  # not ENG-2's job
            body = {"reason": "no_access"} if verb == "fail" else {}
            r = c.post(f"/jobs/{jobs['install']}/{verb}", json=body, headers=f.other)
            assert r.status_code == 403, (verb, r.text)
        assert c.post(f"/jobs/{jobs['install']}/start", headers=f.api.auth("billing")
                      ).status_code == 403  # billing is not a field role

        assert c.post(f"/jobs/{jobs['precable']}/start", headers=f.eng).json()["status"] == \
            "in_progress"
        f.play(9)
        done = c.post(f"/jobs/{jobs['precable']}/complete", json={"notes": "drop from pole"},
                      headers=f.eng).json()
        assert done["job"]["status"] == "completed" and done["order_state"] == "inProgress"

        f.play(11)
        r = c.post(f"/jobs/{jobs['install']}/complete", json={"notes": "router on"},
                   headers=f.eng)
        assert r.status_code == 422 and r.json()["field"] == "ont_serial"
        serial = ont_serial(f.db, order_id)
        r = c.post(f"/jobs/{jobs['install']}/complete", headers=f.eng, json={
            "ont_serial": serial, "rx_power_dbm": -18.5, "notes": "all good",
            "started_at": f.at(9, 40).isoformat(), "completed_at": f.at(10, 55).isoformat()})
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["order_state"] == "completed" and out["line_test"]["passed"]
        order = f.get_order(order_id)
        assert order["state"] == "completed"
        assert datetime.fromisoformat(order["completionDate"]) == f.at(11)
        assert c.post(f"/jobs/{jobs['install']}/complete", headers=f.eng, json={
            "ont_serial": serial, "rx_power_dbm": -18.5}).status_code == 409

        pending = c.get("/events?delivered=false", headers=f.api.auth("billing")).json()
        assert pending["total"] == 1
        event = pending["items"][0]
        assert event["state"] == "completed" and event["aggregate_id"] == order_id

        clock.set_clock(None)  # the relay signs with the real time
        relay = fast_relay(f.db)
        assert wait_until_delivered(f.db, relay, 10)
        assert list(receiver.events) == [event["id"]]
        po = receiver.events[event["id"]]["event"]["productOrder"]
        assert po["externalId"] == "BILL-7001" and po["state"] == "completed"
        assert datetime.fromisoformat(po["activationDate"].replace("Z", "+00:00")) == f.at(11)
        details = po["serviceDetails"]
        assert details["ontSerialNumber"] == serial and details["sVlan"] == 3000
        assert details["productOffering"]["id"] == "FTTP-500" and details["downstreamMbps"]
        assert details["ponPort"]["onuId"] is not None and details["cVlan"] >= 100
        assert abs(details["lineTest"]["ontRxPowerDbm"] + 18.5) <= 0.31
        assert c.get("/events?delivered=false", headers=f.api.auth("billing")
                     ).json()["total"] == 0

        r = c.post(f"/events/{event['id']}/replay", headers=f.api.auth("billing"))
        assert r.json() == {"queued": 1}
        assert wait_until_delivered(f.db, relay, 10)
        relay.close()
        assert receiver.arrivals == [event["id"], event["id"]] and receiver.duplicates == 1
    finally:
        receiver.stop()


def test_failed_install_holds_the_order_and_asks_for_a_rebook(field: Field) -> None:
    c, f = field.c, field
    order_id, jobs = f.order("TV000001", "BILL-7002")
    f.play(10)
    r = c.post(f"/jobs/{jobs['install']}/fail", json={"reason": "customer_absent",
                                                      "notes": "card left"}, headers=f.eng)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["order_state"] == "held" and len(out["follow_up_job_ids"]) == 1
    rebook = out["follow_up_job_ids"][0]
    order = f.get_order(order_id)
    assert order["state"] == "held"
    with f.db.read() as s:
        job = s.get(Job, rebook)
        assert job is not None and job.kind == "install" and job.status == "pending"
        assert job.needs_appointment and job.earliest_date > f.day
        assert s.get(ProductOrder, order_id).state_reason == "customer_absent"
    assert c.post(f"/jobs/{jobs['install']}/start", headers=f.eng).status_code == 409
    r = c.post(f"/jobs/{rebook}/fail", json={"reason": "teleported"}, headers=f.eng)
    assert r.status_code == 422


def test_precable_needing_civils_creates_civils_work_and_a_jeopardy_note(field: Field) -> None:
    c, f = field.c, field
    order_id, jobs = f.order("TV000000", "BILL-7003")
    f.play(9)
    c.post(f"/jobs/{jobs['precable']}/start", headers=f.eng)
    out = c.post(f"/jobs/{jobs['precable']}/fail", json={"reason": "duct_blocked"},
                 headers=f.eng).json()
    assert out["order_state"] == "inProgress"
    civils_id, precable_id = out["follow_up_job_ids"]
    with f.db.read() as s:
        civils, precable = s.get(Job, civils_id), s.get(Job, precable_id)
        install = s.get(Job, jobs["install"])
        notes = s.scalars(select(OrderNote).where(OrderNote.order_id == order_id)).all()
    assert civils.kind == "civils" and "civils" in civils.skills
    assert precable.kind == "precable" and precable.predecessor_job_id == civils_id
    assert install.predecessor_job_id == precable_id
    assert [n.kind for n in notes] == ["jeopardy"] and "jeopardy" in notes[0].text


def test_failed_line_test_holds_with_measurements_until_a_repair_passes(field: Field) -> None:
    c, f = field.c, field
    order_id, jobs = f.order("TV000001", "BILL-7004")  # a connected premise: install only
    assert "precable" not in jobs
    f.play(10)
    serial = ont_serial(f.db, order_id)
    out = c.post(f"/jobs/{jobs['install']}/complete", headers=f.eng, json={
        "ont_serial": serial, "rx_power_dbm": -27.5}).json()  # too weak for the margin
    assert out["order_state"] == "held"
    assert "ont_rx_power_out_of_window" in out["line_test"]["failures"]
    repair_id = out["follow_up_job_ids"][0]
    with f.db.read() as s:
        test = s.scalars(select(LineTest).where(LineTest.order_id == order_id)).one()
        assert not test.passed and test.measurements["rx_power_ont_dbm"] < -26.5
        assert s.get(ProductOrder, order_id).state_reason == "line_test_failed"
        assert s.scalar(select(OutboxEvent.id).where(OutboxEvent.aggregate_id == order_id,
                                                     OutboxEvent.state == "completed")) is None
    with f.db.transaction() as s:
        s.get(Job, repair_id).engineer_id = "ENG-1"
    f.play(14)
    out = c.post(f"/jobs/{repair_id}/complete", headers=f.eng, json={
        "ont_serial": serial, "rx_power_dbm": -16.0, "notes": "re-spliced"}).json()
    assert out["order_state"] == "completed" and out["line_test"]["passed"]
    assert [s["state"] for s in f.get_order(order_id)["stateHistory"]][-3:] == \
        ["held", "inProgress", "completed"]


def test_wrong_ont_and_permanent_provisioning_failure_hold_the_order(field: Field) -> None:
    c, f = field.c, field
    order_id, jobs = f.order("TV000001", "BILL-7005")
    f.play(10)
    out = c.post(f"/jobs/{jobs['install']}/complete", headers=f.eng, json={
        "ont_serial": "ALCLFFFFFFFF", "rx_power_dbm": -18.0}).json()
    assert out["order_state"] == "held" and out["line_test"]["failures"] == ["serial_mismatch"]

    set_driver(SimulatedOltDriver(SimOltSettings(permanent_failure_rate=1.0, latency_s=0)))
    order2, jobs2 = f.order("TV000003", "BILL-7006")
    f.play(12)
    out = c.post(f"/jobs/{jobs2['install']}/complete", headers=f.eng, json={
        "ont_serial": ont_serial(f.db, order2), "rx_power_dbm": -18.0}).json()
    assert out["order_state"] == "held" and out["line_test"] is None
    assert out["follow_up_job_ids"] and "provisioning failed" in out["message"]
    with f.db.read() as s:
        assert s.get(ProductOrder, order2).state_reason == "provisioning_failed"
        assert s.get(Job, out["follow_up_job_ids"][0]).kind == "repair"


def test_device_times_in_the_future_are_refused(field: Field) -> None:
    c, f = field.c, field
    _, jobs = f.order("TV000001", "BILL-7007")
    f.play(10)
    r = c.post(f"/jobs/{jobs['install']}/start", headers=f.eng,
               json={"started_at": f.at(13).isoformat()})
    assert r.status_code == 422 and r.json()["field"] == "started_at"


def test_the_days_current_plan_decides_whose_job_it_is(field: Field) -> None:
    from orders.dispatch_models import ScheduleAssignment, ScheduleRun

    c, f = field.c, field
    order_id = place(f.api, "TV000001", "BILL-7008")
    with f.db.transaction() as s:
        install = s.scalars(select(Job).where(Job.order_id == order_id)).one()
        s.add(ScheduleRun(id="RUN-1", kind="day", date=f.day, status="done", current=True,
                          time_limit_s=1, seed=0, progress=1, created_at=f.at(5),
                          finished_at=f.at(5)))
        s.flush()
        s.add(ScheduleAssignment(run_id="RUN-1", job_id=install.id, engineer_id="ENG-1",
                                 seq=0, planned_start=f.at(9)))
    f.play(8)
    mine = c.get(f"/engineers/me/jobs?date={f.day}", headers=f.eng).json()["jobs"]
    assert [j["id"] for j in mine] == [install.id]
    other_day = f.day + timedelta(days=1)
    assert c.get(f"/engineers/me/jobs?date={other_day}", headers=f.eng).json()["jobs"] == []
    assert c.post(f"/jobs/{install.id}/start", headers=f.other).status_code == 403
    assert c.post(f"/jobs/{install.id}/start", headers=f.eng).status_code == 200


def test_simulated_field_day_completes_orders_and_billing_hears_each_once(field: Field) -> None:
    from api.commands.field_sim import billing_receiver, simulate_field_day, wait_for_events

    f = field
    receiver = billing_receiver(f.c, f.api.keys["billing"])
    try:
        orders = [f.order(p, f"BILL-71{i}")[0]
                  for i, p in enumerate(("TV000001", "TV000003", "TV000005"))]
        f.play(12)
        counts = simulate_field_day(f.c, {"ENG-1": f.api.keys["engineer"]}, f.day,
                                    fail_rate=0, weak_line_rate=0, seed=1)
        assert counts["order completed"] == 3, counts
        clock.set_clock(None)
        relay = fast_relay(f.db)
        assert wait_until_delivered(f.db, relay, 10)
        relay.close()
        assert wait_for_events(receiver, 3, 5)
        got = {e["event"]["productOrder"]["id"] for e in receiver.events.values()}
        assert got == set(orders) and receiver.duplicates == 0 and not receiver.rejected
    finally:
        receiver.stop()


def test_dispatchers_customer_absent_holds_the_order_like_the_engineers_fail(
        field: Field) -> None:
    """The re-plan event and the engineer's own "fail" are one path: the install fails, its
    appointment too, the order is held with a rebook job, and the day is re-planned."""
    from datetime import time as dtime

    from orders.schedule_runs import request_day, run_pending
    from orders.workforce import ShiftInput, upsert_shifts

    c, f = field.c, field
    order_id, jobs = f.order("TV000002", "BILL-7010")
    upsert_shifts(f.db, [ShiftInput("ENG-1", f.day, dtime(8), dtime(17))])
    run = request_day(f.db, f.day, None, 1.0)
    run_pending(f.db)
    dispatcher = f.api.auth("dispatcher")
    routes = c.get(f"/schedules/{run.id}/routes", headers=dispatcher).json()
    planned = {s["job"] for r in routes["routes"] for s in r["steps"] if s.get("job")}
    assert jobs["install"] in planned
    f.play(9)
    r = c.post(f"/schedules/{run.id}/events", headers=dispatcher,
               json={"type": "customer_absent", "job": jobs["install"], "time_limit": 0.5})
    assert r.status_code == 200, r.text
    order = f.get_order(order_id)
    assert order["state"] == "held"
    with f.db.read() as s:
        assert s.get(Job, jobs["install"]).status == "failed"
        assert s.get(ProductOrder, order_id).state_reason == "customer_absent"
        rebook = s.scalars(select(Job).where(Job.order_id == order_id, Job.kind == "install",
                                             Job.status == "pending")).one()
        assert rebook.needs_appointment and rebook.earliest_date > f.day
