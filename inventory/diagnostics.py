"""The line test that must pass before an order is completed and billing is told.

Checks, from the ONU's status as the OLT reports it: operational state active and
reachable, the serial number is the ONT assigned to the order, the received power at
the ONT in the GPON class B+ window (-27 to -8 dBm) and at the OLT in -28 to -8 dBm,
both narrowed by a margin at each end (``FIELDSCHED_LINE_TEST_MARGIN_DB``), and no
loss-of-signal alarm. Pure: it judges a status; the caller stores the result.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from inventory.provisioning import OnuStatus

ONT_RX_WINDOW_DBM = (-27.0, -8.0)  # GPON class B+ ONU receiver
OLT_RX_WINDOW_DBM = (-28.0, -8.0)  # GPON class B+ OLT receiver


class LineTestSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FIELDSCHED_LINE_TEST_", extra="ignore")

    margin_db: float = Field(default=1.0, ge=0, le=5)


@dataclass(frozen=True)
class LineTestResult:
    passed: bool
    failures: tuple[str, ...]
    measurements: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"passed": self.passed, "failures": list(self.failures),
                "measurements": self.measurements}


def _in_window(value: float | None, window: tuple[float, float], margin: float) -> bool:
    return value is not None and window[0] + margin <= value <= window[1] - margin


def line_test(status: OnuStatus, expected_serial: str, margin_db: float = 1.0) -> LineTestResult:
    failures: list[str] = []
    if status.oper_state != "active":
        failures.append("onu_not_active")
    if not status.reachable:
        failures.append("onu_unreachable")
    if status.serial != expected_serial:
        failures.append("serial_mismatch")
    if not _in_window(status.rx_power_ont_dbm, ONT_RX_WINDOW_DBM, margin_db):
        failures.append("ont_rx_power_out_of_window")
    if not _in_window(status.rx_power_olt_dbm, OLT_RX_WINDOW_DBM, margin_db):
        failures.append("olt_rx_power_out_of_window")
    if status.los_alarm:
        failures.append("loss_of_signal")
    measurements = asdict(status) | {
        "expected_serial": expected_serial, "margin_db": margin_db,
        "ont_rx_window_dbm": list(ONT_RX_WINDOW_DBM), "olt_rx_window_dbm": list(OLT_RX_WINDOW_DBM),
    }
    return LineTestResult(not failures, tuple(failures), measurements)
