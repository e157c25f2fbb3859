"""50 concurrent bookings aimed at the last capacity of a day (PostgreSQL, over HTTP)."""
from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from sqlalchemy import func, select

from orders import booking, clock
from orders.booking_demo import seed_orders, seed_workforce
from orders.booking_plans import CACHE, build_day_plan
from orders.booking_settings import get_booking_settings
from orders.models import Appointment
from scheduler import Problem, solve
from scheduler.slots import DayPlan, SlotJob

pytest_plugins = ["db_fixtures"]

APT = "/tmf-api/appointment/v4/appointment"
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
DAY = date(2026, 11, 25)
CENTER = (-1.55, 53.80)
SLOT = {"startDateTime": "2026-11-25T08:00:00Z", "endDateTime": "2026-11-25T13:00:00Z"}


@pytest.fixture
def pg_api(pg_db):  # type: ignore[no-untyped-def]
    import warnings

    from api.app import create_app
    from orders.auth import create_api_key

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    clock.set_clock(lambda: NOW)
    CACHE.clear()
    key = create_api_key(pg_db, "booking", "race")[1]
    with TestClient(create_app(db=pg_db, recover_pending=False)) as client:
        yield client, {"Authorization": f"Bearer {key}"}
    clock.set_clock(None)
    CACHE.clear()


def capacity(engineers: list[dict[str, Any]], job: SlotJob, window: tuple[float, float]) -> int:
    """How many copies of ``job`` fit in the window, counted on a fresh plan."""
    plan = DayPlan(engineers, [])
    k = 0
    while plan.add(SlotJob(f"C{k}", job.location, job.duration, job.skills), window):
        k += 1
    return k


@pytest.mark.postgres
def test_fifty_concurrent_bookings_never_overbook(pg_api, pg_db, check) -> None:  # type: ignore[no-untyped-def]
    client, auth = pg_api
    # one engineer working 08:00-13:00; every order at the same spot: a known capacity
    seed_workforce(pg_db, "Race", CENTER, 1, [DAY], random.Random(0), spread=0.01,
                   shift=(time(8), time(13)))
    oids = seed_orders(pg_db, "Race", CENTER, 52, random.Random(1), DAY, spread=0.0)
    with pg_db.read() as session:
        engineers = build_day_plan(session, "Race", DAY, pg_db.settings.tz,
                                   get_booking_settings()).problem_dict()["engineers"]
    window = (8 * 3600.0, 13 * 3600.0)
    cap = capacity(engineers, SlotJob("x", CENTER, 5400, frozenset({"install"})), window)
    assert cap >= 2

    def post(oid: str) -> Any:
        return client.post(APT, headers=auth, json={
            "relatedEntity": [{"id": oid}], "validFor": SLOT})

    for oid in oids[:cap - 1]:  # all but the last capacity, one by one
        assert post(oid).status_code == 201
    racers = oids[cap - 1:cap - 1 + 50]
    answers: dict[str, Any] = {}
    start = threading.Barrier(len(racers))

    def run(oid: str) -> None:
        start.wait()
        answers[oid] = post(oid)

    threads = [threading.Thread(target=run, args=(o,)) for o in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = Counter(r.status_code for r in answers.values())
    assert codes == {201: 1, 409: 49}, codes
    losers = [r.json() for r in answers.values() if r.status_code == 409]
    assert all(b["code"] == "slot_unavailable" for b in losers)
    assert all(b["availableTimeSlot"] == [] for b in losers)  # nothing else that week

    with pg_db.read() as session:
        confirmed = session.scalar(select(func.count()).select_from(Appointment).where(
            Appointment.status == "confirmed"))
    assert confirmed == cap
    CACHE.clear()  # the day as the database has it, not as this process remembers it
    problem, _ = booking.tentative_day(pg_db, "Race", DAY)
    assert len(problem["jobs"]) == cap
    schedule = solve(Problem.from_dict(problem), time_limit=2).to_dict()
    check(problem, schedule)  # every job starts inside its booked window
    assert not schedule["unassigned"]
