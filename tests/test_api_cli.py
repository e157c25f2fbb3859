"""The order backbone's CLI commands, and `fieldsched serve` as a real HTTP server."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from api.cli import app
from orders import migrate

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A fresh SQLite database, selected through FIELDSCHED_DATABASE_URL, and another cwd."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FIELDSCHED_DATABASE_URL", url)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # migrations must not depend on the working directory
    return {"FIELDSCHED_DATABASE_URL": url}


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def test_db_seed_keys_engineers_roster(env: dict[str, str], tmp_path: Path) -> None:
    assert f"revision {migrate.head_revision()}" in run("db", "upgrade")
    assert "up to date" in run("db", "current")
    out = run("inventory", "seed", "--town", "Wakefield", "--premises", "400", "--seed", "2")
    assert "400" in out
    again = runner.invoke(app, ["inventory", "seed", "--town", "Wakefield"])
    assert again.exit_code == 1 and "region_exists" in again.output
    assert "Wakefield" in run("inventory", "premises", "--serviceable", "--limit", "3")
    assert "free ports" in run("inventory", "capacity", "--region", "Wakefield")

    key = run("apikey", "create", "--role", "dispatcher", "--name", "ops").strip()
    assert key.startswith("fsk_") and len(key) > 40
    assert "ops" in run("apikey", "list") and key not in run("apikey", "list")
    bad_role = runner.invoke(app, ["apikey", "create", "--role", "boss", "--name", "x"])
    assert bad_role.exit_code == 1 and "unknown role" in bad_role.output

    engineers = tmp_path / "engineers.csv"
    engineers.write_text("id,name,home_lon,home_lat,skills\n"
                         "W1,Wendy,-1.4977,53.6833,install;precable\nW2,Will,-1.49,53.68,install\n")
    assert "2 created" in run("engineers", "import", str(engineers))
    assert "Wakefield" in run("engineers", "list")
    roster = tmp_path / "roster.csv"
    roster.write_text("engineer_id,date,start,end\nW1,2026-11-23,08:00,17:00\n"
                      "W2,2026-11-23,09:00,18:00\n")
    assert "2 created" in run("roster", "import", str(roster))
    assert "2 shifts" in run("roster", "list", "--date", "2026-11-23")
    roster.write_text("engineer_id,date,start,end\nW1,2026-11-23,17:00,08:00\n")
    bad = runner.invoke(app, ["roster", "import", str(roster)])
    assert bad.exit_code == 1 and "line 2: end" in bad.output

    engineer_key = run("apikey", "create", "--role", "engineer", "--engineer", "W1",
                       "--name", "Wendy's phone").strip()
    assert engineer_key.startswith("fsk_")


def test_inventory_load_command(env: dict[str, str], tmp_path: Path) -> None:
    run("db", "upgrade")
    area = [[[-1.1, 53.95], [-1.08, 53.95], [-1.08, 53.97], [-1.1, 53.97], [-1.1, 53.95]]]
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": area},
         "properties": {"id": "Y-CAB", "kind": "cabinet", "region": "York"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-1.09, 53.96]},
         "properties": {"id": "Y1", "street_nr": "1", "street_name": "Petergate",
                        "postcode": "YO1 7HH"}},
    ]}
    path = tmp_path / "york.geojson"
    path.write_text(json.dumps(doc))
    out = run("inventory", "load", str(path))
    assert "splitters" in out
    assert "Y1" in run("inventory", "premises", "--region", "York")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_end_to_end_over_http(env: dict[str, str]) -> None:
    """`fieldsched serve` in its own process; an order goes in and comes out processed."""
    run("db", "upgrade")
    run("inventory", "seed", "--town", "Harrogate", "--premises", "300", "--seed", "1")
    key = run("apikey", "create", "--role", "billing", "--name", "billing").strip()
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, cwd=str(ROOT),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {key}"}
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
            for _ in range(100):
                try:
                    client.get("/openapi.json")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            premise = client.get("/inventory/premises",
                                 params={"serviceable": True, "limit": 1}).json()["items"][0]
            order = {"externalId": "E2E-1", "billingAccount": {"id": "BA-1"},
                     "productOrderItem": [{"id": "1", "action": "add",
                                           "productOffering": {"id": "FTTP-150"},
                                           "product": {"place": [{"id": premise["id"]}]}}]}
            created = client.post("/tmf-api/productOrderingManagement/v4/productOrder",
                                  json=order)
            assert created.status_code == 201 and created.json()["state"] == "acknowledged"
            href = created.headers["location"]
            for _ in range(50):
                state = client.get(href).json()
                if state["state"] != "acknowledged":
                    break
                time.sleep(0.1)
            assert state["state"] == "inProgress"
            assert state["allocatedResources"]["status"] == "active" and state["jobs"]
            assert [h["state"] for h in state["stateHistory"]] == ["acknowledged", "inProgress"]
            assert client.get("/jobs").status_code == 403
    finally:
        process.terminate()
        process.wait(timeout=10)
