"""Decomposed solving: groups solved apart, borders repaired, one checked schedule."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

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
