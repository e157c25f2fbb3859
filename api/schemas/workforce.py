"""Engineers, shifts and jobs (plain REST, snake_case like the CSV files)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from api.schemas.common import (
    Identifier,
    Latitude,
    Longitude,
    Name,
    Page,
    Region,
    Skill,
    Strict,
)

HHMM = r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$"


class EngineerBody(Strict):
    name: Name
    home_lon: Longitude
    home_lat: Latitude
    skills: list[Skill] = Field(default_factory=list, max_length=32)
    region: Region | None = Field(default=None, description="Derived from the home location "
                                  "(its service area's town) when omitted")


class EngineerCreate(EngineerBody):
    id: Identifier


class Engineer(BaseModel):
    id: str
    name: str
    home_lon: float
    home_lat: float
    skills: list[str]
    region: str | None
    active: bool


class EngineerPage(Page):
    items: list[Engineer]


class ImportSummary(BaseModel):
    created: int
    updated: int


class ShiftIn(Strict):
    engineer_id: Identifier
    date: date
    start: str = Field(pattern=HHMM, description="Local time HH:MM (FIELDSCHED_TIMEZONE)")
    end: str = Field(pattern=HHMM, description="Local time HH:MM, after start")

    @field_validator("date")
    @classmethod
    def _sane_date(cls, value: date) -> date:
        if not 2000 <= value.year <= 2999:
            raise ValueError("date must be between 2000 and 2999")
        return value


class RosterIn(Strict):
    shifts: list[ShiftIn] = Field(min_length=1, max_length=5000)


class Shift(BaseModel):
    engineer_id: str
    date: date
    start: str
    end: str
    region: str | None


class ShiftPage(Page):
    items: list[Shift]


JobKindName = Literal["precable", "install", "repair", "civils"]
JobStatusName = Literal["pending", "scheduled", "in_progress", "completed", "failed", "cancelled"]


class Job(BaseModel):
    id: str
    order_id: str | None
    kind: str
    status: str
    duration_s: int
    skills: list[str]
    lon: float
    lat: float
    premise_id: str | None
    region: str | None
    predecessor_job_id: str | None
    priority: int
    needs_appointment: bool
    window_start: datetime | None
    window_end: datetime | None
    earliest_date: date
    latest_date: date | None
    due_date: date | None
    engineer_id: str | None


class JobPage(Page):
    items: list[Job]
