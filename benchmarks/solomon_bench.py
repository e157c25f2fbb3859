"""Solomon / Gehring–Homberger benchmark: the project's solver against plain OR-Tools.

    python -m benchmarks.solomon_bench --set solomon   --time-limit 10
    python -m benchmarks.solomon_bench --set homberger --time-limit 30
    python -m benchmarks.solomon_bench --dir DIR --instances C101,R101 --out results.md

Per instance, the solvers run one after another (single-threaded, same time limit) on the
DIMACS-convention problem (``floor(10*euclid)`` tenths, fleet = VEHICLE NUMBER). Every route
set is written in the ``Route #k:`` format and judged by the shared ``verify_vrptw.py
--convention dimacs``; only its verdict and its distance are reported. Gaps are against the
``distance`` BKS. The project solver's contract schedule is also run through the shared
``check_schedule.py``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scheduler.solomon import (
    SolomonInstance,
    dimacs_matrix,
    family,
    load_bks,
    read_instance,
    routes_from_schedule,
    shared_dir,
    to_problem_dict,
    verify,
    write_routes,
)

SETS = {"solomon": ("solomon", 10.0), "homberger": ("homberger_200", 30.0)}
SOLVERS = ("project", "baseline")
LABELS = {"project": "fieldsched", "baseline": "plain OR-Tools"}


@dataclass
class Result:
    instance: str
    solver: str
    status: str
    """``ok`` (verified feasible), ``no_solution``, ``infeasible``, ``unavailable``, ``error``."""
    vehicles: int | None = None
    distance: float | None = None
    gap: float | None = None
    seconds: float = 0.0
    detail: str = ""

    @property
    def family(self) -> str:
        return family(self.instance)


class SolverUnavailable(RuntimeError):
    pass


def _check_contract(problem: dict[str, Any], schedule: dict[str, Any]) -> dict[str, Any]:
    path = shared_dir() / "contract" / "check_schedule.py"
    spec = importlib.util.spec_from_file_location("fieldsched_shared_check_schedule", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.check(problem, schedule)


def solve_project(inst: SolomonInstance, time_limit: float) -> tuple[list[list[int]], str]:
    """The project's solver on the contract problem: (routes, note on the contract check)."""
    try:
        from scheduler import Problem, solve
    except ImportError as exc:
        raise SolverUnavailable(f"scheduler.solve not importable: {exc}") from exc
    problem = to_problem_dict(inst)
    schedule = solve(Problem.from_dict(problem), time_limit=time_limit, seed=0,
                     deterministic=False).to_dict()
    check = _check_contract(problem, schedule)
    note = "contract ok" if check["feasible"] else \
        f"CONTRACT CHECK FAILED: {'; '.join(check['violations'][:3])}"
    return routes_from_schedule(schedule), note


def solve_baseline(inst: SolomonInstance, time_limit: float) -> tuple[list[list[int]] | None, str]:
    from benchmarks.baseline_ortools import solve_plain_vrptw

    return solve_plain_vrptw(inst, time_limit, "PATH_CHEAPEST_ARC"), ""


RUNNERS: dict[str, Callable[[SolomonInstance, float], tuple[list[list[int]] | None, str]]] = {
    "project": solve_project, "baseline": solve_baseline}


