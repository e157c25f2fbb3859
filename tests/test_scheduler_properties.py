"""Properties of the solver on random small problems, route timing, determinism, the example.

Random problems mix every feature of the contract (three travel metrics, skills, pinning,
several windows, breaks, chains, capacity vectors, ``max_jobs``, open and moved route ends);
whatever the solver returns must pass the independent checker, list every job exactly once,
and give each unassigned job a documented reason that an independent analysis agrees with.
"""
from __future__ import annotations

import json
import math
from typing import Any

from conftest import CONTRACT, assert_complete, check_schedule, job_steps, load_checker
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from scheduler import Problem, solve
from scheduler.generate import generate_day
from scheduler.instance import build_instance
from scheduler.timing import RouteTiming, TimedRoute

SKILLS = ("a", "b", "c")
LEEDS = (-1.5491, 53.8008)
PROPERTY_SETTINGS = settings(max_examples=25, deadline=None, derandomize=False,
                             suppress_health_check=[HealthCheck.too_slow,
                                                    HealthCheck.data_too_large])


# -- random problems ----------------------------------------------------------------------

@st.composite
def travel_models(draw: st.DrawFn) -> tuple[dict[str, Any], st.SearchStrategy[Any]]:
    """A travel model and a strategy for locations in it."""
    metric = draw(st.sampled_from(["haversine", "euclidean", "matrix"]))
    if metric == "haversine":
        travel = {"metric": "haversine", "speed_kmh": draw(st.sampled_from([20, 30, 45])),
                  "detour_factor": draw(st.sampled_from([1.0, 1.3]))}
        loc = st.tuples(st.floats(-0.12, 0.12), st.floats(-0.07, 0.07)).map(
            lambda d: [round(LEEDS[0] + d[0], 5), round(LEEDS[1] + d[1], 5)])
        return travel, loc
    if metric == "euclidean":
        travel = {"metric": "euclidean", "time_per_unit": draw(st.sampled_from([1, 25, 60.5]))}
        loc = st.tuples(st.floats(0, 100), st.floats(0, 100)).map(
            lambda p: [round(p[0], 2), round(p[1], 2)])
        return travel, loc
    n = draw(st.integers(1, 8))
    value = st.integers(0, 3600) if draw(st.booleans()) else \
        st.floats(0, 3600).map(lambda x: round(x, 1))
    durations = [[0 if i == k else draw(value) for k in range(n)] for i in range(n)]
    travel = {"metric": "matrix", "durations": durations}
    if draw(st.booleans()):
        travel["distances"] = [[0 if i == k else draw(st.integers(0, 50000)) for k in range(n)]
                               for i in range(n)]
    return travel, st.integers(0, n - 1)


@st.composite
def problems(draw: st.DrawFn) -> dict[str, Any]:
    travel, loc = draw(travel_models())
    n_eng, n_jobs = draw(st.integers(1, 4)), draw(st.integers(0, 12))
    dims = draw(st.sampled_from([0, 0, 1, 2]))
    engineers = []
    for e in range(n_eng):
        lo = draw(st.integers(28800, 36000))
        hi = lo + draw(st.integers(2 * 3600, 9 * 3600))
        eng: dict[str, Any] = {"id": f"E{e}", "start": draw(loc), "shift": [lo, hi],
                               "skills": sorted(draw(st.sets(st.sampled_from(SKILLS))))}
        end = draw(st.sampled_from(["home", "open", "elsewhere"]))
        if end == "open":
            eng["end"] = None
        elif end == "elsewhere":
            eng["end"] = draw(loc)
        breaks = []
        for _ in range(draw(st.integers(0, 2))):
            b_lo = draw(st.integers(lo, hi - 1800))
            b_len = draw(st.integers(1800, 7200))
            breaks.append({"window": [b_lo, b_lo + b_len],
                           "duration": draw(st.integers(0, min(b_len, 3600)))})
        if breaks:
            eng["breaks"] = breaks
        if dims and draw(st.booleans()):
            eng["capacity"] = draw(st.lists(st.integers(0, 4), min_size=dims, max_size=dims))
        if draw(st.integers(0, 4)) == 0:
            eng["max_jobs"] = draw(st.integers(0, 4))
        engineers.append(eng)
    jobs = []
    for i in range(n_jobs):
        job: dict[str, Any] = {
            "id": f"J{i}", "location": draw(loc),
            "duration": draw(st.sampled_from([0, 600, 1800, 3600, 5400]) |
                             st.integers(0, 7200)),
            "skills": sorted(draw(st.sets(st.sampled_from(SKILLS), max_size=2)))}
        windows = []
        for _ in range(draw(st.integers(0, 2))):
            lo, hi = engineers[draw(st.integers(0, n_eng - 1))]["shift"]
            w_lo = draw(st.integers(lo, hi))
            windows.append([w_lo, w_lo + draw(st.sampled_from([0, 1800, 4 * 3600, 5 * 3600]))])
        if windows:
            job["time_windows"] = windows
        if draw(st.integers(0, 3)) == 0:
            job["priority"] = draw(st.integers(1, 3))
        if dims and draw(st.integers(0, 3)) > 0:
            job["demand"] = draw(st.lists(st.integers(0, 2), min_size=dims, max_size=dims))
        if i and draw(st.integers(0, 2)) == 0:
            job["after"] = sorted(draw(st.sets(st.sampled_from([f"J{k}" for k in range(i)]),
                                               min_size=1, max_size=2)))
        if draw(st.integers(0, 5)) == 0:
            job["engineer"] = f"E{draw(st.integers(0, n_eng - 1))}"
        jobs.append(job)
    return {"name": "random", "travel": travel, "engineers": engineers, "jobs": jobs}


