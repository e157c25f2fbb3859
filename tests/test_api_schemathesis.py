"""Property-based run over the OpenAPI document: no input makes the API answer 5xx.

On PostgreSQL (where a NUL byte or an over-long string that slipped through
validation would become a server error) schemathesis runs its coverage phase
(boundary and invalid values for every field) and a bounded fuzzing phase; on
SQLite the fuzzing phase only, to keep the whole test within about a minute.
"""
from __future__ import annotations

import warnings

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.app import create_app
from inventory.samples import contended_network
from orders.auth import create_api_key
from orders.network_admin import store_network

pytest_plugins = ["db_fixtures"]

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette: "use httpx2"
    import fastapi.testclient  # noqa: F401

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def admin_key(request: pytest.FixtureRequest) -> str:
    db = request.getfixturevalue("sqlite_db" if request.param == "sqlite" else "pg_db")
    store_network(db, contended_network(premises=5))
    _, key = create_api_key(db, "admin", "schemathesis")
    request.node.fieldsched_app = create_app(db=db, recover_pending=False)
    request.node.fieldsched_backend = request.param
    return key


@pytest.fixture
def openapi(request: pytest.FixtureRequest, admin_key: str):  # type: ignore[no-untyped-def]
    # schemathesis' lazy loader reads a private pytest attribute gone in pytest 9.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    loaded = schemathesis.openapi.from_asgi("/openapi.json", request.node.fieldsched_app)
    loaded.config.phases.coverage.enabled = request.node.fieldsched_backend == "postgres"
    return loaded


schema = schemathesis.pytest.from_fixture("openapi")


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, admin_key: str) -> None:  # type: ignore[no-untyped-def]
    response = case.call(headers={"Authorization": f"Bearer {admin_key}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
