"""Training the duration model from the database's signed-off jobs."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from inventory.geo import haversine_m
from inventory.models import Allocation, Splitter
from inventory.samples import contended_network
from orders import clock
from orders.db import Database
from orders.duration_training import completed_job_records, train_from_database
from orders.fulfilment import process_order
from orders.intake import NewOrder, Place, place_order
from orders.models import Job
from orders.network_admin import store_network
from orders.signoff_models import JobSignoff
from orders.states import JobStatus
from orders.workforce import EngineerInput, upsert_engineers

pytest_plugins = ["db_fixtures"]

DAY0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _orders(db: Database, n: int) -> list[str]:
    store_network(db, contended_network(premises=n))
    upsert_engineers(db, [EngineerInput(f"E{i}", f"Eng {i}", -1.55, 53.8, ("install", "precable"))
                          for i in range(2)])
    clock.set_clock(lambda: DAY0 - timedelta(days=7))
    try:
        ids = []
        for i in range(n):
            premise, ext = f"TV{i:06d}", f"B-{i}"
            body = {"externalId": ext, "offering": "FTTP-500", "premise": premise}
            placed = place_order(db, NewOrder(ext, "BA-1", "C-1", "FTTP-500", Place(premise, None),
                                              datetime(2026, 12, 5, tzinfo=UTC), body))
            process_order(db, placed.order_id)
            ids.append(placed.order_id)
        return ids
    finally:
        clock.set_clock(None)


def _sign_off(db: Database) -> dict[str, float]:
    """Sign every job off (one failed): durations grow with the job's position."""
    expected: dict[str, float] = {}
    with db.transaction() as s:
        jobs = list(s.scalars(select(Job).order_by(Job.id)))
        for k, job in enumerate(jobs):
            engineer = f"E{k % 2}"
            start = DAY0 + timedelta(days=k // 4, hours=2 * (k % 4))
            minutes = 45 + 3 * k
            outcome = "failed" if k == 1 else "completed"
            job.status = JobStatus.COMPLETED if outcome == "completed" else JobStatus.FAILED
            job.engineer_id = engineer
            s.add(JobSignoff(job_id=job.id, order_id=job.order_id, engineer_id=engineer,
                             outcome=outcome, started_at=start,
                             finished_at=start + timedelta(minutes=minutes),
                             recorded_at=start))
            if outcome == "completed":
                expected[job.id] = minutes * 60.0
    return expected


def test_records_from_sign_offs(db: Database) -> None:
    _orders(db, 18)
    expected = _sign_off(db)
    with db.read() as s:
        records = completed_job_records(s, db.settings.tz)
        splitters = {a.order_ref: s.get(Splitter, a.splitter_id)
                     for a in s.scalars(select(Allocation))}
        jobs = {j.id: j for j in s.scalars(select(Job))}
    assert {r["job_id"]: r["duration_s"] for r in records} == expected  # failed job left out
    for r in records:
        job = jobs[r["job_id"]]
        sp = splitters[job.order_id]
        assert r["splitter_distance_m"] == pytest.approx(haversine_m(job.lon, job.lat,
                                                                     sp.lon, sp.lat))
        assert r["product"] == "FTTP-500" and r["job_type"] == job.kind
        assert r["drop_type"] in ("overhead", "underground") and r["premise_type"] == "house"
        assert 8 <= r["start_hour"] < 18  # local time (Europe/London = UTC in November)
    # Experience: each engineer's completed jobs before this one, in start order.
    by_engineer: dict[str, list[float]] = {}
    for r in sorted(records, key=lambda r: (r["start_hour"] >= 0, r["job_id"])):
        by_engineer.setdefault(jobs[r["job_id"]].engineer_id, []).append(
            r["engineer_experience"])
    assert sorted(by_engineer["E0"]) == list(range(len(by_engineer["E0"])))
    assert max(by_engineer["E1"]) >= 1

    model = train_from_database(db, holdout=0.25, seed=0)
    assert model.info["source"] == "database" and model.info["n_train"] == len(records)
    assert model.metrics["holdout"]["n_test"] >= 2
    assert set(model.categories["job_type"]) == {r["job_type"] for r in records}


def test_too_few_sign_offs(sqlite_db: Database) -> None:
    with pytest.raises(ValueError, match="too few"):
        train_from_database(sqlite_db)
