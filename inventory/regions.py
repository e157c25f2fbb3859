"""Which region (town) a point belongs to: the service area containing it, else the
nearest area within a commuting distance."""
from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.geo import haversine_m
from inventory.models import ServiceArea

NEAREST_AREA_LIMIT_M = 30_000.0


@dataclass
class _Area:
    region: str
    bounds: tuple[float, float, float, float]
    wkt: str
    geometry: BaseGeometry | None = None


class RegionLocator:
    """Loads the service areas once; ``locate`` is then cheap (good for bulk imports)."""

    def __init__(self, session: Session):
        self._areas = [
            _Area(a.region, (a.min_lon, a.min_lat, a.max_lon, a.max_lat), a.geometry_wkt)
            for a in session.scalars(select(ServiceArea))
        ]

    def locate(self, lon: float, lat: float) -> str | None:
        point = Point(lon, lat)
        for area in self._areas:
            x0, y0, x1, y1 = area.bounds
            if x0 <= lon <= x1 and y0 <= lat <= y1:
                if area.geometry is None:
                    area.geometry = shapely.from_wkt(area.wkt)
                if area.geometry.covers(point):
                    return area.region
        best: tuple[float, str] | None = None
        for area in self._areas:
            x0, y0, x1, y1 = area.bounds
            d = haversine_m(lon, lat, (x0 + x1) / 2, (y0 + y1) / 2)
            if best is None or d < best[0]:
                best = (d, area.region)
        if best is not None and best[0] <= NEAREST_AREA_LIMIT_M:
            return best[1]
        return None
