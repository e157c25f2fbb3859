"""Engineers and rosters: CSV imports, validation, regions (both databases)."""
from __future__ import annotations

from datetime import date, time

import pytest

from inventory.samples import contended_network
from orders.db import Database
from orders.errors import InvalidInput
from orders.network_admin import store_network
from orders.workforce import (
    list_engineers,
    list_shifts,
    parse_engineers_csv,
    parse_roster_csv,
    upsert_engineers,
    upsert_shifts,
)

pytest_plugins = ["db_fixtures"]

ENGINEERS = """id,name,home_lon,home_lat,skills
E1,Ada Lovelace,-1.55,53.80,install;precable;overhead
E2,Brunel,-1.535,53.80,install
E3,Far Away,-3.0,51.5,
"""
ROSTER = """engineer_id,date,start,end
E1,2026-11-23,08:00,17:00
E2,2026-11-23,7:30,16:00
E1,2026-11-24,08:00,12:00
"""


@pytest.fixture
def network(db: Database) -> Database:
    store_network(db, contended_network(premises=4))
    return db


def test_import_engineers_derives_regions(network: Database) -> None:
    result = upsert_engineers(network, parse_engineers_csv(ENGINEERS))
    assert (result.created, result.updated) == (3, 0)
    engineers, total = list_engineers(network)
    by_id = {e.id: e for e in engineers}
    assert total == 3
    assert by_id["E1"].skills == ["install", "precable", "overhead"]
    assert by_id["E1"].region == "Testville"  # home inside the cabinet area
    assert by_id["E2"].region == "Testville"  # just outside: the nearest area's town
    assert by_id["E3"].region is None and by_id["E3"].skills == []
    # Importing again updates; an explicit region column wins.
    changed = ENGINEERS.replace("home_lat,skills", "home_lat,skills,region") \
        .replace("install;precable;overhead", "install,Leeds").replace("install\n", "install,\n")
    changed = changed.replace("-3.0,51.5,\n", "-3.0,51.5,,\n")
    result = upsert_engineers(network, parse_engineers_csv(changed))
    assert (result.created, result.updated) == (0, 3)
    assert {e.id: e.region for e in list_engineers(network)[0]}["E1"] == "Leeds"
    assert list_engineers(network, region="Testville")[1] == 1


@pytest.mark.parametrize(("text", "field"), [
    ("id,name,home_lon\nE1,A,1\n", "line 1"),
    ("id,name,home_lon,home_lat,skills\nE1,A,east,53,install\n", "line 2: home_lon"),
    ("id,name,home_lon,home_lat,skills\nE1,A,-1,95,install\n", "line 2: home_lat"),
    ("id,name,home_lon,home_lat,skills\nE1,A,-1,53,Install Fibre\n", "line 2: skills"),
    ("id,name,home_lon,home_lat,skills\nE1,A,-1,53,x\nE1,B,-1,53,x\n", "line 3: id"),
    ("id,name,home_lon,home_lat,skills\nE 1,A,-1,53,x\n", "line 2: id"),
    ("id,name,home_lon,home_lat,skills\nE1,,-1,53,x\n", "line 2: name"),
    ("id,name,home_lon,home_lat,skills\nE1,A,-1,53\n", "line 2"),
])
def test_bad_engineer_csv_names_line_and_column(text: str, field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_engineers_csv(text)
    assert exc.value.field == field


def test_roster_import_and_queries(network: Database) -> None:
    upsert_engineers(network, parse_engineers_csv(ENGINEERS))
    result = upsert_shifts(network, parse_roster_csv(ROSTER))
    assert (result.created, result.updated) == (3, 0)
    day, total = list_shifts(network, day=date(2026, 11, 23))
    assert total == 2
    assert [(s.engineer_id, s.start, s.end, s.region) for s in day] == [
        ("E1", time(8), time(17), "Testville"), ("E2", time(7, 30), time(16), "Testville")]
    # Replacing a shift keeps one per engineer and date.
    upsert_shifts(network, parse_roster_csv("engineer_id,date,start,end\n"
                                            "E1,2026-11-23,09:00,13:00\n"))
    shifts, total = list_shifts(network, engineer_id="E1")
    assert total == 2 and shifts[0].start == time(9)
    assert list_shifts(network, region="Nowhere")[1] == 0
    assert list_shifts(network, date_from=date(2026, 11, 24))[1] == 1


@pytest.mark.parametrize(("text", "field"), [
    ("engineer_id,date,start,end\nE1,2026-13-01,08:00,17:00\n", "line 2: date"),
    ("engineer_id,date,start,end\nE1,2026-11-23,8am,17:00\n", "line 2: start"),
    ("engineer_id,date,start,end\nE1,2026-11-23,17:00,08:00\n", "line 2: end"),
    ("engineer_id,date,start,end\nE1,2026-11-23,08:00,24:00\n", "line 2: end"),
    ("engineer_id,date,start,end\nE1,2026-11-23,08:00,17:00\nE1,2026-11-23,09:00,10:00\n",
     "line 3: date"),
])
def test_bad_roster_csv(text: str, field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_roster_csv(text)
    assert exc.value.field == field


def test_roster_for_unknown_engineer_writes_nothing(network: Database) -> None:
    upsert_engineers(network, parse_engineers_csv(ENGINEERS))
    text = ROSTER + "GHOST,2026-11-23,08:00,17:00\n"
    with pytest.raises(InvalidInput) as exc:
        upsert_shifts(network, parse_roster_csv(text))
    assert "GHOST" in exc.value.message
    assert list_shifts(network)[1] == 0


def test_shift_bounds_follow_the_clock_change() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from orders.workforce import shift_bounds_utc

    london = ZoneInfo("Europe/London")
    before = shift_bounds_utc(date(2026, 3, 28), time(8), time(17), london)
    after = shift_bounds_utc(date(2026, 3, 29), time(8), time(17), london)  # BST starts
    assert before[0] == datetime(2026, 3, 28, 8, tzinfo=UTC)
    assert after == (datetime(2026, 3, 29, 7, tzinfo=UTC), datetime(2026, 3, 29, 16, tzinfo=UTC))


def test_garbage_csv_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        parse_roster_csv("engineer_id,date,start,end\nE1,\"" + "x" * 200_000 + "\",08:00,09:00\n")
    with pytest.raises(InvalidInput):
        parse_engineers_csv("\x00\r\n\"")
