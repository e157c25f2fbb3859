"""Schedule runs, re-plan events and stateless solves (plain REST for dispatchers/analysts)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from api.schemas.common import (
    ID_PATTERN,
    Identifier,
    Latitude,
    Longitude,
    Region,
    Skill,
    Strict,
    Timestamp,
)


class ScheduleRequest(Strict):
    date: dt.date
    region: Region | None = Field(default=None, description="Omitted: all regions")
    time_limit: float = Field(default=30.0, gt=0, le=600, description="Seconds of search")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class Run(BaseModel):
    id: str
    kind: Literal["day", "replan", "solve"]
    date: dt.date | None = None
    region: str | None = None
    status: Literal["queued", "running", "done", "failed"]
    progress: float
    phase: str | None = None
    current: bool = False
    parent_run_id: str | None = None
    kpis: dict[str, Any] | None = Field(default=None, description=(
        "jobs, assigned, unassigned, excluded, engineers, engineers_used, travel_time_s, "
        "distance_m, utilisation (work / shift time of engineers used), on_window_rate"))
    error: str | None = None
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None


class SolveRun(Run):
    schedule: dict[str, Any] | None = Field(default=None,
                                            description="The contract schedule, when done")


EventType = Literal["engineer_unavailable", "job_delayed", "job_finished_early",
                    "emergency_job", "customer_absent"]


class Event(Strict):
    """A re-plan event. Fields by type: ``engineer_unavailable``: engineer, from;
    ``job_delayed``: job, minutes; ``job_finished_early``: job, at; ``emergency_job``:
    location [lon, lat] or premise, duration (seconds), skills, priority, window [from, to];
    ``customer_absent``: job. ``at`` (default: now) is when the event happened."""

    type: EventType
    engineer: Identifier | None = None
    from_: Timestamp | None = Field(default=None, alias="from")
    job: Identifier | None = None
    minutes: float | None = Field(default=None, gt=0, le=1440)
    at: Timestamp | None = None
    id: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=ID_PATTERN)] \
        | None = Field(default=None, description="emergency job id (default: generated)")
    location: tuple[Longitude, Latitude] | None = None
    premise: Identifier | None = None
    duration: int | None = Field(default=None, ge=60, le=12 * 3600, description="seconds")
    skills: list[Skill] | None = Field(default=None, max_length=16)
    priority: int | None = Field(default=None, ge=0, le=100)
    window: tuple[Timestamp, Timestamp] | None = None
    time_limit: float = Field(default=5.0, gt=0, le=60, description="Seconds of re-plan")

    def as_event(self) -> dict[str, Any]:
        out = self.model_dump(by_alias=True, exclude={"time_limit"}, exclude_none=True)
        if "location" in out:
            out["location"] = list(out["location"])
        if "window" in out:
            out["window"] = list(out["window"])
        return out


class Replan(BaseModel):
    event_id: int
    run_id: str = Field(description="The new current run of the day")
    parent_run_id: str
    type: EventType
    diff: dict[str, Any] = Field(description=(
        "moved (job, from, to, new arrival), newly_unassigned (job, reason), newly_assigned, "
        "new_etas (job, old/new start), counts, mode (keep|free), replan_seconds"))
    kpis: dict[str, Any] | None = None


class SolveQuery(Strict):
    time_limit: float = Field(default=10.0, gt=0, le=300)
    seed: int = Field(default=0, ge=0)
