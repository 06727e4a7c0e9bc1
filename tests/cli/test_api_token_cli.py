"""The CLI sends OPENCONDUCTOR_API_TOKEN to a server that requires one, and `send --token` an ingest token."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import ServerProcess
from typer.testing import CliRunner

from openconductor.cli.main import app

API_TOKEN = "cli-api-token-0123456789"


@pytest.fixture
def guarded_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("OPENCONDUCTOR_API_TOKEN", API_TOKEN)  # the server reads it, and so does the CLI
    server = ServerProcess(
        database_url=f"sqlite:///{tmp_path / 'cli.db'}", data_dir=tmp_path, log_path=tmp_path / "server.log"
    )
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def test_the_cli_sends_the_api_token(guarded_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    issued = runner.invoke(app, ["integrations", "token", "create", "generic", "--name", "cli", "--url", guarded_url])
    assert issued.exit_code == 0, issued.output
    ingest_token = json.loads(issued.output)["token"]

    sent = runner.invoke(app, ["send", "Disk full on db-1", "--token", ingest_token, "--url", guarded_url])
    assert sent.exit_code == 0, sent.output
    refused = runner.invoke(app, ["send", "Disk full on db-1", "--url", guarded_url])
    assert refused.exit_code == 1 and "401" in refused.output

    monkeypatch.delenv("OPENCONDUCTOR_API_TOKEN")
    listed = runner.invoke(app, ["integrations", "token", "list", "generic", "--url", guarded_url])
    assert listed.exit_code == 1 and "401" in listed.output
