"""A day's plan for people: routes as JSON, GeoJSON, an offline Leaflet map (folium) and a
per-engineer timeline (Gantt) as self-contained HTML.

There is no internet on the operators' dispatch desks we design for (nor here), so the map
never loads from a CDN: Leaflet's JS and CSS (1.7.1, BSD-2, from Debian's libjs-leaflet,
vendored in ``orders/static/leaflet``) are inlined into the page, folium's other default
assets (jQuery, Bootstrap, awesome-markers) are dropped (circle markers need none of
them), and there is no tile layer unless a tile URL is given.
"""
from __future__ import annotations

import html
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import folium

STATIC = Path(__file__).resolve().parent / "static" / "leaflet"
PALETTE = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
           "#9a6324", "#469990", "#800000", "#808000", "#000075", "#bfef45", "#fabed4",
           "#dcbeff", "#aaffc3", "#ffd8b1", "#a9a9a9", "#ffe119", "#000000")
UNASSIGNED_COLOUR = "#ff0000"


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _clock(origin: datetime, secs: float | None, tz: ZoneInfo) -> str | None:
    if secs is None:
        return None
    return (origin + timedelta(seconds=float(secs))).astimezone(tz).isoformat(timespec="minutes")


def routes_view(problem: dict[str, Any], schedule: dict[str, Any],
                excluded: list[dict[str, Any]] | None, tz: ZoneInfo) -> dict[str, Any]:
    """The plan with local times, job details and windows (what a dispatcher reads)."""
    origin = datetime.fromisoformat(problem["horizon_start"])
    jobs = {j["id"]: j for j in problem["jobs"]}
    routes = []
    for route in schedule["routes"]:
        steps = []
        for s in route["steps"]:
            step: dict[str, Any] = {"type": s["type"]}
            for k in ("arrival", "start", "end", "departure"):
                if k in s:
                    step[k] = _clock(origin, s[k], tz)
            if s["type"] == "job":
                j = jobs[s["job"]]
                step.update(job=j["id"], order=j.get("order"), kind=j.get("kind"),
                            location=j["location"], priority=j.get("priority", 0),
                            windows=[[_clock(origin, lo, tz), _clock(origin, hi, tz)]
                                     for lo, hi in j.get("time_windows", [])])
            elif "location" in s:
                step["location"] = s["location"]
            steps.append(step)
        routes.append({"engineer": route["engineer"], "jobs": sum(
            1 for s in steps if s["type"] == "job"), "steps": steps})
    unassigned = [{"job": u["job"], "reason": u["reason"],
                   "order": jobs.get(u["job"], {}).get("order"),
                   "location": jobs.get(u["job"], {}).get("location")}
                  for u in schedule["unassigned"]]
    return {"routes": routes, "unassigned": unassigned, "excluded": excluded or [],
            "summary": schedule.get("summary", {})}


def routes_geojson(problem: dict[str, Any], schedule: dict[str, Any],
                   tz: ZoneInfo) -> dict[str, Any]:
    """One LineString per route (home → jobs → home) and one Point per job, with times."""
    origin = datetime.fromisoformat(problem["horizon_start"])
    jobs = {j["id"]: j for j in problem["jobs"]}
    features: list[dict[str, Any]] = []
    for i, route in enumerate(schedule["routes"]):
        coords = [s["location"] for s in route["steps"] if s["type"] in ("start", "end")]
        line = [coords[0]] if coords else []
        seq = 0
        for s in route["steps"]:
            if s["type"] != "job":
                continue
            j = jobs[s["job"]]
            line.append(j["location"])
            features.append({"type": "Feature",
                             "geometry": {"type": "Point", "coordinates": j["location"]},
                             "properties": {
                                 "kind": "job", "job": j["id"], "order": j.get("order"),
                                 "job_kind": j.get("kind"), "engineer": route["engineer"],
                                 "seq": seq, "colour": colour(i),
                                 "arrival": _clock(origin, s["arrival"], tz),
                                 "start": _clock(origin, s["start"], tz),
                                 "end": _clock(origin, s["end"], tz),
                                 "windows": [[_clock(origin, lo, tz), _clock(origin, hi, tz)]
                                             for lo, hi in j.get("time_windows", [])]}})
            seq += 1
        if len(coords) > 1:
            line.append(coords[-1])
        features.append({"type": "Feature",
                         "geometry": {"type": "LineString", "coordinates": line},
                         "properties": {"kind": "route", "engineer": route["engineer"],
                                        "colour": colour(i), "jobs": seq}})
    for u in schedule["unassigned"]:
        j = jobs.get(u["job"])
        if j is None or not isinstance(j.get("location"), list):
            continue
        features.append({"type": "Feature",
                         "geometry": {"type": "Point", "coordinates": j["location"]},
                         "properties": {"kind": "unassigned", "job": j["id"],
                                        "order": j.get("order"), "reason": u["reason"],
                                        "colour": UNASSIGNED_COLOUR}})
    return {"type": "FeatureCollection", "features": features}


