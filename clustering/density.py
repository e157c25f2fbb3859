"""Density-based groups (DBSCAN / HDBSCAN on great-circle distance) for dense estates."""

from __future__ import annotations

import numpy as np
from sklearn.cluster import DBSCAN, HDBSCAN
from sklearn.neighbors import BallTree

from .base import GeoClusterer
from .geo import EARTH_RADIUS_KM, lonlat_to_unit, unit_to_lonlat
from .kmeans import _update_centers

_METHODS = ("hdbscan", "dbscan")


def _latlon_radians(X: np.ndarray) -> np.ndarray:
    """scikit-learn's haversine metric wants ``[lat, lon]`` in radians."""
    return np.radians(X[:, ::-1])


def attach_noise(X: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Give every noise job (label -1) the group of its nearest clustered job.

    When nothing was clustered, all jobs form one group.
    """
    labels = labels.copy()
    noise = labels < 0
    if noise.all():
        return np.zeros(len(labels), dtype=np.int64)
    if noise.any():
        tree = BallTree(_latlon_radians(X[~noise]), metric="haversine")
        _, idx = tree.query(_latlon_radians(X[noise]), k=1)
        labels[noise] = labels[~noise][idx[:, 0]]
    return labels.astype(np.int64)


class DensityGeoClusterer(GeoClusterer):
    """Groups where jobs are dense, found by DBSCAN or HDBSCAN on haversine distance.

    Useful for estates of new-build premises and other dense pockets: the number
    of groups follows the data rather than a chosen ``k``. Distances are
    great-circle (scikit-learn's ``metric="haversine"`` on ``[lat, lon]``
    radians), with ``eps_km`` converted with the contract's Earth radius.
    Jobs the density method calls noise are attached to the group of their
    nearest clustered job, so every job gets a group; if no cluster is found at
    all, every job is put in one group. The method is deterministic, so there
    is no ``random_state``.

    ``sample_weight`` (job duration) does not change the density (a long job
    is not more "crowded"); it weights the group centres and ``group_work_``.
    Nothing bounds a group's work here: use
    :class:`~clustering.balanced.BalancedGeoClusterer` for that.

    Parameters
    ----------
    method : {"hdbscan", "dbscan"}, default="hdbscan"
        HDBSCAN needs no distance scale; DBSCAN needs ``eps_km``.
    eps_km : float, default=0.5
        DBSCAN's neighbourhood radius in km.
    min_samples : int or None, default=None
        Jobs within reach for a job to be a core point (DBSCAN: ``None`` means
        5; HDBSCAN: ``None`` means ``min_cluster_size``).
    min_cluster_size : int, default=5
        HDBSCAN's smallest group.
    cluster_selection_epsilon_km : float, default=0.0
        HDBSCAN: groups closer than this (km) are merged.

    Attributes
    ----------
    labels_, cluster_centers_, n_clusters_, group_work_ :
        See :class:`~clustering.base.GeoClusterer`. Centres are work-weighted
        spherical means.
    noise_mask_ : ndarray of bool
        Jobs the density method left as noise (then attached to a group).

    ``predict`` sends a job to the nearest centre; density groups need not be
    convex, so on training jobs it can differ from ``labels_``.
    """

    def __init__(
        self,
        method: str = "hdbscan",
        *,
        eps_km: float = 0.5,
        min_samples: int | None = None,
        min_cluster_size: int = 5,
        cluster_selection_epsilon_km: float = 0.0,
    ) -> None:
        self.method = method
        self.eps_km = eps_km
        self.min_samples = min_samples
        self.min_cluster_size = min_cluster_size
        self.cluster_selection_epsilon_km = cluster_selection_epsilon_km

    def _fit_lonlat(self, X, sample_weight):
        if self.method not in _METHODS:
            raise ValueError(f"method must be one of {_METHODS}, got {self.method!r}")
        coords = _latlon_radians(X)
        if self.method == "dbscan":
            if not float(self.eps_km) > 0:
                raise ValueError(f"eps_km must be positive, got {self.eps_km!r}")
            model = DBSCAN(
                eps=float(self.eps_km) / EARTH_RADIUS_KM,
                min_samples=5 if self.min_samples is None else int(self.min_samples),
                metric="haversine",
                algorithm="ball_tree",
            )
            raw = model.fit(coords).labels_
        elif len(X) < 2:
            raw = np.full(len(X), -1)
        else:
            model = HDBSCAN(
                min_cluster_size=max(2, min(int(self.min_cluster_size), len(X))),
                min_samples=None
                if self.min_samples is None
                else max(1, min(int(self.min_samples), len(X))),
                cluster_selection_epsilon=float(self.cluster_selection_epsilon_km)
                / EARTH_RADIUS_KM,
                metric="haversine",
                copy=False,  # coords is a fresh array of ours
            )
            raw = model.fit(coords).labels_
        self.noise_mask_ = raw < 0
        labels = attach_noise(X, raw)
        units = lonlat_to_unit(X)
        first_member = np.unique(labels, return_index=True)[1]
        centers = _update_centers(units, sample_weight, labels, units[first_member])
        return labels, unit_to_lonlat(centers)
