"""Realistic synthetic FTTP field days as contract problem JSON (``fieldsched generate``).

A day is a set of *orders* in one or more UK cities and the engineers on shift:

- **Premises**: dense new-build estates (tens of premises within a few hundred metres,
  mostly on the city's edge) plus premises scattered over the city's radius.
- **Install orders**: an install job (1.5-4 h depending on the drop and product, an AM
  08:00-13:00 or PM 13:00-18:00 start window), for a share of orders a pre-cable job before
  it (1-2 h, no customer window; ~55% of estate orders, ~30% of scattered ones), and for a
  few a civils job (1-3 h, blocked duct / new trench) before that. The chain is expressed
  with ``after`` (civils -> pre-cable -> install), all jobs of an order share ``order``.
  Business premises need ``["business", "install"]`` and take longer.
- **Repair orders** (~10%): one job, skills ``["repair"]``, 0.5-2 h, a 4-hour window,
  priority 1-3.
- **Engineers**: home in the suburbs (route starts and ends there), 9-hour shifts 08:00-17:00
  or 09:00-18:00, a 30-minute lunch inside 12:00-14:00, a van stock of ONTs (``capacity``;
  an install uses one), and a skill profile (mostly install + pre-cable; some pre-cable only,
  civils, repair, business). Every profile is present once there are >= 6 engineers, so every
  job is assignable by skills.

Travel is the contract's haversine model at 30 km/h with a 1.3 detour factor: DfT measures
~25 mph (40 km/h) average on local 'A' roads in England; a van's door-to-door trip also uses
residential streets and has to park, so 30 km/h is the planning speed used here.

Randomness comes from ``numpy.random.default_rng`` seeded with ``[seed, city position,
stream]``: the orders of a city depend only on (seed, city position, orders), the engineers
only on (seed, city position, engineers), so the same seed with more engineers is the same
set of jobs with a bigger team.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np

__all__ = ["CITIES", "City", "describe_day", "generate_day", "generate_region"]


class City(NamedTuple):
    lon: float
    lat: float
    radius_km: float
    """Rough radius of the built-up area served."""
    population_k: int
    """Rough population in thousands; only used to split a region's orders and engineers."""


CITIES: dict[str, City] = {
    "belfast": City(-5.9301, 54.5973, 8, 345),
    "birmingham": City(-1.8904, 52.4862, 12, 1140),
    "bristol": City(-2.5879, 51.4545, 8, 470),
    "cardiff": City(-3.1791, 51.4816, 7, 360),
    "edinburgh": City(-3.1883, 55.9533, 8, 520),
    "glasgow": City(-4.2518, 55.8642, 10, 630),
    "leeds": City(-1.5491, 53.8008, 10, 810),
    "liverpool": City(-2.9916, 53.4084, 9, 490),
    "london": City(-0.1276, 51.5072, 20, 8900),
    "manchester": City(-2.2426, 53.4808, 10, 550),
    "milton-keynes": City(-0.7594, 52.0406, 8, 290),
    "newcastle": City(-1.6178, 54.9783, 8, 300),
    "nottingham": City(-1.1581, 52.9548, 7, 320),
    "sheffield": City(-1.4701, 53.3811, 9, 560),
    "york": City(-1.0815, 53.9600, 5, 200),
}

TRAVEL = {"metric": "haversine", "speed_kmh": 30, "detour_factor": 1.3}

H = 3600
DAY_WINDOW = [8 * H, 18 * H]
"""Span of all shifts: the window of jobs with no customer appointment (pre-cable, civils)."""
AM_SLOT, PM_SLOT = [8 * H, 13 * H], [13 * H, 18 * H]
REPAIR_WINDOW_STARTS = np.array([8, 10, 12, 14]) * H
REPAIR_WINDOW = 4 * H
SHIFTS = np.array([[8 * H, 17 * H], [9 * H, 18 * H]])
SHIFT_SHARES = [0.6, 0.4]
LUNCH = {"window": [12 * H, 14 * H], "duration": 1800}
VAN_ONT_STOCK = 6

REPAIR_SHARE = 0.10
ESTATE_SHARE = 0.65
"""Share of install orders on new-build estates."""
MEAN_ESTATE_ORDERS = 25
ESTATE_RADIUS_M = (120.0, 350.0)
PRECABLE_SHARE = {"estate": 0.55, "scattered": 0.30}
CIVILS_SHARE = {"estate": 0.04, "scattered": 0.15}
BUSINESS_SHARE = 0.20
"""Share of scattered install orders at business premises."""
OVERHEAD_SHARE = 0.45
"""Share of scattered premises fed from a pole (longer install) rather than a duct."""
WIFI_SHARE = 0.20
"""Share of residential installs with a whole-home wi-fi add-on (+15 min)."""
REPAIR_PRIORITY_SHARES = [0.4, 0.4, 0.2]  # priorities 1, 2, 3

