"""Provisioning driver, line test and the transactional outbox, below the HTTP layer."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from signoff_helpers import place
from sqlalchemy import select

from billing_hook import store
from billing_hook.models import Delivery, OutboxEvent
from inventory.diagnostics import LineTestSettings, line_test
from inventory.provisioning import (
    ActivationRequest,
    OnuStatus,
    PermanentProvisioningError,
    SimOltSettings,
    SimulatedOltDriver,
    TransientProvisioningError,
    activate_with_retry,
    load_driver,
)
from inventory.samples import contended_network
from orders.db import Database
from orders.lifecycle import transition
from orders.models import ProductOrder
from orders.network_admin import store_network
from orders.states import OrderState

pytest_plugins = ["db_fixtures"]


def status(ont: float | None = -18.0, olt: float | None = -20.0, serial: str = "HWTC00000001",
           state: str = "active", reachable: bool = True, los: bool = False) -> OnuStatus:
    return OnuStatus("OLT-1/1/1", 5, serial, state, reachable, ont, olt, los)


def request(order: str = "PO-1", site_rx: float | None = -18.0) -> ActivationRequest:
    return ActivationRequest(order, "OLT-1", "OLT-1/1/1", 5, "HWTC00000001", 3000, 120,
                             "BW-500-75", installed_serial="HWTC00000001",
                             site_rx_power_dbm=site_rx)


@pytest.mark.parametrize(("ont", "olt", "margin", "failures"), [
    (-18.0, -20.0, 1.0, []),
    (-26.0, -20.0, 1.0, []),  # exactly at the window edge plus margin
    (-26.1, -20.0, 1.0, ["ont_rx_power_out_of_window"]),
    (-26.5, -20.0, 0.0, []),
    (-8.5, -20.0, 1.0, ["ont_rx_power_out_of_window"]),  # overload side
    (-18.0, -27.5, 1.0, ["olt_rx_power_out_of_window"]),
    (-18.0, -27.5, 0.0, []),  # the OLT window reaches -28
    (None, None, 1.0, ["ont_rx_power_out_of_window", "olt_rx_power_out_of_window"]),
])
def test_optical_windows_with_margin(ont: float | None, olt: float | None, margin: float,
                                     failures: list[str]) -> None:
    result = line_test(status(ont, olt), "HWTC00000001", margin)
    assert list(result.failures) == failures and result.passed == (not failures)
    assert result.measurements["rx_power_ont_dbm"] == ont


def test_state_serial_and_los_checks() -> None:
    assert line_test(status(serial="ALCL00000002"), "HWTC00000001").failures == \
        ("serial_mismatch",)
    down = line_test(status(None, None, state="inactive", reachable=False, los=True),
                     "HWTC00000001")
    assert {"onu_not_active", "onu_unreachable", "loss_of_signal"} <= set(down.failures)


def test_margin_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDSCHED_LINE_TEST_MARGIN_DB", "2.5")
    assert LineTestSettings().margin_db == 2.5
    monkeypatch.setenv("FIELDSCHED_SIM_OLT_FAILURE_RATE", "0.25")
    monkeypatch.setenv("FIELDSCHED_SIM_OLT_LATENCY_S", "0")
    assert SimOltSettings().failure_rate == 0.25 and SimOltSettings().latency_s == 0


def test_simulated_olt_activates_and_reports_the_line_as_installed() -> None:
    olt = SimulatedOltDriver(SimOltSettings(failure_rate=0, latency_s=0))
    assert olt.onu_status("OLT-1/1/1", 5).oper_state == "inactive"
    olt.activate(request(site_rx=-21.0))
    seen = olt.onu_status("OLT-1/1/1", 5)
    assert seen.oper_state == "active" and seen.reachable and seen.serial == "HWTC00000001"
    assert abs(seen.rx_power_ont_dbm + 21.0) <= 0.3 and seen.rx_power_olt_dbm < -21.0 + 0.3
    olt.activate(request(site_rx=-21.0))  # idempotent
    olt.deactivate(request())
    assert olt.onu_status("OLT-1/1/1", 5).oper_state == "inactive"
    olt.activate(request("PO-2", site_rx=-40.0))  # a broken fibre: loss of signal
    assert olt.onu_status("OLT-1/1/1", 5).los_alarm


def test_transient_failures_are_retried_with_growing_jittered_backoff() -> None:
    sleeps: list[float] = []
    olt = SimulatedOltDriver(SimOltSettings(failure_rate=0.6, latency_s=0, seed=3))
    runs = [activate_with_retry(olt, request(f"PO-{i}"), attempts=30, base_delay_s=0.1,
                                sleep=sleeps.append) for i in range(20)]
    assert max(runs) > 1 and all(r >= 1 for r in runs)
    assert len(sleeps) == sum(runs) - len(runs)
    again = SimulatedOltDriver(SimOltSettings(failure_rate=0.6, latency_s=0, seed=3))
    assert [activate_with_retry(again, request(f"PO-{i}"), attempts=30, base_delay_s=0.1,
                                sleep=lambda _s: None) for i in range(20)] == runs

    waits: list[float] = []
    always = SimulatedOltDriver(SimOltSettings(failure_rate=1.0, latency_s=0))
    with pytest.raises(TransientProvisioningError):
        activate_with_retry(always, request(), attempts=4, base_delay_s=1.0, sleep=waits.append)
    assert len(waits) == 3 and all(0 <= w <= 2 ** i for i, w in enumerate(waits))

    calls: list[float] = []
    refused = SimulatedOltDriver(SimOltSettings(permanent_failure_rate=1.0, latency_s=0))
    with pytest.raises(PermanentProvisioningError):
        activate_with_retry(refused, request(), attempts=5, sleep=calls.append)
    assert calls == []  # a permanent failure is not retried


def test_a_driver_is_named_by_its_import_path() -> None:
    assert isinstance(load_driver("inventory.provisioning:SimulatedOltDriver"),
                      SimulatedOltDriver)
    with pytest.raises(ValueError):
        load_driver("not-a-path")


def test_events_are_written_with_the_state_change_or_not_at_all(api, db: Database) -> None:  # type: ignore[no-untyped-def]
    store_network(db, contended_network(premises=5))
    everything, _ = store.create_subscription(db, "http://127.0.0.1:9/x", "state=all",
                                              datetime.now(UTC))
    billing, _ = store.create_subscription(db, "http://127.0.0.1:9/y",
                                           "eventType=ProductOrderStateChangeEvent",
                                           datetime.now(UTC))
    order_id = place(api, "TV000001", "BILL-8001")
    with db.read() as s:
        states = list(s.scalars(select(OutboxEvent.state).where(
            OutboxEvent.aggregate_id == order_id).order_by(OutboxEvent.seq)))
        subs = list(s.scalars(select(Delivery.subscription_id)))
    assert states == ["acknowledged", "inProgress"]
    assert subs == [everything.id, everything.id]  # billing waits for a completion

    class Boom(Exception):
        pass

    with pytest.raises(Boom), db.transaction() as s:
        order = s.get(ProductOrder, order_id)
        transition(s, order, OrderState.COMPLETED, datetime.now(UTC), reason="test")
        s.flush()
        assert s.scalar(select(OutboxEvent.id).where(OutboxEvent.state == "completed"))
        raise Boom
    with db.read() as s:  # rolled back together
        assert s.get(ProductOrder, order_id).state == "inProgress"
        assert s.scalar(select(OutboxEvent.id).where(OutboxEvent.state == "completed")) is None
    with db.transaction() as s:
        order = s.get(ProductOrder, order_id)
        transition(s, order, OrderState.HELD, datetime.now(UTC), reason="test")
    with db.read() as s:
        assert s.scalar(select(OutboxEvent.state).order_by(OutboxEvent.seq.desc())) == "held"
