"""Order intake, fulfilment, the lock and cancellation (service layer, both databases)."""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from inventory import errors
from inventory.addresses import AddressQuery
from inventory.models import Allocation, SplitterPort
from inventory.samples import contended_network
from orders import clock
from orders.db import Database
from orders.errors import Conflict, InvalidInput, NotFound, OrderLocked
from orders.fulfilment import process_order, process_pending
from orders.intake import NewOrder, Place, cancel_order, place_order, refuse_edit
from orders.models import Appointment, Job, OrderStateChange, ProductOrder
from orders.network_admin import store_network
from orders.views import get_order

pytest_plugins = ["db_fixtures"]

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)  # a Monday morning


@pytest.fixture(autouse=True)
def fixed_clock():
    clock.set_clock(lambda: NOW)
    yield
    clock.set_clock(None)


@pytest.fixture
def network(db: Database) -> Database:
    store_network(db, contended_network(premises=20))
    return db


def order(external_id: str = "BILL-1", premise: str | None = "TV000001",
          offering: str = "FTTP-500", address: AddressQuery | None = None,
          account: str = "BA-1") -> NewOrder:
    body = {"externalId": external_id, "billingAccount": {"id": account},
            "offering": offering, "premise": premise}
    return NewOrder(external_id, account, "CUST-1", offering, Place(premise, address),
                    datetime(2026, 12, 5, tzinfo=UTC), body)


def count(database: Database, model) -> int:  # type: ignore[no-untyped-def]
    with database.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_acknowledged_then_qualified_allocated_and_jobs_created(network: Database) -> None:
    result = place_order(network, order(premise="TV000000"))  # needs pre-cable (i % 3 == 0)
    assert result.created
    view = get_order(network, result.order_id)
    assert view.state == "acknowledged" and view.allocation is None and view.jobs == []
    assert [h.to_state for h in view.history] == ["acknowledged"]

    assert process_order(network, result.order_id) == "inProgress"
    view = get_order(network, result.order_id)
    assert view.region == "Testville" and view.premise_id == "TV000000"
    assert view.qualification_result == "qualified"
    assert view.allocation is not None and view.allocation.status == "active"
    assert [h.to_state for h in view.history] == ["acknowledged", "inProgress"]
    assert all(h.at == NOW for h in view.history)
    precable, install = view.jobs
    assert precable.kind == "precable" and install.kind == "install"
    assert install.predecessor_job_id == precable.id
    assert not precable.needs_appointment and install.needs_appointment
    assert precable.skills == ["precable", "underground"] and install.skills == ["install"]
    assert precable.duration_s == 90 * 60 and install.duration_s == 90 * 60  # FTTP-500
    assert precable.earliest_date == date(2026, 11, 24)
    assert install.earliest_date == date(2026, 11, 25)
    assert install.due_date == date(2026, 12, 5)
    assert precable.region == install.region == "Testville"
    assert (install.lon, install.lat) == (precable.lon, precable.lat)
    # Processing again changes nothing.
    assert process_order(network, result.order_id) == "inProgress"
    assert count(network, Job) == 2 and count(network, Allocation) == 1


def test_connected_premise_gets_only_an_install(network: Database) -> None:
    result = place_order(network, order(premise="TV000001", offering="FTTP-900"))
    process_order(network, result.order_id)
    (install,) = get_order(network, result.order_id).jobs
    assert install.kind == "install" and install.predecessor_job_id is None
    assert install.duration_s == 105 * 60
    assert install.earliest_date == date(2026, 11, 25)


def test_same_external_id_is_idempotent_and_a_different_body_conflicts(network: Database) -> None:
    first = place_order(network, order())
    process_order(network, first.order_id)
    again = place_order(network, order())
    assert again.order_id == first.order_id and not again.created
    assert count(network, ProductOrder) == 1 and count(network, OrderStateChange) == 2
    with pytest.raises(Conflict) as exc:
        place_order(network, order(account="BA-OTHER"))
    assert exc.value.code == "external_id_conflict"
    assert count(network, ProductOrder) == 1


