"""The plain OR-Tools baseline the benchmarks measure the project's solver against.

An ordinary, textbook RoutingModel: the features the OR-Tools documentation shows (matrix
transit callbacks, a time dimension with windows and service, capacity dimensions,
disjunctions with penalties, breaks with `SetBreakIntervalsOfVehicle`, precedence with
`solver.Add`), a first-solution strategy plus guided local search, and nothing of the
project's own methods. Deliberately independent of `scheduler`, so it stays a fixed yardstick.

* `solve_plain_vrptw` – a Solomon instance in the DIMACS convention (tenths); every customer
  must be served, so it returns ``None`` when OR-Tools finds no solution at all.
* `solve_plain_contract` – a contract problem dict → a contract schedule dict.
"""
from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from scheduler.solomon import SCALE, SolomonInstance, dimacs_matrix

EARTH_RADIUS_M = 6_371_008.8
FIRST_SOLUTION = routing_enums_pb2.FirstSolutionStrategy


def _search_parameters(time_limit: float, first_solution: str) -> Any:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(FIRST_SOLUTION, first_solution)
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    return params  # the routing solver is single-threaded


# --------------------------------------------------------------------------- Solomon VRPTW

def solve_plain_vrptw(inst: SolomonInstance, time_limit: float = 10.0,
                      first_solution: str = "PATH_CHEAPEST_ARC",
                      fleet: int | None = None) -> list[list[int]] | None:
    """Plain OR-Tools on a VRPTW instance in tenths; customer routes, or ``None`` if none found.

    Arc cost = truncated distance; time transit = distance + service at the origin; fleet =
    the instance's VEHICLE NUMBER; every customer mandatory (no disjunctions).
    """
    dist = dimacs_matrix(inst)
    n, k = len(dist), inst.vehicles if fleet is None else fleet
    service = np.rint(inst.service * SCALE).astype(np.int64)
    ready = np.rint(inst.ready * SCALE).astype(np.int64)
    due = np.rint(inst.due * SCALE).astype(np.int64)
    manager = pywrapcp.RoutingIndexManager(n, k, 0)
    routing = pywrapcp.RoutingModel(manager)
    arc = routing.RegisterTransitMatrix(dist.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    travel = routing.RegisterTransitMatrix((dist + service[:, None]).tolist())
    horizon = int(due[0])
    routing.AddDimension(travel, horizon, horizon, False, "Time")
    time_dim = routing.GetDimensionOrDie("Time")
    for node in range(1, n):
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(int(ready[node]), int(due[node]))
    for v in range(k):
        time_dim.CumulVar(routing.Start(v)).SetRange(int(ready[0]), horizon)
        time_dim.CumulVar(routing.End(v)).SetRange(int(ready[0]), horizon)
    demand = routing.RegisterUnaryTransitVector([int(d) for d in inst.demand])
    routing.AddDimensionWithVehicleCapacity(demand, 0, [int(inst.capacity)] * k, True,
                                            "Capacity")
    solution = routing.SolveWithParameters(_search_parameters(time_limit, first_solution))
    if solution is None:
        return None
    routes = []
    for v in range(k):
        index, route = solution.Value(routing.NextVar(routing.Start(v))), []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return routes


# --------------------------------------------------------------------------- contract days

def _travel_matrices(travel: dict[str, Any], locations: Sequence[Any]
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(seconds, distance) float matrices over ``locations`` per the contract's travel model."""
    metric = travel.get("metric", "haversine")
    if metric == "matrix":
        idx = np.asarray(locations, dtype=int)
        dur = np.asarray(travel["durations"], dtype=float)
        dist = np.asarray(travel.get("distances") or travel["durations"], dtype=float)
        return dur[np.ix_(idx, idx)], dist[np.ix_(idx, idx)]
    xy = np.asarray(locations, dtype=float).reshape(-1, 2)
    if metric == "euclidean":
        d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
        return d * float(travel.get("time_per_unit", 1.0)), d
    lon, lat = np.radians(xy[:, 0]), np.radians(xy[:, 1])
    h = (np.sin((lat[None, :] - lat[:, None]) / 2) ** 2 + np.cos(lat[:, None])
         * np.cos(lat[None, :]) * np.sin((lon[None, :] - lon[:, None]) / 2) ** 2)
    d = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    d *= float(travel.get("detour_factor", 1.3))
    return d / (float(travel.get("speed_kmh", 30)) / 3.6), d


class _Day:
    """Node layout: jobs 0..J-1, then one start node per engineer, then one end node each.

    An engineer with ``end: null`` gets an end node at zero travel from everywhere.
    """

    def __init__(self, problem: dict[str, Any]):
        self.jobs: list[dict[str, Any]] = problem["jobs"]
        self.engineers: list[dict[str, Any]] = problem["engineers"]
        j, e = len(self.jobs), len(self.engineers)
        locs = [job["location"] for job in self.jobs]
        locs += [eng["start"] for eng in self.engineers]
        self.open_end = [("end" in eng and eng["end"] is None) for eng in self.engineers]
        locs += [eng["start"] if self.open_end[v] else eng.get("end", eng["start"])
                 for v, eng in enumerate(self.engineers)]
        self.time_f, self.dist_f = _travel_matrices(problem.get("travel", {}), locs)
        for v in range(e):
            if self.open_end[v]:
                self.time_f[:, j + e + v] = 0.0
                self.dist_f[:, j + e + v] = 0.0
        # Rounded up, so a plan OR-Tools finds feasible is feasible with the exact times.
        self.time_i = np.ceil(self.time_f - 1e-9).astype(np.int64)
        self.duration = np.zeros(len(locs), dtype=np.int64)
        self.duration[:j] = [math.ceil(job["duration"]) for job in self.jobs]
        self.starts = [j + v for v in range(e)]
        self.ends = [j + e + v for v in range(e)]


def _allowed_engineers(job: dict[str, Any], engineers: list[dict[str, Any]]) -> list[int]:
    need = set(job.get("skills", []))
    return [v for v, eng in enumerate(engineers)
            if need <= set(eng.get("skills", []))
            and job.get("engineer") in (None, eng["id"])]


def solve_plain_contract(problem: dict[str, Any], time_limit: float = 30.0,
                         first_solution: str = "ALL_UNPERFORMED") -> dict[str, Any]:
    """Plain OR-Tools on a contract problem; returns a contract schedule dict.

    Skills and pinning restrict ``VehicleVar``; several windows = cumul range minus the gaps;
    breaks are OR-Tools break intervals (which may overlap driving, unlike the contract's
    breaks, so the output is re-timed forward and can still fail the checker); ``after`` is
    ``active(b) <= active(a)`` plus a time constraint that holds when ``b`` is active; every
    job is optional with penalty ``big * (1 + priority)``; arc cost = travel seconds.
    """
    t0 = time.perf_counter()
    day = _Day(problem)
    jobs, engineers = day.jobs, day.engineers
    n_jobs, k = len(jobs), len(engineers)
    manager = pywrapcp.RoutingIndexManager(n_jobs + 2 * k, k, day.starts, day.ends)
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()
    # Node i <-> index: the manager may renumber, so build transit matrices in node order and
    # let RegisterTransitMatrix map them (it is indexed by nodes).
    arc = routing.RegisterTransitMatrix(day.time_i.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    transit = routing.RegisterTransitMatrix((day.time_i + day.duration[:, None]).tolist())
    horizon = int(max(math.floor(eng["shift"][1]) for eng in engineers))
    routing.AddDimension(transit, horizon, horizon, False, "Time")
    time_dim = routing.GetDimensionOrDie("Time")

    for v, eng in enumerate(engineers):
        lo, hi = math.ceil(eng["shift"][0]), math.floor(eng["shift"][1])
        time_dim.CumulVar(routing.Start(v)).SetRange(lo, hi)
        time_dim.CumulVar(routing.End(v)).SetRange(lo, hi)

    big = max(1, 4 * int(day.time_i.max(initial=0)))
    index_of = [manager.NodeToIndex(i) for i in range(n_jobs)]
    nobody: set[int] = set()
    for i, job in enumerate(jobs):
        index = index_of[i]
        routing.AddDisjunction([index], big * (1 + int(job.get("priority", 0))))
        allowed = _allowed_engineers(job, engineers)
        if not allowed:
            nobody.add(i)
            routing.ActiveVar(index).SetValue(0)
        elif len(allowed) < k:
            routing.VehicleVar(index).SetValues([-1, *allowed])
        windows = sorted((math.ceil(a), math.floor(b)) for a, b in job.get("time_windows") or [])
        windows = [(max(0, a), min(horizon, b)) for a, b in windows if a <= b]
        cumul = time_dim.CumulVar(index)
        if job.get("time_windows") and not windows:
            routing.ActiveVar(index).SetValue(0)
        elif windows:
            cumul.SetRange(windows[0][0], max(b for _, b in windows))
            reach = windows[0][1]
            for a, b in windows[1:]:
                if a > reach + 1:
                    cumul.RemoveInterval(reach + 1, a - 1)
                reach = max(reach, b)

    n_dims = max((len(eng.get("capacity") or []) for eng in engineers), default=0)
    for d in range(n_dims):
        demand = [0] * (n_jobs + 2 * k)
        for i, job in enumerate(jobs):
            dem = job.get("demand") or []
            demand[i] = int(math.ceil(dem[d])) if d < len(dem) else 0
        caps = []
        for eng in engineers:
            cap = eng.get("capacity")
            caps.append(int(math.floor(cap[d])) if cap is not None and d < len(cap)
                        else sum(demand))
        cb = routing.RegisterUnaryTransitVector(demand)
        routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, f"Capacity{d}")
    if any(eng.get("max_jobs") is not None for eng in engineers):
        count = routing.RegisterUnaryTransitVector([1] * n_jobs + [0] * (2 * k))
        routing.AddDimensionWithVehicleCapacity(
            count, 0, [int(eng["max_jobs"]) if eng.get("max_jobs") is not None else n_jobs
                       for eng in engineers], True, "Jobs")

    visit = [int(day.duration[manager.IndexToNode(ix)]) for ix in range(routing.Size())]
    break_vars: dict[int, list[Any]] = {}
    for v, eng in enumerate(engineers):
        intervals = []
        for b_i, brk in enumerate(eng.get("breaks", [])):
            lo, hi = math.ceil(brk["window"][0]), math.floor(brk["window"][1])
            dur = math.ceil(brk["duration"])
            iv = solver.FixedDurationIntervalVar(lo, max(lo, hi - dur), dur, False,
                                                 f"break {eng['id']} {b_i}")
            # Inside the working day, as the contract wants it.
            solver.Add(iv.StartExpr() >= time_dim.CumulVar(routing.Start(v)))
            solver.Add(iv.EndExpr() <= time_dim.CumulVar(routing.End(v)))
            intervals.append(iv)
        if intervals:
            time_dim.SetBreakIntervalsOfVehicle(intervals, v, visit)
            break_vars[v] = intervals

    ids = {job["id"]: i for i, job in enumerate(jobs)}
    for i, job in enumerate(jobs):
        for pred in job.get("after", []):
            p = ids[pred]
            a, b = index_of[p], index_of[i]
            solver.Add(routing.ActiveVar(b) <= routing.ActiveVar(a))
            big_m = horizon + int(day.duration[p])
            solver.Add(time_dim.CumulVar(b) + big_m * (1 - routing.ActiveVar(b))
                       >= time_dim.CumulVar(a) + int(day.duration[p]))

    solution = routing.SolveWithParameters(_search_parameters(time_limit, first_solution))
    elapsed = time.perf_counter() - t0
    if solution is None:
        return _schedule(day, [], nobody, "no_solution", elapsed)
    container = solution.IntervalVarContainer()
    break_start = {container.Element(i).Var().Name(): container.Element(i).StartValue()
                   for i in range(container.Size())}
    routes = []
    for v in range(k):
        index, visits = solution.Value(routing.NextVar(routing.Start(v))), []
        while not routing.IsEnd(index):
            visits.append((manager.IndexToNode(index), solution.Value(time_dim.CumulVar(index))))
            index = solution.Value(routing.NextVar(index))
        if visits:
            breaks = sorted((break_start[iv.Name()], v, b_i)
                            for b_i, iv in enumerate(break_vars.get(v, [])))
            routes.append((v, solution.Value(time_dim.CumulVar(routing.Start(v))), visits,
                           breaks))
    status = routing_enums_pb2.RoutingSearchStatus.Value.Name(routing.status())
    return _schedule(day, routes, nobody, status, elapsed)


def _route_steps(day: _Day, v: int, departure: int, visits: list[tuple[int, int]],
                 breaks: list[tuple[int, int, int]]) -> tuple[list[dict[str, Any]], float, float]:
    """Steps of one route, re-timed forward with OR-Tools' times as lower bounds: identical
    to them unless a break overlapped driving, which the contract does not allow."""
    eng = day.engineers[v]
    # A break goes after the last visit that OR-Tools starts before it, at that location.
    events = [(cumul, 1, node) for node, cumul in visits]
    events += [(start, 0, b_i) for start, _, b_i in breaks]
    events.sort()
    steps: list[dict[str, Any]] = [{"type": "start", "location": eng["start"],
                                    "departure": departure}]
    t, node, travel, distance = departure, day.starts[v], 0.0, 0.0
    for when, is_job, ref in events:
        if not is_job:
            start = max(t, when)
            t = start + math.ceil(eng["breaks"][ref]["duration"])
            steps.append({"type": "break", "start": start, "end": t})
            continue
        arrival = t + int(day.time_i[node, ref])
        start = max(arrival, when)
        travel += float(day.time_f[node, ref])
        distance += float(day.dist_f[node, ref])
        t, node = start + int(day.duration[ref]), ref
        steps.append({"type": "job", "job": day.jobs[ref]["id"], "arrival": arrival,
                      "start": start, "end": t})
    if not day.open_end[v]:
        end = day.ends[v]
        travel += float(day.time_f[node, end])
        distance += float(day.dist_f[node, end])
        steps.append({"type": "end", "location": eng.get("end", eng["start"]),
                      "arrival": t + int(day.time_i[node, end])})
    return steps, travel, distance


def _schedule(day: _Day, routes: list[Any], nobody: set[int], status: str,
              elapsed: float) -> dict[str, Any]:
    """The contract schedule for OR-Tools' routes ``(vehicle, departure, visits, breaks)``."""
    out, served = [], set()
    travel_total = distance_total = 0.0
    for v, departure, visits, breaks in routes:
        steps, travel, distance = _route_steps(day, v, departure, visits, breaks)
        out.append({"engineer": day.engineers[v]["id"], "steps": steps})
        travel_total += travel
        distance_total += distance
        served.update(node for node, _ in visits)
    unassigned = [{"job": job["id"],
                   "reason": "no_engineer_with_skills" if i in nobody else "dropped_by_solver"}
                  for i, job in enumerate(day.jobs) if i not in served]
    return {"routes": out, "unassigned": unassigned,
            "summary": {"travel_time": round(travel_total, 3),
                        "distance": round(distance_total, 3), "assigned": len(served),
                        "unassigned": len(unassigned), "engineers_used": len(out),
                        "status": status, "solve_time": round(elapsed, 3),
                        "solver": "plain OR-Tools baseline"}}
