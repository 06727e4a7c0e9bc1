"""A real server for the commands that talk to one (send, silence, topology), on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import ServerProcess


@pytest.fixture
def server_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    server = ServerProcess(database_url=database_url, data_dir=tmp_path, log_path=tmp_path / "server.log")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
