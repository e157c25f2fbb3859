"""``fieldsched schedule --date D [--region R]``: solve a day from the database, with a
progress bar, and print a per-engineer table (the same run the API's worker would do)."""
from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.commands._common import console, domain_errors, err_console, open_database
from orders.dispatch import engineer_table
from orders.schedule_runs import (
    claim_next,
    execute_run,
    get_run,
    request_day,
    run_documents,
)


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date YYYY-MM-DD") from None


def schedule_command(
    date: Annotated[str, typer.Option("--date", help="Day, YYYY-MM-DD.")],
    region: Annotated[str | None, typer.Option("--region", help="Region (default: all).")]
    = None,
    time_limit: Annotated[float, typer.Option(help="Seconds of search.", min=0.1)] = 30.0,
    seed: Annotated[int, typer.Option(help="Seed.")] = 0,
) -> None:
    """Schedule a day: solve it now, store the routes, print one line per engineer."""
    day = _parse_date(date)
    db = open_database()
    with domain_errors():
        run = request_day(db, day, region, time_limit, seed)
        rid = claim_next(db)
        while rid is not None and rid != run.id:  # older queued runs first (FIFO)
            execute_run(db, rid)
            rid = claim_next(db)
        if rid is None:
            err_console.print(f"run {run.id} was taken by a running worker; waiting")
        worker = threading.Thread(target=execute_run, args=(db, run.id), daemon=True) \
            if rid else None
        if worker:
            worker.start()
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                      console=err_console, transient=True) as bar:
            task = bar.add_task("queued", total=1.0)
            while True:
                view = get_run(db, run.id)
                bar.update(task, completed=view.progress, description=view.phase or view.status)
                if view.status in ("done", "failed"):
                    break
                time.sleep(0.3)
        if worker:
            worker.join()
        view = get_run(db, run.id)
        if view.status == "failed":
            err_console.print(f"[red]run {run.id} failed:[/red] {view.error}")
            raise typer.Exit(1)
        _, problem, schedule = run_documents(db, run.id)
    table = Table(title=f"{problem['name']} — run {run.id}")
    for col in ("engineer", "jobs", "first", "last", "utilisation"):
        table.add_column(col, justify="left" if col == "engineer" else "right")
    for row in engineer_table(problem, schedule, db.settings.tz):
        table.add_row(row["engineer"], str(row["jobs"]), row["first"], row["last"],
                      f"{row['utilisation']:.0%}")
    console.print(table)
    k = view.kpis or {}
    console.print(f"assigned {k.get('assigned')}/{k.get('jobs')} (excluded {k.get('excluded')}),"
                  f" engineers {k.get('engineers_used')}/{k.get('engineers')}, travel "
                  f"{k.get('travel_time_s', 0) / 3600:.1f} h, utilisation "
                  f"{k.get('utilisation', 0):.0%}, on-window {k.get('on_window_rate', 0):.0%}")
    for u in schedule["unassigned"]:
        console.print(f"unassigned {u['job']}: {u['reason']}")
