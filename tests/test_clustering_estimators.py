"""The geographic clusterers: scikit-learn conventions, geography, balance, engineers."""

from __future__ import annotations

import inspect
import math
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_rand_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from clustering import (
    BalancedGeoClusterer,
    DensityGeoClusterer,
    KMeansGeoClusterer,
    assign_engineers,
    expected_failed_checks,
    group_capacity,
    haversine_km,
    skill_gaps,
)

ESTIMATORS = [
    KMeansGeoClusterer(n_init=2, max_iter=20, random_state=0),
    BalancedGeoClusterer(n_init=1, max_iter=5, random_state=0),
    DensityGeoClusterer(),
    DensityGeoClusterer("dbscan", eps_km=40.0),
]


# xfail_strict (scikit-learn >= 1.8) keeps the list of non-applicable checks exact.
_STRICT = (
    {"xfail_strict": True}
    if "xfail_strict" in inspect.signature(parametrize_with_checks).parameters
    else {}
)


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks, **_STRICT)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# -- data ---------------------------------------------------------------------


def city_day(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Jobs around three northern English towns; durations 30-90 min."""
    rng = np.random.default_rng(seed)
    towns = np.array([[-1.55, 53.80], [-2.24, 53.48], [-1.08, 53.96]])
    which = rng.integers(0, len(towns), n)
    X = towns[which] + rng.normal(0.0, [0.06, 0.035], (n, 2))
    w = rng.choice([1800.0, 3600.0, 5400.0], n)
    return X, w


def float32_exact(X: np.ndarray) -> np.ndarray:
    """Round to 1/1024 degree so float32 and float64 hold the same numbers."""
    return np.round(X * 1024.0) / 1024.0


def fitted(est, X, w=None):
    return clone(est).fit(X, sample_weight=w)


# -- the substance of the checks that cannot run on non-[lon, lat] data ---------


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: repr(e))
def test_lonlat_conventions(est):
    X, w = city_day(120)
    X = float32_exact(X)
    params = est.get_params()
    with pytest.raises(NotFittedError):
        clone(est).predict(X)

    a = fitted(est, X, w)
    assert est.get_params() == params and a.get_params() == params  # params untouched
    assert a.labels_.dtype == np.int64 and a.labels_.shape == (120,)
    assert np.array_equal(np.unique(a.labels_), np.arange(a.n_clusters_))
    assert a.cluster_centers_.shape == (a.n_clusters_, 2)
    assert np.allclose(a.group_work_, np.bincount(a.labels_, weights=w))
    assert np.array_equal(a.fit_predict(X, sample_weight=w), a.labels_)
    if "max_iter" in params:
        assert a.n_iter_ >= 1

    # idempotent and deterministic; float32, int and list input agree
    assert np.array_equal(fitted(est, X, w).labels_, a.labels_)
    assert np.array_equal(fitted(est, X.astype(np.float32), w).labels_, a.labels_)
    assert np.array_equal(fitted(est, X.tolist(), list(w)).labels_, a.labels_)
    Xi = np.round(X * 10).astype(np.int64)  # integer "degrees" are legal input
    Xi[:, 1] = np.clip(Xi[:, 1], -90, 90)
    fitted(est, Xi)

    # predict: no side effects, invariant to order and batching, picklable
    state = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in a.__dict__.items()}
    p = a.predict(X)
    for k, v in state.items():
        assert np.array_equal(a.__dict__[k], v) if isinstance(v, np.ndarray) else a.__dict__[k] == v
    perm = np.random.default_rng(1).permutation(len(X))
    assert np.array_equal(a.predict(X[perm]), p[perm])
    assert np.array_equal(np.concatenate([a.predict(X[:50]), a.predict(X[50:])]), p)
    b = pickle.loads(pickle.dumps(a))
    assert np.array_equal(b.predict(X), p)
    assert np.allclose(b.distances_km(X[:5]), a.distances_km(X[:5]))

    # the input is checked
    for bad in (np.c_[X, X[:, :1]], X[:, :1]):
        with pytest.raises(ValueError):
            clone(est).fit(bad)
    with pytest.raises(ValueError, match="features"):
        a.predict(np.c_[X, X[:, :1]])
    for bad_value in (np.nan, np.inf, 95.0):
        Xb = X.copy()
        Xb[3, 1] = bad_value
        with pytest.raises(ValueError):
            clone(est).fit(Xb)
        with pytest.raises(ValueError):
            a.predict(Xb)
    with pytest.raises(ValueError, match="weight"):
        clone(est).fit(X, sample_weight=np.zeros(len(X)))
    with pytest.raises(ValueError):
        clone(est).fit(X, sample_weight=-w)

    one = fitted(est, X[:1])
    assert one.labels_.tolist() == [0] and np.allclose(one.cluster_centers_, X[:1])


@pytest.mark.parametrize("cls", [KMeansGeoClusterer, BalancedGeoClusterer])
def test_zero_weight_jobs_do_not_move_the_groups(cls):
    X, w = city_day(150)
    w0 = w.copy()
    w0[::7] = 0.0
    keep = w0 > 0
    a = cls(n_clusters=6, random_state=3).fit(X, sample_weight=w0)
    b = cls(n_clusters=6, random_state=3).fit(X[keep], sample_weight=w0[keep])
    assert np.allclose(a.cluster_centers_, b.cluster_centers_, atol=1e-9)
    assert adjusted_rand_score(a.labels_[keep], b.labels_) == 1.0


@pytest.mark.parametrize("cls", [KMeansGeoClusterer, BalancedGeoClusterer])
def test_random_state_makes_fits_reproducible(cls):
    X, w = city_day(200)
    runs = [cls(n_clusters=7, random_state=11).fit(X, sample_weight=w) for _ in range(2)]
    assert np.array_equal(runs[0].labels_, runs[1].labels_)
    assert np.array_equal(runs[0].cluster_centers_, runs[1].cluster_centers_)


# -- geography --------------------------------------------------------------------


def arctic_rows(n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Two east-west rows of jobs at 70°N, 0.6° of latitude (67 km) apart.

    Each row is 1.6° of longitude long: 61 km there, but more than the rows'
    separation when degrees are taken as flat. Returns jobs and row labels.
    """
    lon = np.tile(np.linspace(24.2, 25.8, n), 2)
    lat = np.repeat([69.7, 70.3], n)
    return np.c_[lon, lat], np.repeat([0, 1], n)


def test_arctic_rows_are_split_north_south_not_by_flat_degrees():
    X, rows = arctic_rows()
    flat = KMeans(n_clusters=2, n_init=10, random_state=0).fit_predict(X)
    assert adjusted_rand_score(rows, flat) < 0.2  # raw degrees split east/west
    for est in (
        KMeansGeoClusterer(2, random_state=0),
        BalancedGeoClusterer(2, random_state=0),
        DensityGeoClusterer(min_cluster_size=10),
    ):
        labels = est.fit(X).labels_
        assert adjusted_rand_score(rows, labels) == 1.0, est


def test_group_across_the_antimeridian_stays_whole():
    rng = np.random.default_rng(0)
    lon = np.r_[rng.uniform(179.7, 180.0, 15), rng.uniform(-180.0, -179.7, 15)]
    fiji = np.c_[lon, rng.uniform(-17.2, -17.0, 30)]
    samoa = np.c_[rng.uniform(-171.9, -171.7, 30), rng.uniform(-13.9, -13.7, 30)]
    X = np.r_[fiji, samoa]
    truth = np.repeat([0, 1], 30)
    est = KMeansGeoClusterer(2, random_state=0).fit(X)
    assert adjusted_rand_score(truth, est.labels_) == 1.0
    fiji_centre = est.cluster_centers_[est.labels_[0]]
    assert abs(abs(fiji_centre[0]) - 180.0) < 0.5  # not averaged to lon 0


def test_predict_matches_labels_on_training_jobs():
    X, w = city_day(300)
    km = KMeansGeoClusterer(9, random_state=0).fit(X, sample_weight=w)
    assert np.array_equal(km.predict(X), km.labels_)
    loose = BalancedGeoClusterer(9, tolerance=100.0, random_state=0).fit(X, sample_weight=w)
    assert np.array_equal(loose.predict(X), loose.labels_)
    # nearest centre by great-circle distance, checked with the plain formula
    d = haversine_km(X[:, None, :], km.cluster_centers_[None, :, :])
    assert np.array_equal(np.argmin(d, axis=1), km.labels_)
    assert np.allclose(km.distances_km(X), d)


def test_density_attaches_noise_to_the_nearest_group():
    X, _ = city_day(240)
    stray = np.array([[-1.9, 53.65]])  # between towns, far from any dense pocket
    est = DensityGeoClusterer("dbscan", eps_km=3.0, min_samples=5).fit(np.r_[X, stray])
    assert est.noise_mask_[-1]
    assert est.labels_.min() == 0  # no -1 left: every job has a group
    nearest = np.argmin(haversine_km(X, stray[0]))
    assert est.labels_[-1] == est.labels_[nearest]


# -- balance --------------------------------------------------------------------


def lopsided_day(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Most of the work in one dense town, a little spread around it."""
    rng = np.random.default_rng(seed)
    dense = np.array([-1.55, 53.80]) + rng.normal(0, [0.02, 0.012], (240, 2))
    spread = np.array([-1.8, 53.7]) + rng.normal(0, [0.4, 0.25], (80, 2))
    X = np.r_[dense, spread]
    return X, rng.choice([1800.0, 3600.0, 5400.0], len(X))


def test_balanced_groups_respect_the_capacity():
    X, w = lopsided_day()
    est = BalancedGeoClusterer(8, tolerance=0.1, random_state=0).fit(X, sample_weight=w)
    assert est.capacity_ == pytest.approx(1.1 * w.sum() / 8)
    assert est.group_work_.max() <= est.capacity_ * (1 + 1e-9)
    # the plain k-means on the same day is badly out of balance: the test can fail
    km = KMeansGeoClusterer(8, random_state=0).fit(X, sample_weight=w)
    assert km.group_work_.max() > est.capacity_

    cap = 6 * 3600.0
    auto = BalancedGeoClusterer("auto", capacity=cap, tolerance=0.1, random_state=0)
    auto.fit(X, sample_weight=w)
    assert auto.n_clusters_ == math.ceil(w.sum() / (cap / 1.1))
    assert auto.group_work_.max() <= cap


def test_balanced_warns_when_the_capacity_cannot_hold_the_day():
    X, w = lopsided_day()
    with pytest.warns(UserWarning, match="capacity"):
        est = BalancedGeoClusterer(3, capacity=w.sum() / 6, random_state=0)
        est.fit(X, sample_weight=w)
    assert est.capacity_ == pytest.approx(1.1 * w.sum() / 3)
    assert est.group_work_.max() <= est.capacity_ * (1 + 1e-9)


def test_auto_number_of_groups_follows_the_work():
    X, w = city_day(200)
    target = 8 * 3600.0
    for cls in (KMeansGeoClusterer, BalancedGeoClusterer):
        est = cls("auto", target_work=target, random_state=0).fit(X, sample_weight=w)
        assert est.n_clusters_ == math.ceil(w.sum() / target)
    with pytest.raises(ValueError, match="target_work"):
        KMeansGeoClusterer("auto").fit(X)


# -- engineers --------------------------------------------------------------------


def test_engineers_cover_every_needed_skill_set():
    centres = np.array([[-1.55, 53.80], [-2.24, 53.48], [-1.08, 53.96]])
    X = np.repeat(centres, 4, axis=0)
    labels = np.repeat([0, 1, 2], 4)
    job_skills = [("install",), ("precable",), ("install",), ("install",)] * 2 + [
        ("install", "splicing"),
        ("install",),
        ("install",),
        ("install",),
    ]
    work = np.full(12, 3600.0)
    # all engineers live in group 0's town; the only splicer must go to group 2,
    # and of the two pre-cablers one must go to group 1.
    eng = np.repeat(centres[:1], 6, axis=0)
    eng_skills = [
        ("install",),
        ("install",),
        ("precable",),
        ("precable",),
        ("install", "splicing"),
        ("install",),
    ]
    cap = np.full(6, 8 * 3600.0)
    el = assign_engineers(X, job_skills, work, labels, centres, eng, eng_skills, cap)
    assert skill_gaps(job_skills, labels, eng_skills, el, 3) == {}
    assert el[4] == 2
    assert sorted(el[[2, 3]]) == [0, 1]
    assert np.array_equal(
        el, assign_engineers(X, job_skills, work, labels, centres, eng, eng_skills, cap)
    )  # deterministic

    # with no splicer at all, that need is reported, not silently dropped
    eng_skills[4] = ("install",)
    el = assign_engineers(X, job_skills, work, labels, centres, eng, eng_skills, cap)
    assert skill_gaps(job_skills, labels, eng_skills, el, 3) == {
        2: [frozenset({"install", "splicing"})]
    }


def test_engineers_fill_work_in_proportion_when_short():
    centres = np.array([[-1.55, 53.80], [-2.24, 53.48], [-1.08, 53.96]])
    labels = np.repeat([0, 1, 2], [2, 4, 6])
    X = centres[labels]
    work = np.full(12, 5 * 3600.0)  # 10 h, 20 h, 30 h
    rng = np.random.default_rng(0)
    eng = centres[[0, 0, 0, 1, 2, 2]] + rng.normal(0, 0.01, (6, 2))
    cap = np.full(6, 5 * 3600.0)  # 30 h for 60 h of work: half of each group's work
    el = assign_engineers(X, [()] * 12, work, labels, centres, eng, [()] * 6, cap)
    assert np.array_equal(group_capacity(el, cap, 3), [5 * 3600.0, 10 * 3600.0, 15 * 3600.0])


def test_engineers_nearest_first_and_spare_policies():
    X, w = city_day(300)
    est = BalancedGeoClusterer(6, random_state=0).fit(X, sample_weight=w)
    rng = np.random.default_rng(5)
    homes = X[rng.choice(len(X), 60, replace=False)]
    cap = np.full(60, 7.5 * 3600.0)  # 450 h for about 300 h of work
    skills = [()] * len(X)
    args = (X, skills, w, est.labels_, est.cluster_centers_, homes, [()] * 60, cap)
    k = est.n_clusters_

    tight = assign_engineers(*args, headroom=1.0, spare="none")
    have = group_capacity(tight, cap, k)
    assert np.all(have >= est.group_work_ - 1e-6)  # every group's work fits
    assert np.any(tight < 0)  # and the rest is left out

    near = assign_engineers(*args, headroom=1.0, spare="nearest")
    assert np.all(near >= 0)
    assert np.all(group_capacity(near, cap, k) >= est.group_work_ - 1e-6)
    d = haversine_km(homes, est.cluster_centers_[near])
    nearest = haversine_km(homes[:, None, :], est.cluster_centers_[None]).min(axis=1)
    assert np.median(d - nearest) == pytest.approx(0.0, abs=1e-9)  # most stay nearest

    bal = assign_engineers(*args, headroom=1.0, spare="balance")
    ratio = group_capacity(bal, cap, k) / est.group_work_
    ratio_near = group_capacity(near, cap, k) / est.group_work_
    assert ratio.max() - ratio.min() <= ratio_near.max() - ratio_near.min()
    assert ratio.min() >= cap.sum() / w.sum() - 7.5 * 3600.0 / est.group_work_.min()