def _popup(p: dict[str, Any]) -> str:
    rows = [("job", p.get("job")), ("order", p.get("order")), ("engineer", p.get("engineer")),
            ("window", ", ".join(f"{lo[11:16]}-{hi[11:16]}" for lo, hi in p.get("windows", []))
             or None), ("arrival", (p.get("arrival") or "")[11:16] or None),
            ("start", (p.get("start") or "")[11:16] or None),
            ("end", (p.get("end") or "")[11:16] or None), ("unassigned", p.get("reason"))]
    return "<br>".join(f"<b>{k}</b>: {html.escape(str(v))}" for k, v in rows if v)


def map_html(problem: dict[str, Any], schedule: dict[str, Any], tz: ZoneInfo,
             tiles_url: str | None = None, title: str = "") -> str:
    """A self-contained Leaflet page: one coloured polyline per engineer, job markers with
    popups (order, window, planned times), unassigned jobs as dashed red rings,
    homes as dark dots."""
    gj = routes_geojson(problem, schedule, tz)
    points = [f["geometry"]["coordinates"] for f in gj["features"]
              if f["geometry"]["type"] == "Point"]
    points += [e["start"] for e in problem["engineers"] if isinstance(e.get("start"), list)]
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False)
    m.default_js = [("leaflet", "fieldsched-inline:leaflet.js")]
    m.default_css = [("leaflet_css", "fieldsched-inline:leaflet.css")]
    if tiles_url:
        folium.TileLayer(tiles_url, attr="tiles").add_to(m)
    for f in gj["features"]:
        p, geom = f["properties"], f["geometry"]
        if p["kind"] == "route":
            folium.PolyLine([(lat, lon) for lon, lat in geom["coordinates"]], color=p["colour"],
                            weight=3, opacity=0.8,
                            tooltip=f"{p['engineer']}: {p['jobs']} jobs",
                            class_name="fs-route").add_to(m)
    for f in gj["features"]:
        p, (lon, lat) = f["properties"], f["geometry"]["coordinates"][:2] \
            if f["geometry"]["type"] == "Point" else (f["properties"], (0, 0))
        if p["kind"] == "job":
            folium.CircleMarker((lat, lon), radius=6, color=p["colour"], fill=True,
                                fill_opacity=0.9, popup=folium.Popup(_popup(p), max_width=260),
                                class_name="fs-job").add_to(m)
        elif p["kind"] == "unassigned":
            folium.CircleMarker((lat, lon), radius=8, color=UNASSIGNED_COLOUR, weight=3,
                                fill=True, fill_color="#ffffff", fill_opacity=1.0,
                                dash_array="3 3", popup=folium.Popup(_popup(p), max_width=260),
                                class_name="fs-unassigned").add_to(m)
    for i, route in enumerate(schedule["routes"]):
        start = next((s["location"] for s in route["steps"] if s["type"] == "start"), None)
        if isinstance(start, list):
            folium.CircleMarker((start[1], start[0]), radius=4, weight=6, color=colour(i),
                                fill=True, fill_color="#000000", fill_opacity=1.0,
                                tooltip=f"{route['engineer']} (home)",
                                class_name="fs-home").add_to(m)
    if points:
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        m.fit_bounds([(min(lats), min(lons)), (max(lats), max(lons))])
    if title:
        m.get_root().html.add_child(folium.Element(
            f'<div style="position:absolute;top:8px;left:50px;z-index:1000;background:#fff;'
            f'padding:4px 8px;font:14px sans-serif">{html.escape(title)}</div>'))
    page = m.get_root().render()
    return _inline_leaflet(page)


# folium builds popup contents with jQuery (``$(`<div>…</div>`)[0]``): this is all of jQuery
# those pages use, so it need not be shipped.
_DOLLAR_SHIM = ("window.$ = window.$ || function (html) { var t = document.createElement("
                "'template'); t.innerHTML = String(html).trim(); return [t.content.firstChild]; };")


