"""Solomon instances on the contract: reader, DIMACS tenths, conversion, route files, the
plain OR-Tools baseline. Every result is judged by the shared, independent checkers."""
from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from benchmarks.baseline_ortools import solve_plain_contract, solve_plain_vrptw
from scheduler.solomon import (
    SolomonInstance,
    dimacs_matrix,
    family,
    load_bks,
    read_instance,
    routes_from_schedule,
    schedule_from_routes,
    shared_dir,
    to_problem_dict,
    verify,
    write_routes,
)

SHARED = shared_dir()
SOLOMON = SHARED / "benchmarks" / "solomon"
C101 = SOLOMON / "C101.txt"


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def checker() -> ModuleType:
    return _load(SHARED / "contract" / "check_schedule.py", "shared_check_schedule")


@pytest.fixture(scope="module")
def verifier() -> ModuleType:
    return _load(SHARED / "benchmarks" / "verify_vrptw.py", "shared_verify_vrptw")


@pytest.fixture(scope="module")
def c101() -> SolomonInstance:
    return read_instance(C101)


@pytest.fixture(scope="module")
def c101_routes(c101: SolomonInstance) -> list[list[int]]:
    routes = solve_plain_vrptw(c101, time_limit=2.0)
    assert routes is not None
    return routes


def test_reader_c101(c101: SolomonInstance) -> None:
    assert c101.name == "C101"
    assert (c101.n_customers, c101.vehicles, c101.capacity) == (100, 25, 200)
    assert tuple(c101.nodes[0]) == (40, 50, 0, 0, 1236, 0)
    assert tuple(c101.nodes[1]) == (45, 68, 10, 912, 967, 90)
    assert c101.demand.sum() == 1810
    with pytest.raises(ValueError):
        c101.x[0] = 1.0  # read-only


def test_reader_homberger_name_and_fleet() -> None:
    inst = read_instance(SHARED / "benchmarks" / "homberger_200" / "RC2_2_10.txt")
    assert (inst.name, inst.n_customers, inst.vehicles, inst.capacity) == \
        ("RC2_2_10", 200, 50, 1000)
    assert family(inst.name) == "RC2" and family("C101") == "C1" and family("R211") == "R2"


def test_dimacs_matrix_matches_the_verifier(c101: SolomonInstance, verifier) -> None:
    m = dimacs_matrix(c101)
    assert m.dtype.kind == "i" and m.shape == (101, 101)
    _, tenths = verifier.dist_tables([tuple(row) for row in c101.nodes])
    for a, b in [(0, 1), (1, 0), (5, 77), (42, 99), (100, 3), (7, 7)]:
        assert m[a, b] == tenths[a][b]
    assert np.array_equal(m, np.asarray(tenths))
    assert m[0, 1] == 186  # sqrt(5² + 18²) = 18.68...


def test_dimacs_matrix_is_exact_on_whole_roots() -> None:
    # 100 * (dx² + dy²) is a perfect square for (3, 4) and (0.6 x 10 = 6, 8): no off-by-one.
    xs, ys = np.array([0.0, 3.0, 6.0, 1.0]), np.array([0.0, 4.0, 8.0, 1.0])
    zeros = np.zeros(4)
    inst = SolomonInstance("T", 1, 10, xs, ys, zeros, zeros, zeros + 100, zeros)
    m = dimacs_matrix(inst)
    assert (m[0, 1], m[1, 2], m[0, 2], m[0, 3]) == (50, 50, 100, 14)


def test_to_problem_dict(c101: SolomonInstance) -> None:
    p = to_problem_dict(c101)
    assert len(p["engineers"]) == 25 and len(p["jobs"]) == 100
    assert p["travel"]["metric"] == "matrix"
    assert p["travel"]["durations"][0][1] == 186 == p["travel"]["distances"][1][0]
    eng = p["engineers"][0]
    assert (eng["start"], eng["end"], eng["shift"], eng["capacity"]) == (0, 0, [0, 12360], [200])
    job = p["jobs"][0]
    assert (job["id"], job["location"], job["duration"], job["time_windows"], job["demand"]) == \
        ("1", 1, 900, [[9120, 9670]], [10])
    assert json.loads(json.dumps(p)) == p  # plain JSON types only
    assert len(to_problem_dict(c101, fleet=3)["engineers"]) == 3


def test_baseline_routes_pass_both_checkers(c101: SolomonInstance, c101_routes, checker,
                                            tmp_path: Path) -> None:
    problem = to_problem_dict(c101)
    schedule = schedule_from_routes(c101, c101_routes)
    result = checker.check(problem, schedule)
    assert result["feasible"], result["violations"]
    assert result["summary_disagrees"] == {}
    assert routes_from_schedule(schedule) == c101_routes

    path = tmp_path / "C101.sol"
    write_routes(path, c101_routes, schedule["summary"]["distance"] / 10)
    assert path.read_text().startswith("Route #1: ")
    res = verify(C101, path)
    assert res["feasible"] and res["checked_convention"] == "dimacs"
    assert res["vehicles"] == len(c101_routes) <= 25
    assert res["distance_dimacs"] == pytest.approx(schedule["summary"]["distance"] / 10)
    assert res["distance_dimacs"] >= load_bks(SOLOMON / "bks.csv")["C101"][1]


