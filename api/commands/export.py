"""``fieldsched export --date D [--region R] --out DIR``: the day's current plan as the
contract's ``problem.json`` and ``schedule.json`` (check with the shared checker), plus the
map and timeline pages."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from api.commands._common import console, domain_errors, open_database
from api.commands.schedule import _parse_date
from orders.dispatch import export_day
from orders.maps import gantt_html, map_html, routes_geojson


def export_command(
    date: Annotated[str, typer.Option("--date", help="Day, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write into.")],
    region: Annotated[str | None, typer.Option("--region", help="Region (default: all).")]
    = None,
    maps: Annotated[bool, typer.Option("--maps/--no-maps",
                                       help="Also write map.html, gantt.html, routes.geojson")]
    = True,
) -> None:
    """Write DIR/problem.json and DIR/schedule.json of the day's current plan."""
    day = _parse_date(date)
    db = open_database()
    with domain_errors():
        problem, schedule = export_day(db, day, region)
    out.mkdir(parents=True, exist_ok=True)
    (out / "problem.json").write_text(json.dumps(problem, indent=1))
    (out / "schedule.json").write_text(json.dumps(schedule, indent=1))
    if maps:
        tz = db.settings.tz
        (out / "routes.geojson").write_text(json.dumps(routes_geojson(problem, schedule, tz)))
        (out / "map.html").write_text(map_html(problem, schedule, tz, title=problem["name"]))
        (out / "gantt.html").write_text(gantt_html(problem, schedule, tz, problem["name"]))
    console.print(f"{problem['name']}: {len(problem['jobs'])} jobs, "
                  f"{len(schedule['routes'])} routes -> {out}")
