"""The day's map in a real headless browser (Debian's chromium), served on loopback:
it loads offline without console errors or outside requests, and draws every route.

Needs ``/usr/bin/chromium`` (``apt-get install chromium``); skipped without it."""
from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from dispatch_seed import DAY, REGION, seed_day

from orders.schedule_runs import request_day, run_pending

pytest_plugins = ["db_fixtures"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    requested: list[str] = []

    def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
        _Quiet.requested.append(self.path)


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    return subprocess.run(
        [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--no-first-run",
         "--disable-extensions", "--disable-sync", f"--user-data-dir={profile}",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=4000",
         "--window-size=1000,700", *args],
        capture_output=True, text=True, timeout=120)


def test_map_in_headless_chromium(api, db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if db.dialect != "sqlite":
        pytest.skip("the page does not depend on the database backend")
    seed_day(db, engineers=4, installs=10, repairs=3)
    run = request_day(db, DAY, REGION, 1.0)
    run_pending(db)
    h = api.auth("dispatcher")
    page = api.client.get(f"/schedules/{run.id}/map.html", headers=h)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    routes = api.client.get(f"/schedules/{run.id}/routes", headers=h).json()
    n_routes = len(routes["routes"])
    n_jobs = sum(r["jobs"] for r in routes["routes"])
    n_unassigned = len(routes["unassigned"])
    assert n_routes >= 2
    site = tmp_path / "site"
    site.mkdir()
    (site / "map.html").write_text(page.text)

    _Quiet.requested = []
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/map.html"
    try:
        shot = tmp_path / "map.png"
        res = _chromium(tmp_path, f"--screenshot={shot}", url)
        assert shot.is_file(), res.stderr[-2000:]
        console = [line for line in res.stderr.splitlines() if "CONSOLE" in line]
        assert not console, "console messages:\n" + "\n".join(console)
        dom = _chromium(tmp_path, "--dump-dom", url).stdout
    finally:
        server.shutdown()
        server.server_close()
    # Only the page itself was fetched: Leaflet is inlined, there are no tiles or CDNs.
    assert "/map.html" in _Quiet.requested
    assert set(_Quiet.requested) <= {"/map.html", "/favicon.ico"}, _Quiet.requested
    # Leaflet drew one SVG path per route, per job marker and per unassigned marker.
    assert len(re.findall(r"<path[^>]*class=\"[^\"]*fs-route", dom)) == n_routes
    assert len(re.findall(r"<path[^>]*class=\"[^\"]*fs-job", dom)) == n_jobs
    assert len(re.findall(r"<path[^>]*class=\"[^\"]*fs-unassigned", dom)) == n_unassigned

    try:
        from PIL import Image
    except ImportError:  # pillow comes with matplotlib; without it, a coarse check
        assert shot.stat().st_size > 5_000
        return
    img = Image.open(shot).convert("RGB")
    colours = img.getcolors(maxcolors=1 << 20) or []
    background = max(colours)[1]
    drawn = sum(c for c, rgb in colours if rgb != background)
    assert len(colours) > 20 and drawn > 0.002 * img.width * img.height
