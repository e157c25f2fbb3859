"""The shared base of the geographic job clusterers.

Every clusterer takes ``X`` of shape ``(n_jobs, 2)`` holding ``[lon, lat]`` in
degrees and the job durations (seconds of work) as ``sample_weight``. After
``fit`` it exposes ``labels_`` (a group per job, ``0..n_clusters_-1``, every
group non-empty), ``cluster_centers_`` (``[lon, lat]`` per group),
``n_clusters_`` and ``group_work_`` (summed ``sample_weight`` per group).
``predict`` sends new jobs to the nearest centre by great-circle distance.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .geo import chord_to_km, lonlat_to_unit


def choose_n_clusters(total_work: float, target_work: float, n_points: int | None = None) -> int:
    """Number of groups for a day: ``ceil(total_work / target_work)``, at least 1.

    ``target_work`` is the work (seconds of job duration) one group should hold,
    typically the capacity of the engineers one sub-problem can solve quickly.
    The result is capped at ``n_points`` when it is given.
    """
    if not (isinstance(target_work, Real) and target_work > 0):
        raise ValueError(f"target_work must be a positive number, got {target_work!r}")
    k = max(1, math.ceil(float(total_work) / float(target_work) - 1e-9))
    if n_points is not None:
        k = min(k, max(1, int(n_points)))
    return k


def validate_sample_weight(sample_weight: ArrayLike | float | None, n: int) -> NDArray:
    """Job durations as a float array of length ``n``: finite, >= 0, not all zero."""
    if sample_weight is None:
        return np.ones(n)
    if np.isscalar(sample_weight):
        w = np.full(n, sample_weight, dtype=np.float64)
    else:
        w = check_array(
            sample_weight, ensure_2d=False, dtype=np.float64, input_name="sample_weight"
        )
    if w.ndim != 1 or w.shape[0] != n:
        raise ValueError(f"sample_weight.shape == {w.shape}, expected ({n},)")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("sample_weight must be finite and non-negative")
    if not np.any(w > 0):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return w


def nearest_center(units: NDArray[np.float64], center_units: NDArray[np.float64]) -> NDArray:
    """Index of the nearest centre for each unit vector.

    The shortest chord in 3-D is the shortest great-circle distance, so a k-d
    tree over the centres' unit vectors answers "nearest by haversine" in
    O(n log k) without trigonometry. ``fit`` and ``predict`` both use this
    function, so training labels and predictions agree exactly.
    """
    _, idx = cKDTree(center_units).query(units, k=1)
    return np.asarray(idx, dtype=np.int64)


def relabel_consecutive(
    labels: NDArray, centers: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Drop centres that own no point and renumber labels ``0..k-1`` in centre order."""
    used = np.unique(labels)
    mapping = np.full(len(centers), -1, dtype=np.int64)
    mapping[used] = np.arange(len(used))
    return mapping[labels], centers[used]


class GeoClusterer(ClusterMixin, BaseEstimator):
    """Base class: validation, ``n_clusters="auto"``, ``predict``, distances.

    Subclasses implement ``_fit_lonlat(X, sample_weight) -> (labels, centers)``
    on validated ``[lon, lat]`` degrees and non-negative weights; the base class
    renumbers the result so that labels are consecutive and every group has a
    job.

    Input checks: ``X`` must have exactly two columns; longitudes must lie in
    ``[-180, 180]`` and latitudes in ``[-90, 90]``; weights must be
    non-negative and not all zero.
    """

    def fit(self, X: ArrayLike, y: object = None, sample_weight: ArrayLike | None = None):
        """Group the jobs ``X`` (``[lon, lat]`` degrees) weighted by ``sample_weight``.

        ``y`` is ignored (present for API consistency). Returns ``self``.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=1)
        sample_weight = validate_sample_weight(sample_weight, X.shape[0])
        X = self._check_lonlat(X)
        labels, centers = self._fit_lonlat(X, sample_weight)
        labels, centers = relabel_consecutive(np.asarray(labels), np.asarray(centers))
        self.labels_ = labels
        self.cluster_centers_ = centers
        self.n_clusters_ = len(centers)
        self.group_work_ = np.bincount(labels, weights=sample_weight, minlength=len(centers))
        return self

    def predict(self, X: ArrayLike) -> NDArray[np.int64]:
        """Group of each job in ``X``: the nearest centre by great-circle distance."""
        check_is_fitted(self)
        X = self._check_lonlat(validate_data(self, X, dtype=[np.float64, np.float32], reset=False))
        return nearest_center(lonlat_to_unit(X), lonlat_to_unit(self.cluster_centers_))

    def distances_km(self, X: ArrayLike) -> NDArray[np.float64]:
        """Great-circle km from each job in ``X`` to each centre, shape ``(n, n_clusters_)``.

        Not named ``transform`` on purpose: these estimators are not feature
        transformers and should not be run through the transformer checks.
        """
        check_is_fitted(self)
        X = self._check_lonlat(validate_data(self, X, dtype=[np.float64, np.float32], reset=False))
        u, c = lonlat_to_unit(X), lonlat_to_unit(self.cluster_centers_)
        return chord_to_km(np.sqrt(np.clip(2.0 - 2.0 * (u @ c.T), 0.0, 4.0)))

    def _fit_lonlat(
        self, X: NDArray[np.float64], sample_weight: NDArray[np.float64]
    ) -> tuple[NDArray, NDArray[np.float64]]:
        """Return ``(labels, centers)`` for validated jobs; implemented by subclasses."""
        raise NotImplementedError

    # -- helpers for subclasses -------------------------------------------------

    def _resolve_n_clusters(self, n_points: int, total_work: float) -> int:
        """``n_clusters`` as an int: given, or ``"auto"`` from ``target_work``."""
        n_clusters = self.n_clusters
        if isinstance(n_clusters, str):
            if n_clusters != "auto":
                raise ValueError(f"n_clusters must be an int >= 1 or 'auto', got {n_clusters!r}")
            target = self._auto_target_work()
            if target is None:
                raise ValueError("n_clusters='auto' needs target_work (seconds of work per group)")
            return choose_n_clusters(total_work, target, n_points)
        if not isinstance(n_clusters, Integral) or isinstance(n_clusters, bool) or n_clusters < 1:
            raise ValueError(f"n_clusters must be an int >= 1 or 'auto', got {n_clusters!r}")
        return min(int(n_clusters), n_points)

    def _auto_target_work(self) -> float | None:
        return getattr(self, "target_work", None)

    @staticmethod
    def _check_lonlat(X: NDArray) -> NDArray[np.float64]:
        if X.shape[1] != 2:
            raise ValueError(
                f"X must hold [lon, lat] pairs in degrees (2 columns); got n_features = "
                f"{X.shape[1]}"
            )
        X = np.asarray(X, dtype=np.float64)
        lon, lat = X[:, 0], X[:, 1]
        if np.any(np.abs(lon) > 180.0) or np.any(np.abs(lat) > 90.0):
            raise ValueError(
                "X must hold [lon, lat] in degrees: longitude in [-180, 180], latitude in [-90, 90]"
            )
        return X
