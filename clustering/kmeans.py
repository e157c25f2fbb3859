"""Work-weighted spherical k-means for jobs on the globe."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from sklearn.cluster import kmeans_plusplus
from sklearn.utils import check_random_state

from .base import GeoClusterer, nearest_center
from .geo import lonlat_to_unit, unit_to_lonlat


def _normalise(v: NDArray[np.float64]) -> NDArray[np.float64]:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(norm > 0, norm, 1.0)


def _weighted_sums(units, weights, labels, k) -> NDArray[np.float64]:
    return np.stack(
        [np.bincount(labels, weights=units[:, d] * weights, minlength=k) for d in range(3)], axis=1
    )


def _update_centers(
    units: NDArray[np.float64],
    weights: NDArray[np.float64],
    labels: NDArray[np.int64],
    centers: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Normalised weighted mean unit vector per group; empty groups keep their centre."""
    k = len(centers)
    sums = _weighted_sums(units, weights, labels, k)
    # A group of zero-weight jobs only: use its plain mean so it still has a place.
    weightless = (np.bincount(labels, weights=weights, minlength=k) <= 0) & (
        np.bincount(labels, minlength=k) > 0
    )
    if np.any(weightless):
        sums[weightless] = _weighted_sums(units, np.ones(len(units)), labels, k)[weightless]
    new = centers.copy()
    ok = np.linalg.norm(sums, axis=1) > 1e-12
    new[ok] = _normalise(sums[ok])
    return new


def spherical_kmeans(
    units: NDArray[np.float64],
    weights: NDArray[np.float64],
    k: int,
    *,
    n_init: int,
    max_iter: int,
    tol: float,
    random_state: np.random.RandomState,
) -> tuple[NDArray[np.int64], NDArray[np.float64], float, int]:
    """Best of ``n_init`` weighted spherical k-means runs on unit vectors.

    Returns ``(labels, center_units, inertia, n_iter)``; ``inertia`` is the
    weighted sum of squared chords, and ``labels`` are the nearest centres.
    """
    best: tuple[NDArray[np.int64], NDArray[np.float64], float, int] | None = None
    # k-means++ seeds may only come from jobs that carry work.
    seed_pool = np.flatnonzero(weights > 0)
    for _ in range(n_init):
        seeds, _idx = kmeans_plusplus(
            units[seed_pool], k, sample_weight=weights[seed_pool], random_state=random_state
        )
        centers = _normalise(seeds)
        labels = nearest_center(units, centers)
        n_iter = 0
        for n_iter in range(1, max_iter + 1):  # noqa: B007 - n_iter is reported
            new_centers = _update_centers(units, weights, labels, centers)
            empty = np.bincount(labels, minlength=k) == 0
            if np.any(empty):
                new_centers = _reseed_empty(units, weights, labels, new_centers, empty)
            shift = float(np.max(np.linalg.norm(new_centers - centers, axis=1)))
            centers = new_centers
            new_labels = nearest_center(units, centers)
            stable = np.array_equal(new_labels, labels)
            labels = new_labels
            if stable or shift <= tol:
                break
        inertia = float(weights @ (2.0 - 2.0 * np.sum(units * centers[labels], axis=1)))
        if best is None or inertia < best[2]:
            best = (labels, centers, inertia, n_iter)
    assert best is not None
    return best


def _reseed_empty(units, weights, labels, centers, empty) -> NDArray[np.float64]:
    """Move empty centres onto the jobs costing most where they are (deterministic)."""
    cost = weights * (2.0 - 2.0 * np.sum(units * centers[labels], axis=1))
    far = np.argsort(-cost, kind="stable")[: int(empty.sum())]
    centers = centers.copy()
    centers[np.flatnonzero(empty)] = units[far]
    return centers


class KMeansGeoClusterer(GeoClusterer):
    """k-means on the sphere: compact groups of jobs, weighted by their work.

    Why the sphere and not a map projection: a job's ``[lon, lat]`` is embedded
    as a 3-D unit vector. The straight (chord) distance between two unit
    vectors is a strictly increasing function of the great-circle distance, so
    "nearest centre" here is exactly "nearest centre by haversine", at street,
    city, national and continental scale alike, across the antimeridian and
    near the poles. A local projection (equirectangular or azimuthal around the
    centroid) distorts distances away from its origin, which matters for a
    national day (1 000 km across); one projection per seed would fix that but
    makes the assignment step compare distances measured in different planes.
    The centre of a group is its work-weighted mean vector pushed back onto the
    sphere, which minimises the group's weighted sum of squared chords
    (spherical k-means). Raw-degree k-means, by contrast, treats a degree of
    longitude as wide as a degree of latitude, which is twice too wide at 60° N.

    Parameters
    ----------
    n_clusters : int or "auto", default=8
        Number of groups, or ``"auto"`` for ``ceil(total work / target_work)``.
        Capped at the number of jobs.
    target_work : float, default=None
        Seconds of job duration per group, used by ``n_clusters="auto"``.
    n_init : int, default=4
        Restarts from different k-means++ seeds; the lowest inertia wins.
    max_iter : int, default=100
        Lloyd iterations per restart.
    tol : float, default=1e-7
        Stop when no centre moves more than this chord length (unit sphere;
        1e-7 is about 0.6 m).
    random_state : int, RandomState instance or None, default=None
        Seeds k-means++. Fix it for reproducible groups.

    Attributes
    ----------
    labels_, cluster_centers_, n_clusters_, group_work_ :
        See :class:`~clustering.base.GeoClusterer`.
    inertia_ : float
        Work-weighted sum of squared chord lengths (unit sphere) to the centres.
    n_iter_ : int
        Lloyd iterations of the winning restart.

    ``labels_`` always equals ``predict`` on the training jobs.
    """

    def __init__(
        self,
        n_clusters: int | str = 8,
        *,
        target_work: float | None = None,
        n_init: int = 4,
        max_iter: int = 100,
        tol: float = 1e-7,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.target_work = target_work
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _fit_lonlat(self, X, sample_weight):
        for name in ("n_init", "max_iter"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)!r}")
        units = lonlat_to_unit(X)
        k = self._resolve_n_clusters(len(X), float(sample_weight.sum()))
        k = min(k, int(np.count_nonzero(sample_weight > 0)))
        labels, centers, inertia, n_iter = spherical_kmeans(
            units,
            sample_weight,
            k,
            n_init=int(self.n_init),
            max_iter=int(self.max_iter),
            tol=float(self.tol),
            random_state=check_random_state(self.random_state),
        )
        self.inertia_ = inertia
        self.n_iter_ = n_iter
        return labels, unit_to_lonlat(centers)
