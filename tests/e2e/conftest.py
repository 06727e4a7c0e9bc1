"""Running OpenConductor as a real server process, for tests that kill it or point real tools at it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from e2e_support import ServerProcess


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
