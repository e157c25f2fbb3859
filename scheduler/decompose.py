"""Decomposed solving of large days: cluster, solve groups in parallel, repair borders.

1. Jobs linked by ``after`` form one *unit* (a chain never crosses a group). Units are
   grouped by a capacity-balanced geographic clusterer (`clustering.BalancedGeoClusterer`,
   work = duration) into groups of about ``group_size`` jobs, and engineers are given to
   groups by home, skills and capacity (`clustering.assign_engineers`). Pinned jobs follow
   their engineer.
2. Each group is an ordinary sub-problem solved by `solve` in a worker process — local
   processes by default, or a Dask distributed cluster (``dask_scheduler``) — with a time
   share proportional to its size.
3. Border repair: jobs a group left unassigned (and could be done) are offered to that
   group's engineers and those of its nearest groups: a sub-problem with their routes as a
   warm start and the leftover jobs, solved briefly. Neighbourhoods that do not overlap
   are repaired in parallel.

The full day's travel matrix is never built, so memory grows with the group size, not with
the day: 20,000 jobs fit in a few GB.
"""
from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing import get_context
from typing import Any

import numpy as np

from scheduler.model import Engineer, Problem
from scheduler.schedule import Schedule
from scheduler.solve import Progress, SolveOptions, solve
from scheduler.travel import ContractTravel

DECOMPOSE_ABOVE = 800
"""Days with more jobs than this are decomposed by default (`fieldsched solve`)."""


@dataclass(frozen=True)
class DecomposeOptions:
    group_size: int = 300
    """Target jobs per group."""
    neighbours: int = 2
    """Nearest other groups whose engineers take part in a border repair."""
    repair_share: float = 0.2
    """Share of the time limit kept for border repair."""
    workers: int | None = None
    """Local worker processes (default: CPU count)."""
    dask_scheduler: str | None = None
    """``tcp://HOST:PORT`` of a Dask distributed scheduler to run group solves on."""


def solve_group(payload: dict[str, Any]) -> dict[str, Any]:
    """Worker entry point: solve one contract sub-problem, return the contract schedule."""
    problem = Problem.from_dict(payload["problem"])
    opts = SolveOptions(**payload["options"])
    return solve(problem, opts).to_dict()


def solve_decomposed(problem: Problem, options: SolveOptions | None = None,
                     decompose: DecomposeOptions | None = None,
                     progress: Progress | None = None,
                     executor: Executor | None = None) -> Schedule:
    """Solve a large day by decomposition; the result is one contract schedule."""
    opts = options or SolveOptions()
    dec = decompose or DecomposeOptions()
    tick = progress or (lambda phase, frac: None)
    started = time.perf_counter()
    tick("cluster", 0.0)
    job_group, eng_group, n_groups = partition(problem, dec.group_size, opts.seed)
    groups = [_subproblem(problem, job_group, eng_group, g) for g in range(n_groups)]
    runner = _Runner(dec, executor)
    try:
        budget = opts.time_limit * (1 - dec.repair_share) - (time.perf_counter() - started)
        share = budget * runner.parallelism / max(1, len(problem.jobs))
        payloads = []
        for sub in groups:
            limit = max(0.5, share * len(sub.jobs))
            payloads.append({"problem": sub.to_dict(),
                             "options": _options_dict(opts, time_limit=limit)})
        tick("solve groups", _frac(started, opts))
        results = runner.map(payloads)
        routes: dict[str, dict[str, Any]] = {}
        reasons: dict[str, str] = {}
        for res in results:
            _collect(res, routes, reasons)
        tick("repair borders", _frac(started, opts))
        centres = _centres(problem, job_group, n_groups)
        deadline = started + opts.time_limit
        _repair(problem, groups, centres, routes, reasons, dec, opts, runner, deadline)
    finally:
        runner.close()
    tick("done", 1.0)
    return assemble(problem, routes, reasons, started,
                    f"decomposed into {n_groups} groups of ~{dec.group_size} jobs")


# -- partition ---------------------------------------------------------------------------

