"""In-day re-planning: apply an event to the current plan and re-optimise the rest of the day.

The re-plan problem is derived from the previous run's contract problem and schedule, not
re-read from the database, so every re-plan is reproducible from what was stored:

- work that started before the event time ``t`` is *frozen*: pinned to its engineer at the
  head of the route, with its planned start as a point window (its duration changed by
  ``job_delayed`` / ``job_finished_early``); breaks already taken keep their time;
- everything else may start no earlier than ``t``; booked windows stay hard; a job whose
  windows all closed before ``t`` leaves the problem (``window_passed``);
- ``engineer_unavailable``: the engineer's day ends at ``from`` (or when the work in hand
  ends); ``emergency_job`` adds a repair; ``customer_absent`` fails the job (not started:
  it leaves the plan; started: the visit ends now).

Minimal disruption: two candidates are solved from the previous routes as warm start:
*keep* (every job that still has its engineer is pinned to them: only orphans and new
jobs move; the sequence may change) and *free* (nothing pinned). The free plan is taken
only if its assigned value (Σ 1 + priority) beats keep's by more than
``MOVE_PENALTY`` per extra job moved to another engineer.
"""
from __future__ import annotations

import copy
import math
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from orders.errors import InvalidInput
from scheduler import Problem, SolveOptions, solve

EVENT_TYPES = ("engineer_unavailable", "job_delayed", "job_finished_early", "emergency_job",
               "customer_absent")
MOVE_PENALTY = 0.2
KEEP = "keep"
FROZEN = "frozen"


@dataclass
class ReplanInput:
    problem: dict[str, Any]
    frozen: dict[str, list[str]]
    warm: dict[str, Any]
    t: float
    removed: list[dict[str, Any]] = field(default_factory=list)
    new_jobs: list[str] = field(default_factory=list)
    unavailable: set[str] = field(default_factory=set)


def to_seconds(at: datetime, problem: dict[str, Any]) -> float:
    return (at - datetime.fromisoformat(problem["horizon_start"])).total_seconds()