def _inline_leaflet(page: str) -> str:
    js = (STATIC / "leaflet.min.js").read_text()
    css = (STATIC / "leaflet.css").read_text()
    page = page.replace('<script src="fieldsched-inline:leaflet.js"></script>',
                        f"<script>{js}</script><script>{_DOLLAR_SHIM}</script>")
    page = page.replace('<link rel="stylesheet" href="fieldsched-inline:leaflet.css"/>',
                        f"<style>{css}</style>")
    if "fieldsched-inline:" in page:
        raise RuntimeError("folium's page template changed: Leaflet could not be inlined")
    return page


def gantt_html(problem: dict[str, Any], schedule: dict[str, Any], tz: ZoneInfo,
               title: str = "") -> str:
    """Per-engineer timeline as inline SVG: travel (grey), jobs (route colour, windows as
    thin bars above), breaks (hatched)."""
    origin = datetime.fromisoformat(problem["horizon_start"])
    shifts = [e["shift"] for e in problem["engineers"]] or [[0, 86400]]
    t0 = min(s[0] for s in shifts)
    t1 = max(s[1] for s in shifts)
    width, left, row = 1100, 120, 26
    routes = schedule["routes"]
    height = 40 + row * max(1, len(routes))
    jobs = {j["id"]: j for j in problem["jobs"]}

    def x(t: float) -> float:
        return left + (t - t0) / max(1.0, t1 - t0) * (width - left - 10)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'font-family="sans-serif" font-size="11">']
    h = int(t0 // 3600)
    while h * 3600 <= t1:
        xx = x(h * 3600)
        label = (origin + timedelta(hours=h)).astimezone(tz).strftime("%H:%M")
        parts.append(f'<line x1="{xx:.1f}" y1="20" x2="{xx:.1f}" y2="{height}" stroke="#ddd"/>'
                     f'<text x="{xx:.1f}" y="14" text-anchor="middle">{label}</text>')
        h += 1
    for i, route in enumerate(routes):
        y = 24 + i * row
        parts.append(f'<text x="4" y="{y + 14}">{html.escape(route["engineer"])}</text>')
        prev_end = None
        for s in route["steps"]:
            if s["type"] == "start":
                prev_end = s["departure"]
            elif s["type"] == "job":
                if prev_end is not None and s["arrival"] > prev_end:
                    parts.append(f'<rect class="travel" x="{x(prev_end):.1f}" y="{y + 8}" '
                                 f'width="{x(s["arrival"]) - x(prev_end):.1f}" height="4" '
                                 'fill="#999"/>')
                for lo, hi in jobs[s["job"]].get("time_windows", []):
                    parts.append(f'<rect x="{x(lo):.1f}" y="{y + 1}" '
                                 f'width="{max(1.0, x(hi) - x(lo)):.1f}" height="2" '
                                 f'fill="{colour(i)}" opacity="0.4"/>')
                tip = html.escape(f"{s['job']} {_clock(origin, s['start'], tz)[11:16]}-"
                                  f"{_clock(origin, s['end'], tz)[11:16]}")
                parts.append(f'<rect class="job" x="{x(s["start"]):.1f}" y="{y + 4}" '
                             f'width="{max(1.0, x(s["end"]) - x(s["start"])):.1f}" height="14" '
                             f'fill="{colour(i)}"><title>{tip}</title></rect>')
                prev_end = s["end"]
            elif s["type"] == "break":
                parts.append(f'<rect class="break" x="{x(s["start"]):.1f}" y="{y + 4}" '
                             f'width="{x(s["end"]) - x(s["start"]):.1f}" height="14" '
                             'fill="none" stroke="#333" stroke-dasharray="2 2"/>')
                prev_end = s["end"]
            elif s["type"] == "end" and prev_end is not None:
                parts.append(f'<rect class="travel" x="{x(prev_end):.1f}" y="{y + 8}" '
                             f'width="{max(0.0, x(s["arrival"]) - x(prev_end)):.1f}" '
                             'height="4" fill="#999"/>')
    parts.append("</svg>")
    unassigned = "".join(f"<li>{html.escape(u['job'])}: {html.escape(u['reason'])}</li>"
                         for u in schedule["unassigned"])
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title></head><body><h3>{html.escape(title)}</h3>{''.join(parts)}"
            f"<h4>Unassigned ({len(schedule['unassigned'])})</h4><ul>{unassigned}</ul>"
            "</body></html>")
