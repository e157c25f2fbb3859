"""Haversine helpers and the quality report analysts read."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clustering import (
    EARTH_RADIUS_M,
    BalancedGeoClusterer,
    KMeansGeoClusterer,
    clustering_report,
    haversine_km,
    haversine_m,
    haversine_matrix_km,
    lonlat_to_unit,
    neighbour_split_share,
    spherical_mean,
    unit_to_lonlat,
)

# -- geometry ---------------------------------------------------------------------


def test_haversine_known_distances():
    assert EARTH_RADIUS_M == 6_371_008.8
    one_degree_m = EARTH_RADIUS_M * math.pi / 180.0
    assert haversine_m([0.0, 10.0], [0.0, 11.0]) == pytest.approx(one_degree_m, rel=1e-12)
    # a degree of longitude shrinks with the cosine of the latitude
    assert haversine_m([10.0, 60.0], [11.0, 60.0]) == pytest.approx(
        2 * EARTH_RADIUS_M * math.asin(math.cos(math.radians(60)) * math.sin(math.radians(0.5))),
        rel=1e-12,
    )
    assert haversine_m([0.0, 0.0], [180.0, 0.0]) == pytest.approx(math.pi * EARTH_RADIUS_M)
    assert haversine_km([179.9, 0.0], [-179.9, 0.0]) == pytest.approx(0.2 * one_degree_m / 1e3)
    # London - Paris, about 343.5 km on this sphere
    assert haversine_km([-0.1278, 51.5074], [2.3522, 48.8566]) == pytest.approx(343.5, abs=0.5)


def test_haversine_vectorised_forms_agree():
    rng = np.random.default_rng(0)
    a = np.c_[rng.uniform(-180, 180, 40), rng.uniform(-90, 90, 40)]
    b = np.c_[rng.uniform(-180, 180, 7), rng.uniform(-90, 90, 7)]
    pairwise = haversine_km(a[:, None, :], b[None, :, :])
    assert pairwise.shape == (40, 7)
    assert np.allclose(haversine_matrix_km(a, b), pairwise, atol=1e-6)
    assert np.allclose(haversine_km(a[:7], b), haversine_km(b, a[:7]))
    assert np.allclose(unit_to_lonlat(lonlat_to_unit(a)), a, atol=1e-9)
    assert np.allclose(np.linalg.norm(lonlat_to_unit(a), axis=1), 1.0)


def test_spherical_mean_crosses_the_antimeridian_and_honours_weights():
    centre = spherical_mean([[179.0, 0.0], [-179.0, 0.0]])
    assert abs(centre[0]) == pytest.approx(180.0) and centre[1] == pytest.approx(0.0, abs=1e-9)
    heavy = spherical_mean([[0.0, 0.0], [10.0, 0.0]], weights=[3.0, 1.0])
    light = spherical_mean([[0.0, 0.0], [10.0, 0.0]])
    assert heavy[0] < light[0] == pytest.approx(5.0)


# -- the report -------------------------------------------------------------------


def tiny_grouping():
    """Two groups of three jobs; job 2 of group 0 sits on top of group 1's job 3."""
    X = np.array(
        [[0.00, 50.0], [0.01, 50.0], [0.10, 50.0], [0.10, 50.0], [0.11, 50.0], [0.125, 50.0]]
    )
    labels = np.array([0, 0, 0, 1, 1, 1])
    centres = np.array([[0.01, 50.0], [0.11, 50.0]])
    work = np.array([3600.0, 3600.0, 7200.0, 1800.0, 1800.0, 1800.0])
    return X, labels, centres, work


