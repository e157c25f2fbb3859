"""Field days from `generate`: fieldsched against plain OR-Tools at the same time limit.

    python -m benchmarks.field_days [--quick] [--out benchmarks/results/field_days.md]

Days (seed 0, Leeds): *generous* 300 orders / 190 engineers at 30 s, and *tight* 1,000
orders / 240 engineers at 60 s. Each is solved by fieldsched and by the plain OR-Tools
baseline (ALL_UNPERFORMED + guided local search, the issue's yardstick) with the chains,
and by the baseline without the chains (the travel yardstick of the generous day). Every
run is its own process, so peak RSS is per run; every schedule is judged by the shared
checker, and only its recomputed metrics are reported. fieldsched runs in clock mode
(``deterministic=False``), like OR-Tools, so both stop at the same wall-clock limit.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

DAYS = {  # name: (orders, engineers, time limit s)
    "generous": (300, 190, 30.0),
    "tight": (1000, 240, 60.0),
}
RUNS = (("fieldsched", True), ("plain OR-Tools", True), ("plain OR-Tools", False))


def run_one(day: str, solver: str, chains: bool, time_limit: float) -> dict[str, Any]:
    """Solve one day in this process and return the checked metrics."""
    from api.commands.demo import shared_checker
    from benchmarks.baseline_ortools import solve_plain_contract
    from scheduler import Problem, solve
    from scheduler.generate import describe_day, generate_day

    orders, engineers, _ = DAYS[day]
    problem = generate_day("leeds", orders, engineers, seed=0, chains=chains)
    started = time.perf_counter()
    if solver == "fieldsched":
        schedule = solve(Problem.from_dict(problem), time_limit=time_limit, seed=0,
                         deterministic=False).to_dict()
    else:
        schedule = solve_plain_contract(problem, time_limit=time_limit,
                                        first_solution="ALL_UNPERFORMED")
    seconds = time.perf_counter() - started
    result = shared_checker().check(problem, schedule)
    facts = describe_day(problem)
    m = result["metrics"]
    return {
        "day": day, "solver": solver, "chains": chains, "jobs": facts["jobs"],
        "work_h": facts["work_hours"], "shift_h": facts["shift_hours"],
        "unassignable": facts.get("unassignable", 0),
        "assigned": m["assigned"], "travel_h": m["travel_time"] / 3600,
        "travel_per_job_min": m["travel_time"] / max(1, m["assigned"]) / 60,
        "feasible": result["feasible"], "violations": len(result["violations"]),
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.field_days")
    ap.add_argument("--quick", action="store_true", help="a tenth of the time limits")
    ap.add_argument("--days", default=",".join(DAYS))
    ap.add_argument("--out", type=Path,
                    default=Path(__file__).resolve().parent / "results" / "field_days.md")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # day,solver,chains,limit (child)
    a = ap.parse_args(argv)
    if a.one:
        day, solver, chains, limit = a.one.split("|")
        print(json.dumps(run_one(day, solver, chains == "1", float(limit))))
        return 0
    rows = []
    for day in a.days.split(","):
        limit = DAYS[day][2] / (10 if a.quick else 1)
        for solver, chains in RUNS:
            arg = f"{day}|{solver}|{int(chains)}|{limit}"
            out = subprocess.run([sys.executable, "-m", "benchmarks.field_days", "--one", arg],
                                 capture_output=True, text=True, check=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            row["limit"] = limit
            rows.append(row)
            print(f"{day:9} {solver:15} chains={chains!s:5} assigned {row['assigned']}/"
                  f"{row['jobs']} travel {row['travel_h']:.1f} h "
                  f"({row['travel_per_job_min']:.1f} min/job) feasible={row['feasible']} "
                  f"{row['seconds']:.1f} s {row['peak_rss_mb']:.0f} MB", flush=True)
    text = report(rows, argv or [])
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(text)
    print(text)
    return 0


def report(rows: list[dict[str, Any]], argv: list[str]) -> str:
    lines = [
        "# Field days: fieldsched vs plain OR-Tools",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"Python {platform.python_version()}; command: "
        f"`python -m benchmarks.field_days {' '.join(argv)}`.",
        "",
        "Metrics are the shared checker's recomputation; peak RSS is per solving process.",
        "",
        "| day | solver | chains | limit s | jobs | work h / shift h | assigned | travel h | "
        "travel min/job | checker | wall s | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        verdict = "feasible" if r["feasible"] else f"{r['violations']} violations"
        lines.append(
            f"| {r['day']} | {r['solver']} | {'yes' if r['chains'] else 'no'} | "
            f"{r['limit']:.0f} | {r['jobs']} | {r['work_h']:.0f} / {r['shift_h']:.0f} | "
            f"{r['assigned']} | {r['travel_h']:.1f} | {r['travel_per_job_min']:.1f} | "
            f"{verdict} | "
            f"{r['seconds']:.1f} | {r['peak_rss_mb']:.0f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
