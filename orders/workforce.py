"""Engineers and their shifts: what the scheduler plans with.

CSV imports are all-or-nothing: the first bad line is reported (line number and
column) and nothing is written.
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inventory.regions import RegionLocator
from orders import clock
from orders.db import Database
from orders.errors import Conflict, InvalidInput, NotFound
from orders.models import Engineer, Shift

ENGINEER_COLUMNS = ("id", "name", "home_lon", "home_lat", "skills")
ROSTER_COLUMNS = ("engineer_id", "date", "start", "end")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_SKILL = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class EngineerInput:
    id: str
    name: str
    home_lon: float
    home_lat: float
    skills: tuple[str, ...]
    region: str | None = None


@dataclass(frozen=True)
class EngineerView:
    id: str
    name: str
    home_lon: float
    home_lat: float
    skills: list[str]
    region: str | None
    active: bool


@dataclass(frozen=True)
class ShiftInput:
    engineer_id: str
    date: date
    start: time
    end: time


@dataclass(frozen=True)
class ShiftView:
    engineer_id: str
    date: date
    start: time
    end: time
    region: str | None


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


# -- validation shared by the CSV readers and the API ------------------------------------

def check_engineer(e: EngineerInput, where: str = "") -> EngineerInput:
    if not _ID.match(e.id):
        raise InvalidInput("id must be 1-64 letters, digits or _.:-", field=f"{where}id")
    if not e.name.strip() or len(e.name) > 128:
        raise InvalidInput("name must be 1-128 characters", field=f"{where}name")
    if not (math.isfinite(e.home_lon) and -180 <= e.home_lon <= 180):
        raise InvalidInput("home_lon must be a longitude in [-180, 180]", field=f"{where}home_lon")
    if not (math.isfinite(e.home_lat) and -90 <= e.home_lat <= 90):
        raise InvalidInput("home_lat must be a latitude in [-90, 90]", field=f"{where}home_lat")
    for skill in e.skills:
        if not _SKILL.match(skill):
            raise InvalidInput(f"bad skill {skill!r} (lower-case letters, digits, _ and -)",
                               field=f"{where}skills")
    return e


def check_shift(s: ShiftInput, where: str = "") -> ShiftInput:
    if s.end <= s.start:
        raise InvalidInput("a shift must end after it starts (same day)", field=f"{where}end")
    return s


def parse_hhmm(text: str, field: str) -> time:
    m = _HHMM.match(text.strip())
    if not m:
        raise InvalidInput(f"{text!r} is not a local time HH:MM", field=field)
    return time(int(m.group(1)), int(m.group(2)))


def parse_skills(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s.strip().lower() for s in text.split(";") if s.strip()))


# -- CSV ----------------------------------------------------------------------------------

def _rows(text: str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in columns if c not in header]
        if missing:
            raise InvalidInput(
                f"missing column(s) {', '.join(missing)}; expected {','.join(columns)}",
                field="line 1")
        reader.fieldnames = header
        out = []
        previous = reader.line_num
        for row in reader:
            line, previous = previous + 1, reader.line_num  # where the record starts
            if None in row or any(row.get(c) is None for c in columns):
                raise InvalidInput("wrong number of fields", field=f"line {line}")
            out.append((line, {k: (v or "").strip() for k, v in row.items() if k is not None}))
    except csv.Error as exc:
        raise InvalidInput(f"not valid CSV: {exc}", field=f"line {reader.line_num}") from None
    return out


def _float(value: str, field: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a number", field=field) from None


def parse_engineers_csv(text: str) -> list[EngineerInput]:
    """Rows of ``id,name,home_lon,home_lat,skills`` (skills separated by ``;``); an
    optional ``region`` column overrides the region derived from the home location."""
    engineers: list[EngineerInput] = []
    seen: set[str] = set()
    for line, row in _rows(text, ENGINEER_COLUMNS):
        where = f"line {line}: "
        e = EngineerInput(
            id=row["id"], name=row["name"],
            home_lon=_float(row["home_lon"], where + "home_lon"),
            home_lat=_float(row["home_lat"], where + "home_lat"),
            skills=parse_skills(row["skills"]), region=row.get("region") or None,
        )
        check_engineer(e, where)
        if e.id in seen:
            raise InvalidInput(f"engineer {e.id} appears twice", field=where + "id")
        seen.add(e.id)
        engineers.append(e)
    return engineers


def parse_roster_csv(text: str) -> list[ShiftInput]:
    """Rows of ``engineer_id,date,start,end`` (ISO date, local HH:MM)."""
    shifts: list[ShiftInput] = []
    seen: set[tuple[str, date]] = set()
    for line, row in _rows(text, ROSTER_COLUMNS):
        where = f"line {line}: "
        try:
            day = date.fromisoformat(row["date"])
        except ValueError:
            raise InvalidInput(f"{row['date']!r} is not a date YYYY-MM-DD",
                               field=where + "date") from None
        s = ShiftInput(row["engineer_id"], day, parse_hhmm(row["start"], where + "start"),
                       parse_hhmm(row["end"], where + "end"))
        check_shift(s, where)
        if (s.engineer_id, s.date) in seen:
            raise InvalidInput(f"two shifts for {s.engineer_id} on {s.date}", field=where + "date")
        seen.add((s.engineer_id, s.date))
        shifts.append(s)
    return shifts


# -- engineers ----------------------------------------------------------------------------

def upsert_engineers(db: Database, engineers: list[EngineerInput]) -> ImportResult:
    for e in engineers:
        check_engineer(e)
    with db.transaction() as session:
        return _upsert_engineers(session, engineers)


def _upsert_engineers(session: Session, engineers: list[EngineerInput]) -> ImportResult:
    locator = RegionLocator(session)
    now = clock.now()
    created = updated = 0
    for e in engineers:
        region = e.region or locator.locate(e.home_lon, e.home_lat)
        row = session.get(Engineer, e.id)
        if row is None:
            session.add(Engineer(id=e.id, name=e.name, home_lon=e.home_lon, home_lat=e.home_lat,
                                 skills=list(e.skills), region=region, active=True,
                                 created_at=now, updated_at=now))
            created += 1
        else:
            row.name, row.home_lon, row.home_lat = e.name, e.home_lon, e.home_lat
            row.skills, row.region, row.updated_at = list(e.skills), region, now
            updated += 1
    session.flush()
    return ImportResult(created, updated)


def create_engineer(db: Database, e: EngineerInput) -> EngineerView:
    check_engineer(e)
    with db.transaction() as session:
        if session.get(Engineer, e.id) is not None:
            raise Conflict(f"engineer {e.id} already exists", code="engineer_exists", field="id")
        _upsert_engineers(session, [e])
        return _engineer_view(session.get(Engineer, e.id))  # type: ignore[arg-type]


def put_engineer(db: Database, e: EngineerInput) -> tuple[EngineerView, bool]:
    """Create or replace; the flag says whether it was created."""
    check_engineer(e)
    with db.transaction() as session:
        result = _upsert_engineers(session, [e])
        return _engineer_view(session.get(Engineer, e.id)), bool(result.created)  # type: ignore[arg-type]


def get_engineer(db: Database, engineer_id: str) -> EngineerView:
    with db.read() as session:
        row = session.get(Engineer, engineer_id)
        if row is None:
            raise NotFound(f"no engineer {engineer_id!r}")
        return _engineer_view(row)


def list_engineers(db: Database, region: str | None = None, limit: int = 100,
                   offset: int = 0) -> tuple[list[EngineerView], int]:
    filters = [Engineer.region == region] if region is not None else []
    with db.read() as session:
        total = session.scalar(select(func.count()).select_from(Engineer).where(*filters))
        rows = session.scalars(select(Engineer).where(*filters).order_by(Engineer.id)
                               .limit(limit).offset(offset))
        return [_engineer_view(r) for r in rows], int(total or 0)


def _engineer_view(r: Engineer) -> EngineerView:
    return EngineerView(r.id, r.name, r.home_lon, r.home_lat, list(r.skills), r.region, r.active)


# -- shifts -------------------------------------------------------------------------------

def upsert_shifts(db: Database, shifts: list[ShiftInput]) -> ImportResult:
    """Create or replace each engineer's shift on each date."""
    for i, s in enumerate(shifts):
        check_shift(s, f"shifts.{i}.")
    with db.transaction() as session:
        ids = {s.engineer_id for s in shifts}
        known = set(session.scalars(select(Engineer.id).where(Engineer.id.in_(ids))))
        for i, s in enumerate(shifts):
            if s.engineer_id not in known:
                raise InvalidInput(f"unknown engineer {s.engineer_id!r} (shift {i + 1})",
                                   field=f"shifts.{i}.engineer_id")
        created = updated = 0
        for s in shifts:
            row = session.scalars(select(Shift).where(
                Shift.engineer_id == s.engineer_id, Shift.date == s.date)).first()
            if row is None:
                session.add(Shift(engineer_id=s.engineer_id, date=s.date,
                                  start_time=s.start, end_time=s.end))
                created += 1
            else:
                row.start_time, row.end_time = s.start, s.end
                updated += 1
        session.flush()
        return ImportResult(created, updated)