SKILL_PROFILES: list[tuple[tuple[str, ...], float]] = [
    (("install", "precable"), 0.50),
    (("business", "install", "precable"), 0.10),
    (("precable",), 0.12),
    (("install", "repair"), 0.12),
    (("civils", "precable"), 0.10),
    (("business", "civils", "install", "precable", "repair"), 0.06),
]

KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_EQUATOR = 111.320


def city(name: str) -> City:
    """The `City` for ``name`` (case-insensitive, spaces or underscores for hyphens)."""
    key = name.strip().lower().replace(" ", "-").replace("_", "-")
    if key not in CITIES:
        raise ValueError(f"unknown city {name!r}; known cities: {', '.join(CITIES)}")
    return CITIES[key]


def generate_day(city: str, orders: int, engineers: int, seed: int = 0,
                 date: str = "2026-11-23", chains: bool = True) -> dict[str, Any]:
    """One city's day: ``orders`` orders (about 1.5 jobs each) and ``engineers`` engineers.

    With ``chains=False`` the same day without the ``after`` links.
    """
    return generate_region([city], orders, engineers, seed, date, chains)


def generate_region(cities: Sequence[str], orders: int, engineers: int, seed: int = 0,
                    date: str = "2026-11-23", chains: bool = True) -> dict[str, Any]:
    """Several cities in one problem; orders and engineers split by population.

    Ids are numbered across the whole region (cities in the given order), so they are unique.
    """
    if isinstance(cities, str) or not cities:
        raise ValueError("cities must be a non-empty list of city names")
    places = [city(c) for c in cities]
    for what, n in (("orders", orders), ("engineers", engineers), ("seed", seed)):
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
            raise ValueError(f"{what} must be an integer >= 0, got {n!r}")
    day = dt.date.fromisoformat(date)
    horizon = dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("Europe/London"))

    weights = np.array([p.population_k for p in places], dtype=float)
    order_split = _split(orders, weights)
    engineer_split = _split(engineers, weights)
    profiles = _skill_profiles(engineers, np.random.default_rng([seed, len(places), 2]))

    jobs: list[dict[str, Any]] = []
    team: list[dict[str, Any]] = []
    counters = {"O": 0, "R": 0}
    width_o = max(5, len(str(orders)))
    width_e = max(3, len(str(engineers)))
    first_engineer = 0
    for k, (place, n_orders, n_eng) in enumerate(zip(places, order_split, engineer_split,
                                                     strict=True)):
        o = _city_orders(np.random.default_rng([seed, k, 0]), place, int(n_orders))
        jobs.extend(_order_jobs(o, counters, width_o, chains))
        e = _city_engineers(np.random.default_rng([seed, k, 1]), place, int(n_eng))
        team.extend(_engineer_dicts(e, profiles[first_engineer:first_engineer + n_eng],
                                    first_engineer, width_e))
        first_engineer += int(n_eng)

    slug = "+".join(c.strip().lower().replace(" ", "-") for c in cities)
    return {
        "name": f"{slug}-{date}-{orders}o-{engineers}e-s{seed}" + ("" if chains else "-nochains"),
        "horizon_start": horizon.isoformat(),
        "travel": dict(TRAVEL),
        "engineers": team,
        "jobs": jobs,
    }


def describe_day(problem: dict[str, Any]) -> dict[str, Any]:
    """Size and capacity bound of a problem: jobs, work hours against shift hours, per skill.

    ``per_skill[s]`` compares the hours of jobs needing skill ``s`` with the shift hours of
    engineers holding it; ``unassignable`` counts jobs no engineer has every skill for.
    """
    team = problem["engineers"]
    jobs = problem["jobs"]
    skill_sets = [frozenset(e.get("skills", [])) for e in team]
    shift_h = [(e["shift"][1] - e["shift"][0]) / H for e in team]
    per_skill: dict[str, dict[str, float]] = {}
    unassignable = 0
    for j in jobs:
        need = frozenset(j.get("skills", []))
        if not any(need <= s for s in skill_sets):
            unassignable += 1
        for s in need:
            per_skill.setdefault(s, {"work_hours": 0.0, "shift_hours": 0.0})
            per_skill[s]["work_hours"] += j["duration"] / H
    for s, row in per_skill.items():
        row["shift_hours"] = sum(h for h, ss in zip(shift_h, skill_sets, strict=True) if s in ss)
        row["work_hours"] = round(row["work_hours"], 1)
    return {
        "orders": len({j.get("order", j["id"]) for j in jobs}),
        "jobs": len(jobs),
        "engineers": len(team),
        "chained_jobs": sum(1 for j in jobs if j.get("after")),
        "work_hours": round(sum(j["duration"] for j in jobs) / H, 1),
        "shift_hours": round(sum(shift_h), 1),
        "unassignable": unassignable,
        "per_skill": dict(sorted(per_skill.items())),
    }


