"""A booking stream, then each day solved in full: every booked job inside its window."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from orders import booking, clock
from orders.booking_demo import seed_orders, seed_workforce
from orders.booking_plans import CACHE
from scheduler import Problem, solve

pytest_plugins = ["db_fixtures"]

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
DAYS = [date(2026, 11, 24) + timedelta(days=k) for k in range(3)]
CENTER = (-1.55, 53.80)


@pytest.fixture
def stream_db(sqlite_db):  # type: ignore[no-untyped-def]
    clock.set_clock(lambda: NOW)
    CACHE.clear()
    yield sqlite_db
    clock.set_clock(None)
    CACHE.clear()


def test_booked_stream_is_kept_by_each_days_solve(stream_db, check) -> None:  # type: ignore[no-untyped-def]
    db = stream_db
    rng = random.Random(7)
    seed_workforce(db, "Stream", CENTER, 3, DAYS, rng)
    oids = seed_orders(db, "Stream", CENTER, 80, rng, DAYS[0], precable_share=0.25)
    start, end = datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 27, tzinfo=UTC)
    booked = 0
    for i, oid in enumerate(oids):
        now = NOW + timedelta(minutes=i)  # orders arrive over time
        clock.set_clock(lambda now=now: now)
        slots = booking.search_slots(db, oid, start, end).slots
        if not slots:
            continue
        pick = max(slots, key=lambda s: s.grade) if i % 2 else rng.choice(slots)
        booking.book(db, oid, pick.start, pick.end)
        booked += 1
    assert 25 <= booked < len(oids)  # the days filled up
    CACHE.clear()  # rebuild every plan from the database
    placed = 0
    for day in DAYS:
        problem, tentative = booking.tentative_day(db, "Stream", day)
        check(problem, tentative)
        schedule = solve(Problem.from_dict(problem), time_limit=1,
                         warm_start=tentative).to_dict()
        check(problem, schedule)  # windows, skills, shifts, breaks, travel
        assert not schedule["unassigned"], schedule["unassigned"]
        placed += sum(1 for j in problem["jobs"] if j["id"].endswith("-IN"))
    assert placed == booked