def list_shifts(db: Database, *, day: date | None = None, date_from: date | None = None,
                date_to: date | None = None, engineer_id: str | None = None,
                region: str | None = None, limit: int = 500,
                offset: int = 0) -> tuple[list[ShiftView], int]:
    filters = []
    if day is not None:
        filters.append(Shift.date == day)
    if date_from is not None:
        filters.append(Shift.date >= date_from)
    if date_to is not None:
        filters.append(Shift.date <= date_to)
    if engineer_id is not None:
        filters.append(Shift.engineer_id == engineer_id)
    if region is not None:
        filters.append(Engineer.region == region)
    base = select(Shift, Engineer.region).join(Engineer, Engineer.id == Shift.engineer_id)
    with db.read() as session:
        total = session.scalar(select(func.count()).select_from(
            base.where(*filters).subquery()))
        rows = session.execute(base.where(*filters).order_by(Shift.date, Shift.engineer_id)
                               .limit(limit).offset(offset)).all()
        return [ShiftView(s.engineer_id, s.date, s.start_time, s.end_time, region_)
                for s, region_ in rows], int(total or 0)


def shift_bounds_utc(day: date, start: time, end: time,
                     tz: ZoneInfo) -> tuple[datetime, datetime]:
    """A local shift as UTC instants (right on the days the clocks change)."""
    return (datetime.combine(day, start, tzinfo=tz).astimezone(UTC),
            datetime.combine(day, end, tzinfo=tz).astimezone(UTC))
