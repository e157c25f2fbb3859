"""Regret insertion that keeps cross-engineer precedence chains together.

Plain OR-Tools starves on ``after`` chains because its arc-based first solutions cannot see
a constraint between two routes. Here a chain is placed as a unit, successor first: an
install has the customer's window, so it is placed where it fits best, then its pre-cable
is inserted (on any engineer) with the install's start as a deadline. The pair then agrees
on a split time ``T``: the predecessor must end by ``T`` and the successor may not start
before it. With those two derived windows every route can again be timed on its own, which
keeps insertion checks local and exact.

Priority is lexicographic: a job is only ever inserted once no higher-priority job can be;
among equals the job with the largest regret (the cost of missing its best engineer) goes
first, which is the classic remedy for greedy myopia.
"""
from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence

import numpy as np

from scheduler.instance import Instance
from scheduler.timing import RouteTiming, Windows

INF = math.inf
EPS = 1e-6  # slack on derived split times, far inside the checker's 1 s tolerance
REGRET_NONE = 1e12  # regret of a job with a single feasible engineer


def clip_windows(windows: Windows, lo: float = -INF, hi: float = INF) -> tuple:
    """Windows intersected with ``[lo, hi]`` (start times); empty tuple when none is left."""
    out = []
    for a, b in windows:
        a2, b2 = max(a, lo), min(b, hi)
        if a2 <= b2:
            out.append((a2, b2))
    return tuple(out)