def run_one(path: Path, solver: str, time_limit: float, bks: tuple[int, float] | None,
            routes_dir: Path) -> Result:
    inst = read_instance(path)
    t0 = time.perf_counter()
    try:
        routes, note = RUNNERS[solver](inst, time_limit)
    except SolverUnavailable as exc:
        return Result(inst.name, solver, "unavailable", detail=str(exc))
    except Exception as exc:  # a crash is a result too; keep benchmarking the rest
        return Result(inst.name, solver, "error", seconds=time.perf_counter() - t0,
                      detail=f"{type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - t0
    if not routes:
        return Result(inst.name, solver, "no_solution", seconds=seconds, detail=note)
    m = dimacs_matrix(inst)
    cost = sum(int(m[a, b]) for r in routes for a, b in zip([0, *r], [*r, 0], strict=True))
    out = routes_dir / solver / f"{inst.name}.txt"
    write_routes(out, routes, cost / 10)
    res = verify(path, out)
    if not res["feasible"]:
        errs = res["structural_errors"] + res["time_window_errors_dimacs"]
        return Result(inst.name, solver, "infeasible", res["vehicles"], res["distance_dimacs"],
                      seconds=seconds, detail="; ".join([note, *errs[:3]]))
    gap = None if bks is None else 100.0 * (res["distance_dimacs"] - bks[1]) / bks[1]
    return Result(inst.name, solver, "ok", res["vehicles"], res["distance_dimacs"], gap,
                  seconds, note)


def run_benchmark(paths: Sequence[Path], bks: dict[str, tuple[int, float]], time_limit: float,
                  routes_dir: Path, solvers: Sequence[str] = SOLVERS,
                  log: Callable[[str], None] = print) -> list[Result]:
    """Solve and verify every instance with every solver, one after another."""
    results = []
    for path in paths:
        name = read_instance(path).name
        for solver in solvers:
            r = run_one(path, solver, time_limit, bks.get(name), routes_dir)
            results.append(r)
            shown = f"{r.distance:.1f} ({r.vehicles} veh, gap {r.gap:+.2f}%)" \
                if r.status == "ok" and r.gap is not None else r.status
            log(f"{name:10s} {LABELS[solver]:15s} {shown:32s} {r.seconds:6.1f}s  {r.detail}")
    return results


# ------------------------------------------------------------------------------ reporting

def _fmt(v: float | None, spec: str = ".2f") -> str:
    return "–" if v is None else format(v, spec)


def instance_table(results: Sequence[Result], bks: dict[str, tuple[int, float]],
                   solvers: Sequence[str]) -> list[str]:
    head = "| instance | BKS veh | BKS dist |" + "".join(
        f" {LABELS[s]} veh | dist | gap % | s |" for s in solvers)
    lines = [head, "|" + "---|" * (3 + 4 * len(solvers))]
    by = {(r.instance, r.solver): r for r in results}
    for name in dict.fromkeys(r.instance for r in results):
        b = bks.get(name)
        row = f"| {name} | {b[0] if b else '–'} | {_fmt(b[1] if b else None, '.1f')} |"
        for s in solvers:
            r = by.get((name, s))
            if r is None or r.status == "unavailable":
                row += " n/a | | | |"
            elif r.status != "ok":
                row += f" **{r.status}** | {_fmt(r.distance, '.1f')} | | {r.seconds:.1f} |"
            else:
                row += f" {r.vehicles} | {r.distance:.1f} | {_fmt(r.gap)} | {r.seconds:.1f} |"
        lines.append(row)
    return lines


def family_table(results: Sequence[Result], bks: dict[str, tuple[int, float]],
                 solvers: Sequence[str]) -> list[str]:
    head = "| family | n | BKS veh |" + "".join(
        f" {LABELS[s]} mean gap % | max gap % | veh | unsolved |" for s in solvers)
    lines = [head, "|" + "---|" * (3 + 4 * len(solvers))]
    names = list(dict.fromkeys(r.instance for r in results))
    groups = {fam: [n for n in names if family(n) == fam]
              for fam in sorted({family(n) for n in names})}
    groups["all"] = names
    for fam, members in groups.items():
        bv = [bks[n][0] for n in members if n in bks]
        row = f"| {fam} | {len(members)} | {_fmt(statistics.mean(bv) if bv else None, '.1f')} |"
        for s in solvers:
            rs = [r for r in results if r.solver == s and r.instance in members]
            if not rs or all(r.status == "unavailable" for r in rs):
                row += " n/a | | | |"
                continue
            ok = [r for r in rs if r.status == "ok"]
            gaps = [r.gap for r in ok if r.gap is not None]
            row += (f" {_fmt(statistics.mean(gaps) if gaps else None)} |"
                    f" {_fmt(max(gaps) if gaps else None)} |"
                    f" {_fmt(statistics.mean(r.vehicles for r in ok) if ok else None, '.1f')} |"
                    f" {len(rs) - len(ok)} |")
        lines.append(row)
    return lines


def common_gaps(results: Sequence[Result], solvers: Sequence[str]) -> str:
    """Mean gaps on the instances every solver solved, so the comparison is like for like."""
    ok = {(r.instance, r.solver): r.gap for r in results if r.status == "ok" and r.gap is not None}
    names = [n for n in dict.fromkeys(r.instance for r in results)
             if all((n, s) in ok for s in solvers)]
    if len(solvers) < 2 or not names:
        return ""
    means = ", ".join(f"{LABELS[s]} {statistics.mean(ok[n, s] for n in names):.2f}%"
                      for s in solvers)
    return f"On the {len(names)} instances all solvers solved, mean gap: {means}."


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def report(results: Sequence[Result], bks: dict[str, tuple[int, float]],
           solvers: Sequence[str], title: str, time_limit: float, argv: Sequence[str]) -> str:
    import ortools

    problems = [f"- {r.instance} / {LABELS[r.solver]}: {r.status} {r.detail}".rstrip()
                for r in results if r.status not in ("ok", "unavailable")
                or "CONTRACT CHECK FAILED" in r.detail]
    unavailable = {r.solver: r.detail for r in results if r.status == "unavailable"}
    problems += [f"- {LABELS[s]}: not run ({d})" for s, d in unavailable.items()]
    lines = [
        f"# {title}: {len(set(r.instance for r in results))} instances, {time_limit:g} s each",
        "",
        f"`python -m benchmarks.solomon_bench {' '.join(argv)}` — "
        f"{dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}, {_cpu()} "
        f"({os.cpu_count()} cores), Python {platform.python_version()}, "
        f"OR-Tools {ortools.__version__}.",
        "",
        "DIMACS convention (every edge `floor(10*euclid)/10`, for distance and travel time), "
        "fleet = the instance's VEHICLE NUMBER. Solvers run one after another, one thread, "
        "same time limit. Distances and feasibility are those recomputed by the shared "
        "`verify_vrptw.py --convention dimacs`; gaps are against the `distance` BKS of "
        "`bks.csv`; means are over verified solutions; `unsolved` = no solution or not "
        "verified feasible. Plain OR-Tools = RoutingModel, PATH_CHEAPEST_ARC + "
        "GUIDED_LOCAL_SEARCH, every customer mandatory.",
        "", "## Per family", "", *family_table(results, bks, solvers),
        "", common_gaps(results, solvers),
        "", "## Per instance", "", *instance_table(results, bks, solvers), "",
    ]
    if problems:
        lines += ["## Unsolved, failed or not run", "", *problems, ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(prog="python -m benchmarks.solomon_bench",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=sorted(SETS), default="solomon")
    ap.add_argument("--dir", type=Path, help="instance folder (default: the shared set)")
    ap.add_argument("--bks", type=Path, help="bks.csv (default: DIR/bks.csv)")
    ap.add_argument("--time-limit", type=float, help="seconds per instance and solver "
                    "(default 10 Solomon, 30 Homberger)")
    ap.add_argument("--instances", help="comma-separated names, e.g. C101,R101")
    ap.add_argument("--solvers", default=",".join(SOLVERS),
                    help="comma-separated subset of: project,baseline")
    ap.add_argument("--out", type=Path, help="markdown report "
                    "(default benchmarks/results/<set or DIR name>.md)")
    ap.add_argument("--routes-dir", type=Path,
                    help="where route files go (default: routes/<set>/ beside --out)")
    a = ap.parse_args(argv)
    folder, default_limit = SETS[a.set]
    directory = a.dir or shared_dir() / "benchmarks" / folder
    time_limit = a.time_limit or default_limit
    solvers = [s.strip() for s in a.solvers.split(",") if s.strip()]
    if unknown := set(solvers) - set(SOLVERS):
        ap.error(f"unknown solver(s): {', '.join(sorted(unknown))}")
    paths = sorted(directory.glob("*.txt"), key=lambda p: p.stem.upper())
    if a.instances:
        wanted = [n.strip().upper() for n in a.instances.split(",") if n.strip()]
        by_name = {p.stem.upper(): p for p in paths}
        if missing := [n for n in wanted if n not in by_name]:
            ap.error(f"no instance file for {', '.join(missing)} in {directory}")
        paths = [by_name[n] for n in wanted]
    if not paths:
        ap.error(f"no *.txt instances in {directory}")
    bks_path = a.bks or directory / "bks.csv"
    bks = load_bks(bks_path) if bks_path.exists() else {}
    stem = a.set if a.dir is None else directory.name
    out = a.out or Path(__file__).resolve().parent / "results" / f"{stem}.md"
    routes_dir = a.routes_dir or out.parent / "routes" / out.stem
    results = run_benchmark(paths, bks, time_limit, routes_dir, solvers)
    title = {"solomon": "Solomon VRPTW", "homberger": "Gehring–Homberger 200"}[a.set] \
        if a.dir is None else directory.name
    text = report(results, bks, solvers, title, time_limit, argv)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print()
    print("\n".join(family_table(results, bks, solvers)))
    print(common_gaps(results, solvers))
    print(f"\nreport: {out}\nroutes: {routes_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