# -- sampling ------------------------------------------------------------------------------

def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """Largest-remainder split of ``total`` proportional to ``weights``."""
    exact = total * weights / weights.sum()
    out = np.floor(exact).astype(int)
    rest = total - out.sum()
    out[np.argsort(-(exact - out), kind="stable")[:rest]] += 1
    return out


def _skill_profiles(n: int, rng: np.random.Generator) -> list[tuple[str, ...]]:
    """``n`` skill profiles in the target shares, each present once when ``n`` allows."""
    shares = np.array([s for _, s in SKILL_PROFILES])
    counts = _split(n, shares)
    if n >= len(SKILL_PROFILES):
        while (counts == 0).any():  # take from the largest profile to cover every skill
            counts[np.argmax(counts)] -= 1
            counts[np.argmin(counts)] += 1
    idx = rng.permutation(np.repeat(np.arange(len(SKILL_PROFILES)), counts))
    return [SKILL_PROFILES[i][0] for i in idx]


def _offset(place: City, dx_km: np.ndarray, dy_km: np.ndarray) -> tuple[np.ndarray, ...]:
    lat = place.lat + dy_km / KM_PER_DEG_LAT
    lon = place.lon + dx_km / (KM_PER_DEG_LON_EQUATOR * np.cos(np.radians(place.lat)))
    return np.round(lon, 6), np.round(lat, 6)


def _in_disc(rng: np.random.Generator, n: int, r_min: float, r_max: float):
    """``n`` points uniform over the annulus ``r_min..r_max`` (km), as (dx, dy)."""
    r = np.sqrt(rng.uniform(r_min ** 2, r_max ** 2, n))
    a = rng.uniform(0, 2 * np.pi, n)
    return r * np.cos(a), r * np.sin(a)


def _city_orders(rng: np.random.Generator, place: City, n: int) -> dict[str, np.ndarray]:
    """Vectorised draw of ``n`` orders: kind, location, chain and durations (minutes)."""
    u = rng.random((9, n))  # one column of uniforms per order and decision, drawn up front
    repair = u[0] < REPAIR_SHARE
    estate = ~repair & (u[1] < ESTATE_SHARE)
    scattered = ~repair & ~estate
    business = scattered & (u[2] < BUSINESS_SHARE)
    has_pc = np.where(estate, u[3] < PRECABLE_SHARE["estate"],
                      u[3] < PRECABLE_SHARE["scattered"]) & ~repair
    has_cv = np.where(estate, u[4] < CIVILS_SHARE["estate"],
                      u[4] < CIVILS_SHARE["scattered"]) & ~repair

    # Locations: scattered premises and repairs over the whole radius; estates as tight
    # clusters, mostly towards the edge where new housing is built.
    dx, dy = _in_disc(rng, n, 0.0, place.radius_km)
    n_estate = int(estate.sum())
    if n_estate:
        n_sites = max(1, round(n_estate / MEAN_ESTATE_ORDERS))
        cx, cy = _in_disc(rng, n_sites, 0.35 * place.radius_km, place.radius_km)
        site_r = rng.uniform(*ESTATE_RADIUS_M, n_sites) / 1000
        site = rng.choice(n_sites, n_estate, p=rng.dirichlet(np.full(n_sites, 4.0)))
        ex, ey = _in_disc(rng, n_estate, 0.0, 1.0)
        dx[estate] = cx[site] + ex * site_r[site]
        dy[estate] = cy[site] + ey * site_r[site]
    lon, lat = _offset(place, dx, dy)

    # Install minutes by drop and product: a pre-cabled drop only needs the ONT fitted.
    d = rng.random(n)
    overhead = u[5] < OVERHEAD_SHARE
    install = np.select(
        [has_pc, estate, overhead],
        [90 + 60 * d, 120 + 60 * d, 150 + 90 * d],
        default=120 + 90 * d,  # underground, existing duct
    )
    install = np.where(business, 180 + 60 * d - 30 * has_pc, install)
    install = np.minimum(install + 15 * (~business & (u[6] < WIFI_SHARE)), 240)
    am_share = np.where(business, 0.7, np.where(install > 210, 0.8, 0.55))
    return {
        "repair": repair, "business": business, "has_pc": has_pc, "has_cv": has_cv,
        "lon": lon, "lat": lat,
        "install_min": np.round(install), "am": u[7] < am_share,
        "precable_min": np.round(60 + 60 * rng.random(n)),
        "civils_min": np.round(60 + 120 * rng.random(n)),
        "repair_min": np.round(30 + 90 * rng.beta(1.5, 2.5, n)),
        "repair_window": rng.choice(REPAIR_WINDOW_STARTS, n),
        "repair_priority": rng.choice([1, 2, 3], n, p=REPAIR_PRIORITY_SHARES),
    }


