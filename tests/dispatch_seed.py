"""A small dispatcher's day in the database (engineers, shifts, booked installs, pre-cable
chains, repairs) for the dispatch tests."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from orders import clock
from orders.db import Database
from orders.models import Engineer, Job, Shift
from orders.states import JobKind, JobStatus

DAY = date(2026, 11, 23)  # GMT: local time = UTC
REGION = "Leeds"
HOME = (-1.55, 53.80)
SKILLS = ["install", "overhead", "precable", "repair", "underground"]


def _at(day: date, hh: int) -> datetime:
    return datetime.combine(day, time(hh), tzinfo=UTC)


def seed_day(db: Database, engineers: int = 4, installs: int = 8, repairs: int = 3,
             seed: int = 0, region: str = REGION) -> dict[str, list[str]]:
    """Returns the ids by kind (``chain`` = a pre-cable and its install on the same day,
    ``blocked`` = an install whose pre-cable cannot be done before it)."""
    rng = np.random.default_rng(seed)
    now = clock.now()
    ids: dict[str, list[str]] = {"install": [], "precable": [], "repair": [], "chain": [],
                                 "blocked": [], "engineers": []}

    def loc() -> tuple[float, float]:
        return (HOME[0] + float(rng.uniform(-0.06, 0.06)),
                HOME[1] + float(rng.uniform(-0.04, 0.04)))

    def job(jid: str, kind: str, dur: int, skills: list[str], **kw) -> Job:  # type: ignore[no-untyped-def]
        lon, lat = loc()
        base = dict(id=jid, order_seq=0, kind=kind, status=JobStatus.PENDING, duration_s=dur,
                    skills=skills, lon=lon, lat=lat, region=region, priority=0,
                    needs_appointment=kind == JobKind.INSTALL, earliest_date=DAY - timedelta(2),
                    created_at=now, updated_at=now)
        base.update(kw)
        return Job(**base)

    rows: list[object] = []
    for i in range(engineers):
        eid = f"{region[:3].upper()}-E{i + 1}"
        ids["engineers"].append(eid)
        rows.append(Engineer(id=eid, name=f"Engineer {i + 1}", home_lon=HOME[0] + 0.01 * i,
                             home_lat=HOME[1], skills=SKILLS, region=region, active=True,
                             created_at=now, updated_at=now))
        rows.append(Shift(engineer_id=eid, date=DAY, start_time=time(8), end_time=time(17)))
    for i in range(installs):
        am = i % 2 == 0
        jid = f"{region[:3].upper()}-IN{i + 1}"
        rows.append(job(jid, JobKind.INSTALL, 5400, ["install"],
                        window_start=_at(DAY, 8 if am else 13),
                        window_end=_at(DAY, 13 if am else 18)))
        ids["install"].append(jid)
    # A pre-cable for an install two days later (may be done today: earliest first).
    for i in range(2):
        pc = f"{region[:3].upper()}-PC{i + 1}"
        rows.append(job(pc, JobKind.PRECABLE, 3600, ["overhead", "precable"]))
        rows.append(job(f"{pc}-IN", JobKind.INSTALL, 5400, ["install"], predecessor_job_id=pc,
                        window_start=_at(DAY + timedelta(2), 8),
                        window_end=_at(DAY + timedelta(2), 13)))
        ids["precable"].append(pc)
    # A chain on the day: pre-cable in the morning, install in the afternoon.
    rows.append(job(f"{region[:3].upper()}-CH-PC", JobKind.PRECABLE, 3600,
                    ["overhead", "precable"]))
    rows.append(job(f"{region[:3].upper()}-CH-IN", JobKind.INSTALL, 5400, ["install"],
                    predecessor_job_id=f"{region[:3].upper()}-CH-PC",
                    window_start=_at(DAY, 13), window_end=_at(DAY, 18)))
    ids["chain"] = [f"{region[:3].upper()}-CH-PC", f"{region[:3].upper()}-CH-IN"]
    # An install booked today whose pre-cable may only be done tomorrow: left out.
    rows.append(job(f"{region[:3].upper()}-BL-PC", JobKind.PRECABLE, 3600,
                    ["overhead", "precable"], earliest_date=DAY + timedelta(1)))
    rows.append(job(f"{region[:3].upper()}-BL-IN", JobKind.INSTALL, 5400, ["install"],
                    predecessor_job_id=f"{region[:3].upper()}-BL-PC",
                    window_start=_at(DAY, 8), window_end=_at(DAY, 13)))
    ids["blocked"] = [f"{region[:3].upper()}-BL-IN"]
    for i in range(repairs):
        jid = f"{region[:3].upper()}-RP{i + 1}"
        rows.append(job(jid, JobKind.REPAIR, 3600, ["repair"], priority=5 + i))
        ids["repair"].append(jid)
    with db.transaction() as session:
        for r in rows:
            session.add(r)
            session.flush()
    return ids