def partition(problem: Problem, group_size: int, seed: int = 0
              ) -> tuple[np.ndarray, np.ndarray, int]:
    """Group index per job and per engineer (-1 = unused), and the number of groups."""
    from clustering import BalancedGeoClusterer, assign_engineers

    jobs, engs = problem.jobs, problem.engineers
    n_groups = max(1, math.ceil(len(jobs) / group_size))
    units = _units(problem)
    unit_of = np.empty(len(jobs), dtype=int)
    for u, members in enumerate(units):
        unit_of[members] = u
    xy = _lonlat(problem, [jobs[m[0]].location for m in units])
    work = np.array([sum(jobs[i].duration for i in m) for m in units], dtype=float)
    if n_groups == 1 or len(units) <= n_groups:
        return np.zeros(len(jobs), dtype=int), np.zeros(len(engs), dtype=int), 1
    est = BalancedGeoClusterer(n_clusters=n_groups, random_state=seed)
    unit_labels = est.fit(xy, sample_weight=np.maximum(work, 1.0)).labels_
    centres = est.cluster_centers_
    job_group = unit_labels[unit_of]
    skills = [sorted(frozenset().union(*(jobs[i].skills for i in m))) for m in units]
    homes = _lonlat(problem, [e.start for e in engs])
    capacity = np.array([max(0.0, e.shift[1] - e.shift[0] - sum(b.duration for b in e.breaks))
                         for e in engs])
    eng_group = assign_engineers(xy, skills, work, unit_labels, centres, homes,
                                 [sorted(e.skills) for e in engs], capacity)
    eidx = problem.engineer_index()
    for members in units:  # pinned jobs follow their engineer
        pins = {jobs[i].engineer for i in members if jobs[i].engineer in eidx}
        if pins:
            job_group[members] = eng_group[eidx[sorted(pins)[0]]]
    return job_group, eng_group, len(centres)


