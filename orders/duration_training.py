"""Training the duration model from completed jobs, with a held-out evaluation.

:func:`completed_job_records` turns the database's completed jobs into training
records: the actual duration from the sign-off times (``JobSignoff.started_at`` /
``finished_at`` of the jobs signed off as completed), the product of the order, the
premise's type and drop, the distance from the premise to the splitter of its allocation,
the engineer's experience (their completed jobs before this one) and the local start hour.

:func:`train` holds out a share of the records, fits the model, and stores in the
artefact the metrics on the held-out part for the model and two baselines: the
type defaults of :mod:`orders.job_rules` (what jobs get without a model) and the
per-type quantiles of the training data. Then it refits on all records and keeps the
quantile calibration measured on held-out jobs.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from clustering.duration import (
    TARGET,
    DurationModel,
    DurationQuantileRegressor,
    evaluate,
    group_quantiles,
)
from inventory.geo import haversine_m
from inventory.models import Allocation, Premise, Splitter
from orders import clock
from orders.db import Database
from orders.job_rules import default_spec
from orders.models import Job, ProductOrder
from orders.signoff_models import JobSignoff

MAX_DURATION_S = 12 * 3600  # longer "durations" are sign-offs forgotten overnight
COMPLETED = "completed"  # JobSignoff.outcome of a job done


def completed_job_records(session: Session, tz: Any) -> list[dict[str, Any]]:
    """Training records of the jobs signed off as completed with plausible actual times."""
    rows = session.execute(
        select(Job, JobSignoff, ProductOrder.offering_id, Premise, Splitter.lon, Splitter.lat)
        .join(JobSignoff, JobSignoff.job_id == Job.id)
        .join(ProductOrder, ProductOrder.id == Job.order_id, isouter=True)
        .join(Premise, Premise.id == Job.premise_id, isouter=True)
        .join(Allocation, Allocation.order_ref == Job.order_id, isouter=True)
        .join(Splitter, Splitter.id == Allocation.splitter_id, isouter=True)
        .where(JobSignoff.outcome == COMPLETED, JobSignoff.started_at.is_not(None),
               JobSignoff.finished_at.is_not(None))
        .order_by(JobSignoff.started_at, Job.id)
    ).all()
    done_by: dict[str, int] = {}
    seen: set[str] = set()
    records = []
    for job, signoff, product, premise, s_lon, s_lat in rows:
        if job.id in seen:  # an order re-allocated after a release: keep the first row
            continue
        seen.add(job.id)
        engineer = signoff.engineer_id or job.engineer_id
        experience = done_by.get(engineer, 0) if engineer else None
        if engineer:
            done_by[engineer] = done_by.get(engineer, 0) + 1
        duration = (signoff.finished_at - signoff.started_at).total_seconds()
        if not 0 < duration <= MAX_DURATION_S:
            continue
        distance = (haversine_m(job.lon, job.lat, s_lon, s_lat)
                    if s_lon is not None and s_lat is not None else None)
        local = signoff.started_at.astimezone(tz)
        records.append({
            "job_id": job.id, "job_type": job.kind, "product": product,
            "premise_type": premise.premise_type if premise else None,
            "drop_type": premise.drop_type if premise else None,
            "splitter_distance_m": distance,
            "engineer_experience": None if experience is None else float(experience),
            "start_hour": local.hour + local.minute / 60.0, TARGET: duration,
        })
    return records


def type_default_durations(records: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """The planned duration each record gets without a model (the job rules table)."""
    return np.array([float(default_spec(r["job_type"], r.get("product"), r.get("drop_type"),
                                        r.get("premise_type")).duration_s) for r in records])


def train(records: Sequence[Mapping[str, Any]], holdout: float = 0.25, seed: int = 0,
          regressor: DurationQuantileRegressor | None = None,
          info: Mapping[str, Any] | None = None) -> DurationModel:
    """Fit, calibrate and evaluate on held-out jobs, refit on everything.

    The held-out share is cut in two: one half calibrates the quantiles
    (:meth:`DurationModel.calibrate`), the other measures; ``model.metrics`` holds the
    measurements of the model (calibrated and raw) and of the baselines.
    """
    if len(records) < 20:
        raise ValueError(f"{len(records)} completed jobs are too few to train on (need 20)")
    regressor = regressor or DurationQuantileRegressor(random_state=seed)
    order = np.random.default_rng(seed).permutation(len(records))
    n_out = max(2, int(round(holdout * len(records))))
    calib = [records[i] for i in order[: n_out // 2]]
    test = [records[i] for i in order[n_out // 2: n_out]]
    fit_part = [records[i] for i in order[n_out:]]
    held_out = DurationModel.fit(fit_part, regressor)
    scale = held_out.calibrate(calib)
    y = [float(r[TARGET]) for r in test]
    quantiles = held_out.quantiles
    metrics = {
        "holdout": {"n_train": len(fit_part), "n_calibration": len(calib),
                    "n_test": len(test), "seed": seed},
        "model": evaluate(y, held_out.predict(test), quantiles),
        "model_uncalibrated": evaluate(y, held_out.predict(test, calibrated=False), quantiles),
        "type_defaults": evaluate(y, type_default_durations(test), ()),
        "per_type_quantiles": evaluate(y, group_quantiles(fit_part, test, quantiles),
                                       quantiles),
    }
    model = DurationModel.fit(records, regressor, info={
        "trained_at": clock.now().isoformat(), **dict(info or {})})
    model.scale = scale
    model.metrics = metrics
    return model


def train_from_database(db: Database, holdout: float = 0.25, seed: int = 0,
                        regressor: DurationQuantileRegressor | None = None) -> DurationModel:
    """:func:`train` on the database's completed jobs."""
    with db.read() as session:
        records = completed_job_records(session, db.settings.tz)
    return train(records, holdout, seed, regressor, info={"source": "database"})
