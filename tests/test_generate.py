"""The synthetic field-day generator: contract shape, determinism, realism shares, regions."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scheduler.generate import CITIES, describe_day, generate_day, generate_region

CHECKER = Path("/work/shared/contract/check_schedule.py")
if not CHECKER.exists():  # checkout next to the shared folder
    CHECKER = Path(__file__).resolve().parents[2] / "shared" / "contract" / "check_schedule.py"

H = 3600


def _km(lon1, lat1, lon2, lat2):
    """Great-circle km, vectorised."""
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + \
        np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(h))


def _kind(job: dict) -> str:
    return "repair" if job["id"].startswith("R") else job["id"].rsplit("-", 1)[1]


def _assert_contract(p: dict) -> None:
    assert set(p) == {"name", "horizon_start", "travel", "engineers", "jobs"}
    assert p["travel"]["metric"] == "haversine"
    jobs, team = p["jobs"], p["engineers"]
    ids = [j["id"] for j in jobs]
    assert len(set(ids)) == len(ids)
    assert len({e["id"] for e in team}) == len(team)
    lo = min(e["shift"][0] for e in team)
    hi = max(e["shift"][1] for e in team)
    position = {jid: i for i, jid in enumerate(ids)}
    for j in jobs:
        assert isinstance(j["duration"], int) and j["duration"] > 0
        assert isinstance(j["priority"], int) and j["priority"] >= 0
        lon, lat = j["location"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        for w_lo, w_hi in j["time_windows"]:
            assert lo <= w_lo <= w_hi <= hi, (j["id"], j["time_windows"])
        for pred in j.get("after", []):
            assert position[pred] < position[j["id"]]  # listed before, so no cycles
            assert jobs[position[pred]]["order"] == j["order"]
    for e in team:
        assert e["end"] == e["start"]
        assert e["shift"][1] - e["shift"][0] == 9 * H
        assert e["breaks"] == [{"window": [12 * H, 14 * H], "duration": 1800}]
        assert len(e["capacity"]) == len(jobs[0]["demand"]) == 1


def _run_checker(p: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    """The shared checker on the empty schedule: every job unassigned with a reason."""
    schedule = {"routes": [], "unassigned": [{"job": j["id"], "reason": "not_scheduled"}
                                             for j in p["jobs"]]}
    (tmp_path / "p.json").write_text(json.dumps(p))
    (tmp_path / "s.json").write_text(json.dumps(schedule))
    return subprocess.run([sys.executable, str(CHECKER), str(tmp_path / "p.json"),
                           str(tmp_path / "s.json")], capture_output=True, text=True)


def test_contract_shape_and_shared_checker(tmp_path):
    p = generate_day("leeds", orders=300, engineers=190, seed=4)
    _assert_contract(p)
    assert p["name"] == "leeds-2026-11-23-300o-190e-s4"
    assert p["horizon_start"] == "2026-11-23T00:00:00+00:00"
    leeds = CITIES["leeds"]
    lon = np.array([j["location"][0] for j in p["jobs"]] + [e["start"][0] for e in p["engineers"]])
    lat = np.array([j["location"][1] for j in p["jobs"]] + [e["start"][1] for e in p["engineers"]])
    assert _km(lon, lat, leeds.lon, leeds.lat).max() <= 1.1 * leeds.radius_km + 0.5
    result = _run_checker(p, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "assigned=0" in result.stdout and f"unassigned={len(p['jobs'])}" in result.stdout


def test_problem_model_accepts_generated_day():
    model = pytest.importorskip("scheduler.model")
    p = generate_day("york", orders=80, engineers=20, seed=1)
    problem = model.Problem.from_dict(p)
    assert len(problem.jobs) == len(p["jobs"]) and len(problem.engineers) == 20


def test_deterministic_for_a_seed():
    a = generate_day("bristol", orders=200, engineers=40, seed=7)
    b = generate_day("bristol", orders=200, engineers=40, seed=7)
    c = generate_day("bristol", orders=200, engineers=40, seed=8)
    assert json.dumps(a) == json.dumps(b)
    assert a["jobs"] != c["jobs"] and a["engineers"] != c["engineers"]


def test_jobs_do_not_depend_on_team_size():
    small = generate_day("leeds", orders=120, engineers=10, seed=2)
    large = generate_day("leeds", orders=120, engineers=60, seed=2)
    assert small["jobs"] == large["jobs"]
    for a, b in zip(small["engineers"], large["engineers"], strict=False):  # extended team
        assert (a["id"], a["start"], a["shift"]) == (b["id"], b["start"], b["shift"])


def test_job_kinds_durations_windows_and_chains():
    p = generate_day("manchester", orders=1500, engineers=100, seed=3)
    by_id = {j["id"]: j for j in p["jobs"]}
    am, pm = [8 * H, 13 * H], [13 * H, 18 * H]
    for j in p["jobs"]:
        kind = _kind(j)
        if kind == "repair":
            assert j["skills"] == ["repair"] and j["order"] == j["id"]
            assert 1800 <= j["duration"] <= 2 * H and 1 <= j["priority"] <= 3
            (w,) = j["time_windows"]
            assert w[1] - w[0] == 4 * H and "after" not in j
        elif kind == "IN":
            assert j["skills"] in (["install"], ["business", "install"])
            assert 1.5 * H <= j["duration"] <= 4 * H
            assert j["time_windows"] in ([am], [pm]) and j["demand"] == [1]
            assert j["priority"] == (2 if "business" in j["skills"] else 1)
        elif kind == "PC":
            assert j["skills"] == ["precable"] and H <= j["duration"] <= 2 * H
            assert j["time_windows"] == [[8 * H, 18 * H]]
        else:
            assert kind == "CV" and j["skills"] == ["civils"]
            assert H <= j["duration"] <= 3 * H
        if kind in ("PC", "CV"):  # each leads, through the chain, to its order's install
            succ = [s for s in p["jobs"] if j["id"] in s.get("after", [])]
            assert len(succ) == 1 and succ[0]["order"] == j["order"]
            assert succ[0]["priority"] == j["priority"] == by_id[j["order"] + "-IN"]["priority"]
        if kind == "IN" and j.get("after"):
            assert j["after"] in ([j["order"] + "-PC"], [j["order"] + "-CV"])


def test_shares_roughly_as_specified():
    p = generate_day("leeds", orders=3000, engineers=300, seed=11)
    jobs = p["jobs"]
    orders = {j["order"] for j in jobs}
    repairs = sum(_kind(j) == "repair" for j in jobs)
    assert 0.07 <= repairs / len(orders) <= 0.13
    installs = [j for j in jobs if _kind(j) == "IN"]
    ids = {j["id"] for j in jobs}
    has_pc = np.array([j["order"] + "-PC" in ids for j in installs])
    civils = sum(_kind(j) == "CV" for j in jobs) / len(installs)
    assert 0.03 <= civils <= 0.12
    business = sum("business" in j["skills"] for j in installs) / len(installs)
    assert 0.03 <= business <= 0.12
    assert 0.4 <= sum(j["time_windows"][0][0] == 8 * H for j in installs) / len(installs) <= 0.75
    assert 1.4 <= len(jobs) / len(orders) <= 1.6
    # Estates are dense clusters: a premises with >= 8 others within 400 m is on one.
    lon = np.array([j["location"][0] for j in installs])
    lat = np.array([j["location"][1] for j in installs])
    near = (_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :]) < 0.4).sum(1) - 1
    estate = near >= 8
    assert 0.5 <= estate.mean() <= 0.8
    assert 0.45 <= has_pc[estate].mean() <= 0.65   # ~55% pre-cable on estates
    assert 0.2 <= has_pc[~estate].mean() <= 0.4    # ~30% for scattered premises
    # Estate sites: tens of premises each, within a few hundred metres.
    assert np.median(near[estate]) >= 10


def test_engineers_skills_shifts_and_coverage():
    p = generate_day("sheffield", orders=50, engineers=500, seed=5)
    team = p["engineers"]
    skills = [set(e["skills"]) for e in team]
    assert 0.6 <= np.mean([{"install", "precable"} <= s for s in skills]) <= 0.72
    assert 0.05 <= np.mean([s == {"precable"} for s in skills]) <= 0.2
    for skill in ("civils", "repair", "business"):
        assert 0.1 <= np.mean([skill in s for s in skills]) <= 0.25
    assert 0.5 <= np.mean([e["shift"] == [8 * H, 17 * H] for e in team]) <= 0.7
    assert all(e["shift"] in ([8 * H, 17 * H], [9 * H, 18 * H]) for e in team)
    assert [e["id"] for e in team[:2]] == ["E001", "E002"]
    for n in range(6, 16):  # every job assignable by skills from six engineers up
        assert describe_day(generate_day("york", 100, n, seed=n))["unassignable"] == 0


def test_chains_false_removes_only_the_links():
    with_chains = generate_day("cardiff", orders=400, engineers=50, seed=9)
    without = generate_day("cardiff", orders=400, engineers=50, seed=9, chains=False)
    assert any("after" in j for j in with_chains["jobs"])
    assert not any("after" in j for j in without["jobs"])
    stripped = [{k: v for k, v in j.items() if k != "after"} for j in with_chains["jobs"]]
    assert stripped == without["jobs"]
    assert with_chains["engineers"] == without["engineers"]


def test_region_spans_several_cities(tmp_path):
    cities = ["leeds", "Milton Keynes", "glasgow"]
    p = generate_region(cities, orders=2000, engineers=300, seed=1)
    _assert_contract(p)
    assert describe_day(p)["orders"] == 2000 and len(p["engineers"]) == 300
    lon = np.array([j["location"][0] for j in p["jobs"]])
    lat = np.array([j["location"][1] for j in p["jobs"]])
    nearest = np.argmin([_km(lon, lat, CITIES[c].lon, CITIES[c].lat)
                         for c in ("leeds", "milton-keynes", "glasgow")], axis=0)
    share = np.bincount(nearest, minlength=3) / len(lon)
    weights = np.array([CITIES[c].population_k for c in ("leeds", "milton-keynes", "glasgow")])
    assert np.allclose(share, weights / weights.sum(), atol=0.05)
    assert _run_checker(p, tmp_path).returncode == 0
    assert generate_region(["york"], 60, 8, seed=3) == generate_day("york", 60, 8, seed=3)


def test_issue_benchmark_days_are_generous_and_tight():
    generous = describe_day(generate_day("leeds", orders=300, engineers=190))
    tight = describe_day(generate_day("leeds", orders=1000, engineers=240))
    assert 420 <= generous["jobs"] <= 500 and generous["unassignable"] == 0
    for row in generous["per_skill"].values():
        assert row["work_hours"] < 0.6 * row["shift_hours"]
    assert 1400 <= tight["jobs"] <= 1600
    assert tight["shift_hours"] == 2160 and tight["work_hours"] > 1.3 * tight["shift_hours"]


def test_large_region_size():
    p = generate_region(["london", "birmingham", "manchester", "leeds"], 20000, 6000, seed=2)
    d = describe_day(p)
    assert d["orders"] == 20000 and d["engineers"] == 6000
    assert 28000 <= d["jobs"] <= 32000
    assert p["engineers"][-1]["id"] == "E6000" and p["jobs"][0]["id"].startswith("O00001")


def test_bad_arguments():
    with pytest.raises(ValueError, match="known cities: .*leeds"):
        generate_day("atlantis", 10, 5)
    with pytest.raises(ValueError, match="orders"):
        generate_day("leeds", -1, 5)
    with pytest.raises(ValueError, match="non-empty"):
        generate_region([], 10, 5)
    with pytest.raises(ValueError):
        generate_day("leeds", 10, 5, date="23/11/2026")


def test_summer_day_starts_at_local_midnight():
    p = generate_day("london", 5, 2, date="2026-07-01")
    assert p["horizon_start"] == "2026-07-01T00:00:00+01:00"
    assert math.isclose(generate_day("leeds", 0, 0)["travel"]["speed_kmh"], 30)
