"""In-day re-planning: events over HTTP, frozen work, hard windows, minimal disruption, and
the pure re-plan on a generated day (every result through the independent checker)."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from dispatch_seed import DAY, REGION, seed_day

from orders import clock
from orders.dispatch import export_day
from orders.dispatch_replan import moved_jobs, replan_documents, solve_from_scratch
from orders.models import Job
from orders.schedule_runs import request_day, run_pending
from scheduler import Problem, solve
from scheduler.generate import generate_day

pytest_plugins = ["db_fixtures"]
UTC_TZ = ZoneInfo("UTC")


@pytest.fixture
def planned_day(api, db):  # type: ignore[no-untyped-def]
    seed_day(db, engineers=4, installs=10, repairs=4)
    run = request_day(db, DAY, REGION, 1.0)
    run_pending(db)
    clock.set_clock(lambda: datetime(2026, 11, 23, 11, 0, tzinfo=UTC))
    yield api, run.id
    clock.set_clock(None)


def _steps(schedule):  # type: ignore[no-untyped-def]
    return {s["job"]: (r["engineer"], s) for r in schedule["routes"] for s in r["steps"]
            if s["type"] == "job"}


def test_engineer_unavailable_and_emergency(planned_day, db, check) -> None:  # type: ignore[no-untyped-def]
    api, run_id = planned_day
    h = api.auth("dispatcher")
    before_problem, before = export_day(db, DAY, REGION)
    steps = _steps(before)
    busiest = max(before["routes"], key=lambda r: len(r["steps"]))["engineer"]
    r = api.client.post(f"/schedules/{run_id}/events", headers=h, json={
        "type": "engineer_unavailable", "engineer": busiest,
        "from": "2026-11-23T11:00:00+00:00", "time_limit": 0.5})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["parent_run_id"] == run_id and out["run_id"] != run_id
    problem, after = export_day(db, DAY, REGION)
    check(problem, after)
    t = 11 * 3600
    after_steps = _steps(after)
    for jid, (eng, s) in steps.items():
        if s["start"] < t:  # done or in progress: frozen, unchanged
            assert after_steps[jid][0] == eng and after_steps[jid][1]["start"] == s["start"]
        elif eng == busiest:  # the rest of their day went to others or is unassigned
            assert after_steps.get(jid, (None,))[0] != busiest
    moved = {m["job"] for m in out["diff"]["moved"]}
    unassigned = {u["job"] for u in out["diff"]["newly_unassigned"]}
    orphans = {j for j, (e, s) in steps.items() if e == busiest and s["start"] >= t}
    assert orphans <= moved | unassigned  # each orphan re-assigned or reported
    assert all(u["reason"] for u in out["diff"]["newly_unassigned"])
    # Nobody else's jobs changed engineer (keep mode) unless that bought more work.
    if out["diff"]["mode"] == "keep":
        assert moved <= orphans

    # The event and the new plan are visible on the routes of the new current run.
    routes = api.client.get(f"/schedules/{out['run_id']}/routes", headers=h).json()
    assert routes["kpis"]["assigned"] == len(after_steps)

    # An emergency repair is added, planned after now, and stored as a job.
    r = api.client.post(f"/schedules/{run_id}/events", headers=h, json={
        "type": "emergency_job", "location": [-1.55, 53.8], "duration": 1800,
        "skills": ["repair"], "priority": 50, "id": "EM-1", "time_limit": 0.5})
    assert r.status_code == 200, r.text
    problem, after2 = export_day(db, DAY, REGION)
    check(problem, after2)
    eng, step = _steps(after2)["EM-1"]
    assert step["start"] >= t and eng != busiest
    with db.read() as session:
        job = session.get(Job, "EM-1")
        assert job is not None and job.kind == "repair" and job.priority == 50
    assert r.json()["diff"]["newly_assigned"][0]["job"] == "EM-1" or any(
        a["job"] == "EM-1" for a in r.json()["diff"]["newly_assigned"])


def test_delay_finish_early_and_absent(planned_day, db, check) -> None:  # type: ignore[no-untyped-def]
    api, run_id = planned_day
    h = api.auth("dispatcher")
    _, before = export_day(db, DAY, REGION)
    steps = _steps(before)
    t = 11 * 3600
    started = [j for j, (_, s) in steps.items() if s["start"] < t]
    later = sorted((s["start"], j) for j, (_, s) in steps.items() if s["start"] >= t)
    assert started and later
    job = started[-1]
    r = api.client.post(f"/schedules/{run_id}/events", headers=h, json={
        "type": "job_delayed", "job": job, "minutes": 40, "time_limit": 0.5})
    assert r.status_code == 200, r.text
    problem, after = export_day(db, DAY, REGION)
    check(problem, after)
    _, s = _steps(after)[job]
    assert s["end"] - s["start"] == steps[job][1]["end"] - steps[job][1]["start"] + 2400

    absent = later[-1][1]
    r = api.client.post(f"/schedules/{run_id}/events", headers=h, json={
        "type": "customer_absent", "job": absent, "time_limit": 0.5})
    assert r.status_code == 200, r.text
    assert {"job": absent, "engineer": steps[absent][0], "reason": "customer_absent"} in \
        r.json()["diff"]["newly_unassigned"]
    problem, after = export_day(db, DAY, REGION)
    check(problem, after)
    assert absent not in {j["id"] for j in problem["jobs"]}
    with db.read() as session:
        assert session.get(Job, absent).status == "failed"

    r = api.client.post(f"/schedules/{run_id}/events", headers=h, json={
        "type": "job_finished_early", "job": job, "at": "2026-11-23T11:00:00Z",
        "time_limit": 0.5})
    assert r.status_code == 200, r.text
    problem, after = export_day(db, DAY, REGION)
    check(problem, after)
    _, s = _steps(after)[job]
    assert s["end"] == t


def test_bad_events(planned_day, db) -> None:  # type: ignore[no-untyped-def]
    api, run_id = planned_day
    h = api.auth("dispatcher")
    post = lambda body: api.client.post(f"/schedules/{run_id}/events", json=body, headers=h)  # noqa: E731
    assert api.client.post(f"/schedules/{run_id}/events", json={"type": "customer_absent",
                                                                 "job": "LEE-IN1"},
                           headers=api.auth("analyst")).status_code == 403
    r = post({"type": "volcano"})
    assert r.status_code == 422 and r.json()["field"] == "type"
    r = post({"type": "job_delayed", "job": "NOPE", "minutes": 5})
    assert r.status_code == 422 and r.json()["field"] == "job"
    r = post({"type": "engineer_unavailable", "engineer": "LEE-E1"})
    assert r.status_code == 422 and r.json()["field"] == "from"
    r = post({"type": "emergency_job", "duration": 600})
    assert r.status_code == 422 and r.json()["field"] == "location"
    r = post({"type": "job_delayed", "job": "LEE-IN1", "minutes": -3})
    assert r.status_code == 422 and r.json()["field"] == "minutes"
    assert api.client.post("/schedules/SR-none/events", json={"type": "customer_absent",
                                                               "job": "X"},
                           headers=h).status_code == 404


def test_replan_keeps_assignments_on_a_generated_day(check) -> None:  # type: ignore[no-untyped-def]
    """Knock out two engineers at 11:00 and add emergencies: frozen work stays, windows
    hold, far fewer jobs change engineer than in a from-scratch re-solve."""
    problem = generate_day("Leeds", 60, 8, seed=3)
    schedule = solve(Problem.from_dict(problem), time_limit=2).to_dict()
    check(problem, schedule)
    t = 11 * 3600
    gone = [r["engineer"] for r in schedule["routes"][:2]]
    p, s = problem, schedule
    for eng in gone:
        out = replan_documents(p, s, {"type": "engineer_unavailable", "engineer": eng}, t,
                               UTC_TZ, time_limit=0.5)
        check(out["problem"], out["schedule"])
        p, s = out["problem"], out["schedule"]
    for i in range(3):
        ev = {"type": "emergency_job", "id": f"EM{i}", "location": problem["jobs"][i]["location"],
              "duration": 1800, "skills": problem["jobs"][i]["skills"], "priority": 20}
        out = replan_documents(p, s, ev, t, UTC_TZ, time_limit=0.5)
        check(out["problem"], out["schedule"])
        p, s = out["problem"], out["schedule"]
    after = _steps(s)
    for jid, (eng, st) in _steps(schedule).items():
        if st["start"] < t:
            assert after[jid] == (eng, st)  # frozen exactly
    for jid, (_, st) in after.items():
        job = next(j for j in p["jobs"] if j["id"] == jid)
        assert any(lo <= st["start"] <= hi for lo, hi in job.get("time_windows", [[0, 1e9]]))
    kept = len(moved_jobs(schedule, s))
    scratch_problem, scratch = solve_from_scratch(p, time_limit=1.0)
    check(scratch_problem, scratch)
    assert kept < len(moved_jobs(schedule, scratch))
