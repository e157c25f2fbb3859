"""`fieldsched inventory …`: the network inventory (demo seed, GeoJSON load, look-ups)."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from api.commands._common import console, domain_errors, open_database
from orders.network_admin import capacity, list_premises, load_geojson, seed_town

app = typer.Typer(help="Network inventory: premises, areas, splitters, VLANs, ONTs.",
                  no_args_is_help=True)


def _summary(title: str, summary: dict[str, int]) -> None:
    table = Table("item", "count", title=title)
    for key, value in summary.items():
        table.add_row(key.replace("_", " "), str(value))
    console.print(table)


@app.command("seed")
def seed(
    town: str = typer.Option(..., "--town", help="Town name; it becomes the orders' region"),
    premises: int = typer.Option(3000, "--premises", min=1, max=200_000),
    seed_: int = typer.Option(0, "--seed", help="Random seed (same seed, same network)"),
) -> None:
    """Generate a realistic demo network for a town and store it."""
    db = open_database()
    try:
        with domain_errors(), console.status(f"generating {town} ({premises} premises)…"):
            summary = seed_town(db, town, premises, seed_)
        _summary(f"{town}: demo network stored", summary)
    finally:
        db.dispose()


@app.command("load")
def load(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="GeoJSON FeatureCollection of areas and premises"),
    region: str | None = typer.Option(None, "--region",
                                      help="Region of features that name none (default: "
                                           "the file name)"),
) -> None:
    """Load real service areas (polygons) and premises (points) from GeoJSON."""
    db = open_database()
    try:
        with domain_errors(), console.status(f"loading {file}…"):
            summary = load_geojson(db, file, region)
        _summary(f"{file.name}: loaded", summary)
    finally:
        db.dispose()


@app.command("premises")
def premises(
    region: str | None = typer.Option(None, "--region"),
    serviceable: bool | None = typer.Option(None, "--serviceable/--unserviceable"),
    limit: int = typer.Option(20, "--limit", min=1, max=10_000),
    offset: int = typer.Option(0, "--offset", min=0),
) -> None:
    """List premises (id, address, drop) to find ids for orders."""
    db = open_database()
    try:
        items, total = list_premises(db, serviceable=serviceable, region=region, limit=limit,
                                     offset=offset)
        table = Table("id", "address", "postcode", "region", "area", "drop",
                      title=f"{len(items)} of {total} premises")
        for p in items:
            flat = f"Flat {p.sub_unit}, " if p.sub_unit else ""
            table.add_row(p.id, f"{flat}{p.street_nr} {p.street_name}", p.postcode, p.region,
                          p.service_area_id or "-", f"{p.drop_status}/{p.drop_type}")
        console.print(table)
    finally:
        db.dispose()


@app.command("capacity")
def show_capacity(region: str | None = typer.Option(None, "--region")) -> None:
    """Free and used splitter ports and ONT stock."""
    db = open_database()
    try:
        _summary(f"capacity{' of ' + region if region else ''}", capacity(db, region))
    finally:
        db.dispose()
