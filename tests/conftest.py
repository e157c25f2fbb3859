"""Shared test helpers: the independent schedule checker and small problem builders.

Every schedule a test produces goes through ``check``, which runs the contract's own
``check_schedule.py`` (found in ``$FIELDSCHED_SHARED_DIR`` or ``<repo>/../shared``), so the
solver is never judged by its own code.
"""
from __future__ import annotations

import importlib.util
import math
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The shared folder: ``$FIELDSCHED_SHARED_DIR``, else ``<repo>/../shared``."""
    env = os.environ.get("FIELDSCHED_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


CONTRACT = shared_dir() / "contract"
CHECKER_PATH = CONTRACT / "check_schedule.py"

_checker: ModuleType | None = None


def load_checker() -> ModuleType:
    """The contract checker as a module (loaded once, from its file, not from the project)."""
    global _checker
    if _checker is None:
        if not CHECKER_PATH.is_file():
            raise FileNotFoundError(f"contract checker not found at {CHECKER_PATH}; "
                                    "set FIELDSCHED_SHARED_DIR")
        spec = importlib.util.spec_from_file_location("contract_check_schedule", CHECKER_PATH)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _checker = module
    return _checker


def check_schedule(problem: Mapping[str, Any], schedule: Mapping[str, Any]) -> dict[str, Any]:
    """Assert ``schedule`` is feasible for ``problem`` and its summary agrees with the
    checker's recomputation; returns the checker's result (``metrics`` etc.)."""
    result = load_checker().check(dict(problem), dict(schedule))
    assert result["feasible"], "checker found violations:\n  " + "\n  ".join(
        result["violations"])
    assert not result["summary_disagrees"], \
        f"schedule summary disagrees with the checker: {result['summary_disagrees']}"
    return result


@pytest.fixture(scope="session")
def check() -> Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]:
    """``check(problem_dict, schedule_dict)``: the independent checker, asserting."""
    load_checker()
    return check_schedule


# -- helpers for the scheduler tests ------------------------------------------------------

def routes_by_engineer(schedule: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Engineer id -> that route's steps."""
    return {r["engineer"]: r["steps"] for r in schedule["routes"]}


def jobs_of(schedule: Mapping[str, Any], engineer: str) -> list[str]:
    """Job ids of one engineer's route, in order (empty when the engineer is unused)."""
    steps = routes_by_engineer(schedule).get(engineer, [])
    return [s["job"] for s in steps if s["type"] == "job"]


def job_steps(schedule: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Job id -> (engineer id, its job step)."""
    out = {}
    for r in schedule["routes"]:
        for s in r["steps"]:
            if s["type"] == "job":
                out[s["job"]] = (r["engineer"], s)
    return out


def reasons_of(schedule: Mapping[str, Any]) -> dict[str, str]:
    """Unassigned job id -> reason."""
    return {u["job"]: u["reason"] for u in schedule["unassigned"]}


def assert_complete(problem: Mapping[str, Any], schedule: Mapping[str, Any]) -> None:
    """Every job exactly once (routed or unassigned) and every reason documented."""
    from scheduler import REASONS

    routed = [s["job"] for r in schedule["routes"] for s in r["steps"] if s["type"] == "job"]
    unassigned = [u["job"] for u in schedule["unassigned"]]
    listed = routed + unassigned
    ids = [j["id"] for j in problem["jobs"]]
    assert sorted(listed) == sorted(ids), "jobs missing or repeated"
    bad = {u["job"]: u["reason"] for u in schedule["unassigned"] if u["reason"] not in REASONS}
    assert not bad, f"undocumented reasons {bad} (documented: {REASONS})"
    s = schedule["summary"]
    assert s["assigned"] == len(routed) and s["unassigned"] == len(unassigned)


def line_problem(jobs: list[dict[str, Any]], engineers: list[dict[str, Any]] | None = None,
                 **travel: Any) -> dict[str, Any]:
    """A euclidean problem (one unit = one second unless ``time_per_unit`` is given).

    Job and engineer dicts get defaults: engineers start and end at (0, 0) with a shift of
    [0, 10000] and no skills; jobs need no skills and last 100 s."""
    engineers = engineers or [{"id": "E1"}]
    return {
        "name": "tiny",
        "travel": {"metric": "euclidean", **travel},
        "engineers": [{"start": [0, 0], "shift": [0, 10000], "skills": [], **e}
                      for e in engineers],
        "jobs": [{"duration": 100, "skills": [], **j} for j in jobs],
    }


def dist(a: Any, b: Any) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


@pytest.fixture(autouse=True)
def _no_stray_duration_model(tmp_path_factory: pytest.TempPathFactory,
                             monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests plan with the type-default durations unless they train a model themselves: a
    ``fieldsched-duration.joblib`` left in the working tree by ``make demo`` must not
    change what they measure."""
    from orders.settings import get_settings

    missing = tmp_path_factory.getbasetemp() / "no-duration-model.joblib"
    monkeypatch.setenv("FIELDSCHED_DURATION_MODEL", str(missing))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
