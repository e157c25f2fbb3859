"""Engines and the unit of work: the one place where transactions begin and commit.

SQLite (the embedded default) runs in WAL mode with a busy timeout, and every
writing transaction starts with ``BEGIN IMMEDIATE``: writers queue for the write
lock up front instead of failing with "database is locked" when two deferred
transactions try to upgrade their read locks at the same time. Read-only
sessions use a plain ``BEGIN`` so they never wait for writers.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from orders.settings import Settings

T = TypeVar("T")
_READ_ONLY = "fieldsched_read_only"


def make_engine(url: str, settings: Settings | None = None, **overrides: Any) -> Engine:
    """Create an engine for ``url`` with the project's connection policy."""
    settings = settings or Settings(database_url=url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        if parsed.database not in (None, "", ":memory:"):
            kwargs.update(pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow,
                          pool_timeout=settings.db_pool_timeout_s)
        kwargs.update(overrides)
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    # No pre-ping (a round trip per checkout): a dropped connection is detected on use and
    # SQLAlchemy then invalidates the whole pool; recycling bounds a connection's age.
    kwargs = dict(pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow,
                  pool_timeout=settings.db_pool_timeout_s, pool_recycle=1800)
    kwargs.update(overrides)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(_READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def is_transient(exc: BaseException) -> bool:
    """Deadlocks, serialisation failures and SQLite lock time-outs: worth a retry."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate in ("40001", "40P01", "55P03"):
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


class Database:
    """An engine plus the two ways to use it: a writing transaction or a read."""

    def __init__(self, url: str, settings: Settings | None = None, **engine_overrides: Any):
        self.url = url
        self.settings = settings or Settings(database_url=url)
        self.engine = make_engine(url, self.settings, **engine_overrides)
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(
            self.engine.execution_options(**{_READ_ONLY: True}), expire_on_commit=False
        )
        # SQLite allows one writer at a time anyway; queueing this process's writers on a
        # lock hands the write lock over at once, where SQLite's busy handler would poll
        # with growing sleeps (other processes still wait through busy_timeout).
        self._write_lock = threading.RLock() if self.dialect == "sqlite" else None

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(settings.database_url, settings)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on error."""
        if self._write_lock is not None:
            self._write_lock.acquire()
        session = self._writer()
        try:
            with session.begin():
                yield session
        finally:
            session.close()
            if self._write_lock is not None:
                self._write_lock.release()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries only; it never commits."""
        session = self._reader()
        try:
            yield session
        finally:
            session.close()  # rolls back whatever was begun

    def run(self, work: Callable[[Session], T], attempts: int = 5) -> T:
        """Run ``work`` in a transaction, retrying transient lock conflicts."""
        for attempt in range(1, attempts + 1):
            try:
                with self.transaction() as session:
                    return work(session)
            except DBAPIError as exc:
                if attempt == attempts or not is_transient(exc):
                    raise
                time.sleep(0.01 * 2**attempt)
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()
