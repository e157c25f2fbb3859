"""Travel times and distances between locations, exactly as the contract defines them.

Matrices are computed once per solve, vectorised with numpy, in float seconds and metres.
`to_int_seconds` converts them for OR-Tools (rounding *up*, so a route OR-Tools finds feasible
stays feasible with the exact times). An external road-network table (OSRM, Valhalla) plugs in
through the `MatrixProvider` protocol.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from scheduler.model import Location, TravelSpec

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Matrices:
    """Square travel-time (s) and distance matrices over a list of locations."""

    durations: np.ndarray
    distances: np.ndarray


class MatrixProvider(Protocol):
    """Anything that turns a list of locations into travel matrices.

    An OSRM/Valhalla adapter would call the engine's ``table`` service with the coordinates
    and return its ``durations``/``distances`` arrays; the solver never needs to know.
    """

    def matrices(self, locations: Sequence[Location]) -> Matrices: ...


def haversine_m(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray,
                lat2: np.ndarray) -> np.ndarray:
    """Great-circle distance in metres (broadcasting), sphere of radius 6 371 008.8 m."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=float))
                              for a in (lon1, lat1, lon2, lat2))
    h = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))


@dataclass(frozen=True)
class ContractTravel:
    """The contract's own models: haversine, euclidean or an explicit matrix."""

    spec: TravelSpec

    def matrices(self, locations: Sequence[Location]) -> Matrices:
        spec = self.spec
        if spec.metric == "matrix":
            idx = np.asarray(locations, dtype=int)
            dur = np.asarray(spec.durations, dtype=float)
            dist = dur if spec.distances is None else np.asarray(spec.distances, dtype=float)
            return Matrices(dur[np.ix_(idx, idx)], dist[np.ix_(idx, idx)])
        xy = np.asarray(locations, dtype=float).reshape(-1, 2)
        x, y = xy[:, 0], xy[:, 1]
        if spec.metric == "haversine":
            dist = haversine_m(x[:, None], y[:, None], x[None, :], y[None, :]) * \
                spec.detour_factor
            return Matrices(dist / (spec.speed_kmh / 3.6), dist)
        dist = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
        return Matrices(dist * spec.time_per_unit, dist)


def to_int_seconds(durations: np.ndarray) -> np.ndarray:
    """Integer travel times for OR-Tools: rounded up, with a guard against float noise."""
    return np.ceil(durations - 1e-9).astype(np.int64)
