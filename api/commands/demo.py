"""``fieldsched demo``: the main job on a synthetic day, end to end, with a readable report."""
from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from scheduler import Problem, solve
from scheduler.generate import describe_day, generate_day

console = Console()


def shared_checker() -> Any:
    """The independent contract checker from ``../shared`` (or ``FIELDSCHED_SHARED_DIR``)."""
    root = Path(os.environ.get("FIELDSCHED_SHARED_DIR",
                               Path(__file__).resolve().parents[2] / ".." / "shared"))
    path = root / "contract" / "check_schedule.py"
    spec = importlib.util.spec_from_file_location("check_schedule", path)
    if spec is None or spec.loader is None or not path.exists():
        raise FileNotFoundError(f"shared checker not found at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def engineer_table(problem: dict[str, Any], schedule: dict[str, Any]) -> Table:
    jobs = {j["id"]: j for j in problem["jobs"]}
    shifts = {e["id"]: e["shift"] for e in problem["engineers"]}
    table = Table(title="Per engineer", show_lines=False)
    for col in ("engineer", "jobs", "first start", "back home", "work h", "utilisation"):
        table.add_column(col, justify="right" if col != "engineer" else "left")
    for route in schedule["routes"]:
        steps = [s for s in route["steps"] if s["type"] == "job"]
        work = sum(jobs[s["job"]]["duration"] for s in steps)
        lo, hi = shifts[route["engineer"]]
        end = route["steps"][-1].get("arrival", steps[-1]["end"])
        table.add_row(route["engineer"], str(len(steps)), _hhmm(steps[0]["start"]), _hhmm(end),
                      f"{work / 3600:.1f}", f"{work / (hi - lo):.0%}")
    return table


def _hhmm(seconds: float) -> str:
    m = int(seconds // 60)
    return f"{m // 60:02d}:{m % 60:02d}"


def demo_command(
    city: Annotated[str, typer.Option(help="City of the synthetic day.")] = "leeds",
    orders: Annotated[int, typer.Option(help="Orders on the day.", min=1)] = 120,
    engineers: Annotated[int, typer.Option(help="Engineers rostered.", min=1)] = 40,
    time_limit: Annotated[float, typer.Option(help="Solver seconds.", min=0.5)] = 15.0,
    seed: Annotated[int, typer.Option(help="Seed of day and solver.")] = 7,
    out: Annotated[Path, typer.Option(help="Folder for problem.json/schedule.json.")]
    = Path("out/demo"),
    flow: Annotated[bool, typer.Option(help="Then run the seed flow over the HTTP API "
                                            "(`fieldsched demo-flow`).")] = True,
) -> None:
    """Generate a realistic day, solve it, check it with the shared checker, report KPIs."""
    problem = generate_day(city, orders, engineers, seed)
    facts = describe_day(problem)
    console.print(f"[bold]{problem['name']}[/bold]: {facts['jobs']} jobs "
                  f"({facts['chained_jobs']} in pre-cable chains), {facts['engineers']} "
                  f"engineers, {facts['work_hours']:.0f} h of work for "
                  f"{facts['shift_hours']:.0f} shift hours")
    schedule = solve(Problem.from_dict(problem), time_limit=time_limit, seed=seed).to_dict()
    out.mkdir(parents=True, exist_ok=True)
    (out / "problem.json").write_text(json.dumps(problem))
    (out / "schedule.json").write_text(json.dumps(schedule, indent=1))
    result = shared_checker().check(problem, schedule)
    console.print(engineer_table(problem, schedule))
    s, m = schedule["summary"], result["metrics"]
    kpis = Table(title="KPIs")
    kpis.add_column("measure")
    kpis.add_column("value", justify="right")
    assigned = s["assigned"]
    for name, value in (
        ("jobs assigned", f"{assigned}/{assigned + s['unassigned']}"),
        ("engineers used", f"{s['engineers_used']}/{len(problem['engineers'])}"),
        ("travel", f"{s['travel_time'] / 3600:.1f} h ({s['distance'] / 1000:.0f} km)"),
        ("travel per job", f"{s['travel_time'] / max(1, assigned) / 60:.1f} min"),
        ("waiting", f"{m['waiting_time'] / 3600:.1f} h"),
        ("solve time", f"{s['solve_time']:.1f} s"),
        ("shared checker", "feasible" if result["feasible"] else "INFEASIBLE"),
    ):
        kpis.add_row(name, value)
    console.print(kpis)
    reasons: dict[str, int] = {}
    for u in schedule["unassigned"]:
        reasons[u["reason"]] = reasons.get(u["reason"], 0) + 1
    if reasons:
        console.print("unassigned: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
    console.print(f"wrote {out / 'problem.json'} and {out / 'schedule.json'}")
    if not result["feasible"]:
        for v in result["violations"][:20]:
            console.print(f"[red]VIOLATION[/red] {v}")
        raise typer.Exit(1)
    if flow:
        from api.commands.flow_demo import flow_demo_command

        console.rule("the seed flow: billing → booking → schedule → field → billing")
        flow_demo_command(out=out.parent / "flow-demo", seed=seed)