# -- an analysis of the reasons, independent of the solver --------------------------------

def _eligible(problem: dict[str, Any], job: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in problem["engineers"]
            if set(job["skills"]) <= set(e["skills"]) and job.get("engineer") in (None, e["id"])]


def _load_fits(eng: dict[str, Any], job: dict[str, Any]) -> bool:
    if eng.get("max_jobs") == 0:
        return False
    cap, dem = eng.get("capacity"), job.get("demand")
    return cap is None or dem is None or all(d <= c for d, c in zip(dem, cap, strict=True))


def _surely_fits_alone(problem: dict[str, Any], eng: dict[str, Any], job: dict[str, Any]) -> bool:
    """True when ``eng`` (without breaks) can certainly do ``job`` alone, with a second of
    slack on every leg so that no rounding can make it infeasible."""
    if eng.get("breaks"):
        return False
    travel = load_checker().TravelModel(problem["travel"])
    end = eng["end"] if "end" in eng else eng["start"]
    t_in = travel.time(eng["start"], job["location"]) + 1
    t_out = travel.time(job["location"], end) + 1 if end is not None else 0
    lo, hi = eng["shift"]
    for w_lo, w_hi in job.get("time_windows") or [[-math.inf, math.inf]]:
        start = max(lo + t_in, w_lo)
        if start <= w_hi - 1 and start + job["duration"] + t_out <= hi - 1:
            return True
    return False


def assert_reasons_hold(problem: dict[str, Any], schedule: dict[str, Any]) -> None:
    jobs = {j["id"]: j for j in problem["jobs"]}
    reasons = {u["job"]: u["reason"] for u in schedule["unassigned"]}
    for jid, job in jobs.items():
        eligible = _eligible(problem, job)
        reason = reasons.get(jid)
        if not eligible:
            assert reason == "no_engineer_with_skills", (jid, reason)
            continue
        assert reason != "no_engineer_with_skills", f"{jid}: {eligible[0]['id']} can do it"
        loaded = [e for e in eligible if _load_fits(e, job)]
        if reason == "capacity":
            assert not loaded, f"{jid}: {loaded[0]['id']} can carry it"
        if reason == "capacity" or (reason == "no_feasible_time_window" and not job.get("after")):
            # (a chained job may fit alone yet be impossible after its predecessors)
            fit = [e["id"] for e in loaded if _surely_fits_alone(problem, e, job)]
            assert not fit, f"{jid} ({reason}) fits alone on {fit}"
        if reason == "predecessor_unassigned":
            todo, ancestors = list(job.get("after", [])), set()
            while todo:
                a = todo.pop()
                if a not in ancestors:
                    ancestors.add(a)
                    todo.extend(jobs[a].get("after", []))
            assert ancestors & reasons.keys(), f"{jid}: every predecessor is assigned"


@PROPERTY_SETTINGS
@given(problems(), st.integers(0, 3))
def test_random_problems_give_checked_schedules(problem: dict[str, Any], seed: int) -> None:
    note(f"problem = {json.dumps(problem)}")
    schedule = solve(Problem.from_dict(problem), time_limit=0.6, seed=seed).to_dict()
    check_schedule(problem, schedule)
    assert_complete(problem, schedule)
    assert_reasons_hold(problem, schedule)
    json.dumps(schedule, allow_nan=False)  # plain JSON, no NaN/inf


