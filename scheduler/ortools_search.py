"""OR-Tools routing model of the field day, used to improve a constructed plan.

The model carries skills and pinning (by restricting ``VehicleVar``: in OR-Tools 9.15
``SetAllowedVehiclesForIndex`` rejects Python lists), shift start/end, several windows per
job, capacity vectors, ``max_jobs``, cross-engineer
precedence (``solver.Add`` on the time cumuls, conditional on activity) and priorities as
lexicographic drop penalties. Times are the instance's grid values times its scale, as
integers, so the model and the exact route timing agree.

Breaks are deliberately left out. OR-Tools' break intervals may interrupt a drive (the
contract's may not), and with a hundred-odd vehicles they made the search reject plans that
are feasible route by route. So the search works on the relaxation without breaks, and
`construct.plan_from_routes` re-times every route exactly, breaks included, dropping the
few jobs that no longer fit for the insertion step to re-place.

It starts from the plan built by `construct` (``ReadAssignmentFromRoutes``) and runs guided
local search. The search is bounded by a solution count derived from the time limit as well
as by the wall clock, which is what makes the same seed and limit give the same schedule.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from scheduler.instance import Instance

INF = math.inf


@dataclass(frozen=True)
class SearchSettings:
    time_limit: float
    solution_limit: int | None = None
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"


def drop_penalties(inst: Instance, base: int) -> list[int]:
    """Lexicographic penalties: dropping one job of a priority costs more than dropping
    every job of all lower priorities together (capped so int64 cannot overflow)."""
    levels = sorted(set(inst.priority))
    weight: dict[int, int] = {}
    w = base
    count_below = 0
    for p in levels:
        weight[p] = w
        count_below += sum(1 for q in inst.priority if q == p)
        w = min(w * (count_below + 1), 2**53)
    return [weight[p] for p in inst.priority]


class RoutingModel:
    """Builds the OR-Tools model once; `improve` runs a search from given routes."""

    def __init__(self, inst: Instance, allowed: list[bool] | None = None,
                 frozen: dict[int, list[int]] | None = None):
        self.inst = inst
        n, m = inst.n, inst.m
        starts = [n + e for e in range(m)]
        ends = [n + m + e for e in range(m)]
        self.manager = pywrapcp.RoutingIndexManager(n + 2 * m, m, starts, ends)
        self.routing = pywrapcp.RoutingModel(self.manager)
        mgr, routing = self.manager, self.routing
        solver = routing.solver()
        self.scale = inst.scale
        g = self.grid
        horizon = g(max(hi for _, hi in inst.shift)) + 1
        self.horizon = horizon
        travel = np.rint(inst.T * inst.scale).astype(np.int64)
        service = np.zeros(n + 2 * m, dtype=np.int64)
        service[:n] = [g(d) for d in inst.duration]
        # Every node is its own routing index here (starts and ends are distinct nodes), so
        # node-indexed matrices and per-index vectors coincide.
        order = [mgr.IndexToNode(i) for i in range(routing.Size() + m)]
        assert order == list(range(n + 2 * m))
        self.cost_cb = routing.RegisterTransitMatrix(travel.tolist())
        transit = travel + service[:, None]
        self.time_cb = routing.RegisterTransitMatrix(transit.tolist())
        routing.SetArcCostEvaluatorOfAllVehicles(self.cost_cb)
        routing.AddDimension(self.time_cb, horizon, horizon, False, "time")
        time = routing.GetDimensionOrDie("time")
        self.time = time
        for e in range(m):
            lo, hi = inst.shift[e]
            time.CumulVar(routing.Start(e)).SetRange(g(lo), g(hi))
            time.CumulVar(routing.End(e)).SetRange(g(lo), g(hi))
        penalties = drop_penalties(inst, base=10 * horizon)
        for j in range(n):
            idx = mgr.NodeToIndex(j)
            cum = time.CumulVar(idx)
            wins = [(max(0, g(lo)) if lo > -INF else 0,
                     min(horizon, g(hi)) if hi < INF else horizon)
                     for lo, hi in inst.windows[j]]
            wins = [w for w in wins if w[0] <= w[1]]
            ok = (allowed is None or allowed[j]) and inst.eligible[j] and wins
            if ok:
                cum.SetRange(wins[0][0], wins[-1][1])
                for (_, a), (b, _) in zip(wins, wins[1:], strict=False):
                    if b > a + 1:
                        cum.RemoveInterval(a + 1, b - 1)
                if len(inst.eligible[j]) < m:
                    routing.VehicleVar(idx).SetValues([-1, *inst.eligible[j]])
            else:
                routing.VehicleVar(idx).SetValues([-1])
            routing.AddDisjunction([idx], int(penalties[j]))
        self._capacities(service, order)
        self._precedence(solver)
        self._freeze(frozen or {})

    def grid(self, x: float) -> int:
        """A grid time (already rounded by the instance) as OR-Tools' integer."""
        return int(round(x * self.scale))

    def _capacities(self, service: np.ndarray, order: list[int]) -> None:
        inst, routing, mgr = self.inst, self.routing, self.manager
        dims = max((len(c) for c in inst.capacity if c is not None), default=0)
        for d in range(dims):
            dem = [0] * (inst.n + 2 * inst.m)
            for j in range(inst.n):
                if inst.demand[j] is not None and d < len(inst.demand[j]):
                    dem[j] = int(math.ceil(inst.demand[j][d]))
            cb = routing.RegisterUnaryTransitVector([dem[node] for node in order])
            caps = [int(c[d]) if c is not None and d < len(c) else 10**9 for c in inst.capacity]
            routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, f"capacity{d}")
        if any(mj is not None for mj in inst.max_jobs):
            ones = [1 if node < inst.n else 0 for node in order]
            cb = routing.RegisterUnaryTransitVector(ones)
            caps = [mj if mj is not None else inst.n for mj in inst.max_jobs]
            routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, "jobs")
        del mgr, service

    def _precedence(self, solver: pywrapcp.Solver) -> None:
        inst, routing, mgr, time = self.inst, self.routing, self.manager, self.time
        big = 2 * self.horizon
        for s in range(inst.n):
            for p in inst.preds[s]:
                si, pi = mgr.NodeToIndex(s), mgr.NodeToIndex(p)
                solver.Add(routing.ActiveVar(si) <= routing.ActiveVar(pi))
                dur = self.grid(inst.duration[p])
                solver.Add(time.CumulVar(si) + big * (1 - routing.ActiveVar(si))
                           >= time.CumulVar(pi) + dur)

    def _freeze(self, frozen: dict[int, list[int]]) -> None:
        routing, mgr = self.routing, self.manager
        for e, jobs in frozen.items():
            prev = routing.Start(e)
            for j in jobs:
                idx = mgr.NodeToIndex(j)
                routing.NextVar(prev).SetValue(idx)
                routing.VehicleVar(idx).SetValue(e)
                prev = idx

    def improve(self, routes: list[list[int]], settings: SearchSettings
                ) -> tuple[list[list[int]], str]:
        """Run the search from ``routes`` (job indices per engineer); return new routes."""
        routing, mgr = self.routing, self.manager
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = getattr(
            routing_enums_pb2.FirstSolutionStrategy, settings.first_solution)
        params.local_search_metaheuristic = getattr(
            routing_enums_pb2.LocalSearchMetaheuristic, settings.metaheuristic)
        params.time_limit.FromMilliseconds(max(1, int(settings.time_limit * 1000)))
        if settings.solution_limit:
            params.solution_limit = settings.solution_limit
        routing.CloseModelWithParameters(params)
        initial = None
        if any(routes):
            initial = routing.ReadAssignmentFromRoutes(
                [[mgr.NodeToIndex(j) for j in r] for r in routes], True)
        if initial is not None:
            sol = routing.SolveFromAssignmentWithParameters(initial, params)
        else:
            sol = routing.SolveWithParameters(params)
        status = {0: "not_solved", 1: "success", 2: "partial_success", 3: "fail",
                  4: "fail_timeout", 5: "invalid", 6: "infeasible", 7: "optimal"}.get(
            routing.status(), str(routing.status()))
        if sol is None:
            return routes, status
        out = []
        for e in range(self.inst.m):
            idx = routing.Start(e)
            seq = []
            idx = sol.Value(routing.NextVar(idx))
            while not routing.IsEnd(idx):
                seq.append(mgr.IndexToNode(idx))
                idx = sol.Value(routing.NextVar(idx))
            out.append(seq)
        return out, status
