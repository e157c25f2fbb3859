"""Provisioning drivers: activate an ONT on its PON port with its VLANs and bandwidth
profile, deactivate it, and report the ONU's state for the line test.

The order flow talks to :class:`ProvisioningDriver` only. The default is
:class:`SimulatedOltDriver`, which behaves like a real OLT: it takes time, fails
transiently (a busy or unreachable element manager: retried with backoff by
:func:`activate_with_retry`) or permanently (a refused configuration: the order is
held and a fault job raised), and reports the ONU's operational state, optical levels
and alarms. Its knobs are ``FIELDSCHED_SIM_OLT_*`` settings (:class:`SimOltSettings`),
so tests and demos can make it deterministic.

Plugging in a real network
--------------------------
Write a class with the three methods of :class:`ProvisioningDriver` and name it in
``FIELDSCHED_PROVISIONING_DRIVER=package.module:ClassName`` (constructed without
arguments; read your own settings from the environment). For example:

* VOLTHA: ``activate`` pre-provisions the ONU on the OLT device's PON port
  (``VolthaService.ProvisionOnu`` / the ONOS ``volt-add-subscriber-access`` REST call
  with the S-/C-tag and the bandwidth profile id), ``deactivate`` removes the
  subscriber, ``onu_status`` reads the ONU device (``oper_status``, ``connect_status``)
  and its PM/optical metrics (``rx_power`` at ONU and OLT) plus active alarms (LOS).
* NETCONF (e.g. BBF TR-383/TR-385 YANG on the OLT, via ``ncclient``): ``activate``
  edits the ``interfaces``/``v-ani``/``ani`` config with the serial number and the
  VLAN sub-interfaces, ``onu_status`` reads ``onu-state`` and ``optical-parameters``.

Raise :class:`TransientProvisioningError` for errors worth retrying (time-outs, busy
element manager, lost session) and :class:`PermanentProvisioningError` otherwise.
``activate`` must be idempotent: after a crash the flow activates again.
"""
from __future__ import annotations

import hashlib
import importlib
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProvisioningError(Exception):
    transient = False


class TransientProvisioningError(ProvisioningError):
    transient = True


class PermanentProvisioningError(ProvisioningError):
    transient = False


@dataclass(frozen=True)
class ActivationRequest:
    order_ref: str
    olt_id: str
    pon_port_id: str
    onu_id: int
    ont_serial: str  # the ONT inventory assigned to the order
    s_vlan: int
    c_vlan: int
    bandwidth_profile: str
    # What was physically installed, as signed off on site (a real OLT discovers it; the
    # simulator needs to be told): the ONT's serial and the optical level read there.
    installed_serial: str | None = None
    site_rx_power_dbm: float | None = None


@dataclass(frozen=True)
class OnuStatus:
    pon_port_id: str
    onu_id: int
    serial: str | None  # as reported by the ONU (None: nothing discovered)
    oper_state: str  # "active", "inactive", "unknown"
    reachable: bool
    rx_power_ont_dbm: float | None  # downstream, measured by the ONT
    rx_power_olt_dbm: float | None  # upstream, measured by the OLT
    los_alarm: bool


class ProvisioningDriver(Protocol):
    def activate(self, request: ActivationRequest) -> None: ...
    def deactivate(self, request: ActivationRequest) -> None: ...
    def onu_status(self, pon_port_id: str, onu_id: int) -> OnuStatus: ...


class SimOltSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FIELDSCHED_SIM_OLT_", extra="ignore")

    failure_rate: float = Field(default=0.05, ge=0, le=1)  # transient, per call
    permanent_failure_rate: float = Field(default=0.0, ge=0, le=1)  # per activation
    los_rate: float = Field(default=0.0, ge=0, le=1)  # ONUs coming up with a LOS alarm
    latency_s: float = Field(default=0.05, ge=0)
    seed: int = 0


