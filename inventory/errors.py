"""Inventory errors carry a reason code (the TMF645-style words clients see)."""
from __future__ import annotations

# Reason codes of qualification and allocation.
UNKNOWN_ADDRESS = "unknown_address"
AMBIGUOUS_ADDRESS = "ambiguous_address"
OUTSIDE_SERVICE_AREA = "outside_service_area"
NO_SPARE_SPLITTER_PORT = "no_spare_splitter_port"
VLAN_POOL_EXHAUSTED = "vlan_pool_exhausted"
NO_ONT_STOCK = "no_ont_stock"
PREMISE_ALREADY_SERVED = "premise_already_served"

# Reasons that mean "the pool ran out" (as opposed to "this address cannot be served").
EXHAUSTION_REASONS = frozenset({NO_SPARE_SPLITTER_PORT, VLAN_POOL_EXHAUSTED, NO_ONT_STOCK})


class InventoryError(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


class AllocationError(InventoryError):
    """Allocation refused; ``exhausted`` is true when a resource pool ran out."""

    @property
    def exhausted(self) -> bool:
        return self.reason in EXHAUSTION_REASONS
