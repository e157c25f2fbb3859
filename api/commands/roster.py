"""`fieldsched roster …`: engineers' shifts per date (local times)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from api.commands._common import console, domain_errors, open_database
from orders.workforce import list_shifts, parse_roster_csv, upsert_shifts

app = typer.Typer(help="Shifts per engineer and date (FIELDSCHED_TIMEZONE local times).",
                  no_args_is_help=True)


@app.command("import")
def import_roster(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="CSV with columns engineer_id,date,start,end "
                                     "(YYYY-MM-DD, local HH:MM)"),
) -> None:
    """Create or replace shifts from a CSV file (all or nothing)."""
    db = open_database()
    try:
        with domain_errors():
            result = upsert_shifts(db, parse_roster_csv(file.read_text(encoding="utf-8")))
        console.print(f"shifts: {result.created} created, {result.updated} updated")
    finally:
        db.dispose()


@app.command("list")
def list_(day: str = typer.Option(..., "--date", help="YYYY-MM-DD"),
          region: str | None = typer.Option(None, "--region")) -> None:
    """The shifts of one date."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise typer.BadParameter("expected YYYY-MM-DD", param_hint="--date") from None
    db = open_database()
    try:
        items, total = list_shifts(db, day=when, region=region, limit=10_000)
        table = Table("engineer", "region", "start", "end", title=f"{total} shifts on {when}")
        for s in items:
            table.add_row(s.engineer_id, s.region or "-", s.start.strftime("%H:%M"),
                          s.end.strftime("%H:%M"))
        console.print(table)
    finally:
        db.dispose()