# -- route timing: insertion checks agree with re-timing the whole route ------------------

def _steps(problem: dict[str, Any], route: TimedRoute) -> list[dict[str, Any]]:
    """A timed route in the contract's step format, written here, not by the solver."""
    eng = problem["engineers"][route.engineer]
    steps: list[dict[str, Any]] = [{"type": "start", "location": eng["start"],
                                    "departure": route.departure}]
    for point in range(len(route.stops) + 1):
        steps += [{"type": "break", "start": s, "end": e}
                  for p, s, e in route.breaks if p == point]
        if point < len(route.stops):
            stop = route.stops[point]
            steps.append({"type": "job", "job": problem["jobs"][stop.job]["id"],
                          "arrival": stop.arrival, "start": stop.start, "end": stop.end})
    end = eng["end"] if "end" in eng else eng["start"]
    if end is not None:
        steps.append({"type": "end", "location": end, "arrival": route.end_arrival})
    return steps


@st.composite
def routes(draw: st.DrawFn) -> tuple[dict[str, Any], list[int], int, int]:
    """A one-engineer problem, a route (job order), a job not on it and a position."""
    problem = draw(problems().filter(lambda p: len(p["jobs"]) >= 2))
    problem["engineers"] = problem["engineers"][:1]
    for key in ("capacity", "max_jobs"):  # route timing is about time only
        problem["engineers"][0].pop(key, None)
    for job in problem["jobs"]:
        job.pop("engineer", None)
        job["skills"] = []
        job.pop("after", None)
        job.pop("demand", None)
        job["time_windows"] = [w for w in job.get("time_windows", [])
                               if w[1] >= problem["engineers"][0]["shift"][0] and
                               w[0] <= problem["engineers"][0]["shift"][1]]
    n = len(problem["jobs"])
    order = draw(st.permutations(range(n)))
    k = draw(st.integers(0, n - 1))
    seq, job = list(order[:k]), order[k]
    return problem, seq, job, draw(st.integers(0, k))


@PROPERTY_SETTINGS
@given(routes())
def test_insertion_check_agrees_with_retiming(case: tuple[dict[str, Any], list[int], int, int]
                                              ) -> None:
    problem, seq, job, pos = case
    note(f"problem = {json.dumps(problem)}; seq = {seq}; job = {job}; pos = {pos}")
    inst = build_instance(Problem.from_dict(problem))
    base = RouteTiming(inst, 0, seq, inst.windows)
    start = base.insertion(job, pos)
    new_seq = seq[:pos] + [job] + seq[pos:]
    full = RouteTiming(inst, 0, new_seq, inst.windows)
    if base.feasible:
        assert (start is not None) == full.feasible, (start, full.feasible)
    else:
        assert start is None or full.feasible
    for timing in (base, full):
        if timing.feasible:
            route = timing.timed()
            schedule = {"routes": [{"engineer": "E0", "steps": _steps(problem, route)}],
                        "unassigned": [{"job": problem["jobs"][j]["id"], "reason": "x"}
                                       for j in range(inst.n) if j not in timing.seq]}
            check_schedule(problem, schedule)
    if start is not None and full.feasible:
        placed = {s.job: s.start for s in full.timed().stops}
        assert placed[job] >= start - 1e-6, "the insertion check promised an earlier start"


# -- determinism and the shared example ---------------------------------------------------

def test_same_seed_and_limit_give_the_same_schedule() -> None:
    data = generate_day("leeds", orders=40, engineers=12, seed=3)
    runs = []
    for _ in range(2):
        s = solve(Problem.from_dict(data), time_limit=2.0, seed=7).to_dict()
        check_schedule(data, s)
        s["summary"].pop("solve_time")
        runs.append(s)
    first, second = runs
    assert first["routes"] == second["routes"] and first["unassigned"] == second["unassigned"]
    assert first == second, (first["summary"], second["summary"])


def test_shared_example_day() -> None:
    data = json.loads((CONTRACT / "examples" / "small-day.json").read_text())
    example = json.loads((CONTRACT / "examples" / "small-day.schedule.json").read_text())
    s = solve(Problem.from_dict(data), time_limit=2.0).to_dict()
    check_schedule(data, s)
    assert_complete(data, s)
    assert_reasons_hold(data, s)
    assert len(job_steps(s)) >= len(job_steps(example)) >= 10
