"""The learned on-site duration model: a median and a high quantile per job.

Planning with the median alone packs days too tight: a route of ten median jobs
overruns about half the time. The model therefore predicts two quantiles (by
default p50 and p80) with one gradient-boosted regressor per quantile
(:class:`DurationQuantileRegressor`, a scikit-learn estimator on numeric ``X``).

Features (:data:`FEATURES`): job type, product, premise type (house/flat), drop
type (overhead/underground), distance from the splitter (m), engineer experience
(completed jobs before this one) and time of day (local start hour). Records are
plain dicts; :class:`DurationModel` encodes them (categories as ordinal codes,
unknown ones as missing values, which the trees route on their own) and carries the
metadata of the artefact file: format version, feature schema, training metrics and
the typical values used when a feature is not known yet (a new job has no engineer
and no start time). :meth:`DurationModel.calibrate` rescales the high quantile on
held-out jobs so that it covers its level on new data.

Evaluation (:func:`evaluate`): MAE of the median and coverage of each quantile
(share of actual durations at or below the prediction; p80 should cover ~80%) on
held-out data, against a baseline given by the caller (e.g. the type defaults).

Pure: no I/O except :func:`save_model` / :func:`load_model` (joblib).
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import joblib
import numpy as np
import sklearn
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

#: Version of the artefact layout; :func:`load_model` refuses other versions.
FORMAT_VERSION = 1

CATEGORICAL = ("job_type", "product", "premise_type", "drop_type")
NUMERIC = ("splitter_distance_m", "engineer_experience", "start_hour")
FEATURES = CATEGORICAL + NUMERIC
TARGET = "duration_s"


class DurationQuantileRegressor(RegressorMixin, BaseEstimator):
    """One quantile gradient-boosting regressor per quantile, on numeric features.

    ``predict`` returns the first quantile (the median by default);
    ``predict_quantiles`` all of them, shape ``(n, len(quantiles))``, made
    non-decreasing across quantiles (separately fitted quantiles may cross).
    ``categorical_features`` is passed to :class:`HistGradientBoostingRegressor`
    (column indices holding integer category codes, ``NaN`` for unknown).
    ``n_threads`` caps OpenMP threads (``None``: all cores): the data are small, and on a
    busy machine OpenMP's busy-waiting threads made fitting 10x slower, not faster.
    """

    def __init__(self, quantiles: Sequence[float] = (0.5, 0.8), *, max_iter: int = 100,
                 learning_rate: float = 0.08, max_leaf_nodes: int = 15,
                 min_samples_leaf: int = 40, categorical_features: Any = None,
                 n_threads: int | None = 1, random_state: int | None = None) -> None:
        self.quantiles = quantiles
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.categorical_features = categorical_features
        self.n_threads = n_threads
        self.random_state = random_state

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> DurationQuantileRegressor:
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", y_numeric=True)
        qs = [float(q) for q in self.quantiles]
        if not qs or any(not 0.0 < q < 1.0 for q in qs) or qs != sorted(qs):
            raise ValueError(f"quantiles must be increasing values in (0, 1), got {qs}")
        self.estimators_ = []
        with threadpool_limits(self.n_threads, user_api="openmp"):
            self._fit_all(qs, X, y, sample_weight)
        self.quantiles_ = np.asarray(qs)
        self.n_iter_ = np.array([est.n_iter_ for est in self.estimators_])
        return self

    def _fit_all(self, qs: list[float], X: Any, y: Any, sample_weight: Any) -> None:
        for q in qs:
            est = HistGradientBoostingRegressor(
                loss="quantile", quantile=q, max_iter=self.max_iter,
                learning_rate=self.learning_rate, max_leaf_nodes=self.max_leaf_nodes,
                min_samples_leaf=self.min_samples_leaf,
                categorical_features=self.categorical_features, early_stopping=False,
                random_state=self.random_state)
            self.estimators_.append(est.fit(X, y, sample_weight=sample_weight))

    def predict_quantiles(self, X: Any) -> NDArray[np.float64]:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
        with threadpool_limits(self.n_threads, user_api="openmp"):
            pred = np.column_stack([est.predict(X) for est in self.estimators_])
        return np.maximum.accumulate(pred, axis=1)

    def predict(self, X: Any) -> NDArray[np.float64]:
        return self.predict_quantiles(X)[:, 0]

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


@dataclass
class DurationModel:
    """The fitted encoder + regressor with the artefact's metadata.

    Build with :meth:`fit` on records (dicts with :data:`FEATURES` and
    :data:`TARGET`); predict with :meth:`predict` (seconds, shape ``(n, q)``).
    """

    regressor: DurationQuantileRegressor
    categories: dict[str, list[str]] = field(default_factory=dict)
    defaults: dict[str, float] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    scale: list[float] = field(default_factory=list)
    """Calibration: each quantile column is multiplied by its factor (see :meth:`calibrate`)."""
    format_version: int = FORMAT_VERSION
    features: tuple[str, ...] = FEATURES

    @classmethod
    def fit(cls, records: Sequence[Mapping[str, Any]],
            regressor: DurationQuantileRegressor | None = None,
            info: Mapping[str, Any] | None = None) -> DurationModel:
        if not records:
            raise ValueError("no training records")
        categories = {c: sorted({str(r[c]) for r in records if r.get(c) is not None})
                      for c in CATEGORICAL}
        defaults = {c: float(np.nanmedian([_num(r.get(c)) for r in records])) for c in NUMERIC}
        base = regressor if regressor is not None else DurationQuantileRegressor(random_state=0)
        est = clone(base).set_params(categorical_features=list(range(len(CATEGORICAL))))
        model = cls(est, categories, defaults,
                    info={"n_train": len(records), "sklearn_version": sklearn.__version__,
                          **dict(info or {})})
        y = np.array([float(r[TARGET]) for r in records])
        est.fit(model.encode(records, fill_defaults=False), y)
        return model

    @property
    def quantiles(self) -> list[float]:
        return [float(q) for q in self.regressor.quantiles_]

    def encode(self, records: Iterable[Mapping[str, Any]],
               fill_defaults: bool = True) -> NDArray[np.float64]:
        """Numeric matrix in :data:`FEATURES` order; unknown categories become ``NaN``,
        missing numbers the training medians (or ``NaN`` with ``fill_defaults=False``)."""
        codes = {c: {v: i for i, v in enumerate(vals)} for c, vals in self.categories.items()}
        rows = []
        for r in records:
            row = [float(codes[c].get(str(r.get(c)), np.nan)) for c in CATEGORICAL]
            for c in NUMERIC:
                v = _num(r.get(c))
                row.append(self.defaults[c] if fill_defaults and np.isnan(v) else v)
            rows.append(row)
        return np.array(rows, dtype=float).reshape(-1, len(FEATURES))

    def predict(self, records: Sequence[Mapping[str, Any]],
                calibrated: bool = True) -> NDArray[np.float64]:
        """Durations in seconds, one column per quantile (median first)."""
        pred = self.regressor.predict_quantiles(self.encode(records))
        if calibrated and self.scale:
            pred = np.maximum.accumulate(pred * np.asarray(self.scale), axis=1)
        return pred

    def calibrate(self, records: Sequence[Mapping[str, Any]]) -> list[float]:
        """Set :attr:`scale` from records the model was not fitted on, so that on them each
        high quantile column covers its level (conformal-style, multiplicative since
        durations are): quantile boosting on a finite sample tends to under-cover a high
        quantile. The median is left alone (its MAE is what the fit minimised)."""
        y = np.array([float(r[TARGET]) for r in records])
        raw = self.predict(records, calibrated=False)
        n = len(y)
        self.scale = [1.0 if q <= 0.5 else
                      float(np.quantile(y / np.maximum(raw[:, i], 1.0),
                                        min(1.0, np.ceil((n + 1) * q) / n)))
                      for i, q in enumerate(self.quantiles)]
        return self.scale

    def feature_importance(self, records: Sequence[Mapping[str, Any]], n_repeats: int = 5,
                           random_state: int = 0) -> dict[str, float]:
        """Permutation importance of each feature for the median (MAE increase, s)."""
        from sklearn.inspection import permutation_importance

        X = self.encode(records, fill_defaults=False)
        y = np.array([float(r[TARGET]) for r in records])
        result = permutation_importance(self.regressor, X, y, n_repeats=n_repeats,
                                        random_state=random_state,
                                        scoring="neg_mean_absolute_error")
        return dict(zip(FEATURES, result.importances_mean.tolist(), strict=True))

    def summary(self) -> dict[str, Any]:
        return {"format_version": self.format_version, "features": list(self.features),
                "categories": self.categories, "quantiles": self.quantiles,
                "calibration_scale": self.scale,
                "defaults": self.defaults, "metrics": self.metrics, **self.info}


def _num(v: Any) -> float:
    return float("nan") if v is None else float(v)


def evaluate(actual: Sequence[float] | NDArray[np.float64], predicted: NDArray[np.float64],
             quantiles: Sequence[float]) -> dict[str, float]:
    """MAE (s) of the first column, share of jobs done within it (``within_plan``) and the
    coverage of each quantile column (``coverage_p80``: share of actuals <= the p80)."""
    y = np.asarray(actual, dtype=float)
    p = np.asarray(predicted, dtype=float).reshape(len(y), -1)
    out = {"mae_s": float(np.mean(np.abs(y - p[:, 0]))), "n": int(len(y)),
           "within_plan": float(np.mean(y <= p[:, 0]))}
    for i, q in enumerate(quantiles[: p.shape[1]]):
        out[f"coverage_p{round(q * 100)}"] = float(np.mean(y <= p[:, i]))
    return out


def group_quantiles(train: Sequence[Mapping[str, Any]], test: Sequence[Mapping[str, Any]],
                    quantiles: Sequence[float], keys: Sequence[str] = ("job_type",)
                    ) -> NDArray[np.float64]:
    """A simple empirical baseline: the quantiles of each group of ``train`` (by ``keys``)."""
    groups: dict[tuple, list[float]] = {}
    for r in train:
        groups.setdefault(tuple(r.get(k) for k in keys), []).append(float(r[TARGET]))
    overall = np.quantile([float(r[TARGET]) for r in train], quantiles)
    table = {g: np.quantile(v, quantiles) for g, v in groups.items()}
    return np.array([table.get(tuple(r.get(k) for k in keys), overall) for r in test])


def save_model(model: DurationModel, path: str | os.PathLike[str]) -> None:
    """Write the artefact atomically (a reader never sees half a file)."""
    tmp = f"{os.fspath(path)}.tmp{os.getpid()}"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    joblib.dump(model, tmp)
    os.replace(tmp, path)


def load_model(path: str | os.PathLike[str]) -> DurationModel:
    """Read an artefact; ``ValueError`` if it is not a duration model of this format."""
    model = joblib.load(path)
    if not isinstance(model, DurationModel):
        raise ValueError(f"{path} is not a duration model artefact")
    if model.format_version != FORMAT_VERSION or tuple(model.features) != FEATURES:
        raise ValueError(f"{path}: artefact format {model.format_version} with features "
                         f"{model.features}; this version reads format {FORMAT_VERSION}")
    return model
