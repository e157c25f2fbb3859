"""``fieldsched demo-flow``: the whole seed flow against the real HTTP API.

A demo town's network is seeded into a fresh embedded SQLite database, the API server
starts (``fieldsched serve``, with the billing relay), billing subscribes its reference
receiver on the TMF hub and posts orders, every install gets an appointment, the
pre-cable day and the install day are scheduled, simulated engineers sign their jobs off,
provisioning and line tests run, and billing receives the signed completion events.
Prints the order funnel and writes the install day's map.
"""
from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from api.commands.field_sim import billing_receiver, simulate_field_day, wait_for_events
from orders import migrate
from orders.auth import create_api_key
from orders.booking_demo import seed_workforce
from orders.db import Database
from orders.network_admin import seed_town

console = Console()
PO = "/tmf-api/productOrderingManagement/v4/productOrder"
APPT = "/tmf-api/appointment/v4"


def _wait_http(client: httpx.Client, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the API server exited; see its log")
        try:
            if client.get("/openapi.json").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the API server did not start")


def _schedule(client: httpx.Client, h: dict[str, str], db: Database, day: date,
              time_limit: float, seed: int) -> dict[str, Any]:
    """Queue the day through the API; solve it here when no worker takes it."""
    from orders.schedule_runs import claim_next, execute_run

    r = client.post("/schedules", json={"date": day.isoformat(), "time_limit": time_limit,
                                        "seed": seed}, headers=h)
    r.raise_for_status()
    run = r.json()
    waited = 0.0
    while run["status"] in ("queued", "running"):
        time.sleep(0.5)
        waited += 0.5
        run = client.get(f"/schedules/{run['id']}", headers=h).json()
        if run["status"] == "queued" and waited >= 3:
            claimed = claim_next(db)
            if claimed:
                execute_run(db, claimed)
    if run["status"] != "done":
        raise RuntimeError(f"schedule of {day} {run['status']}: {run.get('error')}")
    return run


def flow_demo_command(
    town: Annotated[str, typer.Option(help="Demo town (its network is generated).")]
    = "Demoville",
    premises: Annotated[int, typer.Option(help="Premises in the town.", min=50)] = 800,
    orders: Annotated[int, typer.Option(help="Orders billing posts.", min=1)] = 30,
    engineers: Annotated[int, typer.Option(help="Engineers rostered.", min=1)] = 6,
    time_limit: Annotated[float, typer.Option(help="Solver seconds per day.", min=0.5)] = 5.0,
    seed: Annotated[int, typer.Option(help="Seed of town, orders and sign-offs.")] = 7,
    port: Annotated[int, typer.Option(help="Port of the demo API server (0: a free one).")]
    = 0,
    out: Annotated[Path, typer.Option(help="Folder for the database, log and map.")]
    = Path("out/flow-demo"),
) -> dict[str, int]:
    """Run the seed flow end to end over HTTP and print the order funnel."""
    if port == 0:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
    out.mkdir(parents=True, exist_ok=True)
    for f in out.glob("fieldsched.db*"):
        f.unlink()
    url = f"sqlite:///{(out / 'fieldsched.db').resolve()}"
    db = Database(url)
    migrate.upgrade(db.engine)
    rng = random.Random(seed)
    with console.status(f"seeding {town} ({premises} premises)…"):
        seed_town(db, town, premises, seed)
    today = datetime.now(UTC).date()
    pre_day, install_day = today + timedelta(days=1), today + timedelta(days=2)
    keys = {role: create_api_key(db, role, f"demo {role}")[1]
            for role in ("billing", "booking", "dispatcher")}
    repo = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(p for p in (repo, os.environ.get("PYTHONPATH")) if p)
    env = dict(os.environ, PYTHONPATH=path, FIELDSCHED_DATABASE_URL=url,
               FIELDSCHED_SIM_OLT_FAILURE_RATE="0.1",
               FIELDSCHED_SIM_OLT_SEED=str(seed), FIELDSCHED_BILLING_POLL_INTERVAL_S="0.2",
               FIELDSCHED_PROVISIONING_BASE_DELAY_S="0.05")
    log = (out / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port),
                             "--log-level", "warning"], env=env, stdout=log, stderr=log)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
    receiver = None
    try:
        _wait_http(client, proc, 60)
        auth = {r: {"Authorization": f"Bearer {k}"} for r, k in keys.items()}
        receiver = billing_receiver(client, keys["billing"])
        listed = client.get("/inventory/premises", params={"serviceable": "true",
                                                           "limit": 1000},
                            headers=auth["billing"]).json()["items"]
        chosen = rng.sample(listed, min(orders, len(listed)))
        center = (sum(p["lon"] for p in chosen) / len(chosen),
                  sum(p["lat"] for p in chosen) / len(chosen))
        region = chosen[0]["region"]
        staff = seed_workforce(db, region, center, engineers, [pre_day, install_day],
                               random.Random(seed), spread=0.01)
        eng_keys = {e: create_api_key(db, "engineer", e, e)[1] for e in staff}

        ids = []
        for k, p in enumerate(chosen):
            r = client.post(PO, headers=auth["billing"], json={
                "externalId": f"DEMO-{seed}-{k:04d}", "billingAccount": {"id": f"BA-{k}"},
                "productOrderItem": [{"id": "1", "action": "add",
                                      "productOffering": {"id": rng.choice(
                                          ["FTTP-150", "FTTP-500", "FTTP-900"])},
                                      "product": {"place": [{"id": p["id"],
                                                             "role": "installationAddress"}]}}]})
            r.raise_for_status()
            ids.append(r.json()["id"])
        states = {}
        for oid in ids:
            for _ in range(100):
                states[oid] = client.get(f"{PO}/{oid}", headers=auth["billing"]).json()["state"]
                if states[oid] != "acknowledged":
                    break
                time.sleep(0.1)
        qualified = [o for o in ids if states[o] == "inProgress"]

        booked = 0
        start = datetime.combine(install_day, datetime.min.time(), UTC)
        for oid in qualified:
            period = {"startDateTime": start.isoformat(),
                      "endDateTime": (start + timedelta(days=1)).isoformat()}
            r = client.post(f"{APPT}/searchTimeSlot", headers=auth["booking"], json={
                "relatedEntity": [{"id": oid}], "requestedTimeSlot": [{"validFor": period}]})
            slots = r.json().get("availableTimeSlot", []) if r.status_code == 201 else []
            for slot in slots:
                b = client.post(f"{APPT}/appointment", headers=auth["booking"], json={
                    "relatedEntity": [{"id": oid}], "validFor": slot["validFor"]})
                if b.status_code == 201:
                    booked += 1
                    break

        scheduled: set[str] = set()
        runs = {}
        counts: dict[str, int] = {}
        for day in (pre_day, install_day):
            with console.status(f"scheduling {day}…"):
                runs[day] = _schedule(client, auth["dispatcher"], db, day, time_limit, seed)
            routes = client.get(f"/schedules/{runs[day]['id']}/routes",
                                headers=auth["dispatcher"]).json()
            for route in routes.get("routes", []):
                for step in route.get("steps", []):
                    if step.get("job"):
                        scheduled.add(step["job"].rsplit("-", 1)[0])
            with console.status(f"engineers sign off {day}…"):
                for k, v in simulate_field_day(client, eng_keys, day, seed=seed).items():
                    counts[k] = counts.get(k, 0) + v
        final = {o: client.get(f"{PO}/{o}", headers=auth["billing"]).json()["state"]
                 for o in ids}
        completed = [o for o, s in final.items() if s == "completed"]
        wait_for_events(receiver, len(completed), 60)
        page = client.get(f"/schedules/{runs[install_day]['id']}/map.html",
                          headers=auth["dispatcher"])
        if page.status_code == 200:
            (out / "map.html").write_text(page.text)

        funnel = {"acknowledged": len(ids), "qualified": len(qualified), "booked": booked,
                  "scheduled": len({o for o in qualified if o in scheduled}),
                  "completed": len(completed), "billed": len(receiver.events),
                  "held": sum(1 for s in final.values() if s == "held"),
                  "duplicates": receiver.duplicates, "refused": len(receiver.rejected)}
        table = Table(title=f"Order funnel — {town}, installs on {install_day}")
        table.add_column("stage")
        table.add_column("orders", justify="right")
        for stage in ("acknowledged", "qualified", "booked", "scheduled", "completed"):
            table.add_row(stage, str(funnel[stage]))
        table.add_row("billing received (signed, verified)", str(funnel["billed"]))
        console.print(table)
        console.print("field: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        console.print(f"held for rebook/repair: {funnel['held']}; duplicates at billing: "
                      f"{funnel['duplicates']}; refused signatures: {funnel['refused']}")
        console.print(f"wrote {out / 'map.html'} (server log {out / 'server.log'})")
        return funnel
    finally:
        if receiver is not None:
            receiver.stop()
        client.close()
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        db.dispose()
