"""`solve(problem, ...) -> Schedule`: the scheduling core's one entry point.

1. Jobs nobody could ever do are set aside with their reason (`reasons.hopeless_jobs`).
2. `construct` builds a plan by regret insertion, chains placed as units (or the plan is
   rebuilt from a warm-start schedule, then completed by insertion).
3. Ruin-and-recreate (`lns`) improves it with exact timing, for a work budget derived from
   the time limit (repeatable for a seed).
4. The OR-Tools model then runs guided local search from that plan (by default only on days
   without breaks; see `SolveOptions.search`). Its result is re-timed exactly
   (`plan_from_routes`), topped up by insertion, and kept only if it beats the plan
   lexicographically (jobs per priority level, then travel): it never makes a plan worse.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scheduler import lns
from scheduler.construct import construct, plan_from_routes
from scheduler.instance import Instance, build_instance
from scheduler.model import Problem
from scheduler.ortools_search import RoutingModel, SearchSettings
from scheduler.reasons import explain, hopeless_jobs
from scheduler.schedule import Schedule, build_schedule
from scheduler.travel import MatrixProvider

Progress = Callable[[str, float], None]
"""Called with a phase name and the fraction of the time limit used."""

# Work per second of limit: turns the time limit into a fixed amount of work, so a run is
# repeatable; calibrated on this machine class (2 cores) so the work ends near the limit.
# OR-Tools counts solutions, not work: the descent to a first local optimum finds ~100 in a
# fraction of a second, guided local search then finds improving ones ever more slowly (on
# Solomon R202 400 took 7 s, on C104 15 s). The deterministic budget is the descent plus a
# tail that grows with the limit.
SOLUTIONS_BASE = 100
SOLUTIONS_PER_SECOND = 25
EVALUATIONS_PER_SECOND = 20_000  # insertion evaluations in the ruin-and-recreate search


@dataclass(frozen=True)
class SolveOptions:
    time_limit: float = 30.0
    seed: int = 0
    candidates: int = 30
    """Nearest eligible engineers considered per job during construction."""
    search: str = "auto"
    """OR-Tools local search after ruin-and-recreate: ``always``, ``never``, or ``auto`` (only
    on days without breaks: with breaks OR-Tools can only search a relaxation, and on the
    benchmark days its results never survived exact re-timing)."""
    search_share: float = 0.5
    """Share of the time limit given to the OR-Tools search when it runs (the rest goes to
    ruin-and-recreate)."""
    search_from: str = "auto"
    """Where the OR-Tools search starts. ``plan``: from the ruin-and-recreate plan, after it.
    ``scratch``: first, from OR-Tools' own first solution; ruin-and-recreate then polishes
    the better of the two plans. ``auto``: scratch on days without precedence, warm start
    or frozen work (pure VRPTW: the regret plan packs routes tightly, a basin in which
    guided local search finds little; on Solomon it ended 2-3x further from the best known
    distances), else plan."""
    deterministic: bool = True
    """Bound each phase by an amount of work derived from the time limit (same seed and
    limit, same schedule on any machine), with the clock as a safety stop at 3x the limit;
    False: stop on the clock at the limit."""
    warm_start: Mapping[str, Any] | None = None
    """A previous contract schedule whose routes seed the plan."""
    frozen: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Engineer id -> job ids that stay, in this order, at the head of that route."""


