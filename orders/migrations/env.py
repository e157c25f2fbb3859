"""Alembic environment: the URL comes from the caller or from ``FIELDSCHED_DATABASE_URL``.

Callers may hand over an open connection in ``config.attributes["connection"]``
(the test fixtures and ``orders.migrate`` do), so migrations run on exactly the
engine the application uses.
"""
from __future__ import annotations

from alembic import context

import billing_hook.models  # noqa: F401  (billing outbox, subscriptions, deliveries)
import inventory.models  # noqa: F401  (registers the inventory tables)
import orders.booking_models  # noqa: F401  (appointment booking, region-day plans)
import orders.dispatch_models  # noqa: F401  (schedule runs, re-plan events)
import orders.models  # noqa: F401  (registers the order tables)
import orders.signoff_models  # noqa: F401  (sign-offs, line tests, order notes)
from inventory.orm_base import Base
from orders.db import make_engine
from orders.settings import Settings

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings().database_url


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=_url().startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _configure(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
