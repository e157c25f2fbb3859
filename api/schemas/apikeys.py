"""API key management (admin)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import Identifier, Name, Strict

RoleName = Literal["billing", "booking", "dispatcher", "engineer", "analyst", "admin"]


class ApiKeyCreate(Strict):
    role: RoleName
    name: Name
    engineer: Identifier | None = Field(default=None,
                                        description="The engineer an engineer key speaks for")


class ApiKey(BaseModel):
    id: int
    name: str
    role: str
    prefix: str
    engineer_id: str | None
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKey):
    key: str = Field(description="The key itself: shown once, only its hash is stored")
