"""Helpers for tests that run real monitoring tools: find the binary, run it for the test, serve metrics."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from support import require_external


def binary(name: str, *, package: str) -> str:
    """The path of `name`; skips the test (fails it in CI) when the Debian package is not installed."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if path is None:
        require_external(f"{name} is not installed (Debian package {package})")
    assert path is not None
    return path


@contextmanager
def running(
    args: Sequence[str], *, log_path: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a tool for the duration of the block; stop it (and kill it if it lingers) whatever happens."""
    with log_path.open("ab") as log:
        process = subprocess.Popen(list(args), stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def tail(path: Path, size: int = 3000) -> str:
    """The end of a tool's log, for assertion messages."""
    return path.read_text(errors="replace")[-size:] if path.exists() else "(no log)"


class MetricsExporter:
    """A tiny Prometheus exporter on a free loopback port: /metrics serves `name` with the current value."""

    def __init__(self, name: str, *, labels: dict[str, str], value: float = 0.0) -> None:
        self.name = name
        self.labels = labels
        self.value = value
        self.scrapes = 0
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] != "/metrics":
                    self.send_error(404)
                    return
                body = exporter.render().encode()
                exporter.scrapes += 1
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # scrapes every second: keep quiet
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def render(self) -> str:
        shown = ",".join(f'{key}="{value}"' for key, value in sorted(self.labels.items()))
        return f"# HELP {self.name} Demo gauge set by the test.\n# TYPE {self.name} gauge\n{self.name}{{{shown}}} {self.value}\n"

    def __enter__(self) -> MetricsExporter:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def ready(url: str) -> bool:
    return httpx.get(url, timeout=1).status_code == 200
