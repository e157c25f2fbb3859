"""The solver's result: timed routes, unassigned jobs with reasons, and the contract JSON."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scheduler.instance import Instance
from scheduler.model import Location
from scheduler.timing import TimedRoute


def _loc(loc: Location) -> Any:
    return list(loc) if isinstance(loc, tuple) else loc


def _num(x: float) -> float | int:
    """Whole numbers as ints, others rounded to the millisecond, for tidy JSON."""
    r = round(float(x), 3)
    return int(r) if r == int(r) else r


@dataclass
class Schedule:
    """A solved day in contract form plus solver metadata."""

    routes: list[dict[str, Any]]
    unassigned: list[dict[str, str]]
    summary: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {"routes": self.routes, "unassigned": self.unassigned, "summary": self.summary}
        out.update(self.extra)
        return out

    @property
    def assigned_ids(self) -> list[str]:
        return [s["job"] for r in self.routes for s in r["steps"] if s["type"] == "job"]


def build_schedule(inst: Instance, timed: list[TimedRoute], reasons: dict[int, str],
                   status: str, solve_time: float) -> Schedule:
    """Write timed routes in the contract's step format and total the summary."""
    prob = inst.problem
    routes = []
    travel = distance = 0.0
    work = 0.0
    for tr in timed:
        if not tr.stops:
            continue
        e = tr.engineer
        eng = prob.engineers[e]
        steps: list[dict[str, Any]] = [
            {"type": "start", "location": _loc(eng.start), "departure": _num(tr.departure)}]
        prev = inst.start_loc(e)
        breaks = list(tr.breaks)
        for point in range(len(tr.stops) + 1):
            while breaks and breaks[0][0] == point:
                _, b_start, b_end = breaks.pop(0)
                steps.append({"type": "break", "start": _num(b_start), "end": _num(b_end)})
            if point == len(tr.stops):
                break
            stop = tr.stops[point]
            travel += inst.T_exact[prev, stop.job]
            distance += inst.D[prev, stop.job]
            work += stop.end - stop.start
            prev = stop.job
            job = prob.jobs[stop.job]
            steps.append({"type": "job", "job": job.id, "arrival": _num(stop.arrival),
                          "start": _num(stop.start), "end": _num(stop.end)})
        end_loc = inst.end_loc(e)
        travel += inst.T_exact[prev, end_loc]
        distance += inst.D[prev, end_loc]
        if eng.end is not None:
            steps.append({"type": "end", "location": _loc(eng.end),
                          "arrival": _num(tr.end_arrival)})
        routes.append({"engineer": eng.id, "steps": steps})
    unassigned = [{"job": prob.jobs[j].id, "reason": r} for j, r in sorted(reasons.items())]
    summary = {
        "travel_time": _num(travel),
        "distance": _num(distance),
        "assigned": sum(len(t.stops) for t in timed),
        "unassigned": len(unassigned),
        "engineers_used": len(routes),
        "work_time": _num(work),
        "priority_assigned": sum(prob.jobs[s.job].priority for t in timed for s in t.stops),
        "solve_time": round(solve_time, 3),
        "status": status,
    }
    return Schedule(routes, unassigned, summary)
