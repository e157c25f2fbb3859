"""The schema is made by Alembic only, matches the models, and SQLite is set up for
concurrent writers."""
from __future__ import annotations

import threading
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from inventory.orm_base import Base
from orders import migrate
from orders.db import Database
from orders.settings import Settings

pytest_plugins = ["db_fixtures"]


def test_migrated_schema_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert migrate.schema_is_current(db.engine)
    tables = set(inspect(db.engine).get_table_names())
    assert {"product_orders", "order_state_changes", "jobs", "appointments", "engineers",
            "shifts", "api_keys", "premises", "service_areas", "splitters", "splitter_ports",
            "pon_ports", "olts", "c_vlans", "onts", "allocations", "alembic_version"} <= tables


def test_downgrade_to_base_and_back(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        assert not migrate.schema_is_current(database.engine)
        migrate.upgrade(database.engine)
        migrate.downgrade(database.engine, "base")
        assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(database.engine)
        assert migrate.current_revision(database.engine) == migrate.head_revision()
    finally:
        database.dispose()


def test_sqlite_runs_wal_with_a_busy_timeout(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_writers_queue_instead_of_failing(tmp_path: Path) -> None:
    """Read-then-write transactions from many threads: with BEGIN IMMEDIATE none fails
    with 'database is locked' and no update is lost."""
    url = f"sqlite:///{tmp_path / 'c.db'}"
    database = Database(url, Settings(database_url=url, sqlite_busy_timeout_ms=30_000))
    try:
        with database.engine.begin() as conn:
            conn.execute(text("CREATE TABLE counter (n INTEGER)"))
            conn.execute(text("INSERT INTO counter VALUES (0)"))
        errors: list[BaseException] = []

        def bump() -> None:
            try:
                for _ in range(20):
                    with database.transaction() as s:
                        n = s.execute(text("SELECT n FROM counter")).scalar_one()
                        s.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=bump) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors[:1]
        with database.read() as s:
            assert s.execute(text("SELECT n FROM counter")).scalar_one() == 160
    finally:
        database.dispose()
