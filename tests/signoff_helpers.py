"""Helpers of the sign-off tests: an order placed through the API, its jobs assigned."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from inventory.allocation import active_allocation
from orders.db import Database
from orders.models import Job
from orders.states import JobStatus

PO = "/tmf-api/productOrderingManagement/v4/productOrder"


def order_body(premise: str, external_id: str, offering: str = "FTTP-500") -> dict[str, Any]:
    return {
        "externalId": external_id,
        "billingAccount": {"id": "BA-1"},
        "productOrderItem": [{
            "id": "1", "action": "add", "productOffering": {"id": offering},
            "product": {"place": [{"id": premise, "role": "installationAddress",
                                   "@referredType": "GeographicAddress"}]},
        }],
    }


def place(api: Any, premise: str, external_id: str) -> str:
    r = api.client.post(PO, json=order_body(premise, external_id), headers=api.auth("billing"))
    assert r.status_code == 201, r.text
    order_id = r.json()["id"]
    state = api.client.get(f"{PO}/{order_id}", headers=api.auth("billing")).json()["state"]
    assert state == "inProgress"
    return str(order_id)


def assign(db: Database, order_id: str, engineer: str, day: date) -> dict[str, str]:
    """Dispatch stand-in: every open job of the order to ``engineer`` on ``day``; the
    install gets a 08:00-12:00 UTC window. Returns kind -> job id."""
    with db.transaction() as s:
        jobs = s.scalars(select(Job).where(Job.order_id == order_id,
                                           Job.status == JobStatus.PENDING)).all()
        for j in jobs:
            j.engineer_id, j.status, j.earliest_date = engineer, JobStatus.SCHEDULED, day
            if j.needs_appointment:
                j.window_start = datetime.combine(day, time(8), UTC)
                j.window_end = j.window_start + timedelta(hours=4)
        return {j.kind: j.id for j in jobs}


def ont_serial(db: Database, order_id: str) -> str:
    with db.read() as s:
        alloc = active_allocation(s, order_id)
        assert alloc is not None
        return alloc.ont_serial
