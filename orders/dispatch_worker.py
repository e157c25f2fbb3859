"""The schedule worker: a separate process that solves queued runs, so the API's workers stay
responsive (a solve holds a CPU and the GIL for its whole time limit).

``fieldsched serve`` starts one (``start_worker``); it polls the database for queued runs,
claims one at a time (an atomic ``queued → running`` update), solves and stores it. Runs left
``running`` by a worker that died are re-queued when a worker starts. The worker is not a
daemon process: large days are decomposed over a process pool of its own.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from multiprocessing.process import BaseProcess
from typing import Any

from orders.db import Database
from orders.schedule_runs import claim_next, execute_run, requeue_abandoned
from orders.settings import Settings

log = logging.getLogger("fieldsched.worker")
POLL_S = 0.5


def worker_loop(url: str, settings_env: dict[str, Any] | None = None,
                poll_s: float = POLL_S, max_idle_polls: int | None = None) -> None:
    """Poll and solve until SIGTERM (or ``max_idle_polls`` empty polls in a row)."""
    stop = [False]

    def _stop(*_: Any) -> None:
        stop[0] = True

    signal.signal(signal.SIGTERM, _stop)
    settings = Settings(**{**(settings_env or {}), "database_url": url})
    db = Database(url, settings)
    try:
        n = requeue_abandoned(db)
        if n:
            log.warning("re-queued %d run(s) left running by a previous worker", n)
        idle = 0
        while not stop[0]:
            rid = claim_next(db)
            if rid is None:
                idle += 1
                if max_idle_polls is not None and idle >= max_idle_polls:
                    break
                time.sleep(poll_s)
                continue
            idle = 0
            log.info("solving schedule run %s", rid)
            execute_run(db, rid)
    finally:
        db.dispose()


def start_worker(settings: Settings) -> BaseProcess:
    """Start the worker process for ``settings``' database (spawned: no inherited state)."""
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=worker_loop, name="fieldsched-schedule-worker",
                       args=(settings.database_url,
                             {"timezone": settings.timezone,
                              "environment": settings.environment}), daemon=False)
    proc.start()
    log.info("schedule worker started (pid %s)", proc.pid)
    return proc


def stop_worker(proc: BaseProcess, timeout: float = 10.0) -> None:
    if proc.is_alive() and proc.pid is not None:
        os.kill(proc.pid, signal.SIGTERM)
        proc.join(timeout)
    if proc.is_alive():
        proc.kill()
        proc.join(timeout)
