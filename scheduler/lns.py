"""Ruin and recreate: large-neighbourhood search on a plan, with exact timing throughout.

Each iteration removes a few related jobs (the nearest neighbours of a random job, with
their chain partners so a pre-cable and its install move together, or a whole route),
re-inserts them and the unassigned jobs near them by regret insertion, and keeps the result
if it is no worse (jobs assigned per priority level first, then travel, with a small
record-to-record allowance on travel so the search can cross plateaus).

Work is counted in insertion evaluations, not seconds: the same seed and budget give the
same plan on any machine; the wall clock is only a safety stop.
"""
from __future__ import annotations

import time

import numpy as np

from scheduler.construct import Plan

ACCEPT_WORSE_TRAVEL = 0.003  # record-to-record: accept travel within 0.3 % of the best
POOL_EXTRA = 20  # unassigned jobs offered per iteration besides the removed ones


def plan_score(plan: Plan) -> tuple[float, ...]:
    """Jobs assigned per priority level, highest level first, then -travel: compared as a
    tuple this is lexicographic, so no number of low-priority jobs outweighs a higher one."""
    inst = plan.inst
    levels = sorted(set(inst.priority), reverse=True)
    count = dict.fromkeys(levels, 0)
    for j in plan.engineer_of:
        count[inst.priority[j]] += 1
    travel = 0.0
    for e, seq in enumerate(plan.routes):
        if seq:
            locs = plan.timing[e].locs
            travel += float(inst.T[locs[:-1], locs[1:]].sum())
    return (*(count[p] for p in levels), -travel)


def improve(plan: Plan, rng: np.random.Generator, work: int, deadline: float,
            order: list[int]) -> int:
    """Improve ``plan`` in place for ``work`` insertion evaluations; returns iterations."""
    inst = plan.inst
    if not plan.engineer_of:
        return 0
    best_snap, best = plan.snapshot(), plan_score(plan)
    current = best
    stop_at = plan.calls + work
    rank = {j: i for i, j in enumerate(order)}
    iterations = 0
    while plan.calls < stop_at and time.perf_counter() < deadline:
        iterations += 1
        snap = plan.snapshot()
        removed = _ruin(plan, rng)
        if not removed:
            break
        touched = set(removed.values())
        pool = {j for j in removed if j in rank}
        nearby = [j for j in plan.unassigned()
                  if j not in pool and j in rank
                  and touched.intersection(plan.candidates(j))]
        if len(nearby) > POOL_EXTRA:  # the unassigned jobs closest to what was removed
            arr = np.asarray(nearby)
            dist = inst.T[np.asarray(list(removed))][:, arr].min(axis=0)
            nearby = [int(x) for x in arr[np.argsort(dist, kind="stable")[:POOL_EXTRA]]]
        pool.update(nearby)
        plan.regret_insert(sorted(pool, key=rank.__getitem__), max_widen=1)
        score = plan_score(plan)
        if score[:-1] > current[:-1] or (
                score[:-1] == current[:-1] and
                -score[-1] <= -best[-1] * (1 + ACCEPT_WORSE_TRAVEL) + 1e-9):
            current = score
            if score > best:
                best, best_snap = score, plan.snapshot()
        else:
            plan.restore(snap)
    plan.restore(best_snap)
    return iterations


def _ruin(plan: Plan, rng: np.random.Generator) -> dict[int, int]:
    """Remove related jobs; returns {job: engineer it was on}."""
    inst = plan.inst
    movable = [j for e, seq in enumerate(plan.routes) for j in seq[plan.frozen_len[e]:]]
    if not movable:
        return {}
    seed = movable[int(rng.integers(len(movable)))]
    if rng.random() < 0.2:
        e = plan.engineer_of[seed]
        victims = plan.routes[e][plan.frozen_len[e]:]
    else:
        k = int(rng.integers(3, 13))
        arr = np.asarray(movable)
        near = np.argsort(inst.T[seed, arr] + inst.T[arr, seed], kind="stable")[:k]
        victims = [int(x) for x in arr[near]]
    out: dict[int, int] = {}
    frozen = {j for e, seq in enumerate(plan.routes) for j in seq[:plan.frozen_len[e]]}
    # a chain moves as a unit: take the victims' predecessors too
    stack = list(victims)
    chosen: set[int] = set()
    while stack:
        j = stack.pop()
        if j not in chosen and j not in frozen:
            chosen.add(j)
            stack.extend(inst.preds[j])
    for j in sorted(chosen):
        if j in plan.engineer_of:
            out.update(plan.remove_cascade(j))
    return out
