"""Allocation: nearest splitter, VLAN ranges, release, and safety under concurrency."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from inventory import errors
from inventory.allocation import AllocatedResources, allocate, release
from inventory.errors import AllocationError
from inventory.models import Allocation, CVlan, Ont, SplitterPort
from inventory.samples import CONTENDED_CAPACITY as CAPACITY
from inventory.samples import contended_network
from orders.db import Database
from orders.network_admin import store_network

pytest_plugins = ["db_fixtures"]

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _allocate(database: Database, premise: str, order: str) -> AllocatedResources:
    return database.run(lambda s: allocate(s, premise, order, NOW))


def test_allocation_takes_nearest_splitter_and_a_vlan_of_its_pon(db: Database) -> None:
    store_network(db, contended_network(premises=10))
    first = _allocate(db, "TV000000", "O-1")  # x of premise 0 is near TV-SA
    assert first.splitter_id == "TV-SA" and first.splitter_port == 0
    assert first.pon_port_id == "TV-OLT-A" and 100 <= first.c_vlan <= 147
    assert first.s_vlan == 3000 and first.onu_id == 0
    far = _allocate(db, "TV000003", "O-2")  # the east edge of the square: nearest is TV-SB2
    assert far.splitter_id == "TV-SB2" and far.pon_port_id == "TV-OLT-B"
    assert 148 <= far.c_vlan <= 195 and far.onu_id == 32  # position 1 on its PON
    assert first.ont_serial != far.ont_serial
    # Idempotent per order; a second order for the same premise is refused.
    assert _allocate(db, "TV000000", "O-1") == first
    with pytest.raises(AllocationError) as exc:
        _allocate(db, "TV000000", "O-3")
    assert exc.value.reason == errors.PREMISE_ALREADY_SERVED and not exc.value.exhausted


def test_release_returns_everything_to_the_pools(db: Database) -> None:
    store_network(db, contended_network(premises=5))
    got = _allocate(db, "TV000001", "O-1")
    released = db.run(lambda s: release(s, "O-1", NOW))
    assert released is not None and released.status == "released"
    assert db.run(lambda s: release(s, "O-1", NOW)) is None  # nothing left to release
    with db.read() as s:
        assert s.scalar(select(func.count()).where(SplitterPort.status != "free")) == 0
        assert s.scalar(select(func.count()).where(CVlan.status != "free")) == 0
        assert s.get(Ont, got.ont_serial).status == "in_stock"
    again = _allocate(db, "TV000001", "O-2")  # the same resources can be used again
    assert (again.splitter_id, again.splitter_port, again.c_vlan) == (
        got.splitter_id, got.splitter_port, got.c_vlan)


def test_outside_area_and_unknown_premise_are_refused(db: Database) -> None:
    store_network(db, contended_network(premises=2))
    for premise, reason in (("TV-OUTSIDE", errors.OUTSIDE_SERVICE_AREA),
                            ("NOPE", errors.UNKNOWN_ADDRESS)):
        with pytest.raises(AllocationError) as exc:
            _allocate(db, premise, "O-x")
        assert exc.value.reason == reason


def test_ont_stock_runs_out(db: Database) -> None:
    store_network(db, contended_network(premises=4, ont_stock=2))
    _allocate(db, "TV000000", "O-0")
    _allocate(db, "TV000001", "O-1")
    with pytest.raises(AllocationError) as exc:
        _allocate(db, "TV000002", "O-2")
    assert exc.value.reason == errors.NO_ONT_STOCK and exc.value.exhausted


def _check_pool_consistency(database: Database, results: dict[str, AllocatedResources]) -> None:
    ports = Counter((r.splitter_id, r.splitter_port) for r in results.values())
    vlans = Counter((r.s_vlan, r.c_vlan) for r in results.values())
    onus = Counter((r.pon_port_id, r.onu_id) for r in results.values())
    onts = Counter(r.ont_serial for r in results.values())
    for counter in (ports, vlans, onus, onts):
        assert counter and max(counter.values()) == 1, counter.most_common(3)
    ranges = {"TV-OLT-A": range(100, 148), "TV-OLT-B": range(148, 196)}
    assert all(r.c_vlan in ranges[r.pon_port_id] for r in results.values())
    with database.read() as s:
        active = s.scalar(select(func.count()).where(Allocation.status == "active"))
        used_ports = s.scalar(select(func.count()).where(SplitterPort.status == "allocated"))
        used_vlans = s.scalar(select(func.count()).where(CVlan.status == "allocated"))
        used_onts = s.scalar(select(func.count()).where(Ont.status == "allocated"))
    assert active == used_ports == used_vlans == used_onts == len(results)


def _fire(database: Database, requests: int) -> tuple[dict[str, AllocatedResources],
                                                      dict[str, str]]:
    """``requests`` threads, each with its own session, released at the same instant."""
    barrier = threading.Barrier(requests)
    won: dict[str, AllocatedResources] = {}
    lost: dict[str, str] = {}
    crashed: list[BaseException] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            got = _allocate(database, f"TV{i:06d}", f"ORDER-{i}")
            with lock:
                won[f"ORDER-{i}"] = got
        except AllocationError as exc:
            with lock:
                lost[f"ORDER-{i}"] = exc.reason
        except BaseException as exc:  # noqa: BLE001 - reported below
            crashed.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not crashed, crashed[:3]
    return won, lost


@pytest.mark.postgres
def test_200_concurrent_allocations_never_double_allocate(pg_db: Database) -> None:
    requests = 200
    store_network(pg_db, contended_network(premises=requests))
    won, lost = _fire(pg_db, requests)
    assert len(won) + len(lost) == requests
    # Every unit of capacity is used, and only once; every loser is told "exhausted".
    assert len(won) == CAPACITY
    _check_pool_consistency(pg_db, won)
    assert set(lost.values()) <= {errors.NO_SPARE_SPLITTER_PORT, errors.VLAN_POOL_EXHAUSTED}
    assert all(AllocationError(r, "").exhausted for r in lost.values())
    per_pon = Counter(r.pon_port_id for r in won.values())
    assert per_pon == {"TV-OLT-A": 32, "TV-OLT-B": 48}


def test_concurrent_allocations_on_sqlite_are_serialised(sqlite_db: Database) -> None:
    requests = 100
    store_network(sqlite_db, contended_network(premises=requests))
    won, lost = _fire(sqlite_db, requests)
    assert len(won) == CAPACITY and len(lost) == requests - CAPACITY
    _check_pool_consistency(sqlite_db, won)
