"""After the install sign-off: provisioning, then the line test, then completion.

The network calls take time, so they run outside any transaction (no lock is held
while the OLT works); each outcome is then written in one transaction that re-checks
the order under its row lock:

* provisioning failed (permanently, or transiently beyond the retries): ``held`` with a
  fault (repair) job;
* line test failed: ``held`` with the measurements and a repair job;
* line test passed: the measurements, ``completed`` with the activation date = the
  moment the test passed, and (by ``orders.outbox``) the completion event for billing —
  all in the same transaction.

If the process dies in between, :func:`resume_activations` picks the order up again
(activation is idempotent).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.allocation import active_allocation, latest_allocation
from inventory.diagnostics import LineTestResult, LineTestSettings, line_test
from inventory.provisioning import (
    ActivationRequest,
    ProvisioningDriver,
    ProvisioningError,
    activate_with_retry,
    driver_settings,
    get_driver,
)
from orders import clock
from orders.catalog import offering
from orders.db import Database
from orders.follow_up import add_follow_up_job, add_note
from orders.lifecycle import transition
from orders.models import Job, ProductOrder
from orders.signoff_models import JobSignoff, LineTest
from orders.states import JobKind, JobStatus, OrderState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActivationOutcome:
    order_state: str
    line_test: LineTestResult | None
    follow_up_job_id: str | None = None
    error: str | None = None


def _request(session: Session, order: ProductOrder) -> ActivationRequest | None:
    alloc = active_allocation(session, order.id)
    if alloc is None:
        return None
    product = offering(order.offering_id)
    installed = session.scalars(
        select(JobSignoff).join(Job, Job.id == JobSignoff.job_id)
        .where(JobSignoff.order_id == order.id, JobSignoff.outcome == "completed",
               JobSignoff.ont_serial.is_not(None),
               Job.kind.in_([JobKind.INSTALL.value, JobKind.REPAIR.value]))
        .order_by(JobSignoff.recorded_at.desc())).first()
    return ActivationRequest(
        order_ref=order.id, olt_id=alloc.olt_id, pon_port_id=alloc.pon_port_id,
        onu_id=alloc.onu_id, ont_serial=alloc.ont_serial, s_vlan=alloc.s_vlan,
        c_vlan=alloc.c_vlan,
        bandwidth_profile=product.bandwidth_profile if product else order.offering_id,
        installed_serial=installed.ont_serial if installed else None,
        site_rx_power_dbm=installed.rx_power_dbm if installed else None)


def activate_and_test(db: Database, order_id: str, job_id: str | None = None,
                      driver: ProvisioningDriver | None = None) -> ActivationOutcome:
    """Provision the order's ONT, run the line test and record the outcome."""
    driver = driver or get_driver()
    with db.read() as session:
        order = session.get(ProductOrder, order_id)
        if order is None or order.state != OrderState.IN_PROGRESS:
            return ActivationOutcome(order.state if order else "unknown", None)
        request = _request(session, order)
    if request is None:
        return _hold(db, order_id, job_id, "provisioning_failed",
                     "no active resource allocation to provision", None)
    settings = driver_settings()
    try:
        activate_with_retry(driver, request, settings.attempts, settings.base_delay_s)
    except ProvisioningError as exc:
        code = "provisioning_retries_exhausted" if exc.transient else "provisioning_failed"
        return _hold(db, order_id, job_id, code, f"provisioning failed: {exc}", None)
    status = driver.onu_status(request.pon_port_id, request.onu_id)
    result = line_test(status, request.ont_serial, LineTestSettings().margin_db)
    tested_at = clock.now()

    def record(session: Session) -> ActivationOutcome:
        order = session.get(ProductOrder, order_id, with_for_update=True)
        assert order is not None
        if order.state != OrderState.IN_PROGRESS:  # cancelled or moved meanwhile
            return ActivationOutcome(order.state, result)
        session.add(LineTest(order_id=order_id, job_id=job_id, at=tested_at,
                             passed=result.passed, failures=list(result.failures),
                             measurements=result.measurements))
        session.flush()  # the completion event reads the passing test
        if result.passed:
            order.completion_date = tested_at
            transition(session, order, OrderState.COMPLETED, tested_at,
                       reason="line test passed; service active")
            return ActivationOutcome(order.state, result)
        repair = _fault(session, order, "line_test_failed",
                        "line test failed: " + ", ".join(result.failures), job_id)
        return ActivationOutcome(order.state, result, repair.id)

    return db.run(record)


def _fault(session: Session, order: ProductOrder, code: str, reason: str,
           job_id: str | None) -> Job:
    now = clock.now()
    repair = add_follow_up_job(session, order, JobKind.REPAIR, now)
    add_note(session, order.id, "fault", f"{reason}; repair job {repair.id}", job_id, now)
    transition(session, order, OrderState.HELD, now, reason=f"{reason}; repair {repair.id}",
               reason_code=code)
    return repair


def _hold(db: Database, order_id: str, job_id: str | None, code: str, reason: str,
          result: LineTestResult | None) -> ActivationOutcome:
    def work(session: Session) -> ActivationOutcome:
        order = session.get(ProductOrder, order_id, with_for_update=True)
        assert order is not None
        if order.state != OrderState.IN_PROGRESS:
            return ActivationOutcome(order.state, result)
        repair = _fault(session, order, code, reason, job_id)
        return ActivationOutcome(order.state, result, repair.id, reason)

    log.warning("order %s: %s", order_id, reason)
    return db.run(work)


def deactivate_order(db: Database, order_id: str,
                     driver: ProvisioningDriver | None = None) -> bool:
    """Take a cancelled order's ONT off the network (call after the cancellation
    committed; idempotent). ``False`` when the order never had resources."""
    with db.read() as session:
        order = session.get(ProductOrder, order_id)
        if order is None:
            return False
        alloc = latest_allocation(session, order_id)
        if alloc is None:
            return False
        product = offering(order.offering_id)
        request = ActivationRequest(
            order_ref=order_id, olt_id=alloc.olt_id, pon_port_id=alloc.pon_port_id,
            onu_id=alloc.onu_id, ont_serial=alloc.ont_serial, s_vlan=alloc.s_vlan,
            c_vlan=alloc.c_vlan,
            bandwidth_profile=product.bandwidth_profile if product else order.offering_id)
    (driver or get_driver()).deactivate(request)
    return True


def resume_activations(db: Database, driver: ProvisioningDriver | None = None) -> int:
    """Orders whose install is signed off but which are still in progress (the process
    stopped between sign-off and completion): run their activation again."""
    with db.read() as session:
        ids = list(session.scalars(
            select(ProductOrder.id).join(Job, Job.order_id == ProductOrder.id)
            .where(ProductOrder.state == OrderState.IN_PROGRESS,
                   Job.kind == JobKind.INSTALL, Job.status == JobStatus.COMPLETED)
            .distinct()))
    for order_id in ids:
        try:
            activate_and_test(db, order_id, driver=driver)
        except Exception:
            log.exception("resuming the activation of %s failed", order_id)
    return len(ids)