def _order_jobs(o: dict[str, np.ndarray], counters: dict[str, int], width: int,
                chains: bool) -> list[dict[str, Any]]:
    """Contract job dicts for drawn orders; ``counters`` carries order numbers across cities."""
    cols = {k: v.tolist() for k, v in o.items()}
    jobs: list[dict[str, Any]] = []
    for i in range(len(cols["lon"])):
        loc = [cols["lon"][i], cols["lat"][i]]
        if cols["repair"][i]:
            counters["R"] += 1
            rid = f"R{counters['R']:0{width}d}"
            w = cols["repair_window"][i]
            jobs.append({"id": rid, "order": rid, "location": loc,
                         "duration": int(cols["repair_min"][i]) * 60, "skills": ["repair"],
                         "priority": cols["repair_priority"][i],
                         "time_windows": [[w, w + REPAIR_WINDOW]], "demand": [0]})
            continue
        counters["O"] += 1
        oid = f"O{counters['O']:0{width}d}"
        business = cols["business"][i]
        priority = 2 if business else 1
        before: list[str] = []
        for flag, suffix, skill, minutes in (("has_cv", "CV", "civils", "civils_min"),
                                             ("has_pc", "PC", "precable", "precable_min")):
            if cols[flag][i]:
                job = {"id": f"{oid}-{suffix}", "order": oid, "location": loc,
                       "duration": int(cols[minutes][i]) * 60, "skills": [skill],
                       "priority": priority, "time_windows": [list(DAY_WINDOW)],
                       "demand": [0]}
                if chains and before:
                    job["after"] = before[-1:]
                jobs.append(job)
                before.append(job["id"])
        job = {"id": f"{oid}-IN", "order": oid, "location": loc,
               "duration": int(cols["install_min"][i]) * 60,
               "skills": ["business", "install"] if business else ["install"],
               "priority": priority,
               "time_windows": [list(AM_SLOT if cols["am"][i] else PM_SLOT)], "demand": [1]}
        if chains and before:
            job["after"] = before[-1:]
        jobs.append(job)
    return jobs


def _city_engineers(rng: np.random.Generator, place: City, n: int) -> dict[str, np.ndarray]:
    """Homes in the suburbs and shifts; row-wise draws, so a bigger team extends a smaller one."""
    u = rng.random((n, 3))
    r_min, r_max = 0.3 * place.radius_km, 1.1 * place.radius_km
    r = np.sqrt(r_min ** 2 + (r_max ** 2 - r_min ** 2) * u[:, 0])
    a = 2 * np.pi * u[:, 1]
    lon, lat = _offset(place, r * np.cos(a), r * np.sin(a))
    shift = np.searchsorted(np.cumsum(SHIFT_SHARES), u[:, 2], side="right")
    return {"lon": lon, "lat": lat, "shift": shift}


def _engineer_dicts(e: dict[str, np.ndarray], profiles: Sequence[tuple[str, ...]], first: int,
                    width: int) -> list[dict[str, Any]]:
    lon, lat, shift = e["lon"].tolist(), e["lat"].tolist(), e["shift"].tolist()
    shifts = SHIFTS.tolist()
    return [{"id": f"E{first + i + 1:0{width}d}", "start": [lon[i], lat[i]],
             "end": [lon[i], lat[i]], "shift": list(shifts[shift[i]]),
             "skills": list(profiles[i]),
             "breaks": [{"window": list(LUNCH["window"]), "duration": LUNCH["duration"]}],
             "capacity": [VAN_ONT_STOCK]}
            for i in range(len(lon))]
