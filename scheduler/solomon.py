"""Solomon / Gehring–Homberger VRPTW instances on the scheduling contract.

Everything is in the DIMACS convention that the `distance` best-known solutions use: every
edge is ``floor(10 * euclid)`` tenths, for distance *and* travel time, so times (windows,
service) are scaled by 10 as well and the whole problem is integral and exact. Results are
checked by the independent ``verify_vrptw.py`` in the shared folder, never by this module.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SCALE = 10
"""Tenths: the DIMACS convention's unit for distance and time."""

_REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, eq=False)
class SolomonInstance:
    """A VRPTW instance; node 0 is the depot. Arrays are read-only."""

    name: str
    vehicles: int
    capacity: float
    x: np.ndarray
    y: np.ndarray
    demand: np.ndarray
    ready: np.ndarray
    due: np.ndarray
    service: np.ndarray

    @property
    def n_customers(self) -> int:
        return len(self.x) - 1

    @property
    def nodes(self) -> np.ndarray:
        """``(n+1, 6)`` array of ``x, y, demand, ready, due, service`` per node."""
        return np.column_stack([self.x, self.y, self.demand, self.ready, self.due, self.service])


class SolomonFormatError(ValueError):
    """The file is not a Solomon-format instance."""


def _isnum(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def read_instance(path: str | os.PathLike[str]) -> SolomonInstance:
    """Read a Solomon / Gehring–Homberger text file (the ``VEHICLE`` / ``CUSTOMER`` layout)."""
    lines = [ln.strip() for ln in Path(path).read_text(encoding="utf-8").splitlines()]
    upper = [ln.upper() for ln in lines]
    try:
        vi, ci = upper.index("VEHICLE"), upper.index("CUSTOMER")
    except ValueError:
        raise SolomonFormatError(f"{path}: missing VEHICLE or CUSTOMER section") from None
    fleet = next((ln.split() for ln in lines[vi + 1:ci]
                  if len(ln.split()) == 2 and all(map(_isnum, ln.split()))), None)
    if fleet is None:
        raise SolomonFormatError(f"{path}: no 'NUMBER CAPACITY' values")
    rows = [[float(p) for p in ln.split()] for ln in lines[ci + 1:]
            if len(ln.split()) == 7 and all(map(_isnum, ln.split()))]
    if not rows:
        raise SolomonFormatError(f"{path}: no customer rows")
    table = np.asarray(rows, dtype=float)
    if not np.array_equal(table[:, 0], np.arange(len(rows))):
        raise SolomonFormatError(f"{path}: customer rows must be numbered 0..n in order")
    cols = []
    for k in range(1, 7):
        col = table[:, k].copy()
        col.flags.writeable = False
        cols.append(col)
    capacity = float(fleet[1])
    return SolomonInstance(
        name=next(ln for ln in lines if ln).upper(), vehicles=int(float(fleet[0])),
        capacity=int(capacity) if capacity.is_integer() else capacity, x=cols[0], y=cols[1],
        demand=cols[2], ready=cols[3], due=cols[4], service=cols[5])


def dimacs_matrix(inst: SolomonInstance) -> np.ndarray:
    """``floor(10 * euclid)`` between all nodes as int64, exact for integer coordinates.

    For integers it is ``isqrt(100 * (dx² + dy²))``: a float square root corrected by one
    step either way, so no value is off by one where the root is (nearly) a whole number.
    """
    x, y = inst.x, inst.y
    if np.all(x == np.round(x)) and np.all(y == np.round(y)):
        xi, yi = x.astype(np.int64), y.astype(np.int64)
        dx, dy = xi[:, None] - xi[None, :], yi[:, None] - yi[None, :]
        sq = 100 * (dx * dx + dy * dy)
        r = np.floor(np.sqrt(sq.astype(np.float64))).astype(np.int64)
        r -= (r * r > sq).astype(np.int64)
        r += ((r + 1) * (r + 1) <= sq).astype(np.int64)
        return r
    euclid = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    return np.floor(SCALE * euclid + 1e-9).astype(np.int64)


def _tenths(values: np.ndarray) -> list[int]:
    return [int(round(v * SCALE)) for v in values]


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else float(v)


def to_problem_dict(inst: SolomonInstance, fleet: int | None = None) -> dict[str, Any]:
    """The instance as a contract problem in tenths (DIMACS): ``matrix`` travel, depot = index 0.

    One engineer ``V1..Vk`` per vehicle (``fleet`` defaults to the instance's VEHICLE NUMBER),
    shift = the depot's window; job id = the customer number, location = its node index.
    """
    k = inst.vehicles if fleet is None else fleet
    m = dimacs_matrix(inst).tolist()
    ready, due, service = _tenths(inst.ready), _tenths(inst.due), _tenths(inst.service)
    engineers = [{"id": f"V{v + 1}", "start": 0, "end": 0, "shift": [ready[0], due[0]],
                  "skills": [], "capacity": [_num(inst.capacity)]} for v in range(k)]
    jobs = [{"id": str(i), "location": i, "duration": service[i], "skills": [],
             "time_windows": [[ready[i], due[i]]], "demand": [_num(inst.demand[i])]}
            for i in range(1, len(inst.x))]
    return {"name": inst.name, "horizon_start": "1970-01-01T00:00:00+00:00",
            "time_unit": "tenths (DIMACS convention)",
            "travel": {"metric": "matrix", "durations": m, "distances": m},
            "engineers": engineers, "jobs": jobs}


def schedule_from_routes(inst: SolomonInstance, routes: Sequence[Sequence[int]],
                         reason: str = "not_routed") -> dict[str, Any]:
    """A contract schedule (tenths) for customer routes: each vehicle leaves at the depot's
    ready time, waits when early. Customers in no route are unassigned with ``reason``.

    Times are computed, not checked: feed the result to the contract checker.
    """
    m = dimacs_matrix(inst)
    ready, service = _tenths(inst.ready), _tenths(inst.service)
    out_routes, travel, served = [], 0, set()
    for v, route in enumerate(r for r in routes if r):
        t, prev = ready[0], 0
        steps: list[dict[str, Any]] = [{"type": "start", "location": 0, "departure": t}]
        for c in route:
            arrival = t + int(m[prev, c])
            start = max(arrival, ready[c])
            t = start + service[c]
            travel += int(m[prev, c])
            steps.append({"type": "job", "job": str(c), "arrival": arrival, "start": start,
                          "end": t})
            served.add(c)
            prev = c
        travel += int(m[prev, 0])
        steps.append({"type": "end", "location": 0, "arrival": t + int(m[prev, 0])})
        out_routes.append({"engineer": f"V{v + 1}", "steps": steps})
    unassigned = [{"job": str(c), "reason": reason}
                  for c in range(1, len(inst.x)) if c not in served]
    return {"routes": out_routes, "unassigned": unassigned,
            "summary": {"travel_time": travel, "distance": travel, "assigned": len(served),
                        "unassigned": len(unassigned), "engineers_used": len(out_routes)}}


def routes_from_schedule(schedule: dict[str, Any]) -> list[list[int]]:
    """Customer numbers per non-empty route of a contract schedule (job id = customer number)."""
    routes = []
    for route in schedule.get("routes", []):
        customers = [int(s["job"]) for s in route.get("steps", []) if s.get("type") == "job"]
        if customers:
            routes.append(customers)
    return routes


def write_routes(path: str | os.PathLike[str], routes: Iterable[Sequence[int]],
                 cost: float | None = None) -> None:
    """Write ``Route #k: c1 c2 ...`` lines (and ``Cost X``), the format verify_vrptw.py reads."""
    lines = [f"Route #{k}: {' '.join(map(str, r))}"
             for k, r in enumerate((r for r in routes if r), start=1)]
    if cost is not None:
        lines.append(f"Cost {cost:.1f}" if isinstance(cost, float) else f"Cost {cost}")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def load_bks(csv_path: str | os.PathLike[str],
             convention: str = "distance") -> dict[str, tuple[int, float]]:
    """``{instance: (vehicles, distance)}`` for one convention of a shared ``bks.csv``."""
    with open(csv_path, newline="", encoding="utf-8") as f:
        return {row["instance"]: (int(row["vehicles"]), float(row["distance"]))
                for row in csv.DictReader(f) if row["convention"] == convention}


def family(name: str) -> str:
    """``C101`` → ``C1``, ``RC2_2_10`` → ``RC2``: the letters and the first digit."""
    letters = "".join(ch for ch in name if ch.isalpha())
    return letters.upper() + name[len(letters)]


def shared_dir() -> Path:
    """The shared folder: ``$FIELDSCHED_SHARED_DIR``, else ``<repo>/../shared``."""
    env = os.environ.get("FIELDSCHED_SHARED_DIR")
    return Path(env) if env else _REPO.parent / "shared"


class VerifyError(RuntimeError):
    """verify_vrptw.py could not read its input (exit status 2)."""


def verify(instance_path: str | os.PathLike[str],
           routes_path: str | os.PathLike[str]) -> dict[str, Any]:
    """Run the independent ``verify_vrptw.py --convention dimacs --json`` and return its JSON.

    Keys include ``feasible``, ``vehicles``, ``distance_dimacs``, ``structural_errors`` and
    ``time_window_errors_dimacs``. Raises `VerifyError` when it cannot read the files.
    """
    script = shared_dir() / "benchmarks" / "verify_vrptw.py"
    proc = subprocess.run(
        [sys.executable, str(script), str(instance_path), str(routes_path),
         "--convention", "dimacs", "--json"],
        capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        raise VerifyError(f"verify_vrptw.py exit {proc.returncode}: {proc.stderr.strip()}")
    return json.loads(proc.stdout)