def test_concurrent_duplicates_create_one_order(network: Database) -> None:
    results, failures = [], []
    barrier = threading.Barrier(8)

    def post() -> None:
        barrier.wait(timeout=30)
        try:
            results.append(place_order(network, order(external_id="BILL-RACE")))
        except Exception as exc:  # noqa: BLE001
            failures.append(exc)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert len({r.order_id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert count(network, ProductOrder) == 1


@pytest.mark.parametrize(("premise", "reason"), [
    ("NO-SUCH-PREMISE", errors.UNKNOWN_ADDRESS),
    ("TV-OUTSIDE", errors.OUTSIDE_SERVICE_AREA),
])
def test_unqualified_orders_are_rejected_with_the_reason(network: Database, premise: str,
                                                         reason: str) -> None:
    result = place_order(network, order(premise=premise))
    assert process_order(network, result.order_id) == "rejected"
    view = get_order(network, result.order_id)
    assert view.state_reason == reason and view.qualification_reasons == [reason]
    assert view.qualification_result == "unqualified"
    assert view.jobs == [] and view.allocation is None
    assert reason in (view.history[-1].reason or "")


def test_exhausted_pool_rejects_with_an_exhaustion_reason(db: Database) -> None:
    store_network(db, contended_network(premises=90))
    states = []
    for i in range(82):
        r = place_order(db, order(external_id=f"B-{i}", premise=f"TV{i:06d}"))
        states.append(process_order(db, r.order_id))
    assert states.count("inProgress") == 80 and states.count("rejected") == 2
    rejected = [get_order(db, place_order(db, order(external_id=f"B-{i}",
                                                       premise=f"TV{i:06d}")).order_id)
                for i in (80, 81)]
    assert {v.state_reason for v in rejected} <= {errors.NO_SPARE_SPLITTER_PORT,
                                                  errors.VLAN_POOL_EXHAUSTED}


def test_order_by_address(network: Database) -> None:
    address = AddressQuery(street_nr="3", street_name="long rd", postcode="tv1 1aa",
                           city="Testville")
    result = place_order(network, order(premise=None, address=address))
    assert process_order(network, result.order_id) == "inProgress"
    assert get_order(network, result.order_id).premise_id == "TV000002"


def test_unknown_offering_and_missing_place_are_invalid(network: Database) -> None:
    with pytest.raises(InvalidInput) as exc:
        place_order(network, order(offering="FTTP-10000"))
    assert exc.value.field == "productOrderItem.0.productOffering.id"
    with pytest.raises(InvalidInput):
        place_order(network, order(premise=None))
    assert count(network, ProductOrder) == 0


def test_every_edit_is_refused_by_the_lock(network: Database) -> None:
    result = place_order(network, order())
    with pytest.raises(OrderLocked) as exc:
        refuse_edit(network, result.order_id)
    assert "locked" in exc.value.message and exc.value.code == "order_locked"
    with pytest.raises(NotFound):
        refuse_edit(network, "PO-missing")


def test_the_lock_holds_for_every_code_path(network: Database) -> None:
    result = place_order(network, order())
    with pytest.raises(OrderLocked), network.transaction() as s:
        s.get(ProductOrder, result.order_id).offering_id = "FTTP-150"
    with pytest.raises(OrderLocked), network.transaction() as s:
        s.get(ProductOrder, result.order_id).place = {"premise_id": "TV000002"}
    view = get_order(network, result.order_id)
    assert view.offering_id == "FTTP-500" and view.premise_id is None
    assert process_order(network, result.order_id) == "inProgress"  # state still moves


def test_cancellation_releases_resources_and_cancels_jobs_and_appointments(
        network: Database) -> None:
    result = place_order(network, order(premise="TV000000"))
    process_order(network, result.order_id)
    view = get_order(network, result.order_id)
    with network.transaction() as s:  # an appointment as booking (issue 5) would make it
        s.add(Appointment(id="APT-1", order_id=result.order_id, job_id=view.jobs[1].id,
                          status="confirmed", window_start=NOW, window_end=NOW,
                          created_at=NOW, updated_at=NOW))
    cancelled = cancel_order(network, "BILL-1", "customer moved")  # by externalId
    assert cancelled.order_id == result.order_id and not cancelled.already_cancelled
    view = get_order(network, result.order_id)
    assert view.state == "cancelled" and view.cancellation_reason == "customer moved"
    assert {j.status for j in view.jobs} == {"cancelled"}
    assert [a.status for a in view.appointments] == ["cancelled"]
    assert view.allocation is not None and view.allocation.status == "released"
    assert [h.to_state for h in view.history][-1] == "cancelled"
    with network.read() as s:
        assert s.scalar(select(func.count()).where(SplitterPort.status != "free")) == 0
    again = cancel_order(network, result.order_id, "again")
    assert again.already_cancelled and again.cancellation_reason == "customer moved"
    # The premise is free for a new order.
    new = place_order(network, order(external_id="BILL-2", premise="TV000000"))
    assert process_order(network, new.order_id) == "inProgress"


def test_cancelling_a_rejected_or_unknown_order_fails(network: Database) -> None:
    result = place_order(network, order(premise="TV-OUTSIDE"))
    process_order(network, result.order_id)
    with pytest.raises(Conflict):
        cancel_order(network, result.order_id, None)
    with pytest.raises(NotFound):
        cancel_order(network, "PO-nope", None)


def test_an_acknowledged_order_can_be_cancelled_before_processing(network: Database) -> None:
    result = place_order(network, order())
    cancel_order(network, result.order_id, None)
    assert process_order(network, result.order_id) == "cancelled"
    assert count(network, Allocation) == 0 and count(network, Job) == 0


def test_process_pending_picks_up_left_over_orders(network: Database) -> None:
    ids = [place_order(network, order(external_id=f"P-{i}", premise=f"TV{i:06d}")).order_id
           for i in range(3)]
    assert process_pending(network) == 3
    assert {get_order(network, i).state for i in ids} == {"inProgress"}
    assert process_pending(network) == 0


def test_concurrent_intake_and_processing_does_not_lock_up(network: Database) -> None:
    failures: list[BaseException] = []
    barrier = threading.Barrier(12)

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            r = place_order(network, order(external_id=f"C-{i}", premise=f"TV{i:06d}"))
            process_order(network, r.order_id)
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:2]
    with network.read() as s:
        states = s.scalars(select(ProductOrder.state)).all()
    assert sorted(states) == ["inProgress"] * 12
