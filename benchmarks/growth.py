"""Growth of decomposed solving with the size of the day, and decomposition vs monolith.

    python -m benchmarks.growth [--sizes 500,1500,5000,20000] [--out benchmarks/results/growth.md]

Days come from `generate` (one city up to 1,500 jobs' worth of orders, several cities for
the larger ones), about 3 jobs per engineer-day of demand for 2.6 jobs of capacity. Time
limits grow linearly with the number of jobs (28 ms per job, at least 20 s), so time per job
should stay flat if the method scales. Each run is its own process (peak RSS per run, the
group workers' included via RUSAGE_CHILDREN), solves in clock mode (``deterministic=False``,
so the wall time is the limit even on a loaded machine) and is judged by the shared checker.
At 1,500 jobs the monolithic solve gets the same limit, and the decomposed solve is repeated
on a Dask LocalCluster on loopback to show that executor end to end.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CITIES = ["leeds", "manchester", "birmingham", "glasgow", "bristol", "newcastle"]
SECONDS_PER_JOB = 0.028  # 1,500 jobs -> 42 s, 20,000 -> 560 s: inside both targets


def day(orders: int) -> dict[str, Any]:
    from scheduler.generate import generate_day, generate_region

    engineers = max(10, round(orders / 3))
    if orders <= 1100:
        return generate_day("leeds", orders, engineers, seed=0)
    cities = CITIES[: min(len(CITIES), max(2, orders // 2500))]
    return generate_region(cities, orders, engineers, seed=0)


def run_one(orders: int, mode: str) -> dict[str, Any]:
    from api.commands.demo import shared_checker
    from scheduler import Problem, SolveOptions, solve
    from scheduler.decompose import DecomposeOptions, solve_decomposed

    problem = day(orders)
    n = len(problem["jobs"])
    limit = max(20.0, SECONDS_PER_JOB * n)
    opts = SolveOptions(time_limit=limit, seed=0, deterministic=False)
    started = time.perf_counter()
    if mode == "monolithic":
        schedule = solve(Problem.from_dict(problem), opts).to_dict()
    elif mode == "dask":
        from dask.distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None) as cluster:
            schedule = solve_decomposed(
                Problem.from_dict(problem), opts,
                DecomposeOptions(dask_scheduler=cluster.scheduler_address)).to_dict()
    else:
        schedule = solve_decomposed(Problem.from_dict(problem), opts).to_dict()
    seconds = time.perf_counter() - started
    result = shared_checker().check(problem, schedule)
    m = result["metrics"]
    if not result["feasible"]:
        dump = Path(tempfile.gettempdir()) / f"growth-{n}-{mode}"
        dump.mkdir(parents=True, exist_ok=True)
        (dump / "problem.json").write_text(json.dumps(problem))
        (dump / "schedule.json").write_text(json.dumps(schedule))
        print(f"infeasible: problem and schedule written to {dump}", file=sys.stderr)
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
              resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return {"orders": orders, "mode": mode, "jobs": n, "engineers": len(problem["engineers"]),
            "limit": limit, "seconds": seconds, "assigned": m["assigned"],
            "travel_per_job_min": m["travel_time"] / max(1, m["assigned"]) / 60,
            "ms_per_job": 1000 * seconds / n, "peak_rss_mb": rss,
            "feasible": result["feasible"], "violations": len(result["violations"]),
            "first_violations": result["violations"][:5]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.growth")
    ap.add_argument("--sizes", default="340,1000,3400,13500",
                    help="orders per day (about 1.48 jobs per order)")
    ap.add_argument("--out", type=Path,
                    default=Path(__file__).resolve().parent / "results" / "growth.md")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.one:
        orders, mode = a.one.split("|")
        print(json.dumps(run_one(int(orders), mode)))
        return 0
    sizes = [int(x) for x in a.sizes.split(",")]
    plan = [(s, "decomposed") for s in sizes]
    if 1000 in sizes:
        plan += [(1000, "monolithic"), (1000, "dask")]
    rows = []
    for orders, mode in plan:
        out = subprocess.run([sys.executable, "-m", "benchmarks.growth", "--one",
                              f"{orders}|{mode}"], capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr[-2000:], file=sys.stderr)
            continue
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        for violation in row["first_violations"]:
            print(f"  checker: {violation}", file=sys.stderr)
        print(f"{row['jobs']:6} jobs {mode:10} {row['seconds']:7.1f} s assigned "
              f"{row['assigned']:6} travel {row['travel_per_job_min']:.1f} min/job "
              f"{row['ms_per_job']:.1f} ms/job {row['peak_rss_mb']:.0f} MB "
              f"feasible={row['feasible']}", flush=True)
    text = report(rows, argv or [])
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(text)
    print(text)
    return 0


def report(rows: list[dict[str, Any]], argv: list[str]) -> str:
    lines = [
        "# Growth: decomposed solving by day size",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
        f"(2 cores), Python {platform.python_version()}; command: "
        f"`python -m benchmarks.growth {' '.join(argv)}`.",
        "",
        "| jobs | engineers | mode | limit s | wall s | assigned | travel min/job | "
        "ms per job | peak RSS MB | checker |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        verdict = "feasible" if r["feasible"] else f"{r['violations']} violations"
        lines.append(
            f"| {r['jobs']} | {r['engineers']} | {r['mode']} | {r['limit']:.0f} | "
            f"{r['seconds']:.1f} | {r['assigned']} | {r['travel_per_job_min']:.1f} | "
            f"{r['ms_per_job']:.1f} | {r['peak_rss_mb']:.0f} | {verdict} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
