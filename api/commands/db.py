"""`fieldsched db …`: the schema, made and changed only by Alembic migrations."""
from __future__ import annotations

import typer

from api.commands._common import console
from orders import migrate
from orders.db import make_engine
from orders.settings import Settings

app = typer.Typer(help="Database schema (Alembic migrations; FIELDSCHED_DATABASE_URL).",
                  no_args_is_help=True)


def _engine():  # type: ignore[no-untyped-def]
    settings = Settings()
    return make_engine(settings.database_url, settings)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Migrate the database to the latest schema (creates it if empty)."""
    engine = _engine()
    try:
        migrate.upgrade(engine, revision)
        console.print(f"database {engine.url.render_as_string()} at revision "
                      f"{migrate.current_revision(engine)}", highlight=False)
    finally:
        engine.dispose()


@app.command("downgrade")
def downgrade(revision: str = typer.Argument(..., help="Target revision, e.g. base")) -> None:
    """Migrate the database back to an older revision."""
    engine = _engine()
    try:
        migrate.downgrade(engine, revision)
        console.print(f"database at revision {migrate.current_revision(engine)}")
    finally:
        engine.dispose()


@app.command("current")
def current() -> None:
    """Show the database's revision and the latest one."""
    engine = _engine()
    try:
        rev, head = migrate.current_revision(engine), migrate.head_revision()
        state = "up to date" if rev == head else "needs `fieldsched db upgrade`"
        console.print(f"current {rev}, head {head}: {state}")
    finally:
        engine.dispose()
