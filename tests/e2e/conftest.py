"""Running OpenConductor as a real server process, for tests that kill it or point real tools at it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from e2e_support import free_port


class ServerProcess:
    def __init__(self, *, database_url: str, data_dir: Path, log_path: Path) -> None:
        self.database_url = database_url
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "openconductor.cli.main",
                "serve",
                "--port",
                str(self.port),
                "--database-url",
                self.database_url,
                "--data-dir",
                str(self.data_dir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "OPENCONDUCTOR_SWEEP_INTERVAL_SECONDS": "1"},
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready in {timeout}s: {self.log_path.read_text()[-2000:]}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    started: list[ServerProcess] = []

    @contextmanager
    def run(database_url: str) -> Iterator[ServerProcess]:
        server = ServerProcess(database_url=database_url, data_dir=tmp_path, log_path=tmp_path / "server.log")
        started.append(server)
        server.start()
        try:
            yield server
        finally:
            server.stop()

    yield run
    for server in started:
        server.stop()
