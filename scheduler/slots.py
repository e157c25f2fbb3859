"""Slot search by insertion into a day's tentative plan (pure: no database, no HTTP).

A :class:`DayPlan` holds one region-day: its engineers and the jobs already booked, placed
in routes by :class:`scheduler.construct.Plan`. A slot (a start-time window) is *offered*
only when the new job can be inserted into some route with every booked job keeping its
window, skills, shift, breaks and travel: the exact check the day's solver must also pass,
so a plan that holds every booked job is a feasible schedule the day's solve can start from
(``SolveOptions.warm_start`` = :meth:`DayPlan.schedule`).

The solver's ``Instance`` has a fixed job set, so the plan is built with *spare* job slots:
placeholder jobs nobody may do. A search writes the candidate into a spare (its travel row,
duration, skills) and probes it with ``Plan.best_in_route``; a booking places that spare in
its route, so nothing is re-solved per request. When the spares run out the plan is rebuilt
around the current routes with twice as many.
"""
from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scheduler.construct import plan_from_routes
from scheduler.instance import build_instance, up
from scheduler.model import Break, Engineer, Job, Problem, TravelSpec
from scheduler.schedule import build_schedule
from scheduler.travel import haversine_m

PLACEHOLDER_SKILL = "__spare_slot__"


@dataclass(frozen=True)
class SlotJob:
    """A job to place: location ``(lon, lat)``, on-site seconds, required skills."""

    id: str
    location: tuple[float, float]
    duration: float
    skills: frozenset[str] = frozenset()


@dataclass(frozen=True)
class GradeWeights:
    """Weights of the grade's components (each component is scaled to [0, 1])."""

    travel: float = 0.5
    proximity: float = 0.3
    balance: float = 0.2
    travel_scale_s: float = 1800.0
    """Added travel at which the travel component reaches 0."""
    proximity_scale_s: float = 600.0
    """Travel to the nearest job of the day at which the proximity component halves."""


@dataclass(frozen=True)
class Option:
    """A feasible insertion: engineer index, position, planned start, added travel."""

    engineer: int
    position: int
    start: float
    added_travel: float


@dataclass(frozen=True)
class SlotOffer:
    """A window the job fits in, its grade (higher is better) and the reasons behind it."""

    window: tuple[float, float]
    option: Option
    engineer_id: str
    grade: float
    components: dict[str, float] = field(default_factory=dict)


