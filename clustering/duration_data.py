"""A seeded generator of realistic historical job completions (demo, notebooks, tests).

Each record has the duration model's features (:data:`clustering.duration.FEATURES`)
and the actual on-site duration ``duration_s``. The ground truth it samples from:

- a base time per job type, larger for underground drops and flats (riser work,
  building access) and for faster products (more in-home setup);
- the drop length: pre-cable time grows with the distance from the splitter, ~4x
  faster for underground (rodding ducts) than overhead;
- experience: a new engineer is ~40% slower, the gap closing over the first few
  hundred jobs;
- time of day: late-afternoon jobs run ~8% longer (light, traffic, fatigue);
- multiplicative log-normal noise (wider underground) plus a heavy tail: ~6% of
  jobs hit a snag (blocked duct, missing wayleave, faulty ONT) worth 20-90 min.

So the type defaults miss systematic effects, and a median-only plan has no slack.
"""
from __future__ import annotations

from typing import Any

import numpy as np

JOB_TYPES = ("precable", "install", "repair")
JOB_TYPE_SHARES = (0.35, 0.5, 0.15)
PRODUCTS = ("FTTP-150", "FTTP-500", "FTTP-900")
PRODUCT_SHARES = (0.45, 0.4, 0.15)
_MIN = 60.0


def _base_minutes(job: str, product: str, premise: str, drop: str) -> float:
    if job == "precable":
        base = 50.0 if drop == "overhead" else 70.0
        return base + (25.0 if premise == "flat" and drop == "underground" else 0.0)
    if job == "install":
        base = {"FTTP-150": 65.0, "FTTP-500": 75.0, "FTTP-900": 90.0}[product]
        return base + (20.0 if premise == "flat" else 0.0)
    return 55.0 + (10.0 if premise == "flat" else 0.0)  # repair


def expected_minutes(job: str, product: str, premise: str, drop: str, distance_m: float,
                     experience: float, hour: float) -> float:
    """The noise-free duration (minutes) of the ground truth, for checks and notebooks."""
    minutes = _base_minutes(job, product, premise, drop)
    if job == "precable":
        minutes += distance_m * (0.15 if drop == "underground" else 0.04)
    elif job == "repair":
        minutes += distance_m * 0.01
    minutes *= 1.0 + 0.4 * np.exp(-experience / 150.0)
    if hour >= 15.0:
        minutes *= 1.08
    return float(minutes)


def generate_completions(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` completed jobs (dicts with the features and ``duration_s``), reproducible."""
    if n < 0:
        raise ValueError("n must be >= 0")
    rng = np.random.default_rng([seed, 8])
    jobs = rng.choice(JOB_TYPES, size=n, p=JOB_TYPE_SHARES)
    products = rng.choice(PRODUCTS, size=n, p=PRODUCT_SHARES)
    premises = np.where(rng.random(n) < 0.3, "flat", "house")
    drops = np.where(rng.random(n) < 0.45, "underground", "overhead")
    distance = np.clip(rng.lognormal(np.log(120.0), 0.7, n), 5.0, 900.0)
    experience = np.floor(rng.gamma(1.2, 300.0, n))
    hour = rng.choice(np.arange(8, 18), size=n) + rng.integers(0, 4, n) * 0.25
    sigma = np.where(drops == "underground", 0.16, 0.11)
    noise = np.exp(rng.normal(0.0, sigma))
    snag = (rng.random(n) < 0.06) * rng.uniform(20.0, 90.0, n)
    out = []
    for i in range(n):
        minutes = expected_minutes(str(jobs[i]), str(products[i]), str(premises[i]),
                                   str(drops[i]), float(distance[i]), float(experience[i]),
                                   float(hour[i]))
        out.append({
            "job_type": str(jobs[i]), "product": str(products[i]),
            "premise_type": str(premises[i]), "drop_type": str(drops[i]),
            "splitter_distance_m": round(float(distance[i]), 1),
            "engineer_experience": float(experience[i]), "start_hour": float(hour[i]),
            "duration_s": round((minutes * noise[i] + snag[i]) * _MIN),
        })
    return out
