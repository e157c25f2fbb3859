"""`fieldsched relay`: deliver outbox events to billing (also started by `fieldsched serve`)."""
from __future__ import annotations

import signal
import threading
from types import FrameType

import typer

from api.commands._common import err_console, open_database
from billing_hook.relay import Relay
from billing_hook.settings import RelaySettings
from orders.activation import resume_activations
from orders.db import Database


def start_relay_thread(db: Database, settings: RelaySettings | None = None
                       ) -> tuple[threading.Thread, threading.Event]:
    """Run a relay in a daemon thread until the returned event is set (first picking up
    activations a stopped server left between sign-off and completion)."""
    stop = threading.Event()
    relay = Relay(db, settings)

    def run() -> None:
        try:
            resume_activations(db)
            relay.run_forever(stop)
        finally:
            relay.close()

    thread = threading.Thread(target=run, daemon=True, name="fieldsched-relay")
    thread.start()
    return thread, stop


def relay_command(
    once: bool = typer.Option(False, "--once", help="One pass over the due deliveries, then exit"),
) -> None:
    """Deliver pending events to the subscribers (FIELDSCHED_BILLING_* settings)."""
    db = open_database()
    relay = Relay(db)
    try:
        try:
            relay.sync_configured_subscription()
        except ValueError as exc:
            err_console.print(f"[red]error[/red] {exc}", highlight=False)
            raise typer.Exit(1) from None
        if once:
            err_console.print(f"{relay.run_once()} deliveries attempted")
            return
        stop = threading.Event()

        def _stop(_sig: int, _frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        err_console.print("relay running (Ctrl-C to stop)")
        relay.run_forever(stop)
    finally:
        relay.close()
        db.dispose()
