"""Why a job is unassigned, decided by analysis of the problem and the plan, not guessed.

Reasons, checked in this order:

- ``no_engineer_with_skills``: nobody holds every skill the job needs (or its pinned engineer
  does not, or does not exist on this day).
- ``capacity``: its demand exceeds every eligible engineer's capacity, or their ``max_jobs``
  is 0.
- ``no_feasible_time_window``: no eligible engineer can do it even alone: from home, inside a
  window, with the breaks, and home again before the shift ends (for a job with
  predecessors: not after the earliest time they could possibly end).
- ``predecessor_unassigned``: a job it must follow (``after``) is unassigned.
- ``not_enough_engineer_time``: it fits alone, but not into the final plan.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

from scheduler.construct import clip_windows
from scheduler.instance import Instance
from scheduler.timing import RouteTiming

REASONS = ("no_engineer_with_skills", "capacity", "no_feasible_time_window",
           "predecessor_unassigned", "not_enough_engineer_time")


def alone_end(inst: Instance, job: int, e: int, release: float = -math.inf) -> float | None:
    """Earliest end of ``job`` done alone by ``e`` (from home, starting no earlier than
    ``release``, every break taken, home by shift end), or None when that is impossible."""
    windows = list(inst.windows)
    if release > -math.inf:
        windows[job] = clip_windows(windows[job], lo=release)
        if not windows[job]:
            return None
    start = RouteTiming(inst, e, [], windows).insertion(job, 0)
    return None if start is None else start + inst.duration[job]


def capacity_ok(inst: Instance, job: int, e: int) -> bool:
    mj = inst.max_jobs[e]
    if mj is not None and mj < 1:
        return False
    cap, dem = inst.capacity[e], inst.demand[job]
    if cap is None or dem is None:
        return True
    return all(d <= c + 1e-9 for d, c in zip(dem, cap, strict=False))


def hopeless_jobs(inst: Instance) -> dict[int, str]:
    """Jobs that can never be assigned, with the reason; a chain is followed through, so a
    successor whose window closes before its predecessor could possibly end is hopeless
    too."""
    out: dict[int, str] = {}
    earliest_end: dict[int, float] = {}
    for j in _topological(inst):
        if not inst.eligible[j]:
            out[j] = "no_engineer_with_skills"
            continue
        engs = [e for e in inst.eligible[j] if capacity_ok(inst, j, e)]
        if not engs:
            out[j] = "capacity"
            continue
        if any(p in out for p in inst.preds[j]):
            out[j] = "predecessor_unassigned"
            continue
        release = max((earliest_end[p] for p in inst.preds[j]), default=-math.inf)
        best = math.inf
        for e in engs:
            end = alone_end(inst, j, e, release)
            if end is not None and end < best:
                best = end
                if not inst.succs[j]:
                    break  # only successors need the earliest end
        if best == math.inf:
            out[j] = "no_feasible_time_window"
        else:
            earliest_end[j] = best
    return out


def _topological(inst: Instance) -> list[int]:
    indeg = [len(p) for p in inst.preds]
    ready = [j for j in range(inst.n) if indeg[j] == 0]
    order = []
    while ready:
        j = ready.pop()
        order.append(j)
        for s in inst.succs[j]:
            indeg[s] -= 1
            if indeg[s] == 0:
                ready.append(s)
    return order


def explain(inst: Instance, unassigned: Iterable[int],
            known: dict[int, str] | None = None) -> dict[int, str]:
    """A reason for every unassigned job (``known`` holds reasons computed earlier)."""
    known = dict(known or {})
    todo = sorted(set(unassigned))
    out: dict[int, str] = {}
    for j in todo:
        out[j] = known.get(j, "")
    missing = set(todo)
    for j in todo:
        if out[j]:
            continue
        if any(p in missing for p in _ancestors(inst, j)):
            out[j] = "predecessor_unassigned"
        else:
            out[j] = "not_enough_engineer_time"
    return out


def _ancestors(inst: Instance, job: int) -> set[int]:
    seen: set[int] = set()
    stack = list(inst.preds[job])
    while stack:
        p = stack.pop()
        if p not in seen:
            seen.add(p)
            stack.extend(inst.preds[p])
    return seen
