"""The stateless solve endpoint: contract problem in, 202 + id, contract schedule out."""
from __future__ import annotations

import json

from conftest import CONTRACT

from orders.schedule_runs import MAX_SOLVE_JOBS, run_pending

pytest_plugins = ["db_fixtures"]
EXAMPLE = json.loads((CONTRACT / "examples" / "small-day.json").read_text())


def test_solve_round_trip(api, db, check) -> None:  # type: ignore[no-untyped-def]
    h = api.auth("analyst")
    r = api.client.post("/solve", params={"time_limit": 1}, json=EXAMPLE, headers=h)
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    assert r.headers["Location"] == f"/solve/{run_id}"
    pending = api.client.get(f"/solve/{run_id}", headers=h).json()
    assert pending["status"] == "queued" and pending["schedule"] is None
    assert run_pending(db) == 1
    done = api.client.get(f"/solve/{run_id}", headers=h).json()
    assert done["status"] == "done" and done["kpis"]["jobs"] == len(EXAMPLE["jobs"])
    check(EXAMPLE, done["schedule"])
    # A solve run is not a day's schedule, and vice versa.
    assert api.client.get(f"/schedules/{run_id}", headers=h).status_code == 404
    assert api.client.get("/solve/SR-unknown", headers=h).status_code == 404


def test_solve_rejects_bad_problems(api) -> None:  # type: ignore[no-untyped-def]
    h = api.auth("analyst")
    bad = {**EXAMPLE, "jobs": [{**EXAMPLE["jobs"][0], "duration": -5}] + EXAMPLE["jobs"][1:]}
    r = api.client.post("/solve", json=bad, headers=h)
    assert r.status_code == 422, r.text
    assert r.json()["field"].startswith("jobs") and "duration" in r.json()["message"]
    r = api.client.post("/solve", json={**EXAMPLE, "engineers": "many"}, headers=h)
    assert r.status_code == 422 and r.json()["field"].startswith("engineers")
    r = api.client.post("/solve", content=b"{not json", headers=h)
    assert r.status_code == 422 and r.json()["field"] == "body"
    r = api.client.post("/solve", json=[1, 2], headers=h)
    assert r.status_code == 422
    job = EXAMPLE["jobs"][0]
    huge = {**EXAMPLE, "jobs": [{**job, "id": f"J{i}"} for i in range(MAX_SOLVE_JOBS + 1)]}
    r = api.client.post("/solve", json=huge, headers=h)
    assert r.status_code == 413 and r.json()["field"] == "jobs"
    r = api.client.post("/solve", content=b" " * (21 * 1024 * 1024), headers=h)
    assert r.status_code == 413
    assert api.client.post("/solve", json=EXAMPLE,
                           headers=api.auth("billing")).status_code == 403