def test_broken_routes_fail_both_checkers(c101: SolomonInstance, c101_routes, checker,
                                          tmp_path: Path) -> None:
    routes = copy.deepcopy(c101_routes)
    longest = max(routes, key=len)
    longest.reverse()  # C101's windows are tight: the reversed route is late somewhere
    schedule = schedule_from_routes(c101, routes)
    assert not checker.check(to_problem_dict(c101), schedule)["feasible"]
    write_routes(tmp_path / "bad.sol", routes)
    res = verify(C101, tmp_path / "bad.sol")
    assert not res["feasible"] and res["time_window_errors_dimacs"]

    dropped = [r[1:] if r is longest else r for r in routes]
    partial = schedule_from_routes(c101, dropped, reason="not_routed")
    assert partial["summary"]["unassigned"] == 1 == len(partial["unassigned"])
    write_routes(tmp_path / "short.sol", dropped)
    assert "not served" in " ".join(verify(C101, tmp_path / "short.sol")["structural_errors"])


def test_load_bks() -> None:
    bks = load_bks(SOLOMON / "bks.csv")
    assert len(bks) == 56 and bks["C101"] == (10, 827.3) and bks["R208"][1] == 701.0
    assert load_bks(SOLOMON / "bks.csv", "hierarchical")["C101"] == (10, 828.94)


def test_shared_dir_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FIELDSCHED_SHARED_DIR", str(tmp_path))
    assert shared_dir() == tmp_path


def test_plain_contract_on_a_solomon_problem(c101: SolomonInstance, checker) -> None:
    problem = to_problem_dict(c101)
    schedule = solve_plain_contract(problem, time_limit=2.0, first_solution="PATH_CHEAPEST_ARC")
    result = checker.check(problem, schedule)
    assert result["feasible"], result["violations"]
    assert result["metrics"]["assigned"] == 100 and result["summary_disagrees"] == {}


def test_plain_contract_field_day(checker) -> None:
    day = json.loads((SHARED / "contract" / "examples" / "small-day.json").read_text())
    schedule = solve_plain_contract(day, time_limit=1.0)
    reasons = {u["job"]: u["reason"] for u in schedule["unassigned"]}
    assert reasons["X000-IN"] == "no_engineer_with_skills"
    result = checker.check(day, schedule)
    # OR-Tools may put a break in the middle of a drive; everything else must hold.
    assert all("arrival" in v or "returns at" in v or "break" in v or "window" in v
               for v in result["violations"]), result["violations"]
    assert result["metrics"]["assigned"] + len(reasons) == len(day["jobs"])

    no_breaks = copy.deepcopy(day)
    for eng in no_breaks["engineers"]:
        eng.pop("breaks", None)
    result = checker.check(no_breaks, solve_plain_contract(no_breaks, time_limit=1.0))
    assert result["feasible"], result["violations"]
    assert result["metrics"]["assigned"] >= 10


def test_plain_contract_tiny_constraints(checker) -> None:
    """Pinning, skills, max_jobs, an open end, two windows and a cross-engineer `after`."""
    problem = {
        "travel": {"metric": "euclidean", "time_per_unit": 1},
        "engineers": [
            {"id": "A", "start": [0, 0], "end": None, "shift": [0, 1000], "skills": [],
             "max_jobs": 2},
            {"id": "B", "start": [0, 0], "shift": [0, 1000], "skills": ["x"]},
        ],
        "jobs": [
            {"id": "pinned", "location": [1, 0], "duration": 5, "engineer": "B"},
            {"id": "skilled", "location": [0, 1], "duration": 5, "skills": ["x"]},
            {"id": "late", "location": [50, 0], "duration": 10,
             "time_windows": [[0, 10], [100, 200]]},
            {"id": "follow", "location": [50, 1], "duration": 5, "after": ["late"],
             "time_windows": [[0, 300]]},
            {"id": "free", "location": [2, 2], "duration": 5},
        ],
    }
    schedule = solve_plain_contract(problem, time_limit=0.5)
    result = checker.check(problem, schedule)
    assert result["feasible"], result["violations"]
    assert schedule["unassigned"] == []
    where = {s["job"]: (r["engineer"], s) for r in schedule["routes"] for s in r["steps"]
             if s["type"] == "job"}
    assert where["pinned"][0] == "B" and where["skilled"][0] == "B"
    assert 100 <= where["late"][1]["start"] <= 200
    assert where["follow"][1]["start"] >= where["late"][1]["end"]
    route_a = next((r for r in schedule["routes"] if r["engineer"] == "A"), None)
    assert route_a is None or route_a["steps"][-1]["type"] != "end"  # open-ended