def test_report_numbers_match_hand_computation():
    X, labels, centres, work = tiny_grouping()
    rep = clustering_report(X, labels, centres, work, capacity=[10800.0, 7200.0], n_neighbors=2)
    assert rep.n_groups == 2 and rep.sizes.tolist() == [3, 3]
    assert rep.work.tolist() == [14400.0, 5400.0]
    assert rep.utilisation.tolist() == [pytest.approx(14400 / 10800), pytest.approx(0.75)]
    assert rep.over_capacity == [0]
    d = haversine_km(X, centres[labels])
    assert rep.mean_km == pytest.approx([d[:3].mean(), d[3:].mean()])
    assert rep.max_km == pytest.approx([d[:3].max(), d[3:].max()])
    assert rep.compactness_km == pytest.approx(d.mean())
    # nearest neighbours: 0<->1, 2<->3 (same place, different groups), 4->3, 5->4
    assert rep.split_from_nearest.tolist() == [False, False, True, True, True, False]
    assert rep.split_share[1] == pytest.approx(3 / 6)
    assert rep.split_share[2] >= rep.split_share[1]

    rows = rep.rows()
    assert [r["group"] for r in rows] == [0, 1]
    assert rows[0]["work_h"] == 4.0 and rows[0]["capacity_h"] == 3.0
    assert rows[0]["split_nn1"] == pytest.approx(1 / 3, abs=1e-3)
    text = rep.to_text()
    assert text.splitlines()[0].split()[:4] == ["group", "jobs", "work_h", "capacity_h"]
    summary = rep.summary()
    assert summary["groups_over_capacity"] == 1 and summary["n_jobs"] == 6
    assert "split_share_k2" in summary


def test_report_with_engineers_counts_capacity_and_skill_gaps():
    X, labels, centres, work = tiny_grouping()
    job_skills = [("install",)] * 5 + [("install", "splicing")]
    eng_labels = np.array([0, 1, -1])
    eng_skills = [("install",), ("install",), ("install", "splicing")]
    rep = clustering_report(
        X,
        labels,
        centres,
        work,
        eng_labels=eng_labels,
        eng_capacity_seconds=[28800.0, 25200.0, 28800.0],
        job_skills=job_skills,
        eng_skills=eng_skills,
    )
    assert rep.capacity.tolist() == [28800.0, 25200.0]
    assert rep.n_engineers.tolist() == [1, 1]
    assert rep.skill_gaps == {1: [frozenset({"install", "splicing"})]}
    assert rep.rows()[1]["skill_gaps"] == "install+splicing"


def test_default_centres_and_work():
    X, labels, _, _ = tiny_grouping()
    rep = clustering_report(X, labels)
    assert rep.work.tolist() == [3.0, 3.0]
    assert rep.utilisation is None and rep.over_capacity == []
    assert rep.mean_km[0] == pytest.approx(haversine_km(X[:3], spherical_mean(X[:3])).mean())


def test_split_share_needs_two_jobs_and_uses_great_circle_neighbours():
    shares, split = neighbour_split_share([[0.0, 0.0]], [0])
    assert shares == {} and split.tolist() == [False]
    # At 70°N a job 0.5° of longitude away (19 km) is nearer than one 0.3° of
    # latitude away (33 km): flat degrees would pick the wrong neighbour.
    X = np.array([[20.0, 70.0], [20.5, 70.0], [20.0, 70.3]])
    shares, split = neighbour_split_share(X, [0, 1, 0], n_neighbors=1)
    assert split.tolist() == [True, True, False]
    assert shares == {1: pytest.approx(2 / 3)}


def test_balanced_beats_kmeans_on_work_and_report_shows_it():
    rng = np.random.default_rng(2)
    X = np.r_[
        np.array([-1.55, 53.80]) + rng.normal(0, [0.02, 0.012], (200, 2)),
        np.array([-1.8, 53.7]) + rng.normal(0, [0.4, 0.25], (60, 2)),
    ]
    w = rng.choice([1800.0, 3600.0], len(X))
    km = KMeansGeoClusterer(6, random_state=0).fit(X, sample_weight=w)
    bal = BalancedGeoClusterer(6, random_state=0).fit(X, sample_weight=w)
    r_km = clustering_report(X, km.labels_, km.cluster_centers_, w)
    r_bal = clustering_report(X, bal.labels_, bal.cluster_centers_, w)
    assert r_bal.summary()["work_max_over_mean"] <= 1.1 + 1e-9
    assert r_km.summary()["work_max_over_mean"] > 1.1
    # balance costs some compactness, never the other way round on this day
    assert r_bal.compactness_km >= r_km.compactness_km * 0.95
