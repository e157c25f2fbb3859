"""Give each group of jobs engineers: by home location, skills and capacity."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from ortools.graph.python import min_cost_flow

from .geo import haversine_matrix_km

#: Groups each engineer may be sent to by the capacity flow (nearest first).
_N_CANDIDATES = 12
#: Metres charged per second of capacity conjured for a group no one can reach.
_SHORTFALL_COST = 100_000_000

SPARE_POLICIES = ("balance", "nearest", "none")


def requirements(job_skills: Sequence[Iterable[str]], labels: ArrayLike, n_groups: int):
    """The distinct skill sets the jobs of each group need: ``list[set[frozenset]]``.

    A job needs one engineer holding *all* its skills, so a group's need is a
    set of skill sets, not a set of skills: an installer and a pre-cabler do
    not together cover a job that needs both.
    """
    labels = np.asarray(labels)
    need: list[set[frozenset[str]]] = [set() for _ in range(n_groups)]
    for g, skills in zip(labels, job_skills, strict=True):
        s = frozenset(skills)
        if s:
            need[int(g)].add(s)
    return need


def skill_gaps(
    job_skills: Sequence[Iterable[str]],
    labels: ArrayLike,
    eng_skills: Sequence[Iterable[str]],
    eng_labels: ArrayLike,
    n_groups: int,
) -> dict[int, list[frozenset[str]]]:
    """Skill sets needed by a group's jobs that no engineer of that group holds."""
    need = requirements(job_skills, labels, n_groups)
    held: list[list[frozenset[str]]] = [[] for _ in range(n_groups)]
    for g, skills in zip(np.asarray(eng_labels), eng_skills, strict=True):
        if g >= 0:
            held[int(g)].append(frozenset(skills))
    gaps: dict[int, list[frozenset[str]]] = {}
    for g in range(n_groups):
        missing = [s for s in need[g] if not any(s <= h for h in held[g])]
        if missing:
            gaps[g] = sorted(missing, key=sorted)
    return gaps


def group_capacity(eng_labels: ArrayLike, eng_capacity_seconds: ArrayLike, n_groups: int):
    """Summed engineer capacity (seconds) per group; engineers labelled -1 are skipped."""
    eng_labels = np.asarray(eng_labels)
    cap = np.asarray(eng_capacity_seconds, dtype=np.float64)
    used = eng_labels >= 0
    return np.bincount(eng_labels[used], weights=cap[used], minlength=n_groups)


