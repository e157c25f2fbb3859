"""Geographic grouping of a day's jobs and engineers (scikit-learn estimators, pure).

A national day is too large for one routing model, so it is cut into groups
that can be solved apart. This package makes those groups and measures them;
it does no I/O and imports nothing from the rest of the project.

Jobs are ``X`` of shape ``(n, 2)``, ``[lon, lat]`` in degrees (GeoJSON order,
as in the contract), with job durations in seconds as ``sample_weight``.
Distances are great-circle on the contract's sphere (radius 6 371 008.8 m).

Estimators (one family, base :class:`GeoClusterer`; all have ``fit``,
``predict``, ``fit_predict``, ``distances_km``, ``labels_``,
``cluster_centers_``, ``n_clusters_``, ``group_work_``):

- :class:`KMeansGeoClusterer`: work-weighted spherical k-means (compact groups).
- :class:`BalancedGeoClusterer`: capacitated p-median (compact groups whose
  work is at most a capacity), for decomposition.
- :class:`DensityGeoClusterer`: HDBSCAN / DBSCAN on haversine distance, noise
  attached to the nearest group (dense estates).

``n_clusters="auto"`` with ``target_work`` (seconds per group) picks
``ceil(total work / target_work)`` groups (:func:`choose_n_clusters`).

Engineers: :func:`assign_engineers` gives each group engineers by home, skills
and capacity; :func:`skill_gaps` and :func:`group_capacity` check the result.

Durations: :class:`DurationModel` (median and p80 of a job's on-site time,
:mod:`clustering.duration`), :func:`save_model` / :func:`load_model`; synthetic
history in :mod:`clustering.duration_data`.

Quality: :func:`clustering_report` returns a :class:`ClusteringReport` with
``summary()`` (a dict), ``rows()`` (a table as dicts) and ``to_text()``.

Example::

    from clustering import BalancedGeoClusterer, assign_engineers, clustering_report

    est = BalancedGeoClusterer("auto", target_work=6 * 8 * 3600, random_state=0)
    labels = est.fit(jobs_lonlat, sample_weight=durations).labels_
    eng_labels = assign_engineers(jobs_lonlat, job_skills, durations, labels,
                                  est.cluster_centers_, eng_homes, eng_skills, eng_seconds)
    print(clustering_report(jobs_lonlat, labels, est.cluster_centers_, durations,
                            eng_labels=eng_labels, eng_capacity_seconds=eng_seconds).to_text())
"""

from .balanced import BalancedGeoClusterer, capacitated_assignment
from .base import GeoClusterer, choose_n_clusters
from .density import DensityGeoClusterer
from .duration import DurationModel, DurationQuantileRegressor, load_model, save_model
from .engineers import assign_engineers, group_capacity, requirements, skill_gaps
from .geo import (
    EARTH_RADIUS_M,
    haversine_km,
    haversine_m,
    haversine_matrix_km,
    lonlat_to_unit,
    spherical_mean,
    unit_to_lonlat,
)
from .kmeans import KMeansGeoClusterer
from .quality import ClusteringReport, clustering_report, neighbour_split_share
from .sklearn_checks import expected_failed_checks

__all__ = [
    "EARTH_RADIUS_M",
    "BalancedGeoClusterer",
    "ClusteringReport",
    "DensityGeoClusterer",
    "DurationModel",
    "DurationQuantileRegressor",
    "GeoClusterer",
    "KMeansGeoClusterer",
    "assign_engineers",
    "capacitated_assignment",
    "choose_n_clusters",
    "clustering_report",
    "expected_failed_checks",
    "group_capacity",
    "haversine_km",
    "haversine_m",
    "haversine_matrix_km",
    "load_model",
    "lonlat_to_unit",
    "neighbour_split_share",
    "requirements",
    "save_model",
    "skill_gaps",
    "spherical_mean",
    "unit_to_lonlat",
]
