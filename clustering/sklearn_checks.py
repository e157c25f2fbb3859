"""Which scikit-learn estimator checks cannot apply to lon/lat clusterers, and why.

The clusterers accept exactly two columns, ``[lon, lat]`` in degrees, with
longitude in [-180, 180] and latitude in [-90, 90]. A number of generic checks
in ``sklearn.utils.estimator_checks`` feed other data: 3 to 30 random features,
or two features centred on 100 (a "latitude" of 100°). The clusterers reject
that input with a ``ValueError`` by design, so those checks cannot run. Pass
:func:`expected_failed_checks` to ``parametrize_with_checks`` (scikit-learn
≥ 1.6 replaced the old ``_xfail_checks`` tag with that argument); with
``xfail_strict=True`` the list must stay exact, so a check that starts passing
is noticed. ``tests/test_clustering_estimators.py`` re-runs the substance of
each of these checks on real ``[lon, lat]`` data.

Every other check passes, including ``check_clustering`` (labels, ``fit_predict``,
noise), ``check_estimators_unfitted``, ``check_fit2d_1feature`` (a clear
error), empty data, complex data, sparse input errors and sample-weight shape
and validation checks.
"""

from __future__ import annotations

from sklearn.base import BaseEstimator


def _n_features(n: int | str) -> str:
    return f"feeds {n} features; the estimator needs exactly [lon, lat]"


_LAT_100 = "feeds latitudes around 100 degrees, which are rejected as not [lon, lat]"

#: Check name -> why it cannot apply. Same for every clusterer of the family.
NOT_APPLICABLE: dict[str, str] = {
    "check_dict_unchanged": _n_features(3),
    "check_dont_overwrite_parameters": _n_features(3),
    "check_dtype_object": _n_features(10),
    "check_estimators_dtypes": _n_features(5),
    "check_estimators_nan_inf": _n_features(3),
    "check_estimators_pickle": _n_features(3),
    "check_f_contiguous_array_estimator": _n_features(3),
    "check_fit2d_1sample": _n_features(10) + " (the error names features, not samples)",
    "check_fit2d_predict1d": _n_features(3),
    "check_fit_score_takes_y": _n_features(3),
    "check_methods_sample_order_invariance": _n_features(3),
    "check_methods_subset_invariance": _n_features(3),
    "check_n_features_in_after_fitting": _n_features(4),
    "check_non_transformer_estimators_n_iter": _n_features(4),
    "check_pipeline_consistency": _n_features(3),
    "check_positive_only_tag_during_fit": _n_features("4 (iris)"),
    "check_sample_weight_equivalence_on_dense_data": _n_features(30)
    + "; besides, k-means++ seeding and density differ between weights and repeats, "
    "as scikit-learn also records for its own KMeans",
    "check_sample_weights_list": _n_features(3),
    "check_fit_check_is_fitted": _LAT_100,
    "check_fit_idempotent": _LAT_100,
    "check_n_features_in": _LAT_100,
}


def expected_failed_checks(estimator: BaseEstimator) -> dict[str, str]:
    """The checks that cannot apply to ``estimator``, for ``parametrize_with_checks``."""
    checks = dict(NOT_APPLICABLE)
    if "max_iter" not in estimator.get_params():
        # The n_iter_ check only inspects estimators with a max_iter parameter.
        checks.pop("check_non_transformer_estimators_n_iter")
    return checks
