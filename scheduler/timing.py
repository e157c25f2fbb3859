"""Exact timing of one engineer's route, with the contract's meaning of breaks.

A route is a sequence of jobs. At each *point* (home before leaving, or a job just finished)
the engineer may take one or more breaks, at that location, before driving on; breaks are
taken in the order of their windows. Earliest times dominate (start-time windows allow
waiting), so a small dynamic programme over "how many breaks taken so far" gives the exact
earliest schedule, or proves the sequence infeasible.

`RouteTiming` also keeps, per point, the earliest free time (forward) and the latest arrival
that keeps the rest of the route feasible (backward), so inserting a job anywhere is checked
in O(breaks²) instead of re-timing the whole route. This is what the insertion heuristic, the
slot search and the re-planner all stand on.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scheduler.instance import Instance

INF = math.inf
Windows = Sequence[tuple[float, float]]


def earliest_start(arrival: float, windows: Windows) -> float:
    """Earliest start >= arrival inside one of the (sorted) windows, or INF."""
    for lo, hi in windows:
        if arrival <= hi:
            return arrival if arrival >= lo else lo
    return INF


def latest_arrival(latest_end: float, duration: float, windows: Windows) -> float:
    """Latest arrival such that the job can start in a window and end by ``latest_end``."""
    bound = latest_end - duration
    best = -INF
    for lo, hi in windows:
        b = hi if hi < bound else bound
        if lo <= b and b > best:
            best = b
    return best


@dataclass
class Stop:
    job: int
    arrival: float
    start: float
    end: float


@dataclass
class TimedRoute:
    """The earliest feasible schedule of a route, ready to write out."""

    engineer: int
    departure: float
    stops: list[Stop]
    breaks: list[tuple[int, float, float]]  # (point: 0 = home, i = after the i-th stop), start, end
    end_arrival: float


class RouteTiming:
    """Forward/backward times of one route, for O(1)-ish insertion checks."""

    __slots__ = ("inst", "e", "seq", "windows", "k", "blo", "bhi", "bdur", "fwd", "bwd", "locs",
                 "loc_arr", "free_min", "late_max", "_timed")

    def __init__(self, inst: Instance, e: int, seq: list[int], windows: Sequence[Windows]):
        self.inst = inst
        self.e = e
        self.seq = list(seq)
        self.windows = windows
        br = inst.breaks[e]
        self.k = len(br)
        self.blo = [b.lo for b in br]
        self.bhi = [b.hi for b in br]
        self.bdur = [b.duration for b in br]
        self.locs = [inst.start_loc(e), *seq, inst.end_loc(e)]
        self.fwd: list[list[float]] = []
        self.bwd: list[list[float]] = []
        self._forward()
        self._backward()
        # Per point: the earliest free time and latest arrival over all break states, a
        # cheap necessary condition that lets insertion search skip hopeless positions.
        self.loc_arr = np.asarray(self.locs)
        self.free_min = np.array([min(f) for f in self.fwd])
        self.late_max = np.array([max(b) for b in self.bwd])
        self._timed: TimedRoute | None = None

    # -- break chains --------------------------------------------------------------------
    def _chain(self, t: float, j: int) -> list[float]:
        """Departure times after taking breaks j, j+1, ... at one point, starting free at t.

        Returns a list ``out`` with ``out[j2 - j]`` = time after breaks j..j2-1 (INF if one
        of them cannot fit its window)."""
        out = [t]
        blo, bhi, bdur = self.blo, self.bhi, self.bdur
        for b in range(j, self.k):
            s = t if t >= blo[b] else blo[b]
            t = s + bdur[b]
            if t > bhi[b]:
                out.extend([INF] * (self.k - b))
                break
            out.append(t)
        return out

    def _latest_before_chain(self, bound: float, j: int, j2: int) -> float:
        """Latest free time before taking breaks j..j2-1 so that they end by ``bound``."""
        for b in range(j2 - 1, j - 1, -1):
            b_end = bound if bound < self.bhi[b] else self.bhi[b]
            bound = b_end - self.bdur[b]
            if bound < self.blo[b]:
                return -INF
        return bound

    # -- passes --------------------------------------------------------------------------
    def _forward(self) -> None:
        inst, k, T = self.inst, self.k, self.inst.T
        cur = [INF] * (k + 1)
        cur[0] = inst.shift[self.e][0]
        fwd = [cur]
        locs = self.locs
        for pos, job in enumerate(self.seq):
            dep = self._departures(cur)
            travel_row = T[locs[pos]]
            nxt = [INF] * (k + 1)
            dur, win = inst.duration[job], self.windows[job]
            tr = float(travel_row[job])
            for j in range(k + 1):
                if dep[j] < INF:
                    s = earliest_start(dep[j] + tr, win)
                    if s < INF:
                        nxt[j] = s + dur
            cur = nxt
            fwd.append(cur)
        self.fwd = fwd

    def _departures(self, free: list[float]) -> list[float]:
        dep = [INF] * (self.k + 1)
        for j, t in enumerate(free):
            if t < INF:
                for off, d in enumerate(self._chain(t, j)):
                    if d < dep[j + off]:
                        dep[j + off] = d
        return dep

    def _backward(self) -> None:
        inst, k = self.inst, self.k
        n = len(self.seq)
        end_arr = [-INF] * (k + 1)
        end_arr[k] = inst.shift[self.e][1]
        bwd: list[list[float]] = [end_arr]  # built from the end, reversed at the finish
        nxt = end_arr
        T = inst.T
        for pos in range(n - 1, -1, -1):
            job = self.seq[pos]
            tr = float(T[job, self.locs[pos + 2]])
            free = self._latest_free(nxt, tr)
            dur, win = inst.duration[job], self.windows[job]
            bwd.append([latest_arrival(f, dur, win) if f > -INF else -INF for f in free])
            nxt = bwd[-1]
        bwd.reverse()
        self.bwd = bwd  # bwd[i] = latest arrival at element i+1 (job i, or the end when i == n)

    def _latest_free(self, next_arrival: list[float], travel: float) -> list[float]:
        """Latest free time at a point, per breaks-taken count, given the next element."""
        k = self.k
        free = [-INF] * (k + 1)
        for j2 in range(k + 1):
            if next_arrival[j2] == -INF:
                continue
            bound = next_arrival[j2] - travel
            for j in range(j2, -1, -1):
                t = self._latest_before_chain(bound, j, j2)
                if t > free[j]:
                    free[j] = t
        return free

    # -- queries -------------------------------------------------------------------------
    @property
    def feasible(self) -> bool:
        if not self.seq:
            return True
        k = self.k
        dep = self._departures(self.fwd[-1])
        tr = float(self.inst.T[self.locs[-2], self.locs[-1]])
        return dep[k] + tr <= self.inst.shift[self.e][1] + 1e-9

    def insertion(self, job: int, pos: int, windows: Windows | None = None) -> float | None:
        """Earliest start of ``job`` inserted before element ``pos`` (0 = first job), or
        None when that makes the route infeasible."""
        inst = self.inst
        win = self.windows[job] if windows is None else windows
        dur = inst.duration[job]
        T = inst.T
        prev_loc, next_loc = self.locs[pos], self.locs[pos + 1]
        t_in, t_out = float(T[prev_loc, job]), float(T[job, next_loc])
        late = self.bwd[pos]
        best: float | None = None
        for j, free in enumerate(self.fwd[pos]):
            if free == INF:
                continue
            for off, dep in enumerate(self._chain(free, j)):
                if dep == INF:
                    break
                s = earliest_start(dep + t_in, win)
                if s == INF or (best is not None and s >= best):
                    continue
                j1 = j + off
                for off2, dep2 in enumerate(self._chain(s + dur, j1)):
                    if dep2 == INF:
                        break
                    if dep2 + t_out <= late[j1 + off2] + 1e-9:
                        best = s
                        break
        return best

    def timed(self) -> TimedRoute:
        """The earliest schedule (breaks placed at points), computed once per route state."""
        if self._timed is None:
            self._timed = self._reconstruct()
        return self._timed

    def _reconstruct(self) -> TimedRoute:
        """Replay forwards taking each break as late as the rest of the route allows: every
        stop then starts and ends at its earliest feasible time, stop by stop (so chained
        successors are released as early as possible)."""
        inst, T = self.inst, self.inst.T
        shift_lo = inst.shift[self.e][0]
        n = len(self.seq)
        if n == 0:  # an unused engineer takes no break
            return TimedRoute(self.e, shift_lo, [], [],
                              shift_lo + float(T[self.locs[0], self.locs[1]]))
        stops: list[Stop] = []
        breaks: list[tuple[int, float, float]] = []
        t, taken = shift_lo, 0
        for pos in range(n + 1):
            tr = float(T[self.locs[pos], self.locs[pos + 1]])
            late = self.bwd[pos]
            chain = self._chain(t, taken)
            for off, dep in enumerate(chain):
                if dep == INF:
                    raise ValueError("route is infeasible; check `feasible` first")
                if dep + tr <= late[taken + off] + 1e-9:
                    break
            else:
                raise ValueError("route is infeasible; check `feasible` first")
            for b in range(taken, taken + off):
                s = max(t, self.blo[b])
                t = s + self.bdur[b]
                breaks.append((pos, s, t))
            taken += off
            if pos == n:
                return TimedRoute(self.e, shift_lo, stops, breaks, t + tr)
            job = self.seq[pos]
            arrival = t + tr
            start = earliest_start(arrival, self.windows[job])
            t = start + inst.duration[job]
            stops.append(Stop(job, arrival, start, t))
        raise AssertionError("unreachable")
