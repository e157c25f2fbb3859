"""Field types shared by the request/response schemas.

Every string that can reach the database is bounded (never longer than its column)
and free of NUL characters and lone surrogates, which PostgreSQL would refuse with
a server error; dates are timezone-aware and in a sane range.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints


def _clean(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return value


def _sane_datetime(value: datetime) -> datetime:
    if not 1970 <= value.year <= 2999:
        raise ValueError("date-time must be between 1970 and 2999")
    return value.astimezone(UTC)


def Text(max_length: int, min_length: int = 1):  # noqa: N802  (a type factory)
    """Free text of bounded length."""
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length),
                     AfterValidator(_clean)]


# Identifiers: visible ASCII, no spaces (ids of billing, premises, engineers, ...).
ID_PATTERN = r"^[!-~]+$"
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=ID_PATTERN)]
LongIdentifier = Annotated[str, StringConstraints(min_length=1, max_length=128,
                                                  pattern=ID_PATTERN)]
Str8, Str12, Str16, Str32, Str64 = Text(8), Text(12), Text(16), Text(32), Text(64)
Region = Str64
Name = Text(128)
ShortText = Text(255)
LongText = Text(2000)
Timestamp = Annotated[AwareDatetime, AfterValidator(_sane_datetime)]  # offset required
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Skill = Annotated[str, StringConstraints(min_length=1, max_length=32,
                                         pattern=r"^[a-z0-9][a-z0-9_-]*$")]


class Strict(BaseModel):
    """Request bodies: unknown fields are errors (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the offending field, "
                                   "e.g. `productOrderItem.0.action`")
    location: str = Field(description="body, query, path or header")
    message: str
    type: str


class ErrorBody(BaseModel):
    """Every error answer (4xx/5xx) has this shape; `code` is stable for clients."""

    code: str
    message: str
    status: int
    field: str | None = None
    errors: list[FieldError] | None = None


class Page(BaseModel):
    total: int
    limit: int
    offset: int


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "Missing or unknown API key"},
    403: {"model": ErrorBody, "description": "The key's role may not call this endpoint"},
    422: {"model": ErrorBody, "description": "Malformed input; `field` names the culprit"},
}


def responses(*codes: int) -> dict[int | str, dict[str, object]]:
    """The documented error answers of an endpoint (auth errors always included)."""
    described = {
        404: "Unknown id",
        409: "Conflict with the current state",
        413: "Body too large",
    }
    out = dict(ERROR_RESPONSES)
    for code in codes:
        out[code] = {"model": ErrorBody, "description": described.get(code, "Error")}
    return out