def assign_engineers(
    job_lonlat: ArrayLike,
    job_skills: Sequence[Iterable[str]],
    job_work: ArrayLike,
    labels: ArrayLike,
    centers: ArrayLike,
    eng_lonlat: ArrayLike,
    eng_skills: Sequence[Iterable[str]],
    eng_capacity_seconds: ArrayLike,
    *,
    headroom: float = 1.2,
    spare: str = "nearest",
) -> NDArray[np.int64]:
    """Group of each engineer, so every group can do its jobs' skills and its work.

    ``job_lonlat``/``job_skills``/``job_work``/``labels`` describe the jobs and
    their groups (e.g. a fitted clusterer's ``labels_`` and the jobs'
    durations), ``centers`` the groups' ``[lon, lat]``; ``eng_lonlat`` is each
    engineer's home (route start) and ``eng_capacity_seconds`` the work an
    engineer can take (shift length minus breaks, or less to leave time for
    travel). ``job_lonlat`` is accepted so callers pass whole job tables; the
    assignment only uses the groups' centres.

    The algorithm is deterministic (ties go to the lower index):

    1. **Skill coverage first.** For every group and every distinct skill set
       its jobs need (see :func:`requirements`), one free engineer holding the
       whole set must join the group. Among the uncovered (group, skill set)
       pairs, the one with the largest *regret* (distance from the centre to
       its second-nearest eligible free engineer minus the nearest; infinite
       when only one is left) takes its nearest eligible engineer, who also
       covers every other set of that group he holds; repeat. Scarce skills
       are therefore placed before common ones. Pairs no engineer can cover
       are left uncovered (see :func:`skill_gaps`).
    2. **Capacity by min-cost flow.** Each group's target is its work times
       ``headroom`` (job durations exclude travel; 1.2 leaves a sixth of the
       capacity for it), scaled down in proportion when the engineers' total
       capacity is smaller ("as far as the total allows": then every group gets
       the same share of its work). Free engineers' capacity
       flows to their 12 nearest groups at a cost of distance × seconds; an
       expensive virtual supplier keeps the flow feasible when a group is out
       of everyone's reach. An engineer whose capacity the flow splits joins
       the group that received most of it; groups left short then take the
       nearest unused engineers.
    3. **Spare engineers** (capacity beyond the targets): ``"nearest"`` sends
       each to the nearest centre (short trips, uneven slack); ``"balance"``
       runs step 2 again with targets proportional to the groups' work, so
       every group gets the same capacity/work ratio even if engineers must
       cross to another city, then gives any rest to the nearest centre;
       ``"none"`` leaves them out (label -1).

    Returns an ``int64`` array with one group index (or -1) per engineer.
    """
    if not headroom > 0:
        raise ValueError(f"headroom must be positive, got {headroom!r}")
    if spare not in SPARE_POLICIES:
        raise ValueError(f"spare must be one of {SPARE_POLICIES}, got {spare!r}")
    labels = np.asarray(labels, dtype=np.int64)
    centers = np.asarray(centers, dtype=np.float64).reshape(-1, 2)
    eng_lonlat = np.asarray(eng_lonlat, dtype=np.float64).reshape(-1, 2)
    cap = np.asarray(eng_capacity_seconds, dtype=np.float64)
    work = np.asarray(job_work, dtype=np.float64)
    n_jobs = len(np.asarray(job_lonlat).reshape(-1, 2))
    k, m = len(centers), len(eng_lonlat)
    if not (len(labels) == len(work) == len(job_skills) == n_jobs):
        raise ValueError("job_lonlat, job_skills, job_work and labels must have one row per job")
    if not (len(eng_skills) == len(cap) == m):
        raise ValueError("eng_lonlat, eng_skills, eng_capacity_seconds: one row per engineer")
    if n_jobs and (labels.min() < 0 or labels.max() >= k):
        raise ValueError("labels must be group indices into centers")
    if np.any(cap < 0) or np.any(work < 0):
        raise ValueError("capacities and work must be non-negative")
    eng_labels = np.full(m, -1, dtype=np.int64)
    if k == 0 or m == 0:
        return eng_labels

    dist_km = haversine_matrix_km(eng_lonlat, centers)  # (m, k)
    _cover_skills(requirements(job_skills, labels, k), eng_skills, dist_km, eng_labels)

    group_work = np.bincount(labels, weights=work, minlength=k)
    total_work, total_cap = float(group_work.sum()), float(cap.sum())
    if total_work > 0:
        ratio = min(float(headroom), total_cap / total_work)
        _fill(group_work * ratio, cap, dist_km, eng_labels)
        if spare == "balance":
            _fill(group_work * (total_cap / total_work), cap, dist_km, eng_labels)
    if spare != "none":
        free = eng_labels < 0
        eng_labels[free] = np.argmin(dist_km[free], axis=1)
    return eng_labels


def _cover_skills(
    need: list[set[frozenset[str]]],
    eng_skills: Sequence[Iterable[str]],
    dist_km: NDArray[np.float64],
    eng_labels: NDArray[np.int64],
) -> None:
    """Step 1 of :func:`assign_engineers` (greedy by regret), in place."""
    held = [frozenset(s) for s in eng_skills]
    req_sets = sorted({s for g_need in need for s in g_need}, key=lambda s: (len(s), sorted(s)))
    if not req_sets:
        return
    elig = np.array([[r <= h for h in held] for r in req_sets], dtype=bool)  # (R, m)
    req_index = {r: i for i, r in enumerate(req_sets)}
    pairs = [(g, req_index[r]) for g in range(len(need)) for r in need[g]]
    pairs.sort()
    by_group: dict[int, NDArray[np.int64]] = {}
    cands: list[NDArray[np.int64]] = []
    for g, r in pairs:
        if g not in by_group:
            by_group[g] = np.argsort(dist_km[:, g], kind="stable")
        order = by_group[g]
        cands.append(order[elig[r, order]])
    p_group = np.array([g for g, _ in pairs])
    p_req = np.array([r for _, r in pairs])
    n_pairs = len(pairs)
    open_ = np.array([len(c) > 0 for c in cands])
    ptr = np.zeros(n_pairs, dtype=np.int64)
    e1 = np.full(n_pairs, -1)
    e2 = np.full(n_pairs, -1)
    free = eng_labels < 0

    def refresh(p: int) -> None:
        c = cands[p]
        while ptr[p] < len(c) and not free[c[ptr[p]]]:
            ptr[p] += 1
        if ptr[p] >= len(c):
            open_[p] = False
            return
        e1[p] = c[ptr[p]]
        nxt = ptr[p] + 1
        while nxt < len(c) and not free[c[nxt]]:
            nxt += 1
        e2[p] = c[nxt] if nxt < len(c) else -1

    for p in np.flatnonzero(open_):
        refresh(p)
    while open_.any():
        idx = np.flatnonzero(open_)
        d1 = dist_km[e1[idx], p_group[idx]]
        d2 = np.where(e2[idx] >= 0, dist_km[np.maximum(e2[idx], 0), p_group[idx]], np.inf)
        regret = d2 - d1
        best = idx[np.lexsort((idx, d1, -regret))[0]]
        e, g = int(e1[best]), int(p_group[best])
        eng_labels[e] = g
        free[e] = False
        covered = open_ & (p_group == g) & elig[p_req, e]
        open_[covered] = False
        for p in np.flatnonzero(open_ & ((e1 == e) | (e2 == e))):
            refresh(p)


