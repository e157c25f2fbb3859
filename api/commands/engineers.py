"""`fieldsched engineers …`: the field workforce."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from api.commands._common import console, domain_errors, open_database
from orders.workforce import list_engineers, parse_engineers_csv, upsert_engineers

app = typer.Typer(help="Engineers (skills, home location, region).", no_args_is_help=True)


@app.command("import")
def import_engineers(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="CSV with columns id,name,home_lon,home_lat,skills "
                                     "(skills separated by ';')"),
) -> None:
    """Create or update engineers from a CSV file (all or nothing)."""
    db = open_database()
    try:
        with domain_errors():
            result = upsert_engineers(db, parse_engineers_csv(file.read_text(encoding="utf-8")))
        console.print(f"engineers: {result.created} created, {result.updated} updated")
    finally:
        db.dispose()


@app.command("list")
def list_(region: str | None = typer.Option(None, "--region"),
          limit: int = typer.Option(100, "--limit", min=1, max=10_000)) -> None:
    """List engineers."""
    db = open_database()
    try:
        items, total = list_engineers(db, region, limit)
        table = Table("id", "name", "region", "home", "skills",
                      title=f"{len(items)} of {total} engineers")
        for e in items:
            table.add_row(e.id, e.name, e.region or "-", f"{e.home_lon:.4f},{e.home_lat:.4f}",
                          ";".join(e.skills))
        console.print(table)
    finally:
        db.dispose()