def solve(problem: Problem, options: SolveOptions | None = None, *,
          provider: MatrixProvider | None = None, progress: Progress | None = None,
          **overrides: Any) -> Schedule:
    """Solve a field day; keyword overrides (``time_limit=5``) update `SolveOptions`."""
    opts = options or SolveOptions()
    if overrides:
        opts = SolveOptions(**{**opts.__dict__, **overrides})
    started = time.perf_counter()
    tick = progress or (lambda phase, frac: None)
    inst = build_instance(problem, provider)
    frozen = _frozen_indices(problem, opts.frozen)
    tick("analyse", 0.0)
    hopeless_reasons = hopeless_jobs(inst)
    order = [j for j in _job_order(inst, opts.seed) if j not in hopeless_reasons]
    tick("construct", _frac(started, opts))
    if opts.warm_start is not None:
        plan = plan_from_routes(inst, _routes_of(problem, opts.warm_start), opts.candidates,
                                frozen)
        plan.regret_insert(order)
    else:
        plan = construct(inst, opts.candidates, frozen, order)
    status = "constructed"
    has_breaks = any(inst.breaks)
    use_search = inst.n > 0 and (
        opts.search == "always" or (opts.search == "auto" and not has_breaks))
    search_first = use_search and _search_from_scratch(inst, opts)
    slack = 3.0 if opts.deterministic else 1.0  # how far past its share the clock may run
    share = opts.search_share if use_search else 0.0
    # Deterministic mode: budgets from the limit alone (never from the clock), so the same
    # seed and limit do the same work anywhere; construction's work counts against them.
    nominal = max(0.0, opts.time_limit - _reserve(inst))
    lns_work = int(EVALUATIONS_PER_SECOND * nominal * (1 - share)) - plan.calls
    solutions = SOLUTIONS_BASE + int(SOLUTIONS_PER_SECOND * nominal * share)

    def search(start: list[list[int]], seconds: float) -> None:
        nonlocal plan, status
        tick("search", _frac(started, opts))
        allowed = [j not in hopeless_reasons for j in range(inst.n)]
        model = RoutingModel(inst, allowed, frozen)
        settings = SearchSettings(
            time_limit=slack * seconds,
            solution_limit=solutions if opts.deterministic else None,
            # arc-based first solutions starve on cross-route precedence
            first_solution="PARALLEL_CHEAPEST_INSERTION" if any(inst.preds)
            else "PATH_CHEAPEST_ARC")
        routes, search_status = model.improve(start, settings)
        tick("repair", _frac(started, opts))
        searched = plan_from_routes(inst, routes, opts.candidates, frozen)
        searched.regret_insert(order)
        if lns.plan_score(searched) > lns.plan_score(plan):
            plan = searched
            status += f"; OR-Tools search improved it ({search_status})"
        else:
            status += f"; OR-Tools search found nothing better ({search_status})"

    budget = opts.time_limit - (time.perf_counter() - started) - _reserve(inst)
    first_seconds = (nominal if opts.deterministic else budget) * share
    if search_first and first_seconds > 0.2:
        search([[] for _ in range(inst.m)], first_seconds)
    lns_time = opts.time_limit - (time.perf_counter() - started) - _reserve(inst)
    if use_search and not search_first:
        lns_time *= 1 - share
    if (lns_work > 0 if opts.deterministic else lns_time > 0) and inst.n:
        tick("improve", _frac(started, opts))
        rng = np.random.default_rng(opts.seed)
        work = lns_work if opts.deterministic else 10**12
        deadline = (started + slack * opts.time_limit if opts.deterministic
                    else time.perf_counter() + lns_time)
        iters = lns.improve(plan, rng, work, deadline, order)
        status += f"; improved ({iters} ruin-and-recreate iterations)"
    left = opts.time_limit - (time.perf_counter() - started) - _reserve(inst)
    if use_search and not search_first and (left > 0.5 or opts.deterministic):
        # on the clock, keep back a moment for building the model
        search(plan.routes, nominal * share if opts.deterministic else left - 0.3)
    reasons = explain(inst, plan.unassigned(), hopeless_reasons)
    timed = [plan.timing[e].timed() for e in range(inst.m)]
    tick("done", 1.0)
    return build_schedule(inst, timed, reasons, status, time.perf_counter() - started)


def _search_from_scratch(inst: Instance, opts: SolveOptions) -> bool:
    if opts.search_from != "auto":
        return opts.search_from == "scratch"
    return not any(inst.preds) and opts.warm_start is None and not opts.frozen


def _frac(started: float, opts: SolveOptions) -> float:
    return min(1.0, (time.perf_counter() - started) / max(opts.time_limit, 1e-9))


def _reserve(inst: Instance) -> float:
    """Seconds kept back after the search for exact re-timing and top-up insertion."""
    return 0.1 + 0.006 * inst.n


def _job_order(inst: Instance, seed: int) -> list[int]:
    """Job order for tie-breaking: a seeded permutation (seed 0 keeps the input order)."""
    if seed == 0:
        return list(range(inst.n))
    return [int(x) for x in np.random.default_rng(seed).permutation(inst.n)]


def _frozen_indices(problem: Problem, frozen: Mapping[str, Sequence[str]]
                    ) -> dict[int, list[int]]:
    eidx, jidx = problem.engineer_index(), problem.job_index()
    out: dict[int, list[int]] = {}
    for eid, jobs in frozen.items():
        if eid not in eidx:
            raise ValueError(f"frozen: unknown engineer {eid!r}")
        unknown = [j for j in jobs if j not in jidx]
        if unknown:
            raise ValueError(f"frozen[{eid}]: unknown job(s) {unknown}")
        out[eidx[eid]] = [jidx[j] for j in jobs]
    return out


def _routes_of(problem: Problem, schedule: Mapping[str, Any]) -> list[list[int]]:
    """Job-index sequences per engineer from a contract schedule (unknown ids ignored)."""
    eidx, jidx = problem.engineer_index(), problem.job_index()
    routes: list[list[int]] = [[] for _ in problem.engineers]
    for route in schedule.get("routes", []):
        e = eidx.get(route.get("engineer"))
        if e is None:
            continue
        routes[e] = [jidx[s["job"]] for s in route.get("steps", [])
                     if s.get("type") == "job" and s.get("job") in jidx]
    return routes
