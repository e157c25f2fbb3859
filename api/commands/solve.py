"""``fieldsched solve`` and ``fieldsched generate``: the scheduling core from the shell."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from scheduler import Problem, ProblemError, Schedule, SolveOptions, solve
from scheduler.decompose import DECOMPOSE_ABOVE, DecomposeOptions, solve_decomposed
from scheduler.generate import generate_day, generate_region

err = Console(stderr=True, soft_wrap=True)  # messages carry paths: never hard-wrap them


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code=2)


def load_problem(path: Path) -> tuple[dict[str, Any], Problem]:
    """Read and validate a contract problem file; exits with a clear message when bad."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise _fail(f"{path}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"{path}: cannot read: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise _fail(f"{path}: not valid JSON: {exc}") from exc
    try:
        return data, Problem.from_dict(data)
    except ProblemError as exc:
        raise _fail(f"{path}: {exc}") from exc


def solve_command(
    problem: Annotated[Path, typer.Argument(help="Contract problem JSON file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the schedule.")],
    time_limit: Annotated[float, typer.Option(help="Seconds of search.", min=0.1)] = 30.0,
    seed: Annotated[int, typer.Option(help="Seed: same seed and limit, same schedule.")] = 0,
    warm_start: Annotated[Path | None, typer.Option(help="A previous schedule to start from.")]
    = None,
    decompose: Annotated[bool | None, typer.Option(
        "--decompose/--no-decompose",
        help=f"Cluster and solve groups in parallel (default: above {DECOMPOSE_ABOVE} jobs).")]
    = None,
    group_size: Annotated[int, typer.Option(help="Jobs per group when decomposing.", min=20)]
    = 300,
    dask_scheduler: Annotated[str | None, typer.Option(
        help="tcp://HOST:PORT of a Dask scheduler for the group solves "
             "(env FIELDSCHED_DASK_SCHEDULER).", envvar="FIELDSCHED_DASK_SCHEDULER")] = None,
) -> None:
    """Solve a contract problem and write the contract schedule."""
    _, prob = load_problem(problem)
    warm = None
    if warm_start is not None:
        try:
            warm = json.loads(warm_start.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise _fail(f"{warm_start}: cannot read schedule: {exc}") from exc
    opts = SolveOptions(time_limit=time_limit, seed=seed, warm_start=warm)
    split = decompose if decompose is not None else len(prob.jobs) > DECOMPOSE_ABOVE
    if split and prob.travel.metric != "haversine":
        raise _fail("--decompose needs a haversine problem (lon/lat locations)")
    dec = DecomposeOptions(group_size=group_size, dask_scheduler=dask_scheduler)

    def run(progress: Any = None) -> Schedule:
        if split:
            return solve_decomposed(prob, opts, dec, progress=progress)
        return solve(prob, opts, progress=progress)

    if sys.stderr.isatty():
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                      console=err, transient=True) as bar:
            task = bar.add_task("solving", total=1.0)
            schedule = run(lambda phase, frac: bar.update(task, completed=frac,
                                                          description=phase))
    else:
        schedule = run()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(schedule.to_dict(), indent=1))
    s = schedule.summary
    typer.echo(f"{prob.name}: assigned {s['assigned']}/{s['assigned'] + s['unassigned']}, "
               f"engineers {s['engineers_used']}/{len(prob.engineers)}, "
               f"travel {s['travel_time'] / 3600:.1f} h, distance {s['distance'] / 1000:.1f} km, "
               f"{s['solve_time']:.1f} s ({s['status']}) -> {out}")


def generate_command(
    city: Annotated[str, typer.Option(help="City name, or several separated by commas.")],
    orders: Annotated[int, typer.Option(help="Number of orders.", min=1)],
    engineers: Annotated[int, typer.Option(help="Number of engineers.", min=1)],
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    date: Annotated[str, typer.Option(help="Day, YYYY-MM-DD.")] = "2026-11-23",
    no_chains: Annotated[bool, typer.Option("--no-chains", help="Drop pre-cable links.")]
    = False,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default stdout).")]
    = None,
) -> None:
    """Write a realistic synthetic field day as a contract problem."""
    cities = [c.strip() for c in city.split(",") if c.strip()]
    try:
        if len(cities) == 1:
            data = generate_day(cities[0], orders, engineers, seed, date, not no_chains)
        else:
            data = generate_region(cities, orders, engineers, seed, date, not no_chains)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    text = json.dumps(data)
    if out is None:
        typer.echo(text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        err.print(f"{data['name']}: {len(data['jobs'])} jobs, {len(data['engineers'])} "
                  f"engineers -> {out}")