class Plan:
    """Routes under construction with their timings and the derived precedence windows."""

    def __init__(self, inst: Instance, candidates: int = 30,
                 frozen: dict[int, list[int]] | None = None):
        self.inst = inst
        self.routes: list[list[int]] = [[] for _ in range(inst.m)]
        self.windows: list[Windows] = list(inst.windows)
        self.split: dict[tuple[int, int], float] = {}  # (pred, succ) -> agreed split time
        self.calls = 0  # insertion evaluations: the solver's measure of work done
        self.engineer_of: dict[int, int] = {}
        self.load: list[list[float] | None] = [
            [0.0] * len(c) if c is not None else None for c in inst.capacity]
        self.frozen_len = [0] * inst.m
        self.timing = [RouteTiming(inst, e, [], self.windows) for e in range(inst.m)]
        self.batch = candidates
        self.ncand = [candidates] * inst.n
        self._rank_cache: dict[int, tuple[int, ...]] = {}
        for e, jobs in (frozen or {}).items():
            for j in jobs:
                self._place(j, e, len(self.routes[e]))
            self.frozen_len[e] = len(jobs)
            self._retime(e)

    # -- setup ---------------------------------------------------------------------------
    def _ranked(self, job: int) -> tuple[int, ...]:
        """Eligible engineers of ``job``, nearest home first (computed on first use)."""
        got = self._rank_cache.get(job)
        if got is None:
            inst = self.inst
            el = np.asarray(inst.eligible[job], dtype=int)
            d = inst.T[inst.n + el, job]
            got = tuple(int(x) for x in el[np.argsort(d, kind="stable")])
            self._rank_cache[job] = got
        return got

    def candidates(self, job: int) -> tuple[int, ...]:
        return self._ranked(job)[:self.ncand[job]]

    def widen(self, job: int) -> tuple[int, ...]:
        """Add the next batch of nearest engineers to ``job``'s candidates; returns them."""
        ranked = self._ranked(job)
        old = self.ncand[job]
        self.ncand[job] = min(len(ranked), old + self.batch)
        return ranked[old:self.ncand[job]]

    # -- basic moves ---------------------------------------------------------------------
    def _place(self, job: int, e: int, pos: int) -> None:
        self.routes[e].insert(pos, job)
        self.engineer_of[job] = e
        load, dem = self.load[e], self.inst.demand[job]
        if load is not None and dem is not None:
            for i, d in enumerate(dem):
                load[i] += d

    def _unplace(self, job: int) -> int:
        e = self.engineer_of.pop(job)
        self.routes[e].remove(job)
        load, dem = self.load[e], self.inst.demand[job]
        if load is not None and dem is not None:
            for i, d in enumerate(dem):
                load[i] -= d
        return e

    def _retime(self, e: int) -> None:
        self.timing[e] = RouteTiming(self.inst, e, self.routes[e], self.windows)

    def fits_capacity(self, job: int, e: int) -> bool:
        inst = self.inst
        mj = inst.max_jobs[e]
        if mj is not None and len(self.routes[e]) >= mj:
            return False
        load, dem, cap = self.load[e], inst.demand[job], inst.capacity[e]
        if load is None or dem is None or cap is None:
            return True
        return all(load[i] + d <= cap[i] + 1e-9 for i, d in enumerate(dem))

    def release(self, job: int) -> float:
        """Earliest start allowed by already-placed predecessors."""
        t = -INF
        for p in self.inst.preds[job]:
            e = self.engineer_of.get(p)
            if e is not None:
                t = max(t, self.end_time(p))
        return t

    def end_time(self, job: int) -> float:
        e = self.engineer_of[job]
        pos = self.routes[e].index(job)
        return self.timing[e].fwd[pos + 1][0] if self.timing[e].k == 0 else \
            self._timed_end(e, job)

    def _timed_end(self, e: int, job: int) -> float:
        for s in self.timing[e].timed().stops:
            if s.job == job:
                return s.end
        raise KeyError(job)

    def start_time(self, job: int) -> float:
        e = self.engineer_of[job]
        for s in self.timing[e].timed().stops:
            if s.job == job:
                return s.start
        raise KeyError(job)

    # -- insertion search ----------------------------------------------------------------
    def best_in_route(self, job: int, e: int, windows: Windows | None = None
                      ) -> tuple[float, int, float] | None:
        """Cheapest feasible (added travel, position, start) for ``job`` in route ``e``."""
        if not self.fits_capacity(job, e):
            return None
        inst = self.inst
        tm = self.timing[e]
        locs = tm.loc_arr
        first, last = self._position_range(job, e)
        if first > last:
            return None
        prev, nxt = locs[first:last + 1], locs[first + 1:last + 2]
        T = inst.T
        t_in, t_out = T[prev, job], T[job, nxt]
        win = windows if windows is not None else self.windows[job]
        self.calls += 1
        if not win:
            return None
        arrival = tm.free_min[first:last + 1] + t_in
        start = np.maximum(arrival, win[0][0])
        maybe = np.flatnonzero((arrival <= win[-1][1]) &
                               (start + inst.duration[job] + t_out
                                <= tm.late_max[first:last + 1] + 1e-9))
        if not len(maybe):
            return None
        cost = t_in[maybe] + t_out[maybe] - T[prev[maybe], nxt[maybe]]
        for i in np.argsort(cost, kind="stable"):
            pos = int(maybe[i]) + first
            s = tm.insertion(job, pos, win)
            if s is not None:
                return float(cost[i]), pos, s
        return None

    def _position_range(self, job: int, e: int) -> tuple[int, int]:
        """Insert positions allowed in route ``e``: after the frozen prefix, after the job's
        predecessors and before its successors already on that route."""
        route = self.routes[e]
        first, last = self.frozen_len[e], len(route)
        inst = self.inst
        if inst.preds[job] or inst.succs[job]:
            for i, x in enumerate(route):
                if x in inst.preds[job]:
                    first = max(first, i + 1)
                elif x in inst.succs[job]:
                    last = min(last, i)
        return first, last

    def insert(self, job: int, e: int, pos: int) -> None:
        self._place(job, e, pos)
        self._retime(e)

    def remove(self, job: int) -> int:
        """Take ``job`` out, releasing the split times it agreed with its partners."""
        e = self._unplace(job)
        self._unbind(job)
        self._retime(e)
        return e

    def remove_cascade(self, job: int) -> dict[int, int]:
        """Remove ``job`` and every job that must follow it; then, because a break can
        depend on where the engineer happens to be, drop jobs from any route the removal
        left infeasible (with their followers too). Returns {job: engineer it was on}."""
        out: dict[int, int] = {}
        stack = [job]
        while stack:
            while stack:
                j = stack.pop()
                if j in self.engineer_of:
                    out[j] = self.remove(j)
                    stack.extend(self.inst.succs[j])
            for e in set(out.values()):
                if not self.timing[e].feasible:
                    stack.append(_culprit(self, e))
                    break
        return out

    def _unbind(self, job: int) -> None:
        partners = {p for p, s in self.split if s == job} | \
            {s for p, s in self.split if p == job}
        for key in [k for k in self.split if job in k]:
            del self.split[key]
        self._refresh(job)
        for x in partners:
            self._refresh(x)
            if x in self.engineer_of:
                self._retime(self.engineer_of[x])

    def _refresh(self, job: int) -> None:
        """Windows of ``job``: its own, cut by the split times agreed with its partners."""
        lo, hi = -INF, INF
        dur = self.inst.duration[job]
        for (p, s), t in self.split.items():
            if s == job:
                lo = max(lo, t - EPS)
            elif p == job:
                hi = min(hi, t - dur + EPS)
        self.windows[job] = clip_windows(self.inst.windows[job], lo, hi)

    def snapshot(self) -> tuple:
        return ([list(r) for r in self.routes], list(self.windows), dict(self.engineer_of),
                [None if x is None else list(x) for x in self.load], list(self.timing),
                dict(self.split))

    def restore(self, snap: tuple) -> None:
        routes, windows, engineer_of, load, timing, split = snap
        self.routes = [list(r) for r in routes]
        self.windows[:] = windows
        self.engineer_of = dict(engineer_of)
        self.load = [None if x is None else list(x) for x in load]
        self.timing = list(timing)
        self.split = dict(split)

    def try_chain(self, job: int, e: int, pos: int) -> list[int] | None:
        """Insert ``job`` at (e, pos) together with its unplaced predecessors (recursively).

        First successor-first (the predecessors get the successor's start as a deadline);
        if that fails, predecessor-first (each placed where it ends soonest, the successor
        after them wherever it fits best). Returns the routes touched, or None with nothing
        changed."""
        done = self._successor_first(job, e, pos)
        if done is None and any(p not in self.engineer_of for p in self.inst.preds[job]):
            done = self._predecessor_first(job)
        return done

    def _successor_first(self, job: int, e: int, pos: int) -> list[int] | None:
        inst = self.inst
        placed: list[int] = [job]
        touched: set[int] = {e}
        self._place(job, e, pos)
        self._retime(e)
        if not self.timing[e].feasible:
            return self._abandon(placed, touched)
        stack = [job]
        while stack:
            succ = stack.pop()
            if not self.timing[self.engineer_of[succ]].feasible:
                return self._abandon(placed, touched)
            s_start = self.start_time(succ)
            for p in inst.preds[succ]:
                if p in self.engineer_of:
                    continue
                win = clip_windows(self.windows[p], lo=self.release(p),
                                   hi=s_start - inst.duration[p])
                r = self._place_best(p, win, extra=touched)
                if r is None:
                    return self._abandon(placed, touched)
                placed.append(p)
                touched.add(r)
                stack.append(p)
        return self._settle(placed, touched)

    def _predecessor_first(self, job: int) -> list[int] | None:
        placed: list[int] = []
        touched: set[int] = set()

        def place(j: int) -> bool:
            for p in self.inst.preds[j]:
                if p not in self.engineer_of and not place(p):
                    return False
            win = clip_windows(self.windows[j], lo=self.release(j))
            r = self._place_best(j, win, extra=touched, by_end=True)
            if r is None:
                return False
            placed.append(j)
            touched.add(r)
            return True

        if not place(job):
            return self._abandon(placed, touched)
        return self._settle(placed, touched)

    def _place_best(self, job: int, win: Windows, extra: set[int] = frozenset(),
                    by_end: bool = False) -> int | None:
        """Place ``job`` (windows ``win``) at its cheapest feasible insertion among its
        candidate engineers (and the routes in ``extra``); ``by_end`` prefers the earliest
        start instead, which leaves the most room for its successors."""
        best = None
        routes = {*self.candidates(job), *(x for x in extra if x in self.inst.eligible[job])}
        for r in routes:
            got = self.best_in_route(job, r, win)
            if got is None:
                continue
            key = (got[2], got[0]) if by_end else (got[0], got[2])
            if best is None or key < best[0]:
                best = (key, r, got[1])
        if best is None:
            return None
        _, r, pos = best
        self.windows[job] = win
        self._place(job, r, pos)
        self._retime(r)
        return r

    def _settle(self, placed: list[int], touched: set[int]) -> list[int] | None:
        """Bind the placed jobs to their predecessors; undo everything if a route broke."""
        inst = self.inst
        for r in touched:
            if not self.timing[r].feasible:
                return self._abandon(placed, touched)
        starts = {j: self.start_time(j) for j in placed}
        for j in placed:
            self._bind_to_predecessors(j, starts[j])
            touched.update(self.engineer_of[p] for p in inst.preds[j] if p in self.engineer_of)
        for j in placed:
            self._refresh(j)
        for r in touched:
            self._retime(r)
            if not self.timing[r].feasible:
                return self._abandon(placed, touched)
        return sorted(touched)

    def _abandon(self, placed: list[int], touched: set[int]) -> None:
        for j in reversed(placed):
            touched.add(self._unplace(j))
        for j in placed:
            self._unbind(j)
        for r in touched:
            self._retime(r)
        return None

    def _bind_to_predecessors(self, job: int, start: float | None = None) -> None:
        """Agree the split time between ``job`` and each placed predecessor: its start."""
        preds = [p for p in self.inst.preds[job] if p in self.engineer_of]
        if not preds:
            return
        t = self.start_time(job) if start is None else start
        for p in preds:
            self.split[(p, job)] = t
            self._refresh(p)
            self._retime(self.engineer_of[p])
        self._refresh(job)

    # -- the regret loop -----------------------------------------------------------------
    def regret_insert(self, jobs: Iterable[int], max_widen: int | None = None) -> None:
        """Insert ``jobs`` (unplaced ones) by priority, then regret, until none fits.

        A job with no feasible option among its nearest engineers looks further afield, a
        batch at a time; ``max_widen`` caps those extra batches (the search, which calls
        this thousands of times, sets it so hopeless jobs stay cheap)."""
        inst = self.inst
        jobs = list(jobs)
        rank = {j: i for i, j in enumerate(jobs)}
        pending = {j for j in jobs if j not in self.engineer_of and inst.eligible[j]}
        if max_widen is not None:
            for j in pending:
                self.ncand[j] = self.batch
        widened = dict.fromkeys(pending, 0)
        by_route: list[set[int]] = [set() for _ in range(inst.m)]
        for j in pending:
            for e in self.candidates(j):
                by_route[e].add(j)
        options: dict[int, dict[int, tuple[float, int]]] = {}
        version: dict[int, int] = {}
        heap: list[tuple] = []

        def push(j: int) -> None:
            """(Re)queue ``j`` under its current key; older entries become stale."""
            version[j] = version.get(j, 0) + 1
            costs = sorted(c for c, _ in options[j].values())
            if not costs:
                heapq.heappush(heap, (0, 0.0, 0.0, rank[j], version[j], j))
                return
            regret = costs[1] - costs[0] if len(costs) > 1 else REGRET_NONE
            heapq.heappush(heap, (-inst.priority[j] - 1, -regret, costs[0], rank[j],
                                  version[j], j))

        def evaluate(j: int, e: int) -> None:
            rel = self.release(j)
            win = self.windows[j] if rel == -INF else clip_windows(self.windows[j], lo=rel)
            got = self.best_in_route(j, e, win)
            if got is None:
                options[j].pop(e, None)
            else:
                options[j][e] = (got[0], got[1])

        def widen(j: int) -> bool:
            """Look further afield for a job with no option left; False when none is."""
            while not options[j]:
                if max_widen is not None and widened[j] >= max_widen:
                    return False
                widened[j] += 1
                more = self.widen(j)
                if not more:
                    return False
                for e in more:
                    by_route[e].add(j)
                    evaluate(j, e)
            return True

        for j in pending:
            options[j] = {}
            for e in self.candidates(j):
                evaluate(j, e)
            push(j)
        tried: dict[int, set[tuple[int, int]]] = {j: set() for j in pending}
        while heap:
            *_, ver, j = heapq.heappop(heap)
            if j not in pending or ver != version[j]:
                continue
            if not options[j]:
                if widen(j):
                    push(j)
                else:
                    pending.discard(j)
                continue
            order = sorted(options[j].items(), key=lambda kv: (kv[1][0], kv[0]))
            done = None
            for e, (_, pos) in order:
                if (e, pos) in tried[j]:
                    continue
                tried[j].add((e, pos))
                rel = self.release(j)
                if rel > -INF:
                    self.windows[j] = clip_windows(self.windows[j], lo=rel)
                done = self.try_chain(j, e, pos)
                if done is not None:
                    break
                self._refresh(j)
            if done is None:
                # every option failed as a chain: forget them and look further afield
                options[j] = {}
                if widen(j):
                    push(j)
                else:
                    pending.discard(j)
                continue
            placed = [x for x in pending if x in self.engineer_of]
            pending.difference_update(placed)
            changed: set[int] = set()
            for r in done:
                for x in by_route[r]:
                    if x in pending:
                        evaluate(x, r)
                        changed.add(x)
            # successors waiting on a job just placed now see a new release time
            for p in placed:
                for x in inst.succs[p]:
                    if x in pending:
                        for e in self.candidates(x):
                            evaluate(x, e)
                        changed.add(x)
            for x in changed:
                push(x)

    def unassigned(self) -> list[int]:
        return [j for j in range(self.inst.n) if j not in self.engineer_of]