def _steps(schedule: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {s["job"]: (r["engineer"], s) for r in schedule["routes"] for s in r["steps"]
            if s["type"] == "job"}


def _need(event: dict[str, Any], key: str) -> Any:
    if event.get(key) is None:
        raise InvalidInput(f"{event.get('type')} needs {key!r}", field=key)
    return event[key]


def build_replan(problem: dict[str, Any], schedule: dict[str, Any], event: dict[str, Any],
                 t: float) -> ReplanInput:
    """The re-plan problem, frozen heads and warm start for ``event`` at time ``t``."""
    kind = event.get("type")
    if kind not in EVENT_TYPES:
        raise InvalidInput(f"type must be one of {', '.join(EVENT_TYPES)}", field="type")
    prob = copy.deepcopy(problem)
    jobs = {j["id"]: j for j in prob["jobs"]}
    engineers = {e["id"]: e for e in prob["engineers"]}
    steps = _steps(schedule)
    for j in jobs.values():  # last re-plan's "keep" pins are not constraints
        if j.pop("pin", None) == KEEP:
            j.pop("engineer", None)
    removed: list[dict[str, Any]] = []
    new_jobs: list[str] = []
    unavailable: set[str] = set()
    if kind in ("job_delayed", "job_finished_early", "customer_absent"):
        jid = _need(event, "job")
        if jid not in jobs:
            raise InvalidInput(f"job {jid!r} is not in this day's plan", field="job")
        if kind != "customer_absent" and jid not in steps:
            raise InvalidInput(f"job {jid!r} is not assigned in this plan", field="job")
    if kind == "job_finished_early":
        _, step = steps[event["job"]]
        if t < step["start"]:
            raise InvalidInput("'at' is before the job's planned start", field="at")
        jobs[event["job"]]["duration"] = max(0, math.floor(t - step["start"]))
    # Freeze what started before t (and the breaks already taken).
    frozen: dict[str, list[str]] = {}
    for route in schedule["routes"]:
        eid = route["engineer"]
        for s in route["steps"]:
            if s["type"] == "job" and s["start"] < t and s["job"] in jobs:
                j = jobs[s["job"]]
                j["time_windows"] = [[s["start"], s["start"]]]
                j["engineer"], j["pin"] = eid, FROZEN
                frozen.setdefault(eid, []).append(s["job"])
            elif s["type"] == "break" and s["start"] < t and eid in engineers:
                for b in engineers[eid].get("breaks", []):
                    if b["window"][0] <= s["start"] <= b["window"][1]:
                        b["window"] = [s["start"], s["start"]]
    if kind == "job_delayed":
        minutes = float(_need(event, "minutes"))
        if not 0 < minutes <= 24 * 60:
            raise InvalidInput("minutes must be in (0, 1440]", field="minutes")
        j = jobs[event["job"]]
        _, step = steps[event["job"]]
        if j.get("pin") == FROZEN:
            j["duration"] = j["duration"] + round(60 * minutes)
        else:
            j["time_windows"] = [[max(lo, step["start"] + 60 * minutes), hi]
                                 for lo, hi in j.get("time_windows", [[0, math.inf]])]
            j["time_windows"] = [[lo, hi if math.isfinite(hi) else lo + 86400]
                                 for lo, hi in j["time_windows"] if lo <= hi]
    if kind == "customer_absent":
        j = jobs[event["job"]]
        if j.get("pin") == FROZEN:
            _, step = steps[event["job"]]
            j["duration"] = int(min(j["duration"], max(0, t - step["start"])))
        else:
            removed.append({"job": j["id"], "reason": "customer_absent"})
    if kind == "engineer_unavailable":
        eid = _need(event, "engineer")
        if eid not in engineers:
            raise InvalidInput(f"engineer {eid!r} is not rostered in this plan", field="engineer")
        e = engineers[eid]
        unavailable.add(eid)
        busy_until = max([steps[j][1]["end"] for j in frozen.get(eid, [])], default=None)
        if busy_until is None:
            prob["engineers"] = [x for x in prob["engineers"] if x["id"] != eid]
        else:
            e["shift"] = [e["shift"][0], max(busy_until, min(t, e["shift"][1]))]
            e["end"] = None
            e.pop("breaks", None)
    if kind == "emergency_job":
        job = _emergency(event, t, prob)
        if job["id"] in jobs:
            raise InvalidInput(f"job {job['id']!r} already exists", field="id")
        jobs[job["id"]] = job
        new_jobs.append(job["id"])
    # Not yet started: no earlier than t; windows already closed leave the problem.
    removed_ids = {r["job"] for r in removed}
    for j in jobs.values():
        if j.get("pin") == FROZEN or j["id"] in removed_ids:
            continue
        tws = [[max(lo, t), hi] for lo, hi in j.get("time_windows", [[t, math.inf]])
               if hi >= t]
        if not tws:
            removed.append({"job": j["id"], "reason": "window_passed"})
            removed_ids.add(j["id"])
            continue
        horizon = max(e["shift"][1] for e in prob["engineers"]) if prob["engineers"] else t
        j["time_windows"] = [[lo, hi if math.isfinite(hi) else max(lo, horizon)]
                             for lo, hi in tws]
    # A job whose predecessor left the problem cannot be done either.
    changed = True
    while changed:
        changed = False
        for j in jobs.values():
            if j["id"] not in removed_ids and any(p in removed_ids for p in j.get("after", [])):
                removed.append({"job": j["id"], "reason": "predecessor_unassigned"})
                removed_ids.add(j["id"])
                changed = True
    prob["jobs"] = [j for j in jobs.values() if j["id"] not in removed_ids]
    for j in prob["jobs"]:
        if "after" in j:
            j["after"] = [p for p in j["after"] if p not in removed_ids]
    present = {e["id"] for e in prob["engineers"]}
    frozen = {e: js for e, js in frozen.items() if e in present}
    warm = {"routes": [_only_frozen(r, frozen) if r["engineer"] in unavailable else r
                       for r in schedule["routes"] if r["engineer"] in present],
            "unassigned": []}
    return ReplanInput(prob, frozen, warm, t, removed, new_jobs, unavailable)


def _only_frozen(route: dict[str, Any], frozen: dict[str, list[str]]) -> dict[str, Any]:
    keep = set(frozen.get(route["engineer"], []))
    return {**route, "steps": [s for s in route["steps"]
                               if s["type"] != "job" or s["job"] in keep]}


def build_replan_many(problem: dict[str, Any], schedule: dict[str, Any],
                      events: list[dict[str, Any]], t: float) -> ReplanInput:
    """Several events at the same time ``t`` (e.g. a depot-wide disruption), one re-plan."""
    if not events:
        raise InvalidInput("no events", field="events")
    removed: list[dict[str, Any]] = []
    new_jobs: list[str] = []
    unavailable: set[str] = set()
    prob = problem
    for ev in events:
        inp = build_replan(prob, schedule, ev, t)
        prob = inp.problem
        removed += inp.removed
        new_jobs += inp.new_jobs
        unavailable |= inp.unavailable
    warm = {"routes": [_only_frozen(r, inp.frozen) if r["engineer"] in unavailable else r
                       for r in inp.warm["routes"]], "unassigned": []}
    return ReplanInput(prob, inp.frozen, warm, t, removed, new_jobs, unavailable)


def _emergency(event: dict[str, Any], t: float, prob: dict[str, Any]) -> dict[str, Any]:
    loc = _need(event, "location")
    duration = int(_need(event, "duration"))
    job: dict[str, Any] = {
        "id": event.get("id") or f"EM-{secrets.token_hex(4)}", "location": list(loc),
        "duration": duration, "skills": sorted(event.get("skills") or ["repair"]),
        "priority": int(event.get("priority", 10)), "kind": "repair"}
    if event.get("window"):
        lo, hi = (to_seconds(x, prob) if isinstance(x, datetime) else float(x)
                  for x in event["window"])
        job["time_windows"] = [[lo, hi]]
    if event.get("order"):
        job["order"] = event["order"]
    return job


# -- solving and the diff -----------------------------------------------------------------

def _value(problem: dict[str, Any], schedule: dict[str, Any]) -> float:
    prio = {j["id"]: j.get("priority", 0) for j in problem["jobs"]}
    return sum(1 + prio.get(j, 0) for j in _steps(schedule))


def moved_jobs(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    a, b = _steps(before), _steps(after)
    return sorted(j for j in a if j in b and a[j][0] != b[j][0])


def replan_candidates(inp: ReplanInput, time_limit: float = 5.0, seed: int = 0
                      ) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """The keep and free candidates (half the time limit each): mode -> (problem, schedule)."""
    keep = copy.deepcopy(inp.problem)
    steps = _steps(inp.warm)
    engineers = {e["id"] for e in keep["engineers"]}
    for j in keep["jobs"]:
        if j.get("pin") is None and j["id"] in steps and steps[j["id"]][0] in engineers:
            j["engineer"], j["pin"] = steps[j["id"]][0], KEEP
    opts = SolveOptions(time_limit=time_limit / 2, seed=seed, warm_start=inp.warm,
                        frozen=inp.frozen, search="never")
    return {KEEP: (keep, solve(Problem.from_dict(keep), opts).to_dict()),
            "free": (inp.problem, solve(Problem.from_dict(inp.problem), opts).to_dict())}


def choose(inp: ReplanInput, candidates: dict[str, tuple[dict[str, Any], dict[str, Any]]]
           ) -> str:
    """Free only if its extra assigned value pays for its extra moves."""
    (kp, ks), (fp, fs) = candidates[KEEP], candidates["free"]
    gain = _value(fp, fs) - _value(kp, ks)
    extra_moves = len(moved_jobs(inp.warm, fs)) - len(moved_jobs(inp.warm, ks))
    return "free" if gain > MOVE_PENALTY * max(0, extra_moves) else KEEP


def solve_replan(inp: ReplanInput, time_limit: float = 5.0, seed: int = 0
                 ) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Solve both candidates and pick one; returns (problem, schedule, mode)."""
    candidates = replan_candidates(inp, time_limit, seed)
    mode = choose(inp, candidates)
    return (*candidates[mode], mode)


def solve_from_scratch(problem: dict[str, Any], time_limit: float = 5.0, seed: int = 0
                       ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The comparison re-plan: the same problem (frozen work still frozen) solved without
    the previous routes and without keep pins; returns (problem, schedule)."""
    prob = copy.deepcopy(problem)
    frozen: dict[str, list[tuple[float, str]]] = {}
    for j in prob["jobs"]:
        if j.get("pin") == KEEP:
            j.pop("pin")
            j.pop("engineer", None)
        elif j.get("pin") == FROZEN:
            frozen.setdefault(j["engineer"], []).append((j["time_windows"][0][0], j["id"]))
    heads = {e: [jid for _, jid in sorted(v)] for e, v in frozen.items()}
    opts = SolveOptions(time_limit=time_limit, seed=seed, frozen=heads)
    return prob, solve(Problem.from_dict(prob), opts).to_dict()


def diff(before_problem: dict[str, Any], before: dict[str, Any], after: dict[str, Any],
         removed: list[dict[str, Any]], tz: ZoneInfo, eta_threshold_s: float = 60
         ) -> dict[str, Any]:
    """What changed for engineers and customers: moved jobs, newly (un)assigned, new ETAs."""
    origin = datetime.fromisoformat(before_problem["horizon_start"])

    def clock(secs: float | None) -> str | None:
        from datetime import timedelta
        return None if secs is None else (origin + timedelta(seconds=secs)).astimezone(
            tz).isoformat(timespec="minutes")

    a, b = _steps(before), _steps(after)
    reasons = {u["job"]: u["reason"] for u in after["unassigned"]}
    reasons.update({r["job"]: r["reason"] for r in removed})
    moved, etas, newly_unassigned, newly_assigned = [], [], [], []
    for jid, (eng, s) in a.items():
        if jid not in b:
            newly_unassigned.append({"job": jid, "engineer": eng,
                                     "reason": reasons.get(jid, "removed")})
            continue
        eng2, s2 = b[jid]
        if eng2 != eng:
            moved.append({"job": jid, "from": eng, "to": eng2, "old_arrival": clock(
                s["arrival"]), "new_arrival": clock(s2["arrival"]), "new_start": clock(
                s2["start"])})
        elif abs(s2["start"] - s["start"]) >= eta_threshold_s:
            etas.append({"job": jid, "engineer": eng2, "old_start": clock(s["start"]),
                         "new_arrival": clock(s2["arrival"]), "new_start": clock(s2["start"]),
                         "delta_min": round((s2["start"] - s["start"]) / 60, 1)})
    for jid, (eng, s) in b.items():
        if jid not in a:
            newly_assigned.append({"job": jid, "engineer": eng, "arrival": clock(s["arrival"]),
                                   "start": clock(s["start"])})
    before_un = {u["job"] for u in before["unassigned"]}
    for u in after["unassigned"]:
        if u["job"] not in a and u["job"] not in before_un:
            newly_unassigned.append({"job": u["job"], "engineer": None, "reason": u["reason"]})
    return {"moved": moved, "newly_unassigned": newly_unassigned,
            "newly_assigned": newly_assigned, "new_etas": etas,
            "counts": {"moved": len(moved), "newly_unassigned": len(newly_unassigned),
                       "newly_assigned": len(newly_assigned), "eta_changes": len(etas)}}


def replan_documents(problem: dict[str, Any], schedule: dict[str, Any],
                     event: dict[str, Any] | list[dict[str, Any]], t: float, tz: ZoneInfo,
                     time_limit: float = 5.0, seed: int = 0) -> dict[str, Any]:
    """Pure re-plan of one event (or several at once): new problem, schedule and the diff."""
    started = time.perf_counter()
    inp = build_replan_many(problem, schedule, event if isinstance(event, list) else [event], t)
    new_problem, new_schedule, mode = solve_replan(inp, time_limit, seed)
    d = diff(problem, schedule, new_schedule, inp.removed, tz)
    d.update(mode=mode, replan_seconds=round(time.perf_counter() - started, 3),
             event_time=t, new_jobs=inp.new_jobs, removed=inp.removed)
    return {"problem": new_problem, "schedule": new_schedule, "diff": d,
            "removed": inp.removed}
