"""Database fixtures of the order backbone's tests (SQLite and PostgreSQL).

The schema is always made by the Alembic migrations. PostgreSQL tests get a fresh
throwaway database per test session (``fieldsched_t_<random>``, dropped at the
end) on the server at 127.0.0.1:5432; when it is unreachable they are skipped,
unless ``FIELDSCHED_REQUIRE_POSTGRES=1``, then they fail.

Test modules load it with ``pytest_plugins = ["db_fixtures"]`` (the project's
root conftest may register it once for all).
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from inventory.orm_base import Base
from orders import migrate
from orders.db import Database
from orders.settings import Settings

POSTGRES_ADMIN_URL = os.environ.get(
    "FIELDSCHED_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _postgres_required() -> bool:
    return os.environ.get("FIELDSCHED_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database, dropped after the session."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 3})
    name = f"fieldsched_t_{secrets.token_hex(6)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # unreachable server, refused login, ...
        admin.dispose()
        message = f"PostgreSQL at {POSTGRES_ADMIN_URL} unusable: {exc.__class__.__name__}: {exc}"
        if _postgres_required():
            pytest.fail(message + " (FIELDSCHED_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(message)
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrated(url: str) -> Database:
    database = Database(url, Settings(database_url=url, environment="test", db_pool_size=5,
                                      db_max_overflow=40))
    migrate.upgrade(database.engine)
    return database


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("sqlite") / "fieldsched.db"
    database = _migrated(f"sqlite:///{path}")
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def postgres_database(postgres_url: str) -> Iterator[Database]:
    database = _migrated(postgres_url)
    yield database
    database.dispose()


def wipe(database: Database) -> None:
    """Empty every table (the schema stays)."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with database.engine.begin() as conn:
        if database.dialect == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest) -> Database:
    """A migrated, empty database on each backend."""
    database: Database = request.getfixturevalue(f"{request.param}_database")
    wipe(database)
    return database


@pytest.fixture
def sqlite_db(sqlite_database: Database) -> Database:
    wipe(sqlite_database)
    return sqlite_database


@pytest.fixture
def pg_db(postgres_database: Database) -> Database:
    wipe(postgres_database)
    return postgres_database



class ApiHarness:
    """A TestClient on the app plus one API key per role."""

    def __init__(self, client, keys: dict[str, str]):  # type: ignore[no-untyped-def]
        self.client = client
        self.keys = keys

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


@pytest.fixture
def api(db: Database) -> Iterator[ApiHarness]:
    """The HTTP API over ``db`` (both backends) with keys for every role."""
    import warnings

    from api.app import create_app
    from orders.auth import create_api_key
    from orders.states import Role
    from orders.workforce import EngineerInput, upsert_engineers

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette: "use httpx2"
        from fastapi.testclient import TestClient

    upsert_engineers(db, [EngineerInput("ENG-1", "Field Engineer", -1.55, 53.8, ("install",))])
    keys = {r.value: create_api_key(db, r.value, f"test {r.value}",
                                    "ENG-1" if r is Role.ENGINEER else None)[1] for r in Role}
    with TestClient(create_app(db=db, recover_pending=False)) as client:
        yield ApiHarness(client, keys)