def construct(inst: Instance, candidates: int = 30,
              frozen: dict[int, list[int]] | None = None,
              order: Sequence[int] | None = None) -> Plan:
    """Build a plan: chains placed successor-first, then lone predecessors, then the rest."""
    plan = Plan(inst, candidates, frozen)
    jobs = list(order) if order is not None else list(range(inst.n))
    has_succ = {j for j in jobs if inst.succs[j]}
    plan.regret_insert([j for j in jobs if j not in has_succ])
    plan.regret_insert(jobs)
    return plan


def plan_from_routes(inst: Instance, routes: Sequence[Sequence[int]], candidates: int = 30,
                     frozen: dict[int, list[int]] | None = None) -> Plan:
    """A consistent plan from given job sequences (a warm start or another search's result).

    Jobs are dropped where a route cannot be timed exactly (the other search's relaxations,
    e.g. a break taken while driving), successors of unassigned jobs are dropped, and
    predecessor releases are propagated to a fixed point before the pairs are bound."""
    plan = Plan(inst, candidates, frozen)
    for e, seq in enumerate(routes):
        for j in seq:
            if j not in plan.engineer_of and e in inst.eligible[j]:
                plan._place(j, e, len(plan.routes[e]))
        plan._retime(e)
        while not plan.timing[e].feasible:
            plan.remove_cascade(_culprit(plan, e))

    def drop(job: int) -> None:
        plan.remove_cascade(job)

    for j in range(inst.n):
        if j in plan.engineer_of and any(p not in plan.engineer_of for p in inst.preds[j]):
            drop(j)
    for _ in range(2 * inst.n + 1):
        changed = False
        for j in list(plan.engineer_of):
            if j not in plan.engineer_of or not inst.preds[j]:
                continue
            rel = plan.release(j)
            if plan.start_time(j) < rel - 1e-6:
                e = plan.engineer_of[j]
                plan.windows[j] = clip_windows(plan.windows[j], lo=rel)
                plan._retime(e)
                if not plan.timing[e].feasible:
                    drop(j)
                changed = True
        if not changed:
            break
    starts = {j: plan.start_time(j) for j in plan.engineer_of if inst.preds[j]}
    for j, t in starts.items():
        plan._bind_to_predecessors(j, t)
    for e in range(inst.m):
        plan._retime(e)
    return plan


def _culprit(plan: Plan, e: int) -> int:
    """The first job of route ``e`` at which exact timing fails (else its last free job)."""
    tm = plan.timing[e]
    first = plan.frozen_len[e]
    for pos in range(1, len(tm.fwd)):
        if all(t == INF for t in tm.fwd[pos]) and pos - 1 >= first:
            return tm.seq[pos - 1]
    return plan.routes[e][-1] if len(plan.routes[e]) > first else plan.routes[e][-1]
