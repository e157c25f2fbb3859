"""The duration model: scikit-learn conventions, accuracy against the type defaults,
quantile coverage, the artefact file and the synthetic history."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from clustering import DurationModel, DurationQuantileRegressor, load_model, save_model
from clustering.duration import FEATURES, TARGET, evaluate, group_quantiles
from clustering.duration_data import expected_minutes, generate_completions
from orders.duration_training import train, type_default_durations


@parametrize_with_checks([DurationQuantileRegressor(max_iter=10, min_samples_leaf=5,
                                                    random_state=0)])
def test_sklearn_conventions(estimator, check) -> None:  # type: ignore[no-untyped-def]
    check(estimator)


@pytest.fixture(scope="module")
def history() -> list[dict]:
    return generate_completions(2400, seed=3)


@pytest.fixture(scope="module")
def trained(history: list[dict]) -> DurationModel:
    return train(history, holdout=0.25, seed=0)


def test_generator_is_seeded_and_realistic() -> None:
    a, b, c = (generate_completions(300, s) for s in (1, 1, 2))
    assert a == b and a != c
    assert set(a[0]) == set(FEATURES) | {TARGET}
    minutes = np.array([r[TARGET] for r in a]) / 60
    assert 20 < np.median(minutes) < 150 and minutes.max() < 12 * 60
    # Ground-truth dependencies: long underground drops, novices and late starts take longer.
    base = ("precable", "FTTP-150", "house")
    assert expected_minutes(*base, "underground", 400, 500, 10) > \
        expected_minutes(*base, "underground", 50, 500, 10) > \
        expected_minutes(*base, "overhead", 50, 500, 10)
    assert expected_minutes(*base, "overhead", 50, 0, 10) > \
        expected_minutes(*base, "overhead", 50, 800, 10)
    assert expected_minutes(*base, "overhead", 50, 800, 16) > \
        expected_minutes(*base, "overhead", 50, 800, 10)


def test_model_beats_type_defaults_and_p80_is_calibrated(trained: DurationModel) -> None:
    m = trained.metrics
    assert (m["holdout"]["n_test"], m["holdout"]["n_calibration"]) == (300, 300)
    assert m["model"]["mae_s"] < 0.9 * m["type_defaults"]["mae_s"]
    assert m["model"]["mae_s"] < m["per_type_quantiles"]["mae_s"]
    assert 0.40 <= m["model"]["coverage_p50"] <= 0.60
    assert 0.72 <= m["model"]["coverage_p80"] <= 0.90
    assert trained.scale[0] == 1.0 and 0.8 < trained.scale[1] < 1.25  # only the p80 is scaled
    # The calibration factors are what makes the difference between raw and calibrated.
    rec = [{"job_type": "install", "product": "FTTP-150"}]
    np.testing.assert_allclose(trained.predict(rec),
                               trained.predict(rec, calibrated=False) * trained.scale)


def test_predictions_follow_the_features(trained: DurationModel) -> None:
    job = {"job_type": "precable", "product": "FTTP-500", "premise_type": "house",
           "drop_type": "underground", "engineer_experience": 600, "start_hour": 10}
    near, far = trained.predict([{**job, "splitter_distance_m": 40},
                                 {**job, "splitter_distance_m": 450}])
    assert far[0] > near[0] + 15 * 60  # ~0.15 min per metre underground
    for row in (near, far):
        assert row[1] >= row[0]  # p80 never below the median
    # Missing numbers take the training medians; unknown categories do not crash.
    assert trained.predict([{"job_type": "install", "product": "FTTP-9000"}]).shape == (1, 2)


def test_feature_importance_names_the_drivers(trained: DurationModel,
                                              history: list[dict]) -> None:
    imp = trained.feature_importance(history[:400], n_repeats=2)
    assert set(imp) == set(FEATURES)
    assert imp["job_type"] > imp["start_hour"]
    assert imp["engineer_experience"] > 0


def test_evaluate_and_baselines() -> None:
    y = [100.0, 200.0, 300.0, 400.0]
    out = evaluate(y, np.array([[150, 350]] * 4), [0.5, 0.8])
    assert out["mae_s"] == 125.0 and out["coverage_p50"] == 0.25 and out["coverage_p80"] == 0.75
    train_ = [{"job_type": "a", TARGET: v} for v in (10, 20, 30)] + [{"job_type": "b", TARGET: 99}]
    q = group_quantiles(train_, [{"job_type": "a"}, {"job_type": "zzz"}], [0.5])
    assert q[0, 0] == 20 and q[1, 0] == np.quantile([10, 20, 30, 99], 0.5)
    assert type_default_durations([{"job_type": "precable", "drop_type": "overhead"}])[0] == 3600


def test_artefact_round_trip_and_version_check(trained: DurationModel, tmp_path) -> None:
    path = tmp_path / "m.joblib"
    save_model(trained, path)
    loaded = load_model(path)
    rec = [{"job_type": "install", "product": "FTTP-900", "premise_type": "flat"}]
    np.testing.assert_allclose(loaded.predict(rec), trained.predict(rec))
    s = loaded.summary()
    assert s["format_version"] == 1 and s["features"] == list(FEATURES)
    assert s["metrics"]["model"]["n"] == 300 and s["n_train"] == 2400
    loaded.format_version = 99
    save_model(loaded, path)
    with pytest.raises(ValueError, match="format 99"):
        load_model(path)


def test_unfitted_and_bad_quantiles() -> None:
    with pytest.raises(NotFittedError):
        DurationQuantileRegressor().predict_quantiles(np.zeros((2, 7)))
    with pytest.raises(ValueError, match="quantiles"):
        DurationQuantileRegressor(quantiles=(0.8, 0.5)).fit(np.zeros((30, 2)), np.ones(30))
    with pytest.raises(ValueError, match="too few"):
        train(generate_completions(10))
