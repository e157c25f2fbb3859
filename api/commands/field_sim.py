"""Simulated engineers and billing for the demo, over the real HTTP API.

``simulate_field_day`` plays each engineer's day: list the jobs, start each one, then
complete it (installs with the assigned ONT and a plausible optical reading) or fail it
with a realistic reason. ``billing_receiver`` starts billing's reference receiver and
subscribes it on the TMF hub, so completion events arrive signed and verified.
"""
from __future__ import annotations

import random
import time
from collections import Counter
from datetime import date

import httpx

from billing_hook.receiver import ReferenceReceiver

HUB = "/tmf-api/productOrderingManagement/v4/hub"
FAIL_REASONS = {"install": ("customer_absent", "no_access"),
                "precable": ("civils_required", "duct_blocked", "no_access")}


def billing_receiver(client: httpx.Client, billing_key: str,
                     query: str = "eventType=ProductOrderStateChangeEvent") -> ReferenceReceiver:
    """Start the reference receiver and register it as billing's callback."""
    receiver = ReferenceReceiver("whsec_" + "A" * 44).start()
    r = client.post(HUB, json={"callback": receiver.url, "query": query},
                    headers={"Authorization": f"Bearer {billing_key}"})
    r.raise_for_status()
    receiver.secret = r.json()["secret"]  # shown once: billing keeps it
    return receiver


def simulate_field_day(client: httpx.Client, engineer_keys: dict[str, str], day: date,
                       fail_rate: float = 0.05, weak_line_rate: float = 0.03,
                       seed: int = 0) -> Counter[str]:
    """Sign off every engineer's jobs of ``day``; returns counts of what happened."""
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    for engineer in sorted(engineer_keys):
        auth = {"Authorization": f"Bearer {engineer_keys[engineer]}"}
        jobs = client.get("/engineers/me/jobs", params={"date": day.isoformat()},
                          headers=auth).json()["jobs"]
        for job in jobs:
            if job["status"] not in ("pending", "scheduled", "in_progress"):
                continue
            client.post(f"/jobs/{job['id']}/start", headers=auth).raise_for_status()
            reasons = FAIL_REASONS.get(job["kind"])
            if reasons and rng.random() < fail_rate:
                r = client.post(f"/jobs/{job['id']}/fail", headers=auth,
                                json={"reason": rng.choice(reasons), "notes": "simulated"})
                counts[f"{job['kind']} failed"] += 1
            else:
                body: dict[str, object] = {"notes": "simulated sign-off"}
                if job["kind"] == "install":
                    weak = rng.random() < weak_line_rate
                    body.update(ont_serial=job["assigned_ont_serial"],
                                rx_power_dbm=round(-28.5 if weak else rng.gauss(-19, 2.0), 1))
                r = client.post(f"/jobs/{job['id']}/complete", headers=auth, json=body)
                counts[f"{job['kind']} completed"] += 1
            r.raise_for_status()
            state = r.json()["order_state"]
            if job["kind"] in ("install", "repair") and state:
                counts[f"order {state}"] += 1
    return counts


def wait_for_events(receiver: ReferenceReceiver, expected: int, timeout_s: float = 60) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if len(receiver.events) >= expected:
            return True
        time.sleep(0.2)
    return False
