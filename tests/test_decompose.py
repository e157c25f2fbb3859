"""Decomposed solving: groups solved apart, borders repaired, one checked schedule."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scheduler import Problem, SolveOptions
from scheduler.decompose import DecomposeOptions, partition, solve_decomposed
from scheduler.generate import generate_day

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def day() -> dict[str, Any]:
    return generate_day("leeds", orders=160, engineers=50, seed=11)


def test_groups_keep_chains_together(day: dict[str, Any]) -> None:
    problem = Problem.from_dict(day)
    job_group, eng_group, n = partition(problem, group_size=60)
    assert n >= 3
    index = problem.job_index()
    for job in problem.jobs:
        for pred in job.after:
            assert job_group[index[job.id]] == job_group[index[pred]]
    # every group has engineers, and every skill set its jobs need is held in the group
    for g in range(n):
        engs = [e for e, x in zip(problem.engineers, eng_group, strict=True) if x == g]
        assert engs, f"group {g} has no engineer"
        for job, x in zip(problem.jobs, job_group, strict=True):
            if x == g:
                assert any(job.skills <= e.skills for e in engs), (g, job.id)


def test_decomposed_schedule_passes_the_checker(day: dict[str, Any], check) -> None:
    schedule = solve_decomposed(Problem.from_dict(day), SolveOptions(time_limit=8, seed=0),
                                DecomposeOptions(group_size=60, workers=2)).to_dict()
    check(day, schedule)
    assert schedule["summary"]["assigned"] > 0.5 * len(day["jobs"])
    assert "decomposed" in schedule["summary"]["status"]


def test_chain_straddling_a_border_stays_feasible(check) -> None:
    """A pre-cable in one estate and its install 20 km away, in another group's area."""
    base = generate_day("york", orders=60, engineers=20, seed=4)
    far = base["jobs"][0]["location"]
    near = [far[0] + 0.3, far[1] + 0.1]  # ~22 km east
    base["jobs"].append({"id": "X-PC", "location": far, "duration": 3600,
                         "skills": ["precable"], "order": "X"})
    base["jobs"].append({"id": "X-IN", "location": near, "duration": 5400,
                         "skills": ["install"], "time_windows": [[46800, 64800]],
                         "after": ["X-PC"], "order": "X"})
    problem = Problem.from_dict(base)
    job_group, _, n = partition(problem, group_size=20)
    index = problem.job_index()
    assert n > 1
    assert job_group[index["X-PC"]] == job_group[index["X-IN"]]
    schedule = solve_decomposed(problem, SolveOptions(time_limit=6),
                                DecomposeOptions(group_size=20, workers=2)).to_dict()
    check(base, schedule)
    placed = {s["job"]: s for r in schedule["routes"] for s in r["steps"]
              if s["type"] == "job"}
    if "X-IN" in placed:
        assert placed["X-IN"]["start"] >= placed["X-PC"]["end"] - 1


def test_border_repair_never_loses_work(day: dict[str, Any]) -> None:
    problem = Problem.from_dict(day)
    without = solve_decomposed(problem, SolveOptions(time_limit=6),
                               DecomposeOptions(group_size=60, workers=2, neighbours=0))
    with_repair = solve_decomposed(problem, SolveOptions(time_limit=6),
                                   DecomposeOptions(group_size=60, workers=2, neighbours=2))
    assert with_repair.summary["assigned"] >= without.summary["assigned"]


def test_dask_local_cluster_round_trip(day: dict[str, Any], check) -> None:
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        schedule = solve_decomposed(
            Problem.from_dict(day), SolveOptions(time_limit=8),
            DecomposeOptions(group_size=60, dask_scheduler=cluster.scheduler_address)).to_dict()
    check(day, schedule)
    assert schedule["summary"]["assigned"] > 0


def test_cli_decomposes_on_request(tmp_path: Path, day: dict[str, Any], check) -> None:
    problem_file, out = tmp_path / "p.json", tmp_path / "s.json"
    problem_file.write_text(json.dumps(day))
    run = subprocess.run([sys.executable, "-m", "api.cli", "solve", str(problem_file),
                          "--out", str(out), "--time-limit", "6", "--decompose",
                          "--group-size", "60"], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    schedule = json.loads(out.read_text())
    check(day, schedule)
    assert "decomposed" in schedule["summary"]["status"]


def test_decompose_refuses_non_geographic_problems(tmp_path: Path) -> None:
    problem = {"travel": {"metric": "euclidean"},
               "engineers": [{"id": "E", "start": [0, 0], "shift": [0, 100]}],
               "jobs": [{"id": "J", "location": [1, 1], "duration": 1}]}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(problem))
    run = subprocess.run([sys.executable, "-m", "api.cli", "solve", str(path), "--out",
                          str(tmp_path / "s.json"), "--decompose"], cwd=REPO,
                         capture_output=True, text=True)
    assert run.returncode != 0
    assert "haversine" in run.stderr


