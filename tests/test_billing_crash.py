"""The real relay command killed with SIGKILL mid-delivery, then restarted: nothing lost,
nothing half-written (every attempt counted is recorded and vice versa)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from billing_helpers import write_events
from sqlalchemy import func, select

from billing_hook import store
from billing_hook.models import DELIVERED, Delivery, DeliveryAttempt
from billing_hook.receiver import ReferenceReceiver
from billing_hook.signing import new_secret
from orders import migrate
from orders.db import Database

REPO = Path(__file__).resolve().parents[1]
RELAY = ("import typer; from api.commands.relay import relay_command; "
         "typer.run(relay_command)")


def _spawn(url: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, FIELDSCHED_DATABASE_URL=url, PYTHONPATH=str(REPO),
               FIELDSCHED_BILLING_TIMEOUT_S="5", FIELDSCHED_BILLING_LEASE_S="1.5",
               FIELDSCHED_BILLING_POLL_INTERVAL_S="0.05",
               FIELDSCHED_BILLING_RETRY_SCHEDULE_S="0.05,0.05,0.05,0.05,0.05,0.05")
    env.pop("FIELDSCHED_BILLING_CALLBACK_URL", None)
    return subprocess.Popen([sys.executable, "-c", RELAY], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _consistent(db: Database) -> dict[str, int]:
    """Each delivery's attempt counter equals its recorded attempts; returns statuses."""
    with db.read() as s:
        counted = dict(s.execute(select(Delivery.id, Delivery.attempts)).all())
        recorded = dict(s.execute(select(DeliveryAttempt.delivery_id, func.count())
                                  .group_by(DeliveryAttempt.delivery_id)).all())
        statuses = dict(s.execute(select(Delivery.status, func.count())
                                  .group_by(Delivery.status)).all())
    assert {k: v for k, v in counted.items() if v} == recorded, "half-written delivery"
    return statuses


def test_sigkill_mid_delivery_then_restart_loses_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'relay.db'}"
    db = Database(url)
    migrate.upgrade(db.engine)
    receiver = ReferenceReceiver(new_secret()).start()
    in_flight = threading.Event()
    receiver.on_request = lambda _id: in_flight.set()
    store.create_subscription(db, receiver.url, "", datetime.now(UTC), secret=receiver.secret)
    written = write_events(db, orders=5, per_order=2)
    procs = []
    try:
        receiver.mode, receiver.slow_s = "slow", 1.0
        proc = _spawn(url)
        procs.append(proc)
        assert in_flight.wait(60), "the relay never called the receiver"
        os.kill(proc.pid, signal.SIGKILL)  # mid-delivery: the receiver is still answering
        proc.wait(10)
        _consistent(db)
        receiver.mode = "ok"
        for pause in (0.3, 0.6):  # killed again at arbitrary moments while catching up
            proc = _spawn(url)
            procs.append(proc)
            time.sleep(pause)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
            _consistent(db)
        proc = _spawn(url)
        procs.append(proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if _consistent(db) == {DELIVERED: len(written)}:
                break
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        receiver.stop()
        db.dispose()
    assert _consistent(db) == {DELIVERED: len(written)}
    assert set(receiver.events) == {e for _, e in written}
    assert set(receiver.arrivals) <= set(receiver.events)  # duplicates keep their id
    first: dict[str, list[str]] = defaultdict(list)
    for msg_id in dict.fromkeys(receiver.arrivals):
        first[receiver.events[msg_id]["event"]["productOrder"]["id"]].append(msg_id)
    expected: dict[str, list[str]] = defaultdict(list)
    for order, msg_id in written:
        expected[order].append(msg_id)
    assert first == expected
