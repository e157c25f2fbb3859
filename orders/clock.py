"""The service's clock, injectable so tests and demos can play a future day."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _now()


def today(tz: ZoneInfo) -> date:
    """Today's date in the service's local time zone."""
    return now().astimezone(tz).date()


def set_clock(clock: Callable[[], datetime] | None) -> None:
    """Replace the clock (``None`` restores the system clock)."""
    global _now
    _now = clock or (lambda: datetime.now(UTC))
