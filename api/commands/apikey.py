"""`fieldsched apikey …`: API keys (stored hashed; a new key is printed once)."""
from __future__ import annotations

import typer
from rich.table import Table

from api.commands._common import console, domain_errors, err_console, open_database
from orders.auth import create_api_key, list_api_keys, revoke_api_key

app = typer.Typer(help="API keys for the HTTP API.", no_args_is_help=True)


@app.command("create")
def create(
    role: str = typer.Option(..., "--role",
                             help="billing, booking, dispatcher, engineer, analyst or admin"),
    name: str = typer.Option(..., "--name", help="Who or what uses the key"),
    engineer: str | None = typer.Option(None, "--engineer",
                                        help="Engineer id (engineer keys only)"),
) -> None:
    """Create a key and print it (only its hash is stored: keep it now)."""
    db = open_database()
    try:
        with domain_errors():
            view, key = create_api_key(db, role, name, engineer)
    finally:
        db.dispose()
    err_console.print(f"created key {view.id} ({view.role}) for {view.name}; "
                      "send it as `Authorization: Bearer KEY`", highlight=False)
    typer.echo(key)


@app.command("list")
def list_keys() -> None:
    """List keys (never the keys themselves)."""
    db = open_database()
    try:
        table = Table("id", "name", "role", "engineer", "prefix", "created", "revoked")
        for k in list_api_keys(db):
            table.add_row(str(k.id), k.name, k.role, k.engineer_id or "", k.prefix + "…",
                          k.created_at.isoformat(timespec="seconds"),
                          k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "")
        console.print(table)
    finally:
        db.dispose()


@app.command("revoke")
def revoke(key_id: int = typer.Argument(..., help="The key's id (see `apikey list`)")) -> None:
    """Revoke a key: it stops working at once."""
    db = open_database()
    try:
        with domain_errors():
            view = revoke_api_key(db, key_id)
        console.print(f"key {view.id} ({view.name}) revoked")
    finally:
        db.dispose()
