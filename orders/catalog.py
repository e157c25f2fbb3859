"""The product offerings billing may order (TMF620-style ids)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Offering:
    id: str
    name: str
    down_mbps: int
    up_mbps: int
    bandwidth_profile: str  # the OLT traffic profile provisioning applies (issue 7)


OFFERINGS: dict[str, Offering] = {
    o.id: o
    for o in (
        Offering("FTTP-150", "Full Fibre 150", 150, 30, "BW-150-30"),
        Offering("FTTP-500", "Full Fibre 500", 500, 75, "BW-500-75"),
        Offering("FTTP-900", "Full Fibre 900", 900, 110, "BW-900-110"),
    )
}


def offering(offering_id: str) -> Offering | None:
    return OFFERINGS.get(offering_id)
