"""Appointment-booking settings (``FIELDSCHED_BOOKING_*`` environment variables).

Kept apart from :mod:`orders.settings` so analysts can tune the slot grade without
touching the service's core configuration. Slot templates are local times per region
(``FIELDSCHED_BOOKING_SLOT_TEMPLATES='{"default": [["AM","08:00","13:00"], ...]}'``).
"""
from __future__ import annotations

from datetime import time
from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from scheduler.slots import GradeWeights

DEFAULT_TEMPLATES = {"default": [("AM", "08:00", "13:00"), ("PM", "13:00", "18:00")]}


class BookingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FIELDSCHED_BOOKING_", extra="ignore")

    slot_templates: dict[str, list[tuple[str, str, str]]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_TEMPLATES.items()})
    """Region -> [(label, local start HH:MM, local end HH:MM)]; ``default`` for the rest.
    A slot is a window for the engineer's arrival (the job's start)."""
    horizon_days: int = Field(default=60, ge=1, le=365)
    """Latest bookable day, counted from today."""
    max_period_days: int = Field(default=31, ge=1, le=365)
    """Longest requested period one search may cover."""
    min_notice_days: int = Field(default=1, ge=0, le=30)
    """First bookable day, counted from today (besides the job's own earliest date)."""
    hold_hours: float = Field(default=24.0, gt=0, le=24 * 14)
    """Life of a hold (an ``initialized`` appointment) before it expires."""
    precable_lead_days: int = Field(default=1, ge=1, le=30)
    """Days between the pre-cable's planned day and the earliest install day."""
    enough_options: int = Field(default=3, ge=0, le=100)
    """Feasible engineers probed per slot before the search stops (0 = all)."""
    break_window: tuple[str, str] | None = ("12:00", "14:00")
    """Local window of the engineers' meal break (None: no break)."""
    break_minutes: int = Field(default=30, ge=0, le=180)
    travel_speed_kmh: float = Field(default=30.0, gt=0)
    travel_detour_factor: float = Field(default=1.3, ge=1)
    plan_ttl_s: float = Field(default=60.0, ge=0)
    """A cached region-day plan is rebuilt after this long even if no booking changed it
    (roster edits do not bump the plan's version)."""
    weight_travel: float = Field(default=0.5, ge=0)
    weight_proximity: float = Field(default=0.3, ge=0)
    weight_balance: float = Field(default=0.2, ge=0)
    travel_scale_s: float = Field(default=1800.0, gt=0)
    proximity_scale_s: float = Field(default=600.0, gt=0)

    @field_validator("slot_templates")
    @classmethod
    def _valid_templates(cls, value: dict[str, list[tuple[str, str, str]]]
                         ) -> dict[str, list[tuple[str, str, str]]]:
        for region, slots in value.items():
            for label, start, end in slots:
                if time.fromisoformat(start) >= time.fromisoformat(end):
                    raise ValueError(f"slot {label} of {region}: start must be before end")
        if "default" not in value:
            value = {**value, "default": list(DEFAULT_TEMPLATES["default"])}
        return value

    def templates(self, region: str) -> list[tuple[str, time, time]]:
        slots = self.slot_templates.get(region) or self.slot_templates["default"]
        return [(label, time.fromisoformat(a), time.fromisoformat(b)) for label, a, b in slots]

    @property
    def weights(self) -> GradeWeights:
        return GradeWeights(self.weight_travel, self.weight_proximity, self.weight_balance,
                            self.travel_scale_s, self.proximity_scale_s)


@lru_cache(maxsize=1)
def get_booking_settings() -> BookingSettings:
    return BookingSettings()
