"""Planned durations of new jobs from the learned model, when its artefact is present.

:func:`orders.job_rules.job_spec` asks :func:`learned_duration_s` first and keeps the
type default when it answers ``None``: no artefact at ``FIELDSCHED_DURATION_MODEL``,
an unreadable one (logged once), or a job type the model was not trained on. The
artefact is reloaded when the file changes (``fieldsched model train`` replaces it
atomically), so a running service picks up a retrained model without a restart.

Features a new job does not have yet (engineer experience, start time, the splitter
distance when the caller does not pass it) take the training medians stored in the
artefact.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from typing import Any

from orders.settings import Settings, get_settings

log = logging.getLogger(__name__)

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, int], Any]] = {}


def current_model(settings: Settings | None = None) -> Any | None:
    """The loaded :class:`clustering.duration.DurationModel`, or ``None`` without one."""
    path = (settings or get_settings()).duration_model
    try:
        st = os.stat(path)
    except OSError:
        return None
    stamp = (st.st_mtime_ns, st.st_size)
    with _lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        from clustering.duration import load_model  # sklearn only when a model exists

        try:
            model = load_model(path)
        except Exception as exc:  # a bad artefact must not stop order intake
            log.warning("duration model %s unusable, using type defaults: %s", path, exc)
            model = None
        _cache[path] = (stamp, model)
        return model


def learned_duration_s(kind: str, product: str | None, drop_type: str | None,
                       premise_type: str | None, features: Mapping[str, Any] | None = None,
                       settings: Settings | None = None) -> int | None:
    """The model's planned duration (s) for one job, or ``None`` to keep the default."""
    settings = settings or get_settings()
    model = current_model(settings)
    if model is None or kind not in model.categories.get("job_type", ()):
        return None
    record = {"job_type": kind, "product": product, "drop_type": drop_type,
              "premise_type": premise_type, **dict(features or {})}
    quantiles = model.quantiles
    column = min(range(len(quantiles)),
                 key=lambda i: abs(quantiles[i] - settings.duration_plan_quantile))
    seconds = float(model.predict([record])[0, column])
    return max(60, int(round(seconds / 60.0)) * 60)  # whole minutes, at least one