# -- border repair: chains cut by a neighbourhood's edge ----------------------------------

def _route(eid: str, home: list[float], jobs: list[tuple[str, float, float]]) -> dict[str, Any]:
    steps: list[dict[str, Any]] = [{"type": "start", "location": home, "departure": 28800}]
    steps += [{"type": "job", "job": j, "arrival": s, "start": s, "end": e} for j, s, e in jobs]
    steps.append({"type": "end", "location": home, "arrival": jobs[-1][2] + 600})
    return {"engineer": eid, "steps": steps}


def _three_groups() -> tuple[Problem, list[Problem], np.ndarray]:
    """Three groups along a line, 0 and 2 furthest apart; P (group 0's engineer's route)
    precedes I, an unplaced install of group 2 whose window ends before P ends."""
    homes = {"E0": [-1.60, 53.80], "E1": [-1.50, 53.80], "E2": [-1.40, 53.80]}
    day = {"horizon_start": "2026-12-01T00:00:00+00:00", "travel": {"metric": "haversine"},
           "engineers": [{"id": e, "start": h, "end": h, "shift": [28800, 64800],
                          "skills": ["install", "precable"]} for e, h in homes.items()],
           "jobs": [{"id": "P", "location": [-1.601, 53.801], "duration": 3600,
                     "skills": ["precable"]},
                    {"id": "I", "location": [-1.401, 53.801], "duration": 3600,
                     "skills": ["install"], "time_windows": [[28800, 46800]],
                     "after": ["P"]}]}
    problem = Problem.from_dict(day)
    groups = [Problem(engineers=(e,), jobs=tuple(j for j in problem.jobs if j.id == jid),
                      travel=problem.travel, horizon_start=problem.horizon_start)
              for e, jid in zip(problem.engineers, ["P", None, "I"], strict=True)]
    centres = np.array([homes["E0"], homes["E1"], homes["E2"]])
    return problem, groups, centres


def test_repair_keeps_the_reason_of_a_leftover_it_cannot_place() -> None:
    from scheduler.decompose import _repair, _Runner

    problem, groups, centres = _three_groups()
    routes = {"E0": _route("E0", [-1.60, 53.80], [("P", 50400, 54000)])}
    reasons = {"I": "no_feasible_insertion"}
    dec = DecomposeOptions(neighbours=1, workers=1)
    runner = _Runner(dec, None)
    _repair(problem, groups, centres, routes, reasons, dec, SolveOptions(time_limit=1),
            runner, deadline=time.perf_counter() + 5)
    placed = {s["job"] for r in routes.values() for s in r["steps"] if s["type"] == "job"}
    assert placed == {"P"}
    assert "I" in reasons  # reported, not silently dropped from the day


def test_concurrent_repairs_cut_a_chain_at_the_same_time() -> None:
    """P in one neighbourhood, I in another, repaired at once: P's latest end must not pass
    I's earliest start, whatever each repair does inside its own windows."""
    from scheduler.decompose import _repair_problem

    problem, _, _ = _three_groups()
    engs = {e.id: e for e in problem.engineers}
    routes = {"E0": _route("E0", [-1.60, 53.80], [("P", 30000, 33600)]),
              "E2": _route("E2", [-1.40, 53.80], [("I", 40000, 43600)])}
    left = _repair_problem(problem, [engs["E0"]], routes, [], "a")
    right = _repair_problem(problem, [engs["E2"]], routes, [], "b")
    assert left is not None and right is not None
    p = next(j for j in left.jobs if j.id == "P")
    i = next(j for j in right.jobs if j.id == "I")
    latest_p_end = max(b for _, b in p.time_windows) + p.duration
    earliest_i_start = min(a for a, _ in i.time_windows)
    assert 33600 <= latest_p_end <= earliest_i_start <= 40000
