"""Premises and network capacity (plain REST)."""
from __future__ import annotations

from pydantic import BaseModel

from api.schemas.common import Page


class Premise(BaseModel):
    id: str
    street_nr: str
    sub_unit: str | None
    street_name: str
    postcode: str
    city: str
    lon: float
    lat: float
    region: str
    service_area_id: str | None
    serviceable: bool
    drop_status: str
    drop_type: str
    premise_type: str
    active_order_id: str | None = None


class PremisePage(Page):
    items: list[Premise]


class Capacity(BaseModel):
    region: str | None
    free_ports: int
    allocated_ports: int
    onts_in_stock: int
    onts_allocated: int
