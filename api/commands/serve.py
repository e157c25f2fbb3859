"""`fieldsched serve`: the HTTP API under uvicorn."""
from __future__ import annotations

import typer
import uvicorn


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on"),
    port: int = typer.Option(8000, "--port", help="TCP port"),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes"),
    log_level: str = typer.Option("info", "--log-level"),
    relay: bool = typer.Option(True, "--relay/--no-relay",
                               help="Also deliver billing events (see `fieldsched relay`)"),
    scheduler: bool = typer.Option(True, "--scheduler/--no-scheduler",
                                   help="Also start the schedule worker process"),
) -> None:
    """Run the API server (database from FIELDSCHED_DATABASE_URL; run `db upgrade` first)."""
    stop = None
    if relay:
        from api.commands._common import open_database
        from api.commands.relay import start_relay_thread

        _, stop = start_relay_thread(open_database())
    worker = None
    if scheduler:
        from orders.dispatch_worker import start_worker
        from orders.settings import Settings

        worker = start_worker(Settings())
    try:
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level)
    finally:
        if stop is not None:
            stop.set()
        if worker is not None:
            from orders.dispatch_worker import stop_worker

            stop_worker(worker)
