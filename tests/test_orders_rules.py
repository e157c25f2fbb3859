"""Job rules, the order state machine, the catalogue and settings."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from orders.catalog import OFFERINGS, offering
from orders.job_rules import FLAT_INSTALL_EXTRA_S, job_spec, needs_precable
from orders.settings import Settings
from orders.states import ORDER_TRANSITIONS, TERMINAL_ORDER_STATES, OrderState, can_move


def test_durations_and_skills_by_kind_product_and_drop() -> None:
    assert job_spec("precable", "FTTP-150", "overhead", "house").skills == ("precable", "overhead")
    assert job_spec("precable", "FTTP-150", "underground", "house").duration_s == 90 * 60
    assert job_spec("precable", None, "underground", "flat").duration_s == 120 * 60
    installs = [job_spec("install", p, "overhead", "house").duration_s for p in OFFERINGS]
    assert installs == sorted(installs) and len(set(installs)) == 3  # faster tiers take longer
    house = job_spec("install", "FTTP-500", "underground", "house")
    flat = job_spec("install", "FTTP-500", "underground", "flat")
    assert flat.duration_s - house.duration_s == FLAT_INSTALL_EXTRA_S
    assert job_spec("repair").priority > job_spec("install", "FTTP-150").priority
    assert job_spec("civils").skills == ("civils",)
    with pytest.raises(KeyError):
        job_spec("survey")
    assert needs_precable("needs_precable") and not needs_precable("connected")


def test_order_state_machine() -> None:
    assert set(ORDER_TRANSITIONS) == set(OrderState)
    assert can_move("acknowledged", "inProgress") and can_move("acknowledged", "rejected")
    assert can_move("inProgress", "held") and can_move("held", "inProgress")
    assert not can_move("acknowledged", "completed")
    for state in TERMINAL_ORDER_STATES:
        assert not ORDER_TRANSITIONS[state]
    assert {s.value for s in OrderState} == {"acknowledged", "inProgress", "held", "pending",
                                             "completed", "failed", "cancelled", "rejected"}


def test_catalogue() -> None:
    assert set(OFFERINGS) == {"FTTP-150", "FTTP-500", "FTTP-900"}
    assert offering("FTTP-900").down_mbps == 900 and offering("FTTP-1") is None


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIELDSCHED_DATABASE_URL", raising=False)
    monkeypatch.delenv("FIELDSCHED_TIMEZONE", raising=False)
    defaults = Settings()
    assert defaults.database_url == "sqlite:///./fieldsched.db"
    assert defaults.timezone == "Europe/London" and defaults.tz.key == "Europe/London"
    monkeypatch.setenv("FIELDSCHED_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("FIELDSCHED_TIMEZONE", "Europe/Dublin")
    assert Settings().database_url == "postgresql+psycopg://u@h/db"
    assert Settings().timezone == "Europe/Dublin"
    monkeypatch.setenv("FIELDSCHED_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValidationError):
        Settings()
