"""The problem in solver form: integer indices, numpy travel matrices, eligibility.

Locations are laid out as ``jobs (0..n-1) | engineer starts (n..n+m-1) | engineer ends
(n+m..n+2m-1)``. An open-ended route (``end: null``) has zero travel to its end point.

All times the solver works with lie on a grid of ``1/scale`` seconds: travel and durations
rounded up, window and shift ends rounded down, starts rounded up. The OR-Tools model sees
exactly these numbers times ``scale`` as integers, so both agree on every route, and a route
feasible on the grid is feasible with the exact times. Haversine uses whole seconds (the
checker allows 1 s per leg); euclidean and fractional matrices use 1/1000.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scheduler.model import Break, Problem
from scheduler.travel import ContractTravel, MatrixProvider

INF = math.inf


@dataclass(frozen=True)
class BreakRule:
    lo: float
    hi: float
    duration: float


@dataclass
class Instance:
    problem: Problem
    n: int
    m: int
    T: np.ndarray  # travel time between location indices, on the grid
    T_exact: np.ndarray  # travel time as the contract computes it (for reporting)
    D: np.ndarray  # distance
    scale: int
    duration: list[float]
    windows: list[tuple[tuple[float, float], ...]]
    priority: list[int]
    demand: list[tuple[float, ...] | None]
    preds: list[tuple[int, ...]]
    succs: list[tuple[int, ...]]
    eligible: list[tuple[int, ...]]  # engineers allowed (skills, pinning) per job
    shift: list[tuple[float, float]]
    breaks: list[tuple[BreakRule, ...]]
    capacity: list[tuple[float, ...] | None]
    max_jobs: list[int | None]
    open_end: list[bool]

    def start_loc(self, e: int) -> int:
        return self.n + e

    def end_loc(self, e: int) -> int:
        return self.n + self.m + e

    def travel(self, a: int, b: int) -> float:
        return float(self.T[a, b])


def build_instance(problem: Problem, provider: MatrixProvider | None = None) -> Instance:
    jobs, engs = problem.jobs, problem.engineers
    n, m = len(jobs), len(engs)
    locations = [j.location for j in jobs] + [e.start for e in engs] + \
        [e.end if e.end is not None else e.start for e in engs]
    mats = (provider or ContractTravel(problem.travel)).matrices(locations)
    T_exact = np.array(mats.durations, dtype=float)
    D = np.array(mats.distances, dtype=float)
    scale = _grid_scale(problem, T_exact)
    open_end = [e.end is None for e in engs]
    for k, is_open in enumerate(open_end):
        if is_open:  # an open route ends where its last job is
            T_exact[:, n + m + k] = 0.0
            D[:, n + m + k] = 0.0
    T = up(T_exact, scale)
    jidx = problem.job_index()
    eidx = problem.engineer_index()
    preds = [tuple(jidx[a] for a in j.after) for j in jobs]
    succ_lists: list[list[int]] = [[] for _ in range(n)]
    for i, ps in enumerate(preds):
        for p in ps:
            succ_lists[p].append(i)
    eligible = []
    for j in jobs:
        if j.engineer is not None:
            cands = [eidx[j.engineer]] if j.engineer in eidx else []
        else:
            cands = list(range(m))
        eligible.append(tuple(e for e in cands if j.skills <= engs[e].skills))
    return Instance(
        problem=problem, n=n, m=m, T=T, T_exact=T_exact, D=D, scale=scale,
        duration=[float(up(j.duration, scale)) for j in jobs],
        windows=[tuple((float(up(lo, scale)), float(down(hi, scale)))
                       for lo, hi in j.time_windows) or ((-INF, INF),) for j in jobs],
        priority=[j.priority for j in jobs],
        demand=[j.demand for j in jobs],
        preds=preds, succs=[tuple(s) for s in succ_lists], eligible=eligible,
        shift=[(float(up(e.shift[0], scale)), float(down(e.shift[1], scale))) for e in engs],
        breaks=[tuple(BreakRule(float(up(b.window[0], scale)), float(down(b.window[1], scale)),
                                float(up(b.duration, scale))) for b in _break_order(e.breaks))
                for e in engs],
        capacity=[e.capacity for e in engs],
        max_jobs=[e.max_jobs for e in engs],
        open_end=open_end,
    )


def _break_order(breaks: tuple[Break, ...]) -> list[Break]:
    """The order route timing takes breaks in: chronological where windows are disjoint,
    the problem's own order where they overlap. The checker matches each break step to the
    first remaining break (in problem order) it fits, so this order is the one it agrees
    with."""
    out = list(breaks)
    for i in range(len(out)):
        for k in range(len(out) - 1 - i):
            a, b = out[k], out[k + 1]
            if b.window[1] < a.window[0]:  # disjoint and listed out of time order
                out[k], out[k + 1] = b, a
    return out


def _grid_scale(problem: Problem, T: np.ndarray) -> int:
    if problem.travel.metric == "haversine":
        return 1
    if problem.travel.metric == "matrix" and np.all(np.round(T) == T):
        values = [j.duration for j in problem.jobs] + \
            [x for j in problem.jobs for w in j.time_windows for x in w] + \
            [x for e in problem.engineers for x in e.shift]
        if all(float(v).is_integer() for v in values):
            return 1
    return 1000


def up(x: np.ndarray | float, scale: int) -> np.ndarray | float:
    """Round up to the grid (with a guard against float noise)."""
    return np.ceil(np.asarray(x, dtype=float) * scale - 1e-9) / scale


def down(x: float, scale: int) -> float:
    return float(np.floor(x * scale + 1e-9) / scale)
