"""Scheduling a day from the database: runs, one writer per region-day, the stored plan,
its views and the contract export (checked by the independent checker)."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import pytest
from dispatch_seed import DAY, REGION, seed_day

from orders.dispatch import export_day
from orders.dispatch_models import ScheduleAssignment
from orders.schedule_runs import DayBeingSolved, request_day, run_pending

pytest_plugins = ["db_fixtures"]
FAST = {"time_limit": 1.0}


def _schedule(api, **body):  # type: ignore[no-untyped-def]
    return api.client.post("/schedules", json={"date": DAY.isoformat(), "region": REGION,
                                               **FAST, **body},
                           headers=api.auth("dispatcher"))


def test_schedule_a_day_over_http(api, db, check) -> None:  # type: ignore[no-untyped-def]
    ids = seed_day(db)
    h = api.auth("dispatcher")
    r = _schedule(api)
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    assert r.json()["status"] == "queued" and r.headers["Location"] == f"/schedules/{run_id}"
    again = _schedule(api)  # the day is being solved: one writer
    assert again.status_code == 409 and again.json()["run_id"] == run_id
    everything = api.client.post("/schedules", json={"date": DAY.isoformat(), **FAST},
                                 headers=h)
    assert everything.status_code == 409  # all regions overlap with Leeds
    assert run_pending(db) == 1
    status = api.client.get(f"/schedules/{run_id}", headers=api.auth("analyst")).json()
    assert status["status"] == "done" and status["progress"] == 1.0 and status["current"]
    k = status["kpis"]
    assert k["jobs"] == len(ids["install"]) + 2 + 2 + len(ids["repair"])  # + chain + pre-cables
    assert k["excluded"] == 1 and k["on_window_rate"] > 0 and 0 < k["utilisation"] <= 1
    assert k["assigned"] + k["unassigned"] == k["jobs"]

    routes = api.client.get(f"/schedules/{run_id}/routes", headers=h).json()
    assert routes["excluded"] == [{"job": ids["blocked"][0], "reason": "precable_not_done"}]
    planned = {s["job"]: (r["engineer"], s) for r in routes["routes"] for s in r["steps"]
               if s["type"] == "job"}
    for jid in ids["install"]:  # booked windows are hard
        if jid in planned:
            step = planned[jid][1]
            (lo, hi), = step["windows"]
            assert lo <= step["start"] <= hi
    pc, inst = ids["chain"]
    if inst in planned:
        assert planned[pc][1]["end"] <= planned[inst][1]["start"]

    gj = api.client.get(f"/schedules/{run_id}/routes.geojson", headers=h)
    assert gj.headers["content-type"].startswith("application/geo+json")
    feats = gj.json()["features"]
    lines = [f for f in feats if f["geometry"]["type"] == "LineString"]
    points = [f for f in feats if f["properties"]["kind"] == "job"]
    assert len(lines) == len(routes["routes"]) and len(points) == len(planned)
    assert all(p["properties"]["start"] and p["properties"]["engineer"] for p in points)
    gantt = api.client.get(f"/schedules/{run_id}/gantt.html", headers=h)
    assert gantt.status_code == 200 and gantt.text.count('class="job"') == len(planned)

    problem, schedule = export_day(db, DAY, REGION)
    check(problem, schedule)
    with db.read() as session:
        stored = session.query(ScheduleAssignment).filter_by(run_id=run_id).all()
    assert {a.job_id for a in stored if a.engineer_id} == set(planned)
    origin = datetime.fromisoformat(problem["horizon_start"])
    for a in stored:
        if a.engineer_id:
            step = next(s for r in schedule["routes"] for s in r["steps"]
                        if s.get("job") == a.job_id)
            assert a.planned_start == origin + timedelta(seconds=step["start"])


def test_bad_requests(api, db) -> None:  # type: ignore[no-untyped-def]
    seed_day(db)
    h = api.auth("dispatcher")
    r = api.client.post("/schedules", json={"date": "2026-11-23", "region": "Atlantis"},
                        headers=h)
    assert r.status_code == 404 and r.json()["code"] == "no_roster"
    r = api.client.post("/schedules", json={"date": "2027-01-01"}, headers=h)
    assert r.status_code == 404 and r.json()["field"] == "date"
    r = api.client.post("/schedules", json={"date": "23/11/2026"}, headers=h)
    assert r.status_code == 422 and r.json()["field"] == "date"
    assert api.client.post("/schedules", json={"date": "2026-11-23"},
                           headers=api.auth("billing")).status_code == 403
    assert api.client.get("/schedules/SR-nope", headers=h).status_code == 404
    queued = _schedule(api).json()["id"]
    r = api.client.get(f"/schedules/{queued}/routes", headers=h)
    assert r.status_code == 409 and r.json()["code"] == "run_not_done"


def test_region_days_are_independent_and_rerun_replaces(sqlite_db, check) -> None:  # type: ignore[no-untyped-def]
    db = sqlite_db
    seed_day(db)
    seed_day(db, engineers=2, installs=2, repairs=1, region="York", seed=1)
    a = request_day(db, DAY, REGION, 0.5)
    b = request_day(db, DAY, "York", 0.5)  # another region of the same day: allowed
    with pytest.raises(DayBeingSolved):
        request_day(db, DAY, None, 0.5)
    assert run_pending(db) == 2
    second = request_day(db, DAY, REGION, 0.5)
    run_pending(db)
    problem, schedule = export_day(db, DAY, REGION)
    check(problem, schedule)
    assert {e["id"] for e in problem["engineers"]} == {"LEE-E1", "LEE-E2", "LEE-E3", "LEE-E4"}
    from orders.schedule_runs import get_run
    assert not get_run(db, a.id).current and get_run(db, second.id).current
    assert get_run(db, b.id).current


def test_cli_schedule_and_export(sqlite_db, tmp_path, monkeypatch, check) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from api.cli import app

    seed_day(sqlite_db)
    monkeypatch.setenv("FIELDSCHED_DATABASE_URL", sqlite_db.url)
    runner = CliRunner()
    r = runner.invoke(app, ["schedule", "--date", DAY.isoformat(), "--region", REGION,
                            "--time-limit", "1"])
    assert r.exit_code == 0, r.output
    assert "LEE-E1" in r.output and "assigned" in r.output
    out = tmp_path / "export"
    r = runner.invoke(app, ["export", "--date", DAY.isoformat(), "--region", REGION,
                            "--out", str(out)])
    assert r.exit_code == 0, r.output
    problem = json.loads((out / "problem.json").read_text())
    schedule = json.loads((out / "schedule.json").read_text())
    check(problem, schedule)
    assert (out / "map.html").stat().st_size > 10_000
    r = runner.invoke(app, ["export", "--date", "2030-01-01", "--out", str(out)])
    assert r.exit_code == 1 and "no_schedule" in r.output
    r = runner.invoke(app, ["schedule", "--date", "2030-01-01"])
    assert r.exit_code == 1 and "no_roster" in r.output


def test_worker_process_solves_while_api_answers(api, db) -> None:  # type: ignore[no-untyped-def]
    """The real worker: a separate process polling the database; the API stays free."""
    from orders.dispatch_worker import start_worker, stop_worker

    if db.dialect != "sqlite":
        pytest.skip("one backend is enough for the process test")
    seed_day(db)
    run_id = _schedule(api, time_limit=3.0).json()["id"]
    proc = start_worker(db.settings)
    try:
        seen_running = False
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            t0 = time.monotonic()
            status = api.client.get(f"/schedules/{run_id}", headers=api.auth("dispatcher"))
            assert status.status_code == 200
            seen_running |= status.json()["status"] == "running"
            if status.json()["status"] in ("done", "failed"):
                break
            assert time.monotonic() - t0 < 5  # answered while the worker solves
            time.sleep(0.2)
        assert status.json()["status"] == "done", status.json()
        assert seen_running
    finally:
        stop_worker(proc)
    assert not proc.is_alive()


def test_started_work_is_frozen(sqlite_db, check) -> None:  # type: ignore[no-untyped-def]
    """A job signed off as started at 10:00 stays with its engineer, starting at 10:00."""
    from datetime import UTC

    from orders.models import Job
    from orders.signoff_models import JobSignoff

    db = sqlite_db
    ids = seed_day(db)
    jid = ids["repair"][0]
    started = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    with db.transaction() as session:
        job = session.get(Job, jid)
        job.status, job.engineer_id = "in_progress", "LEE-E3"
        session.add(JobSignoff(job_id=jid, engineer_id="LEE-E3", outcome="started",
                               started_at=started, recorded_at=started))
    request_day(db, DAY, REGION, 1.0)
    run_pending(db)
    problem, schedule = export_day(db, DAY, REGION)
    check(problem, schedule)
    route = next(r for r in schedule["routes"] if r["engineer"] == "LEE-E3")
    first = next(s for s in route["steps"] if s["type"] == "job")
    assert first["job"] == jid and first["start"] == 10 * 3600