class DayPlan:
    """One day's tentative plan with spare job slots for probing and booking.

    ``engineers`` and ``jobs`` are contract dicts (jobs with their booked ``time_windows``);
    ``routes`` optionally gives each engineer's job order from an earlier plan, which is
    kept exactly where it is still feasible; other jobs are inserted by regret.
    All public methods take the plan's lock (searches and bookings may run in threads).
    """

    def __init__(self, engineers: Sequence[Mapping[str, Any]], jobs: Sequence[Mapping[str, Any]],
                 travel: TravelSpec | None = None,
                 routes: Mapping[str, Sequence[str]] | None = None, spare: int = 16,
                 horizon_start: str | None = None):
        self.lock = threading.RLock()
        self.travel = travel or TravelSpec()
        if self.travel.metric != "haversine":
            raise ValueError("slot search supports the haversine travel model")
        self.horizon_start = horizon_start
        self._engineer_dicts = [dict(e) for e in engineers]
        self._build([dict(j) for j in jobs], routes or {}, max(spare, 1))

    # -- construction --------------------------------------------------------------------
    def _build(self, jobs: list[dict[str, Any]], routes: Mapping[str, Sequence[str]],
               spare: int) -> None:
        engs = tuple(_engineer(e) for e in self._engineer_dicts)
        real = [_job(j) for j in jobs]
        anchor = engs[0].start if engs else (0.0, 0.0)
        spares = [Job(f"__spare_{k}", anchor, 0.0, frozenset({PLACEHOLDER_SKILL}))
                  for k in range(spare)]
        problem = Problem(engs, tuple(real + spares), self.travel, "tentative-plan",
                          self.horizon_start)
        self.inst = inst = build_instance(problem)
        self.eng_ids = [e.id for e in engs]
        self.eng_skills = [e.skills for e in engs]
        self.ids: dict[int, str] = {i: j.id for i, j in enumerate(real)}
        self.index: dict[str, int] = {j.id: i for i, j in enumerate(real)}
        self.jobs: dict[str, dict[str, Any]] = {j["id"]: j for j in jobs}
        self.free: list[int] = list(range(len(real), inst.n))
        self.coords = np.array([_lonlat(x) for x in
                                [j.location for j in problem.jobs] +
                                [e.start for e in engs] +
                                [e.end if e.end is not None else e.start for e in engs]],
                               dtype=float).reshape(-1, 2)
        eidx = {e: k for k, e in enumerate(self.eng_ids)}
        seqs = [[] for _ in engs]
        for eid, seq in routes.items():
            if eid in eidx:
                seqs[eidx[eid]] = [self.index[j] for j in seq if j in self.index]
        self._busy_cache: dict[int, tuple[object, float]] = {}
        self.plan = plan_from_routes(inst, seqs)
        self.plan.regret_insert([i for i in self.ids if i not in self.plan.engineer_of])

    def _grow(self) -> None:
        """Rebuild around the current routes with twice the spare slots."""
        routes = self.routes()
        jobs = [self._job_dict_now(j) for j in self.jobs]
        self._build(jobs, routes, max(16, 2 * (self.inst.n - len(self.free))))

    def _job_dict_now(self, job_id: str) -> dict[str, Any]:
        return self.jobs[job_id]

    # -- probing -------------------------------------------------------------------------
    def _load(self, p: int, job: SlotJob) -> None:
        """Write ``job`` into spare ``p``: travel row/column, duration, skills."""
        inst = self.inst
        x, y = job.location
        self.coords[p] = (x, y)
        c = self.coords
        dist = haversine_m(x, y, c[:, 0], c[:, 1]) * self.travel.detour_factor
        secs = dist / (self.travel.speed_kmh / 3.6)
        n, m = inst.n, inst.m
        for k, is_open in enumerate(inst.open_end):
            if is_open:
                secs[n + m + k] = dist[n + m + k] = 0.0
        secs[p] = dist[p] = 0.0
        inst.T_exact[p, :] = secs
        inst.T_exact[:, p] = secs
        inst.D[p, :] = dist
        inst.D[:, p] = dist
        grid = up(secs, inst.scale)
        inst.T[p, :] = grid
        inst.T[:, p] = grid
        inst.duration[p] = float(up(job.duration, inst.scale))
        inst.eligible[p] = tuple(e for e in range(m) if job.skills <= self.eng_skills[e])
        self.plan._rank_cache.pop(p, None)

    def _ranked(self, p: int) -> list[int]:
        el = list(self.inst.eligible[p])
        d = self.inst.T[[self.inst.n + e for e in el], p] if el else []
        return [el[i] for i in np.argsort(d, kind="stable")]

    def options(self, job: SlotJob, window: tuple[float, float], enough: int = 3
                ) -> list[Option]:
        """Feasible insertions of ``job`` starting in ``window``, nearest engineers first,
        stopping after ``enough`` feasible ones (0 = look at every engineer)."""
        with self.lock:
            p = self._probe_slot()
            self._load(p, job)
            return self._options(p, window, enough)

    def _options(self, p: int, window: tuple[float, float], enough: int) -> list[Option]:
        win = (self._grid(window),)
        out: list[Option] = []
        for e in self._ranked(p):
            got = self.plan.best_in_route(p, e, win)
            if got is not None:
                out.append(Option(e, got[1], got[2], got[0]))
                if enough and len(out) >= enough:
                    break
        return out

    def _grid(self, window: tuple[float, float]) -> tuple[float, float]:
        """A start window on the solver's grid (starts rounded up, ends down)."""
        lo, hi = window
        scale = self.inst.scale
        return (lo if math.isinf(lo) else float(up(lo, scale)),
                hi if math.isinf(hi) else math.floor(hi * scale + 1e-9) / scale)

    def offers(self, job: SlotJob, windows: Sequence[tuple[float, float]],
               weights: GradeWeights | None = None, enough: int = 3) -> list[SlotOffer]:
        """The windows ``job`` can start in, each graded by its cheapest insertion."""
        weights = weights or GradeWeights()
        with self.lock:
            p = self._probe_slot()
            self._load(p, job)
            nearest = self._nearest_job_travel(p)
            day_util = self.utilisation()
            out = []
            for w in windows:
                opts = self._options(p, w, enough)
                if not opts:
                    continue
                best = min(opts, key=lambda o: (o.added_travel, self._engineer_util(o.engineer)))
                out.append(self._grade(w, best, nearest, day_util, weights))
            return out

    def _grade(self, window: tuple[float, float], o: Option, nearest: float, day_util: float,
               w: GradeWeights) -> SlotOffer:
        util = self._engineer_util(o.engineer)
        travel_c = max(0.0, 1.0 - o.added_travel / w.travel_scale_s)
        prox_c = 0.0 if math.isinf(nearest) else 1.0 / (1.0 + nearest / w.proximity_scale_s)
        balance_c = max(0.0, 1.0 - util)
        total = w.travel + w.proximity + w.balance or 1.0
        grade = 100.0 * (w.travel * travel_c + w.proximity * prox_c + w.balance * balance_c) / total
        comps = {
            "added_travel_s": round(o.added_travel, 1),
            "travel_component": round(travel_c, 4),
            "nearest_job_travel_s": None if math.isinf(nearest) else round(nearest, 1),
            "proximity_component": round(prox_c, 4),
            "engineer_utilisation": round(util, 4),
            "day_utilisation": round(day_util, 4),
            "balance_component": round(balance_c, 4),
        }
        return SlotOffer(tuple(window), o, self.eng_ids[o.engineer], round(grade, 2), comps)

    def _nearest_job_travel(self, p: int) -> float:
        placed = list(self.plan.engineer_of)
        if not placed:
            return math.inf
        return float(np.min(self.inst.T_exact[p, placed]))

    def _busy(self, e: int) -> float:
        """Departure to return of route ``e`` (cached per timing object: routes are
        re-timed, i.e. get a new object, whenever they change)."""
        tr = self.plan.timing[e]
        got = self._busy_cache.get(e)
        if got is not None and got[0] is tr:
            return got[1]
        busy = 0.0
        if tr.seq:
            timed = tr.timed()
            busy = timed.end_arrival - timed.departure
        self._busy_cache[e] = (tr, busy)
        return busy

    def _engineer_util(self, e: int) -> float:
        lo, hi = self.inst.shift[e]
        return self._busy(e) / max(hi - lo, 1.0)

    def utilisation(self) -> float:
        """Share of the day's shift time spent travelling or working (busy span)."""
        total = sum(max(hi - lo, 0.0) for lo, hi in self.inst.shift)
        return sum(self._busy(e) for e in range(self.inst.m)) / total if total else 0.0

    def _probe_slot(self) -> int:
        if not self.free:
            self._grow()
        return self.free[0]

    # -- booking -------------------------------------------------------------------------
    def add(self, job: SlotJob, window: tuple[float, float] | None, enough: int = 0,
            engineer: str | None = None) -> Option | None:
        """Place ``job`` (start in ``window``; None = any time in the shift) at its cheapest
        feasible insertion; returns it, or None (nothing changed) when it does not fit."""
        with self.lock:
            if job.id in self.index:
                raise ValueError(f"job {job.id} is already in the plan")
            p = self._probe_slot()
            self._load(p, job)
            win = window if window is not None else (-math.inf, math.inf)
            opts = self._options(p, win, enough)
            if engineer is not None:
                opts = [o for o in opts if self.eng_ids[o.engineer] == engineer]
            if not opts:
                return None
            best = min(opts, key=lambda o: (o.added_travel, self._engineer_util(o.engineer)))
            self.free.pop(0)
            cw = (self._grid(win),)
            self.inst.windows[p] = cw
            self.plan.windows[p] = cw
            self.plan.insert(p, best.engineer, best.position)
            self.index[job.id] = p
            self.ids[p] = job.id
            self.jobs[job.id] = _job_dict(job, window)
            return best

    def remove(self, job_id: str) -> str | None:
        """Take a job out (its slot becomes spare); returns the engineer it was on."""
        with self.lock:
            p = self.index.pop(job_id, None)
            if p is None:
                return None
            self.jobs.pop(job_id, None)
            del self.ids[p]
            eng = None
            if p in self.plan.engineer_of:
                eng = self.eng_ids[self.plan.remove(p)]
            self.inst.eligible[p] = ()
            self.inst.windows[p] = ((-math.inf, math.inf),)
            self.plan.windows[p] = self.inst.windows[p]
            self.free.append(p)
            return eng

    # -- reading -------------------------------------------------------------------------
    def routes(self) -> dict[str, list[str]]:
        """Engineer id -> job ids in route order."""
        with self.lock:
            return {self.eng_ids[e]: [self.ids[j] for j in r]
                    for e, r in enumerate(self.plan.routes) if r}

    def assignments(self) -> dict[str, tuple[str, int, float]]:
        """Job id -> (engineer id, position, planned start) for every placed job."""
        with self.lock:
            out = {}
            for e in range(self.inst.m):
                for pos, s in enumerate(self.plan.timing[e].timed().stops):
                    out[self.ids[s.job]] = (self.eng_ids[e], pos, s.start)
            return out

    def unplaced(self) -> list[str]:
        """Booked jobs the plan could not place (e.g. after a roster change)."""
        with self.lock:
            return sorted(j for j, p in self.index.items() if p not in self.plan.engineer_of)

    def problem_dict(self, name: str = "tentative-plan") -> dict[str, Any]:
        """The day as a contract problem (booked jobs only)."""
        with self.lock:
            out: dict[str, Any] = {"name": name}
            if self.horizon_start:
                out["horizon_start"] = self.horizon_start
            out["travel"] = self.travel.to_dict()
            out["engineers"] = [dict(e) for e in self._engineer_dicts]
            out["jobs"] = [dict(j) for j in self.jobs.values()]
            return out

    def schedule(self) -> dict[str, Any]:
        """The plan as a contract schedule (for checking, or to warm-start the day's solve)."""
        with self.lock:
            timed = [self.plan.timing[e].timed() for e in range(self.inst.m)]
            sched = build_schedule(self.inst, timed, {}, "tentative plan", 0.0).to_dict()
            index = self.inst.problem.job_index()  # spares placed by add() are "__spare_k"
            for route in sched["routes"]:
                for step in route["steps"]:
                    if step["type"] == "job":
                        step["job"] = self.ids[index[step["job"]]]
            sched["unassigned"] = [{"job": j, "reason": "not_reached_in_time_limit"}
                                   for j in self.unplaced()]
            sched["summary"]["unassigned"] = len(sched["unassigned"])
            return sched


