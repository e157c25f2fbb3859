"""Synthetic booking demand for tests, benchmarks and demos: a region's workforce (engineers
and shifts) and qualified orders with their jobs, written straight to the database.

The orders skip intake and allocation (which :mod:`orders.fulfilment` covers); they look
exactly like qualified orders to the booking service: ``inProgress`` with an install job
needing an appointment and, for a share of them, a pre-cable job before it.
"""
from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import date, time

from orders import clock
from orders.db import Database
from orders.models import Job, ProductOrder
from orders.states import JobKind, JobStatus, OrderState
from orders.workforce import EngineerInput, ShiftInput, upsert_engineers, upsert_shifts


def seed_workforce(db: Database, region: str, center: tuple[float, float], engineers: int,
                   days: Sequence[date], rng: random.Random, spread: float = 0.05,
                   shift: tuple[time, time] = (time(8), time(18)),
                   skills: tuple[str, ...] = ("install", "precable", "overhead",
                                              "underground")) -> list[str]:
    """``engineers`` engineers living around ``center``, rostered on every day of ``days``."""
    ids = [f"{region[:3].upper()}-E{k:03d}" for k in range(engineers)]
    upsert_engineers(db, [
        EngineerInput(i, f"Engineer {i}", center[0] + rng.uniform(-spread, spread),
                      center[1] + rng.uniform(-spread, spread) * 0.6, skills, region)
        for i in ids])
    upsert_shifts(db, [ShiftInput(i, d, shift[0], shift[1]) for i in ids for d in days])
    return ids


def seed_orders(db: Database, region: str, center: tuple[float, float], count: int,
                rng: random.Random, earliest: date, precable_share: float = 0.0,
                spread: float = 0.05, install_s: int = 5400, precable_s: int = 3600
                ) -> list[str]:
    """``count`` qualified orders at random places around ``center``; returns their ids."""
    now = clock.now()
    ids: list[str] = []
    with db.transaction() as session:
        for _ in range(count):
            oid = f"PO-{uuid.uuid4().hex[:16]}"
            lon = center[0] + rng.uniform(-spread, spread)
            lat = center[1] + rng.uniform(-spread, spread) * 0.6
            session.add(ProductOrder(
                id=oid, external_id=f"SYN-{oid}", request_hash="0" * 64, request_body={},
                state=OrderState.IN_PROGRESS, billing_account_id="BA-SYN", offering_id="FTTP-500",
                place={"lon": lon, "lat": lat}, region=region, order_date=now, updated_at=now))
            session.flush()
            common = dict(order_id=oid, status=JobStatus.PENDING, lon=lon, lat=lat,
                          region=region, earliest_date=earliest, created_at=now, updated_at=now)
            pre = None
            if rng.random() < precable_share:
                pre = Job(id=f"{oid}-PC", order_seq=0, kind=JobKind.PRECABLE,
                          duration_s=precable_s, skills=["precable", "overhead"],
                          needs_appointment=False, **common)
                session.add(pre)
            session.add(Job(id=f"{oid}-IN", order_seq=1, kind=JobKind.INSTALL,
                            duration_s=install_s, skills=["install"], needs_appointment=True,
                            predecessor_job_id=pre.id if pre else None, **common))
            ids.append(oid)
    return ids
