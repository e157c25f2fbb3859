"""A reference receiver for billing: verifies Standard Webhooks signatures, deduplicates by
``webhook-id`` and keeps what it got. Tests and the demo use it; billing can copy it.

``mode`` makes it misbehave on purpose: ``"error"`` answers 500, ``"slow"`` waits
``slow_s`` before answering (a relay time-out), ``"gone"`` answers 410. ``stop()`` then
``start()`` on the same port simulates an endpoint that is down for a while.

Run standalone: ``python -m billing_hook.receiver --port 9100 --secret whsec_…``.
"""
from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from billing_hook.signing import DEFAULT_TOLERANCE_S, WebhookVerificationError, verify


class ReferenceReceiver:
    def __init__(self, secret: str, host: str = "127.0.0.1", port: int = 0,
                 log_path: Path | None = None, tolerance_s: int = DEFAULT_TOLERANCE_S):
        self.secret = secret
        self.host, self.port = host, port
        self.log_path = log_path
        self.tolerance_s = tolerance_s
        self.mode = "ok"
        self.slow_s = 5.0
        self.on_request: Callable[[str], None] | None = None  # called with each webhook-id
        self.events: dict[str, dict[str, Any]] = {}  # webhook-id -> first body received
        self.arrivals: list[str] = []  # every verified delivery, duplicates included
        self.rejected: list[str] = []  # why unverifiable messages were refused
        self.requests = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/billing/events"

    @property
    def duplicates(self) -> int:
        return len(self.arrivals) - len(self.events)

    def start(self) -> ReferenceReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                status = receiver.handle(body, {k.lower(): v for k, v in self.headers.items()})
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name=f"receiver-{self.port}")
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def handle(self, body: bytes, headers: dict[str, str]) -> int:
        """The answer to one delivery (also usable without the HTTP server)."""
        with self._lock:
            self.requests += 1
        msg_id = headers.get("webhook-id", "")
        if self.on_request:
            self.on_request(msg_id)
        mode = self.mode
        if mode == "error":
            return 500
        if mode == "gone":
            return 410
        if mode == "slow":
            time.sleep(self.slow_s)
        try:
            verify(self.secret, body, headers, tolerance_s=self.tolerance_s)
            payload = json.loads(body)
        except (WebhookVerificationError, ValueError) as exc:
            with self._lock:
                self.rejected.append(str(exc))
            return 401
        with self._lock:
            self.arrivals.append(msg_id)
            if msg_id in self.events:
                return 204  # a duplicate: acknowledged, not processed again
            self.events[msg_id] = payload
            if self.log_path is not None:
                with self.log_path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps({"webhook-id": msg_id, "payload": payload}) + "\n")
        return 204


def main() -> None:  # pragma: no cover - manual tool
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--log", type=Path, help="append verified events here (JSON lines)")
    args = parser.parse_args()
    receiver = ReferenceReceiver(args.secret, args.host, args.port, args.log).start()
    print(f"listening on {receiver.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        receiver.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
