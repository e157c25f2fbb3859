"""The scheduling problem as frozen, typed objects, read from and written to the contract JSON.

`Problem.from_dict` validates everything the solver relies on and raises `ProblemError`
listing every fault as ``path: message`` (``jobs[3].time_windows[0]: start 50000 is after
end 40000``), so a bad file is reported once, completely.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Location = tuple[float, float] | int
"""``(lon, lat)`` for haversine, ``(x, y)`` for euclidean, a matrix index for ``matrix``."""

Window = tuple[float, float]

METRICS = ("haversine", "euclidean", "matrix")


class ProblemError(ValueError):
    """An invalid problem; ``errors`` lists each fault as ``path: message``."""

    def __init__(self, errors: Sequence[str]):
        self.errors = list(errors)
        shown = "\n".join(f"  {e}" for e in self.errors[:50])
        more = f"\n  ... and {len(self.errors) - 50} more" if len(self.errors) > 50 else ""
        super().__init__(f"invalid problem ({len(self.errors)} error(s)):\n{shown}{more}")


@dataclass(frozen=True, slots=True)
class Break:
    """A break taken once, whole, inside ``window``, while not travelling or working."""

    window: Window
    duration: float


@dataclass(frozen=True, slots=True)
class Engineer:
    id: str
    start: Location
    end: Location | None
    shift: Window
    skills: frozenset[str] = frozenset()
    breaks: tuple[Break, ...] = ()
    capacity: tuple[float, ...] | None = None
    max_jobs: int | None = None


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    location: Location
    duration: float
    skills: frozenset[str] = frozenset()
    time_windows: tuple[Window, ...] = ()
    """Start-time windows; empty means any time."""
    priority: int = 0
    demand: tuple[float, ...] | None = None
    after: tuple[str, ...] = ()
    engineer: str | None = None
    order: str | None = None


@dataclass(frozen=True, slots=True)
class TravelSpec:
    metric: str = "haversine"
    speed_kmh: float = 30.0
    detour_factor: float = 1.3
    time_per_unit: float = 1.0
    durations: tuple[tuple[float, ...], ...] | None = None
    distances: tuple[tuple[float, ...], ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.metric == "haversine":
            return {"metric": "haversine", "speed_kmh": self.speed_kmh,
                    "detour_factor": self.detour_factor}
        if self.metric == "euclidean":
            return {"metric": "euclidean", "time_per_unit": self.time_per_unit}
        out: dict[str, Any] = {"metric": "matrix",
                               "durations": [list(r) for r in self.durations or ()]}
        if self.distances is not None:
            out["distances"] = [list(r) for r in self.distances]
        return out


@dataclass(frozen=True)
class Problem:
    """A field-scheduling day: engineers (one per shift), jobs and the travel model."""

    engineers: tuple[Engineer, ...]
    jobs: tuple[Job, ...]
    travel: TravelSpec = field(default_factory=TravelSpec)
    name: str = "problem"
    horizon_start: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        return _Parser(data).parse()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.horizon_start is not None:
            out["horizon_start"] = self.horizon_start
        out["travel"] = self.travel.to_dict()
        out["engineers"] = [_engineer_dict(e) for e in self.engineers]
        out["jobs"] = [_job_dict(j) for j in self.jobs]
        return out

    def job_index(self) -> dict[str, int]:
        return {j.id: i for i, j in enumerate(self.jobs)}

    def engineer_index(self) -> dict[str, int]:
        return {e.id: i for i, e in enumerate(self.engineers)}


def _loc_out(loc: Location | None) -> Any:
    return list(loc) if isinstance(loc, tuple) else loc


def _engineer_dict(e: Engineer) -> dict[str, Any]:
    d: dict[str, Any] = {"id": e.id, "start": _loc_out(e.start), "end": _loc_out(e.end),
                         "shift": list(e.shift), "skills": sorted(e.skills)}
    if e.breaks:
        d["breaks"] = [{"window": list(b.window), "duration": b.duration} for b in e.breaks]
    if e.capacity is not None:
        d["capacity"] = list(e.capacity)
    if e.max_jobs is not None:
        d["max_jobs"] = e.max_jobs
    return d


def _job_dict(j: Job) -> dict[str, Any]:
    d: dict[str, Any] = {"id": j.id, "location": _loc_out(j.location), "duration": j.duration,
                         "skills": sorted(j.skills)}
    if j.time_windows:
        d["time_windows"] = [list(w) for w in j.time_windows]
    if j.priority:
        d["priority"] = j.priority
    if j.demand is not None:
        d["demand"] = list(j.demand)
    if j.after:
        d["after"] = list(j.after)
    if j.engineer is not None:
        d["engineer"] = j.engineer
    if j.order is not None:
        d["order"] = j.order
    return d


class _Parser:
    """Builds a `Problem` from contract JSON, collecting every error before raising."""

    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.errors: list[str] = []
        # input index of each parsed entry, so paths stay right after a rejected entry
        self.eng_pos: list[int] = []
        self.job_pos: list[int] = []

    def err(self, path: str, msg: str) -> None:
        self.errors.append(f"{path}: {msg}")

    # -- scalars -------------------------------------------------------------------------
    def number(self, path: str, value: Any, *, minimum: float | None = None) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.err(path, f"expected a number, got {value!r}")
            return None
        if not math.isfinite(value):
            self.err(path, f"must be finite, got {value!r}")
            return None
        if minimum is not None and value < minimum:
            self.err(path, f"must be >= {minimum:g}, got {value!r}")
            return None
        return float(value)

    def vector(self, path: str, value: Any) -> tuple[float, ...] | None:
        if not isinstance(value, list):
            self.err(path, f"expected a list of numbers, got {value!r}")
            return None
        nums = [self.number(f"{path}[{i}]", v, minimum=0) for i, v in enumerate(value)]
        return None if any(n is None for n in nums) else tuple(nums)  # type: ignore[arg-type]

    def window(self, path: str, value: Any) -> Window | None:
        if not isinstance(value, list | tuple) or len(value) != 2:
            self.err(path, f"expected [start, end], got {value!r}")
            return None
        lo, hi = self.number(f"{path}[0]", value[0]), self.number(f"{path}[1]", value[1])
        if lo is None or hi is None:
            return None
        if lo > hi:
            self.err(path, f"start {value[0]} is after end {value[1]}")
            return None
        return (lo, hi)

    def skills(self, path: str, value: Any) -> frozenset[str]:
        if value is None:
            return frozenset()
        if not isinstance(value, list) or not all(isinstance(s, str) and s for s in value):
            self.err(path, f"expected a list of non-empty strings, got {value!r}")
            return frozenset()
        return frozenset(value)

    def location(self, path: str, value: Any, metric: str, n_matrix: int) -> Location | None:
        if metric == "matrix":
            if isinstance(value, bool) or not isinstance(value, int):
                self.err(path, f"expected a matrix index, got {value!r}")
                return None
            if not 0 <= value < n_matrix:
                self.err(path, f"matrix index {value} is outside 0..{n_matrix - 1}")
                return None
            return value
        if not isinstance(value, list | tuple) or len(value) != 2:
            self.err(path, f"expected [x, y], got {value!r}")
            return None
        x, y = self.number(f"{path}[0]", value[0]), self.number(f"{path}[1]", value[1])
        if x is None or y is None:
            return None
        if metric == "haversine":
            if not -180 <= x <= 180:
                self.err(path, f"longitude {value[0]} is outside [-180, 180]")
                return None
            if not -90 <= y <= 90:
                self.err(path, f"latitude {value[1]} is outside [-90, 90]")
                return None
        return (x, y)

    # -- sections ------------------------------------------------------------------------
    def travel(self, value: Any) -> TravelSpec:
        if value is None:
            return TravelSpec()
        if not isinstance(value, Mapping):
            self.err("travel", f"expected an object, got {value!r}")
            return TravelSpec()
        metric = value.get("metric", "haversine")
        if metric not in METRICS:
            self.err("travel.metric", f"unknown metric {metric!r} (one of {', '.join(METRICS)})")
            return TravelSpec()
        if metric == "haversine":
            speed = self.number("travel.speed_kmh", value.get("speed_kmh", 30))
            detour = self.number("travel.detour_factor", value.get("detour_factor", 1.3))
            if speed is not None and speed <= 0:
                self.err("travel.speed_kmh", f"must be > 0, got {speed:g}")
            if detour is not None and detour <= 0:
                self.err("travel.detour_factor", f"must be > 0, got {detour:g}")
            return TravelSpec("haversine", speed_kmh=speed or 30.0, detour_factor=detour or 1.3)
        if metric == "euclidean":
            t = self.number("travel.time_per_unit", value.get("time_per_unit", 1.0), minimum=0)
            return TravelSpec("euclidean", time_per_unit=1.0 if t is None else t)
        durations = self.matrix("travel.durations", value.get("durations"))
        distances = None
        if value.get("distances") is not None:
            distances = self.matrix("travel.distances", value.get("distances"))
            if durations and distances and len(distances) != len(durations):
                self.err("travel.distances", f"is {len(distances)}x{len(distances)} but "
                         f"durations is {len(durations)}x{len(durations)}")
        return TravelSpec("matrix", durations=durations or (), distances=distances)

    def matrix(self, path: str, value: Any) -> tuple[tuple[float, ...], ...] | None:
        if not isinstance(value, list) or not value:
            self.err(path, "expected a non-empty square matrix (list of lists)")
            return None
        n = len(value)
        rows = []
        for i, row in enumerate(value):
            if not isinstance(row, list) or len(row) != n:
                self.err(f"{path}[{i}]", f"expected a row of {n} numbers")
                return None
            vals = []
            for k, v in enumerate(row):
                if isinstance(v, bool) or not isinstance(v, int | float) or \
                        not math.isfinite(v) or v < 0:
                    self.err(f"{path}[{i}][{k}]", f"expected a finite number >= 0, got {v!r}")
                    return None
                vals.append(float(v))
            rows.append(tuple(vals))
        return tuple(rows)

    def parse(self) -> Problem:
        data = self.data
        if not isinstance(data, Mapping):
            raise ProblemError([f"problem: expected a JSON object, got {type(data).__name__}"])
        travel = self.travel(data.get("travel"))
        n_matrix = len(travel.durations or ()) if travel.metric == "matrix" else 0
        engineers = self.engineers(data.get("engineers"), travel.metric, n_matrix)
        jobs = self.jobs(data.get("jobs"), travel.metric, n_matrix)
        self.cross_checks(engineers, jobs)
        if self.errors:
            raise ProblemError(self.errors)
        name = data.get("name", "problem")
        horizon = data.get("horizon_start")
        return Problem(engineers=tuple(engineers), jobs=tuple(jobs), travel=travel,
                       name=str(name), horizon_start=None if horizon is None else str(horizon))

    def engineers(self, value: Any, metric: str, n_matrix: int) -> list[Engineer]:
        if not isinstance(value, list):
            self.err("engineers", f"expected a list, got {value!r}")
            return []
        out: list[Engineer] = []
        for i, raw in enumerate(value):
            p = f"engineers[{i}]"
            if not isinstance(raw, Mapping):
                self.err(p, "expected an object")
                continue
            eid = raw.get("id")
            if not isinstance(eid, str) or not eid:
                self.err(f"{p}.id", f"expected a non-empty string, got {eid!r}")
                continue
            start = self.location(f"{p}.start", raw.get("start"), metric, n_matrix)
            end: Location | None
            if "end" in raw:
                end = None if raw["end"] is None else \
                    self.location(f"{p}.end", raw["end"], metric, n_matrix)
            else:
                end = start
            shift = self.window(f"{p}.shift", raw.get("shift"))
            breaks = []
            raw_breaks = raw.get("breaks") or []
            if not isinstance(raw_breaks, list):
                self.err(f"{p}.breaks", "expected a list")
                raw_breaks = []
            for k, b in enumerate(raw_breaks):
                bp = f"{p}.breaks[{k}]"
                if not isinstance(b, Mapping):
                    self.err(bp, "expected an object")
                    continue
                w = self.window(f"{bp}.window", b.get("window"))
                d = self.number(f"{bp}.duration", b.get("duration"), minimum=0)
                if w is not None and d is not None:
                    if d > w[1] - w[0]:
                        self.err(bp, f"duration {d:g} does not fit in window {list(w)}")
                    breaks.append(Break(w, d))
            capacity = None
            if raw.get("capacity") is not None:
                capacity = self.vector(f"{p}.capacity", raw["capacity"])
            max_jobs = raw.get("max_jobs")
            if max_jobs is not None and (isinstance(max_jobs, bool) or
                                         not isinstance(max_jobs, int) or max_jobs < 0):
                self.err(f"{p}.max_jobs", f"expected an integer >= 0, got {max_jobs!r}")
                max_jobs = None
            skills = self.skills(f"{p}.skills", raw.get("skills"))
            if start is None or shift is None:
                continue
            out.append(Engineer(eid, start, end, shift, skills, tuple(breaks),
                                capacity, max_jobs))
            self.eng_pos.append(i)
        return out

    def jobs(self, value: Any, metric: str, n_matrix: int) -> list[Job]:
        if not isinstance(value, list):
            self.err("jobs", f"expected a list, got {value!r}")
            return []
        out: list[Job] = []
        for i, raw in enumerate(value):
            p = f"jobs[{i}]"
            if not isinstance(raw, Mapping):
                self.err(p, "expected an object")
                continue
            jid = raw.get("id")
            if not isinstance(jid, str) or not jid:
                self.err(f"{p}.id", f"expected a non-empty string, got {jid!r}")
                continue
            loc = self.location(f"{p}.location", raw.get("location"), metric, n_matrix)
            duration = self.number(f"{p}.duration", raw.get("duration"), minimum=0)
            windows = []
            raw_windows = raw.get("time_windows") or []
            if not isinstance(raw_windows, list):
                self.err(f"{p}.time_windows", "expected a list of [start, end]")
                raw_windows = []
            for k, w in enumerate(raw_windows):
                win = self.window(f"{p}.time_windows[{k}]", w)
                if win is not None:
                    windows.append(win)
            priority = raw.get("priority", 0)
            if isinstance(priority, bool) or not isinstance(priority, int) or priority < 0:
                self.err(f"{p}.priority", f"expected an integer >= 0, got {priority!r}")
                priority = 0
            demand = None
            if raw.get("demand") is not None:
                demand = self.vector(f"{p}.demand", raw["demand"])
            after = raw.get("after") or []
            if not isinstance(after, list) or not all(isinstance(a, str) for a in after):
                self.err(f"{p}.after", f"expected a list of job ids, got {after!r}")
                after = []
            pinned = raw.get("engineer")
            if pinned is not None and not isinstance(pinned, str):
                self.err(f"{p}.engineer", f"expected an engineer id, got {pinned!r}")
                pinned = None
            order = raw.get("order")
            skills = self.skills(f"{p}.skills", raw.get("skills"))
            if loc is None or duration is None:
                continue
            out.append(Job(jid, loc, duration, skills, tuple(sorted(windows)), priority,
                           demand, tuple(after), pinned,
                           None if order is None else str(order)))
            self.job_pos.append(i)
        return out

    def _raw_ids(self, key: str) -> set[str]:
        """Ids in the input, parsed or not: a reference to a rejected entry is not also
        reported as unknown."""
        raw = self.data.get(key)
        if not isinstance(raw, list):
            return set()
        return {r["id"] for r in raw if isinstance(r, Mapping) and isinstance(r.get("id"), str)}

    def cross_checks(self, engineers: list[Engineer], jobs: list[Job]) -> None:
        seen: dict[str, int] = {}
        for e, i in zip(engineers, self.eng_pos, strict=True):
            if e.id in seen:
                self.err(f"engineers[{i}].id", f"duplicate id {e.id!r} "
                         f"(also engineers[{seen[e.id]}])")
            seen.setdefault(e.id, i)
        job_pos: dict[str, int] = {}
        for j, i in zip(jobs, self.job_pos, strict=True):
            if j.id in job_pos:
                self.err(f"jobs[{i}].id", f"duplicate id {j.id!r} (also jobs[{job_pos[j.id]}])")
            job_pos.setdefault(j.id, i)
        known_jobs, known_engs = self._raw_ids("jobs"), self._raw_ids("engineers")
        shifts = [e.shift for e in engineers]
        dims = {len(e.capacity) for e in engineers if e.capacity is not None}
        for j, i in zip(jobs, self.job_pos, strict=True):
            p = f"jobs[{i}]"
            for a in j.after:
                if a not in known_jobs:
                    self.err(f"{p}.after", f"unknown job id {a!r}")
                elif a == j.id:
                    self.err(f"{p}.after", f"job {j.id!r} cannot follow itself")
            if j.engineer is not None and j.engineer not in known_engs:
                self.err(f"{p}.engineer", f"unknown engineer id {j.engineer!r}")
            for k, (lo, hi) in enumerate(j.time_windows):
                if shifts and not any(lo <= s_hi and hi >= s_lo for s_lo, s_hi in shifts):
                    self.err(f"{p}.time_windows[{k}]", f"[{lo:g}, {hi:g}] is outside every "
                             "engineer's shift")
            if j.demand is not None and dims and len(j.demand) not in dims:
                self.err(f"{p}.demand", f"has {len(j.demand)} dimension(s), engineers' "
                         f"capacity has {sorted(dims)}")
        self.precedence_cycles(jobs)

    def precedence_cycles(self, jobs: list[Job]) -> None:
        graph = {j.id: [a for a in j.after] for j in jobs}
        state: dict[str, int] = {}  # 1 = on stack, 2 = done
        for root in graph:
            if state.get(root):
                continue
            stack: list[tuple[str, int]] = [(root, 0)]
            path: list[str] = []
            while stack:
                node, k = stack.pop()
                if k == 0:
                    state[node] = 1
                    path.append(node)
                succs = graph.get(node, [])
                if k < len(succs):
                    stack.append((node, k + 1))
                    nxt = succs[k]
                    if nxt not in graph:
                        continue
                    if state.get(nxt) == 1:
                        cycle = path[path.index(nxt):] + [nxt]
                        self.err("jobs", "precedence cycle: " + " -> ".join(cycle))
                        return
                    if not state.get(nxt):
                        stack.append((nxt, 0))
                else:
                    state[node] = 2
                    path.pop()
