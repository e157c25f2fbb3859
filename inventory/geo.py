"""Small geographic helpers: distances, known towns, deterministic places for unknown ones."""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8  # the contract's sphere


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def metres_to_degrees(dx_m: float, dy_m: float, lat: float) -> tuple[float, float]:
    """Convert an east/north offset in metres to (dlon, dlat) at latitude ``lat``."""
    dlat = dy_m / 111_320.0
    dlon = dx_m / (111_320.0 * math.cos(math.radians(lat)))
    return dlon, dlat


@dataclass(frozen=True)
class Town:
    name: str
    lon: float
    lat: float
    postcode_area: str


KNOWN_TOWNS: dict[str, Town] = {
    t.name.lower(): t
    for t in (
        Town("Leeds", -1.5491, 53.8008, "LS"),
        Town("York", -1.0815, 53.9600, "YO"),
        Town("Harrogate", -1.5373, 53.9921, "HG"),
        Town("Wakefield", -1.4977, 53.6833, "WF"),
        Town("Bradford", -1.7594, 53.7960, "BD"),
        Town("Sheffield", -1.4701, 53.3811, "S"),
        Town("Manchester", -2.2426, 53.4808, "M"),
        Town("Newcastle", -1.6178, 54.9783, "NE"),
    )
}

# Inland boxes (lon_min, lat_min, lon_max, lat_max) of Great Britain, so a made-up town
# lands on land and not in the North Sea.
_GB_LAND_BOXES = (
    (-2.9, 52.0, -0.6, 53.4),   # Midlands
    (-2.6, 53.4, -1.0, 54.4),   # Yorkshire / Lancashire
    (-1.9, 50.9, 0.3, 52.0),    # South
    (-3.9, 51.6, -2.8, 52.6),   # Wales
    (-4.3, 55.7, -3.0, 56.3),   # Central Scotland
    (0.2, 52.2, 1.3, 52.8),     # East Anglia
)


def town_location(name: str) -> Town:
    """A known town, or a deterministic inland place derived from the name's hash."""
    known = KNOWN_TOWNS.get(name.strip().lower())
    if known:
        return Town(name, known.lon, known.lat, known.postcode_area)
    digest = hashlib.sha256(name.strip().lower().encode("utf-8")).digest()
    box = _GB_LAND_BOXES[digest[0] % len(_GB_LAND_BOXES)]
    fx = int.from_bytes(digest[1:5], "big") / 2**32
    fy = int.from_bytes(digest[5:9], "big") / 2**32
    lon = box[0] + fx * (box[2] - box[0])
    lat = box[1] + fy * (box[3] - box[1])
    letters = [c for c in name.upper() if "A" <= c <= "Z"] or ["X", "X"]
    area = "".join(letters[:2]) if len(letters) > 1 else letters[0] + "X"
    return Town(name, round(lon, 5), round(lat, 5), area)
