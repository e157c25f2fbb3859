"""Great-circle geometry on lon/lat degrees, vectorised with numpy.

The sphere is the contract's travel model: radius 6 371 008.8 m (the IUGG mean
Earth radius). Points are ``[lon, lat]`` in degrees (GeoJSON order) throughout.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_M = 6_371_008.8
EARTH_RADIUS_KM = EARTH_RADIUS_M / 1000.0


def _lonlat(points: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(points, dtype=np.float64)
    if arr.shape[-1] != 2:
        raise ValueError(f"expected [lon, lat] pairs in the last axis, got shape {arr.shape}")
    return arr


def haversine_m(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """Great-circle distance in metres between ``a`` and ``b`` (broadcast, ``[..., 2]``)."""
    a_ = np.radians(_lonlat(a))
    b_ = np.radians(_lonlat(b))
    dlon = b_[..., 0] - a_[..., 0]
    dlat = b_[..., 1] - a_[..., 1]
    h = np.sin(dlat / 2.0) ** 2 + np.cos(a_[..., 1]) * np.cos(b_[..., 1]) * np.sin(dlon / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def haversine_km(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """Great-circle distance in kilometres (see :func:`haversine_m`)."""
    return haversine_m(a, b) / 1000.0


def haversine_matrix_km(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """All-pairs distance in km: ``a`` is ``(n, 2)``, ``b`` is ``(m, 2)``, result ``(n, m)``.

    Computed through unit vectors (angle = 2·asin(chord/2)), which is as exact as
    the haversine formula and needs one matrix product instead of n·m trig calls.
    """
    ua = lonlat_to_unit(a)
    ub = lonlat_to_unit(b)
    return chord_to_km(_chord(ua, ub))


def lonlat_to_unit(points: ArrayLike) -> NDArray[np.float64]:
    """Embed ``[lon, lat]`` degrees as unit vectors ``(x, y, z)`` on the sphere."""
    rad = np.radians(_lonlat(points))
    lon, lat = rad[..., 0], rad[..., 1]
    cos_lat = np.cos(lat)
    return np.stack([cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)], axis=-1)


def unit_to_lonlat(vectors: ArrayLike) -> NDArray[np.float64]:
    """Inverse of :func:`lonlat_to_unit`; vectors need not be normalised (non-zero)."""
    v = np.asarray(vectors, dtype=np.float64)
    lon = np.degrees(np.arctan2(v[..., 1], v[..., 0]))
    lat = np.degrees(np.arctan2(v[..., 2], np.hypot(v[..., 0], v[..., 1])))
    return np.stack([lon, lat], axis=-1)


def _chord(ua: NDArray[np.float64], ub: NDArray[np.float64]) -> NDArray[np.float64]:
    # |a-b|^2 = 2 - 2 a.b for unit vectors; clip guards tiny negative round-off.
    sq = np.clip(2.0 - 2.0 * (ua @ ub.T), 0.0, 4.0)
    return np.sqrt(sq)


def chord_to_km(chord: ArrayLike) -> NDArray[np.float64]:
    """Convert a chord length on the unit sphere to great-circle kilometres."""
    c = np.clip(np.asarray(chord, dtype=np.float64), 0.0, 2.0)
    return 2.0 * np.arcsin(c / 2.0) * EARTH_RADIUS_KM


def spherical_mean(points: ArrayLike, weights: ArrayLike | None = None) -> NDArray[np.float64]:
    """Weighted centre ``[lon, lat]`` of points: the normalised mean unit vector.

    It is the point on the sphere minimising the weighted sum of squared chord
    lengths, so it is correct across the antimeridian and near the poles, where
    averaging degrees is not. Falls back to the unweighted mean when all weights
    are zero, and to the first point when the mean vector vanishes (antipodes).
    """
    u = lonlat_to_unit(np.atleast_2d(points))
    w = np.ones(len(u)) if weights is None else np.asarray(weights, dtype=np.float64)
    if not np.any(w > 0):
        w = np.ones(len(u))
    m = w @ u
    if np.linalg.norm(m) < 1e-12:
        m = u[0]
    return unit_to_lonlat(m / np.linalg.norm(m))
