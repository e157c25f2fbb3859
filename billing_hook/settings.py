"""Relay configuration from ``FIELDSCHED_BILLING_*`` environment variables.

The retry schedule is a list of delays (seconds) before the 2nd, 3rd, … attempt; the
default follows the Standard Webhooks recommendation and spans about 28 hours. After
the last one fails the delivery is a dead letter (replayable). Tests shrink it to
fractions of a second. A configured callback (``callback_url`` + ``webhook_secret``)
is kept as the subscription ``configured``, next to the ones registered on the TMF hub;
the secret has no default.
"""
from __future__ import annotations

import random
from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SCHEDULE = "5,300,1800,7200,18000,36000,36000"


class RelaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FIELDSCHED_BILLING_", extra="ignore")

    callback_url: str | None = None
    webhook_secret: str | None = None
    callback_query: str = "eventType=ProductOrderStateChangeEvent"
    # Comma-separated seconds, e.g. FIELDSCHED_BILLING_RETRY_SCHEDULE_S="0.1,0.2,0.4".
    retry_schedule_s: str = DEFAULT_SCHEDULE
    jitter: float = Field(default=0.2, ge=0, le=1)
    timeout_s: float = Field(default=10.0, gt=0)
    # A claimed delivery is someone else's until its lease ends (a killed relay's lease
    # simply expires); it must outlast one HTTP attempt.
    lease_s: float | None = Field(default=None, gt=0)
    poll_interval_s: float = Field(default=1.0, gt=0)
    batch_size: int = Field(default=100, ge=1, le=10_000)
    # Deliveries in flight at once (each to a different subscriber/order queue), so one
    # slow callback does not hold up the others.
    concurrency: int = Field(default=4, ge=1, le=64)

    @field_validator("retry_schedule_s")
    @classmethod
    def _valid_schedule(cls, value: str) -> str:
        delays = [float(v) for v in value.replace(" ", "").split(",") if v]
        if any(d < 0 for d in delays):
            raise ValueError("retry delays must not be negative")
        return ",".join(str(d) for d in delays)

    @property
    def delays(self) -> tuple[float, ...]:
        return tuple(float(v) for v in self.retry_schedule_s.split(",") if v)

    @property
    def max_attempts(self) -> int:
        return len(self.delays) + 1

    @property
    def lease(self) -> float:
        return self.lease_s or self.timeout_s * 2 + 5

    def delay_after(self, attempts: int, rng: random.Random | None = None) -> float | None:
        """Seconds to wait after ``attempts`` failed attempts (``None``: give up).
        Jitter spreads retries of many deliveries by ±``jitter`` of the delay."""
        if attempts >= self.max_attempts:
            return None
        base = self.delays[attempts - 1]
        r = (rng or random).uniform(-self.jitter, self.jitter)
        return max(0.0, base * (1 + r))


@lru_cache(maxsize=1)
def get_relay_settings() -> RelaySettings:
    return RelaySettings()
