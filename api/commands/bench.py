"""``fieldsched bench``: the published benchmarks from the shell."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Benchmarks against published instances.", no_args_is_help=True)


@app.command("solomon")
def solomon_command(
    directory: Annotated[Path, typer.Argument(help="Folder of Solomon-format instances.")],
    time_limit: Annotated[float, typer.Option(help="Seconds per instance.", min=0.1)] = 10.0,
    instances: Annotated[str | None, typer.Option(help="Comma-separated names.")] = None,
    baseline: Annotated[bool, typer.Option(help="Also run plain OR-Tools.")] = True,
    out: Annotated[Path | None, typer.Option(help="Markdown report path.")] = None,
) -> None:
    """Solve Solomon-format instances (DIMACS distances, fleet from the file), verify every
    route set with verify_vrptw.py and print the gap table per family."""
    from benchmarks import solomon_bench

    if not directory.is_dir():
        typer.echo(f"error: {directory} is not a folder", err=True)
        raise typer.Exit(2)
    argv = ["--dir", str(directory), "--time-limit", str(time_limit),
            "--solvers", "project,baseline" if baseline else "project"]
    if instances:
        argv += ["--instances", instances]
    if out:
        argv += ["--out", str(out)]
    code = solomon_bench.main(argv)
    raise typer.Exit(code)