def _fill(
    target: NDArray[np.float64],
    cap: NDArray[np.float64],
    dist_km: NDArray[np.float64],
    eng_labels: NDArray[np.int64],
) -> None:
    """Step 2 of :func:`assign_engineers`: free engineers to groups below ``target``."""
    k = dist_km.shape[1]
    have = np.bincount(eng_labels[eng_labels >= 0], weights=cap[eng_labels >= 0], minlength=k)
    demand = np.floor(np.maximum(target - have, 0.0)).astype(np.int64)
    free = np.flatnonzero((eng_labels < 0) & (cap > 0))
    if demand.sum() <= 0 or len(free) == 0:
        return
    supply = np.floor(cap[free]).astype(np.int64)
    nf, n_cand = len(free), min(_N_CANDIDATES, k)
    cand = np.argsort(dist_km[free], axis=1, kind="stable")[:, :n_cand]
    cost = np.rint(np.take_along_axis(dist_km[free], cand, axis=1) * 1000.0).astype(np.int64)
    # Nodes: engineers 0..nf-1, groups nf..nf+k-1, spare nf+k, shortfall source nf+k+1.
    g_node = nf + np.arange(k)
    spare_node, short_node = nf + k, nf + k + 1
    e_node = np.arange(nf)
    total_demand = int(demand.sum())
    # The shortfall source fills what engineers cannot, and sends the rest to spare.
    tails = np.concatenate(
        [np.repeat(e_node, n_cand), e_node, np.full(k, short_node), [short_node]]
    )
    heads = np.concatenate([g_node[cand.ravel()], np.full(nf, spare_node), g_node, [spare_node]])
    caps = np.concatenate([np.repeat(supply, n_cand), supply, demand, [total_demand]])
    costs = np.concatenate(
        [cost.ravel(), np.zeros(nf, dtype=np.int64), np.full(k, _SHORTFALL_COST), [0]]
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.zeros(nf + k + 2, dtype=np.int64)
    supplies[:nf] = supply
    supplies[short_node] = total_demand
    supplies[g_node] = -demand
    supplies[spare_node] = -int(supply.sum())
    flow.set_nodes_supplies(np.arange(nf + k + 2), supplies)
    if flow.solve() != flow.OPTIMAL:  # pragma: no cover - always feasible by construction
        return
    f = flow.flows(arcs)[: nf * n_cand].reshape(nf, n_cand)
    to_group = f.sum(axis=1) > 0
    chosen = cand[np.arange(nf), np.argmax(f, axis=1)]
    eng_labels[free[to_group]] = chosen[to_group]
    # Groups short after rounding take the nearest still-unused engineers.
    have = np.bincount(eng_labels[eng_labels >= 0], weights=cap[eng_labels >= 0], minlength=k)
    short = target - have
    for g in np.argsort(-short, kind="stable"):
        while short[g] > 0:
            unused = np.flatnonzero((eng_labels < 0) & (cap > 0))
            if len(unused) == 0:
                return
            e = unused[np.argmin(dist_km[unused, g])]
            eng_labels[e] = g
            short[g] -= cap[e]