class SimulatedOltDriver:
    """An in-memory OLT. Randomness is a pure function of (seed, ONT, attempt number),
    so the same settings replay the same story; ``failure_rate=0`` never fails."""

    def __init__(self, settings: SimOltSettings | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.settings = settings or SimOltSettings()
        self.sleep = sleep
        self._lock = threading.Lock()
        self._attempts: dict[str, int] = {}
        self._onus: dict[tuple[str, int], ActivationRequest] = {}

    def _rng(self, *key: object) -> random.Random:
        digest = hashlib.sha256(":".join(map(str, (self.settings.seed, *key))).encode())
        return random.Random(int.from_bytes(digest.digest()[:8], "big"))

    def activate(self, request: ActivationRequest) -> None:
        self.sleep(self.settings.latency_s)
        with self._lock:
            n = self._attempts[request.order_ref] = self._attempts.get(request.order_ref, 0) + 1
        if self._rng("permanent", request.order_ref).random() < \
                self.settings.permanent_failure_rate:
            raise PermanentProvisioningError(
                f"OLT {request.olt_id} refused profile {request.bandwidth_profile} for ONU "
                f"{request.pon_port_id}/{request.onu_id}")
        if self._rng("transient", request.order_ref, n).random() < self.settings.failure_rate:
            raise TransientProvisioningError(f"OLT {request.olt_id} element manager busy")
        with self._lock:
            self._onus[(request.pon_port_id, request.onu_id)] = request

    def deactivate(self, request: ActivationRequest) -> None:
        self.sleep(self.settings.latency_s)
        with self._lock:
            self._onus.pop((request.pon_port_id, request.onu_id), None)

    def onu_status(self, pon_port_id: str, onu_id: int) -> OnuStatus:
        self.sleep(self.settings.latency_s)
        with self._lock:
            req = self._onus.get((pon_port_id, onu_id))
        if req is None:
            return OnuStatus(pon_port_id, onu_id, None, "inactive", False, None, None, False)
        rng = self._rng("optics", req.order_ref)
        # The line as installed: the site reading (±0.3 dB), else a typical budget.
        ont = (req.site_rx_power_dbm if req.site_rx_power_dbm is not None
               else rng.uniform(-23.0, -14.0)) + rng.uniform(-0.3, 0.3)
        los = ont < -32.0 or self._rng("los", req.order_ref).random() < self.settings.los_rate
        if los:
            return OnuStatus(pon_port_id, onu_id, req.installed_serial or req.ont_serial,
                             "inactive", False, None, None, True)
        olt = ont - rng.uniform(0.5, 2.0)  # upstream 1310 nm: a little more loss
        return OnuStatus(pon_port_id, onu_id, req.installed_serial or req.ont_serial, "active",
                         True, round(ont, 2), round(olt, 2), False)


def activate_with_retry(driver: ProvisioningDriver, request: ActivationRequest,
                        attempts: int = 5, base_delay_s: float = 0.2,
                        sleep: Callable[[float], None] = time.sleep,
                        rng: random.Random | None = None) -> int:
    """Activate, retrying transient errors with exponential backoff and full jitter.
    Returns the number of attempts made; re-raises the last error when they run out
    (a transient one as it is, so the caller can tell the two apart)."""
    rng = rng or random.Random()
    for attempt in range(1, attempts + 1):
        try:
            driver.activate(request)
            return attempt
        except TransientProvisioningError:
            if attempt == attempts:
                raise
            sleep(rng.uniform(0, base_delay_s * 2 ** (attempt - 1)))
    raise AssertionError("unreachable")


class DriverSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FIELDSCHED_PROVISIONING_", extra="ignore")

    driver: str = "sim"  # or "package.module:ClassName"
    attempts: int = Field(default=5, ge=1, le=50)
    base_delay_s: float = Field(default=0.2, ge=0)


def load_driver(spec: str) -> ProvisioningDriver:
    if spec == "sim":
        return SimulatedOltDriver()
    module_name, _, class_name = spec.partition(":")
    if not class_name:
        raise ValueError("FIELDSCHED_PROVISIONING_DRIVER is 'sim' or 'package.module:Class'")
    return getattr(importlib.import_module(module_name), class_name)()


_driver: ProvisioningDriver | None = None


@lru_cache(maxsize=1)
def driver_settings() -> DriverSettings:
    return DriverSettings()


def get_driver() -> ProvisioningDriver:
    """The process's driver (built once from the settings)."""
    global _driver
    if _driver is None:
        _driver = load_driver(driver_settings().driver)
    return _driver


def set_driver(driver: ProvisioningDriver | None) -> None:
    """Replace the process's driver (tests, demo); ``None`` rebuilds it from settings."""
    global _driver
    _driver = driver