def _units(problem: Problem) -> list[list[int]]:
    """Jobs connected by ``after`` (union-find), each list sorted."""
    jidx = problem.job_index()
    parent = list(range(len(problem.jobs)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, job in enumerate(problem.jobs):
        for a in job.after:
            ra, rb = find(i), find(jidx[a])
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in range(len(problem.jobs)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _lonlat(problem: Problem, locations: Sequence[Any]) -> np.ndarray:
    if problem.travel.metric != "haversine":
        raise ValueError("decomposition needs haversine locations (lon/lat)")
    return np.asarray(locations, dtype=float).reshape(-1, 2)


def _centres(problem: Problem, job_group: np.ndarray, n_groups: int) -> np.ndarray:
    xy = _lonlat(problem, [j.location for j in problem.jobs])
    out = np.zeros((n_groups, 2))
    for g in range(n_groups):
        pts = xy[job_group == g]
        out[g] = pts.mean(axis=0) if len(pts) else xy.mean(axis=0)
    return out


def _subproblem(problem: Problem, job_group: np.ndarray, eng_group: np.ndarray,
                g: int) -> Problem:
    jobs = [j for j, gg in zip(problem.jobs, job_group, strict=True) if gg == g]
    engs = [e for e, gg in zip(problem.engineers, eng_group, strict=True) if gg == g]
    return Problem(engineers=tuple(engs), jobs=tuple(jobs), travel=problem.travel,
                   name=f"{problem.name}/group{g}", horizon_start=problem.horizon_start)


# -- execution ---------------------------------------------------------------------------

class _Runner:
    """Maps group solves over local processes or a Dask cluster."""

    def __init__(self, dec: DecomposeOptions, executor: Executor | None):
        self.client = None
        self.own = executor is None
        if dec.dask_scheduler:
            from dask.distributed import Client

            self.client = Client(dec.dask_scheduler, timeout="30s")
            self.parallelism = max(1, sum(self.client.nthreads().values()))
            self.executor = None
        else:
            workers = dec.workers or os.cpu_count() or 1
            self.parallelism = workers
            self.executor = executor or ProcessPoolExecutor(
                max_workers=workers, mp_context=get_context("spawn"))

    def map(self, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not payloads:
            return []
        if self.client is not None:
            # largest first, so the long solves do not end up last
            order = sorted(range(len(payloads)), key=lambda i: -len(payloads[i]["problem"]["jobs"]))
            futures = self.client.map(solve_group, [payloads[i] for i in order], pure=False)
            done = self.client.gather(futures)
            out: list[dict[str, Any]] = [{}] * len(payloads)
            for i, res in zip(order, done, strict=True):
                out[i] = res
            return out
        if len(payloads) == 1 or self.parallelism == 1:
            return [solve_group(p) for p in payloads]
        return list(self.executor.map(solve_group, payloads))

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        elif self.own and self.executor is not None:
            self.executor.shutdown()


def _options_dict(opts: SolveOptions, **changes: Any) -> dict[str, Any]:
    d = {k: v for k, v in opts.__dict__.items() if k not in ("warm_start", "frozen")}
    d.update(changes)
    return d


def _frac(started: float, opts: SolveOptions) -> float:
    return min(1.0, (time.perf_counter() - started) / max(opts.time_limit, 1e-9))


def _collect(schedule: dict[str, Any], routes: dict[str, dict[str, Any]],
             reasons: dict[str, str]) -> None:
    for r in schedule["routes"]:
        routes[r["engineer"]] = r
    for u in schedule["unassigned"]:
        reasons[u["job"]] = u["reason"]


# -- border repair -----------------------------------------------------------------------

def _repair(problem: Problem, groups: list[Problem], centres: np.ndarray,
            routes: dict[str, dict[str, Any]], reasons: dict[str, str],
            dec: DecomposeOptions, opts: SolveOptions, runner: _Runner,
            deadline: float) -> None:
    """Offer each group's leftover jobs to its own and its nearest groups' engineers."""
    n = len(groups)
    if n < 2 or dec.neighbours < 1:
        return
    d = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
    todo = [g for g in range(n) if any(j.id in reasons for j in groups[g].jobs)]
    while todo and time.perf_counter() < deadline - 0.5:
        batch, busy = [], set()
        for g in todo:
            hood = {g, *(int(x) for x in np.argsort(d[g])[1:dec.neighbours + 1])}
            if hood & busy:
                continue
            busy |= hood
            batch.append((g, sorted(hood)))
        todo = [g for g in todo if g not in {b[0] for b in batch}]
        rounds_left = 1 + math.ceil(len(todo) / max(1, runner.parallelism))
        limit = max(0.5, min(10.0, (deadline - time.perf_counter()) / rounds_left - 0.3))
        payloads, subs = [], []
        for g, hood in batch:
            engs = [e for h in hood for e in groups[h].engineers]
            leftovers = [j.id for j in groups[g].jobs if j.id in reasons]
            sub = _repair_problem(problem, engs, routes, leftovers, f"repair{g}")
            if sub is None:
                continue
            warm = {"routes": [routes[e.id] for e in engs if e.id in routes]}
            subs.append((hood, sub))
            payloads.append({"problem": sub.to_dict(),
                             "options": {**_options_dict(opts, time_limit=limit),
                                         "warm_start": warm}})
        for (hood, sub), res in zip(subs, runner.map(payloads), strict=True):
            engs = [e.id for h in hood for e in groups[h].engineers]
            before = sum(_n_jobs(routes[e]) for e in engs if e in routes)
            after = sum(_n_jobs(r) for r in res["routes"])
            if after < before:  # never accept a repair that loses work
                continue
            for e in engs:
                routes.pop(e, None)
            for j in sub.jobs:  # leftovers kept out of the repair keep their reason
                reasons.pop(j.id, None)
            _collect(res, routes, reasons)


def _n_jobs(route: dict[str, Any]) -> int:
    return sum(1 for s in route["steps"] if s["type"] == "job")


def _repair_problem(problem: Problem, engineers: list[Engineer],
                    routes: dict[str, dict[str, Any]], leftovers: list[str],
                    name: str) -> Problem | None:
    """Engineers with their current jobs plus leftovers (those that can still be done).

    A precedence link to a job outside the sub-problem becomes a time window at a *split
    time* agreed from the current plan (midway between the predecessor's end and the
    successor's start): the predecessor must end by it, the successor may not start before
    it. Both sides of a link derive the same split from the same snapshot, so repairs of
    two neighbourhoods that run at the same time can never move a chain's ends past each
    other. ``None`` when a job already on a route would not fit its derived window (the
    neighbourhood is then left as it is).
    """
    jobs_by_id = {j.id: j for j in problem.jobs}
    times: dict[str, tuple[float, float]] = {}
    for r in routes.values():
        for st in r["steps"]:
            if st["type"] == "job":
                times[st["job"]] = (st["start"], st["end"])
    assigned = [st["job"] for e in engineers if e.id in routes
                for st in routes[e.id]["steps"] if st["type"] == "job"]
    inside = set(assigned) | set(leftovers)
    succs: dict[str, list[str]] = {}
    for j in problem.jobs:
        for a in j.after:
            succs.setdefault(a, []).append(j.id)
    jobs = []
    for jid in [*assigned, *leftovers]:
        job = jobs_by_id[jid]
        lo, hi = -math.inf, math.inf
        for a in job.after:
            if a not in inside:
                lo = max(lo, split_time(times, a, jid))
        for sx in succs.get(jid, []):
            if sx not in inside:
                hi = min(hi, split_time(times, jid, sx) - job.duration)
        after = tuple(a for a in job.after if a in inside)
        windows = job.time_windows
        if lo > -math.inf or hi < math.inf:
            base = windows or ((-math.inf, math.inf),)
            windows = tuple((max(a, lo), min(b, hi)) for a, b in base if max(a, lo) <= min(b, hi))
            if not windows:
                if jid in times:
                    return None
                continue  # a leftover that cannot be done now stays unassigned
            windows = tuple((a if a > -math.inf else 0.0, b if b < math.inf else 10**9)
                            for a, b in windows)
        jobs.append(replace(job, after=after, time_windows=windows))
    kept = {j.id for j in jobs}
    jobs = [replace(j, after=tuple(a for a in j.after if a in kept)) for j in jobs]
    return Problem(engineers=tuple(engineers), jobs=tuple(jobs), travel=problem.travel,
                   name=f"{problem.name}/{name}", horizon_start=problem.horizon_start)


def split_time(times: dict[str, tuple[float, float]], pred: str, succ: str) -> float:
    """Where a chain link crossing a sub-problem's edge is cut, from the current plan.

    Both planned: midway between the predecessor's end and the successor's start. Only the
    predecessor planned: its end (it may not move later, the successor may be placed after
    it by another repair). Predecessor not planned: the successor cannot be done (+inf).
    """
    if pred not in times:
        return math.inf
    if succ not in times:
        return times[pred][1]
    return (times[pred][1] + max(times[pred][1], times[succ][0])) / 2


# -- result ------------------------------------------------------------------------------

def assemble(problem: Problem, routes: dict[str, dict[str, Any]], reasons: dict[str, str],
             started: float, status: str) -> Schedule:
    """One contract schedule from the groups' routes, totals recomputed per route."""
    travel = ContractTravel(problem.travel)
    jobs_by_id = {j.id: j for j in problem.jobs}
    eng_by_id = {e.id: e for e in problem.engineers}
    out_routes = []
    total_t = total_d = work = 0.0
    prio = 0
    for eid in sorted(routes, key=lambda e: problem.engineer_index()[e]):
        route = routes[eid]
        ids = [st["job"] for st in route["steps"] if st["type"] == "job"]
        if not ids:
            continue
        e = eng_by_id[eid]
        locs = [e.start, *(jobs_by_id[j].location for j in ids)]
        if e.end is not None:
            locs.append(e.end)
        mats = travel.matrices(locs)
        idx = np.arange(len(locs) - 1)
        total_t += float(mats.durations[idx, idx + 1].sum())
        total_d += float(mats.distances[idx, idx + 1].sum())
        work += sum(jobs_by_id[j].duration for j in ids)
        prio += sum(jobs_by_id[j].priority for j in ids)
        out_routes.append(route)
    unassigned = [{"job": j, "reason": r} for j, r in sorted(reasons.items())]
    summary = {
        "travel_time": round(total_t, 3), "distance": round(total_d, 3),
        "assigned": sum(_n_jobs(r) for r in out_routes), "unassigned": len(unassigned),
        "engineers_used": len(out_routes), "work_time": round(work, 3),
        "priority_assigned": prio, "solve_time": round(time.perf_counter() - started, 3),
        "status": status,
    }
    return Schedule(out_routes, unassigned, summary)
