"""``fieldsched generate`` and ``fieldsched solve`` end to end, and their handling of bad input.

The main path runs the real command in a subprocess (``python -m api.cli``) and judges the
written schedule with the contract checker's own command line; bad-input cases run in
process through typer's CliRunner, which keeps stdout and stderr apart.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import CHECKER_PATH, REPO, assert_complete, check_schedule
from typer.testing import CliRunner

from api.cli import app
from scheduler import Problem


def fieldsched(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "300",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO),
                                                       os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "api.cli", *map(str, args)], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=120)


def flat(text: str) -> str:
    """Terminal output with line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def solved_day(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("cli")
    problem, schedule = tmp / "day.json", tmp / "out" / "schedule.json"
    gen = fieldsched("generate", "--city", "leeds", "--orders", "10", "--engineers", "5",
                     "--seed", "4", "--out", problem)
    assert gen.returncode == 0, gen.stderr
    sol = fieldsched("solve", problem, "--out", schedule, "--time-limit", "2", "--seed", "1")
    assert sol.returncode == 0, sol.stderr
    return {"problem": problem, "schedule": schedule, "solve": sol, "tmp": tmp}


def test_generate_then_solve_then_the_checker_passes(solved_day: dict[str, Any]) -> None:
    problem = json.loads(solved_day["problem"].read_text())
    schedule = json.loads(solved_day["schedule"].read_text())
    assert len(problem["engineers"]) == 5 and len(problem["jobs"]) >= 10
    check_schedule(problem, schedule)
    assert_complete(problem, schedule)
    # the checker's own command line agrees (exit 0 = feasible)
    run = subprocess.run([sys.executable, str(CHECKER_PATH), str(solved_day["problem"]),
                          str(solved_day["schedule"])], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


def test_solve_prints_a_one_line_summary(solved_day: dict[str, Any]) -> None:
    out = solved_day["solve"].stdout.strip()
    assert len(out.splitlines()) == 1, out
    schedule = json.loads(solved_day["schedule"].read_text())
    s = schedule["summary"]
    assert f"assigned {s['assigned']}/{s['assigned'] + s['unassigned']}" in out
    assert str(solved_day["schedule"]) in flat(out)


def test_solve_from_a_warm_start(solved_day: dict[str, Any]) -> None:
    out = solved_day["tmp"] / "warm.json"
    result = CliRunner().invoke(app, ["solve", str(solved_day["problem"]), "--out", str(out),
                                      "--time-limit", "1", "--warm-start",
                                      str(solved_day["schedule"])])
    assert result.exit_code == 0, result.output
    problem = json.loads(solved_day["problem"].read_text())
    before = json.loads(solved_day["schedule"].read_text())["summary"]
    after = json.loads(out.read_text())
    check_schedule(problem, after)
    assert after["summary"]["priority_assigned"] >= before["priority_assigned"]


def test_missing_problem_file_exits_non_zero_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    run = fieldsched("solve", missing, "--out", tmp_path / "s.json", "--time-limit", "1")
    assert run.returncode != 0
    assert str(missing) in flat(run.stderr) and "no such file" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "s.json").exists()


def test_generate_writes_a_valid_problem_to_stdout() -> None:
    result = CliRunner().invoke(app, ["generate", "--city", "bristol", "--orders", "6",
                                      "--engineers", "3", "--seed", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    problem = Problem.from_dict(data)
    assert len(problem.engineers) == 3 and len(problem.jobs) >= 6


def _invoke_solve(problem: Path, out: Path, *extra: str) -> Any:
    return CliRunner().invoke(app, ["solve", str(problem), "--out", str(out),
                                    "--time-limit", "1", *extra])


@pytest.mark.parametrize(("content", "fragments"), [
    ("{ not json", ["not valid JSON"]),
    ("", ["not valid JSON"]),
    (json.dumps({"engineers": [{"id": "E1", "start": [0, 0], "shift": [0, 100]}],
                 "jobs": [{"id": "J1", "location": [0, 0], "duration": 5},
                          {"id": "J2", "location": [0, 0], "duration": -5}],
                 "travel": {"metric": "euclidean"}}),
     ["jobs[1].duration", "-5"]),
    (json.dumps({"engineers": [], "jobs": [], "travel": {"metric": "manhattan"}}),
     ["travel.metric", "manhattan"]),
    ("[1, 2, 3]", ["expected a JSON object"]),
], ids=["broken-json", "empty-file", "negative-duration", "unknown-metric", "not-an-object"])
def test_bad_problem_exits_non_zero_naming_the_fault(tmp_path: Path, content: str,
                                                     fragments: list[str]) -> None:
    problem, out = tmp_path / "bad.json", tmp_path / "s.json"
    problem.write_text(content)
    result = _invoke_solve(problem, out)
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"crashed: {result.exception!r}"
    message = flat(result.stderr)
    assert str(problem) in message
    for f in fragments:
        assert f in message, message
    assert not out.exists()


def test_unreadable_warm_start_exits_non_zero(solved_day: dict[str, Any],
                                              tmp_path: Path) -> None:
    warm = tmp_path / "warm.json"
    warm.write_text("{oops")
    result = _invoke_solve(solved_day["problem"], tmp_path / "s.json", "--warm-start",
                           str(warm))
    assert result.exit_code != 0
    assert str(warm) in flat(result.stderr)


def test_generate_unknown_city_exits_non_zero() -> None:
    result = CliRunner().invoke(app, ["generate", "--city", "atlantis", "--orders", "3",
                                      "--engineers", "2"])
    assert result.exit_code != 0
    assert "atlantis" in flat(result.stderr)


def test_time_limit_must_be_positive(solved_day: dict[str, Any], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["solve", str(solved_day["problem"]), "--out",
                                      str(tmp_path / "s.json"), "--time-limit", "0"])
    assert result.exit_code != 0
    assert not (tmp_path / "s.json").exists()