# -- contract dicts -> model objects ------------------------------------------------------

def _lonlat(loc: Any) -> tuple[float, float]:
    return float(loc[0]), float(loc[1])


def _engineer(d: Mapping[str, Any]) -> Engineer:
    start = _lonlat(d["start"])
    end = d.get("end", d["start"])
    return Engineer(
        str(d["id"]), start, None if end is None else _lonlat(end),
        (float(d["shift"][0]), float(d["shift"][1])), frozenset(d.get("skills") or ()),
        tuple(Break((float(b["window"][0]), float(b["window"][1])), float(b["duration"]))
              for b in d.get("breaks") or ()),
        None if d.get("capacity") is None else tuple(float(x) for x in d["capacity"]),
        d.get("max_jobs"),
    )


def _job(d: Mapping[str, Any]) -> Job:
    return Job(str(d["id"]), _lonlat(d["location"]), float(d["duration"]),
               frozenset(d.get("skills") or ()),
               tuple(sorted((float(a), float(b)) for a, b in d.get("time_windows") or ())),
               int(d.get("priority", 0)))


def _job_dict(job: SlotJob, window: tuple[float, float] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": job.id, "location": list(job.location),
                           "duration": job.duration, "skills": sorted(job.skills)}
    if window is not None:
        out["time_windows"] = [list(window)]
    return out
