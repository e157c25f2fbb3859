"""Helpers shared by the order-backbone CLI commands."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from orders.db import Database
from orders.errors import DomainError
from orders.settings import Settings

console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # never hard-wrap paths in messages


def open_database() -> Database:
    """The database ``FIELDSCHED_DATABASE_URL`` names (read at each command)."""
    return Database.from_settings(Settings())


@contextmanager
def domain_errors() -> Iterator[None]:
    """Print a domain error as one line and exit 1 (no traceback for user mistakes)."""
    try:
        yield
    except DomainError as exc:
        where = f" ({exc.field})" if exc.field else ""
        err_console.print(f"[red]error[/red] {exc.code}{where}: {exc.message}", highlight=False)
        raise typer.Exit(1) from None
