"""Order intake through the real HTTP server, and allocation under contention.

    python -m benchmarks.intake_bench                       # SQLite and PostgreSQL
    python -m benchmarks.intake_bench --backends sqlite --orders 400
    python -m benchmarks.intake_bench --out benchmarks/results/intake.md

Per backend (a throwaway SQLite file; a throwaway PostgreSQL database on
127.0.0.1:5432, skipped when the server is unreachable):

1. ``fieldsched db upgrade``-equivalent migration, a seeded demo town, a billing key;
2. ``fieldsched serve`` (uvicorn, ``--workers``, default 1) on a free loopback port, started as a
   separate process through the CLI;
3. ``--clients`` concurrent httpx clients POST ``--orders`` TMF622 orders to distinct
   premises: throughput and p50/p95/max latency of the 201 answers, then the time
   until every order has left ``acknowledged`` (qualified, allocated, jobs created);
4. in-process allocation throughput: ``--clients`` threads, each with its own session,
   allocating for distinct premises of the town (plenty of capacity);
5. contention: 200 threads at once against a pool that can serve 80 orders
   (:mod:`inventory.samples`): throughput, winners/losers, and a check that no port,
   C-VLAN, ONU id or ONT was handed out twice.
"""
from __future__ import annotations

import argparse
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from inventory.allocation import AllocatedResources, allocate
from inventory.errors import AllocationError
from inventory.samples import CONTENDED_CAPACITY, contended_network
from orders import migrate
from orders.auth import create_api_key
from orders.db import Database
from orders.network_admin import list_premises, seed_town, store_network
from orders.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("FIELDSCHED_BENCH_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PO = "/tmf-api/productOrderingManagement/v4/productOrder"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


@contextmanager
def database(backend: str) -> Iterator[str | None]:
    """A URL for a throwaway database (``None`` when PostgreSQL is unreachable)."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 3})
    name = f"fieldsched_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        print(f"postgres: skipped ({exc.__class__.__name__}: {exc})", file=sys.stderr)
        admin.dispose()
        yield None
        return
    try:
        yield make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(url: str, workers: int = 1) -> Iterator[str]:
    """``fieldsched serve`` in its own process; yields the base URL once it answers."""
    port = free_port()
    env = {**os.environ, "FIELDSCHED_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--workers", str(workers)],
        env=env, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


def order_body(i: int, premise: str) -> dict[str, Any]:
    return {
        "externalId": f"BENCH-{i:06d}",
        "requestedCompletionDate": "2026-12-05T00:00:00Z",
        "billingAccount": {"id": f"BA-{i}"},
        "relatedParty": [{"id": f"CUST-{i}", "role": "customer"}],
        "productOrderItem": [{"id": "1", "action": "add",
                              "productOffering": {"id": ("FTTP-150", "FTTP-500",
                                                         "FTTP-900")[i % 3]},
                              "product": {"place": [{"id": premise}]}}],
    }


def run_clients(clients: int, jobs: list[Any],
                work: Callable[[Any, Any], float]) -> tuple[list[float], float]:
    """Split ``jobs`` over ``clients`` threads; returns per-job seconds and wall time."""
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)
    errors: list[BaseException] = []

    def client(share: list[Any]) -> None:
        try:
            state: dict[str, Any] = {}
            barrier.wait()
            for job in share:
                took = work(state, job)
                with lock:
                    latencies.append(took)
            if "close" in state:
                state["close"]()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(jobs[k::clients],))
               for k in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    if errors:
        raise errors[0]
    return latencies, wall


def bench_http(url: str, db: Database, orders: int, clients: int,
               workers: int) -> dict[str, Any]:
    premises, _ = list_premises(db, serviceable=True, region="Leeds", limit=orders)
    _, key = create_api_key(db, "billing", "bench")
    _, analyst = create_api_key(db, "analyst", "bench")
    with server(url, workers) as base:

        def post(state: dict[str, Any], job: tuple[int, str]) -> float:
            if "client" not in state:
                state["client"] = httpx.Client(base_url=base, timeout=60,
                                               headers={"Authorization": f"Bearer {key}"})
                state["close"] = state["client"].close
            t = time.perf_counter()
            r = state["client"].post(PO, json=order_body(*job))
            took = time.perf_counter() - t
            if r.status_code != 201:
                raise RuntimeError(f"{r.status_code}: {r.text[:200]}")
            return took

        jobs = [(i, p.id) for i, p in enumerate(premises)]
        t0 = time.perf_counter()
        latencies, wall = run_clients(clients, jobs, post)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {analyst}"},
                          timeout=30) as c:
            while True:
                left = int(c.get(PO, params={"state": "acknowledged", "limit": 1})
                           .headers["x-total-count"])
                if left == 0:
                    break
                time.sleep(0.05)
            done = time.perf_counter() - t0
            states = Counter()
            for state in ("inProgress", "rejected"):
                states[state] = int(c.get(PO, params={"state": state, "limit": 1})
                                    .headers["x-total-count"])
    return {"orders": len(jobs), "wall": wall, "throughput": len(jobs) / wall,
            "p50": percentile(latencies, 50) * 1000, "p95": percentile(latencies, 95) * 1000,
            "max": max(latencies) * 1000, "processed_s": done,
            "processed_rate": len(jobs) / done, "states": dict(states)}


def bench_allocation(db: Database, count: int, clients: int, skip: int) -> dict[str, Any]:
    premises, _ = list_premises(db, serviceable=True, region="Leeds", limit=count,
                                offset=skip)  # not the ones ordered over HTTP
    now = datetime.now(UTC)
    refused = Counter()

    def one(_: dict[str, Any], premise: str) -> float:
        t = time.perf_counter()
        try:
            db.run(lambda s: allocate(s, premise, f"ALLOC-{premise}", now))
        except AllocationError as exc:  # a congested cabinet
            refused[exc.reason] += 1
        return time.perf_counter() - t

    latencies, wall = run_clients(clients, [p.id for p in premises], one)
    return {"allocations": len(latencies), "wall": wall, "rate": len(latencies) / wall,
            "p50": percentile(latencies, 50) * 1000, "p95": percentile(latencies, 95) * 1000,
            "refused": sum(refused.values())}


def bench_contention(db: Database, requests: int = 200) -> dict[str, Any]:
    store_network(db, contended_network(premises=requests, prefix="CT", region="Contend",
                                        s_vlan=4000))
    now = datetime.now(UTC)
    won: list[AllocatedResources] = []
    lost: Counter[str] = Counter()
    lock = threading.Lock()

    def one(_: dict[str, Any], i: int) -> float:
        t = time.perf_counter()
        try:
            got = db.run(lambda s: allocate(s, f"CT{i:06d}", f"CONTEND-{i}", now))
            with lock:
                won.append(got)
        except AllocationError as exc:
            with lock:
                lost[exc.reason] += 1
        return time.perf_counter() - t

    latencies, wall = run_clients(requests, list(range(requests)), one)
    unique = all(max(Counter(key(r) for r in won).values()) == 1 for key in (
        lambda r: (r.splitter_id, r.splitter_port), lambda r: (r.s_vlan, r.c_vlan),
        lambda r: (r.pon_port_id, r.onu_id), lambda r: r.ont_serial))
    return {"requests": requests, "won": len(won), "capacity": CONTENDED_CAPACITY,
            "lost": dict(lost), "wall": wall, "rate": requests / wall,
            "p95": percentile(latencies, 95) * 1000, "unique": unique}


def run_backend(backend: str, orders: int, clients: int, premises: int,
                workers: int) -> dict[str, Any] | None:
    with database(backend) as url:
        if url is None:
            return None
        settings = Settings(database_url=url, db_pool_size=clients, db_max_overflow=20)
        db = Database(url, settings)
        try:
            migrate.upgrade(db.engine)
            t = time.perf_counter()
            seed_town(db, "Leeds", premises=premises, seed=1)
            seeded = time.perf_counter() - t
            http = bench_http(url, db, orders, clients, workers)
            alloc = bench_allocation(db, orders, clients, skip=orders)
            contention = bench_contention(db)
        finally:
            db.dispose()
    return {"backend": backend, "seed_s": seeded, "http": http, "alloc": alloc,
            "contention": contention}


def report(results: list[dict[str, Any]], args: argparse.Namespace, command: str) -> str:
    lines = [
        "# Order intake and allocation benchmark",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; server: `fieldsched serve` (uvicorn, "
        f"{args.workers} worker(s)) on loopback; {args.clients} concurrent httpx clients; "
        f"demo town Leeds with {args.premises} premises. Run on {datetime.now(UTC):%Y-%m-%d}; "
        f"1-minute load average when it started: {args.load_at_start:.1f} (shared machine).",
        "",
        "## Intake over HTTP (POST productOrder → 201 acknowledged)",
        "",
        "| backend | orders | wall s | orders/s | p50 ms | p95 ms | max ms | all processed after s "
        "| processed/s | end states |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        h = r["http"]
        lines.append(
            f"| {r['backend']} | {h['orders']} | {h['wall']:.2f} | {h['throughput']:.0f} | "
            f"{h['p50']:.1f} | {h['p95']:.1f} | {h['max']:.0f} | {h['processed_s']:.2f} | "
            f"{h['processed_rate']:.0f} | "
            + ", ".join(f"{k} {v}" for k, v in h["states"].items()) + " |")
    lines += [
        "",
        "Processing (qualification, allocation, jobs) runs in the server right after each "
        "201, so \"all processed\" is the time from the first POST until no order is left "
        "`acknowledged`.",
        "",
        f"## Allocation in-process ({args.clients} threads, own sessions, plenty of capacity)",
        "",
        "| backend | allocations | of which refused | wall s | allocations/s | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        a = r["alloc"]
        lines.append(f"| {r['backend']} | {a['allocations']} | {a['refused']} | {a['wall']:.2f} | "
                     f"{a['rate']:.0f} | {a['p50']:.1f} | {a['p95']:.1f} |")
    lines += [
        "",
        "## Allocation under contention (200 threads at once, pool for 80 orders)",
        "",
        "| backend | requests | served | capacity | refused (reason: count) | wall s | "
        "requests/s | p95 ms | nothing given twice |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        c = r["contention"]
        lost = ", ".join(f"{k}: {v}" for k, v in sorted(c["lost"].items()))
        lines.append(f"| {r['backend']} | {c['requests']} | {c['won']} | {c['capacity']} | "
                     f"{lost} | {c['wall']:.2f} | {c['rate']:.0f} | {c['p95']:.0f} | "
                     f"{'yes' if c['unique'] else 'NO'} |")
    lines += [
        "",
        "## Reading the figures",
        "",
        "- One uvicorn worker is one Python process: the intake rate is bound by its CPU "
        "(FastAPI, validation, SQLAlchemy; about 20-30 ms of CPU per order including its "
        "processing), not by the database. The 20 clients run on the same 2 cores, as does "
        "PostgreSQL, and the machine is shared with other work while this runs, so treat "
        "the rates as a floor.",
        "- SQLite serialises writers (`BEGIN IMMEDIATE`, queued on an in-process lock), "
        "PostgreSQL runs them concurrently; on one small machine the extra round trips of "
        "the client/server database cost more than the parallelism gains.",
        "- \"of which refused\": the demo town has a few congested cabinets on purpose "
        "(`no_spare_splitter_port` / `vlan_pool_exhausted` are reachable); those requests "
        "are answered, just not served.",
        "- Contention: the pool has 80 units (32 ports on PON A, 48 C-VLANs on PON B for its "
        "64 ports); exactly 80 requests are served and the other 120 are told "
        "`vlan_pool_exhausted` (the remaining free ports are on a PON without C-VLANs), "
        "with no port, C-VLAN, ONU id or ONT handed out twice.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--premises", type=int, default=12_000)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--out", type=Path, default=None, help="also write the report here")
    args = parser.parse_args(argv)
    args.load_at_start = os.getloadavg()[0]
    results = []
    for backend in args.backends.split(","):
        print(f"{backend}: running…", file=sys.stderr)
        result = run_backend(backend.strip(), args.orders, args.clients, args.premises,
                             args.workers)
        if result is not None:
            results.append(result)
    command = "python -m benchmarks.intake_bench " + " ".join(argv or sys.argv[1:])
    text_ = report(results, args, command.strip())
    print(text_)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text_)
    ok = all(r["contention"]["unique"] and r["contention"]["won"] == CONTENDED_CAPACITY
             for r in results)
    return 0 if ok and results else 1


if __name__ == "__main__":
    raise SystemExit(main())
