"""`openconductor send` against a real server: the alert is stored, and errors say what went wrong."""

from __future__ import annotations

import httpx
import orjson
from e2e_support import free_port
from typer.testing import CliRunner

from openconductor.cli.main import app


def test_send_stores_the_alert_with_its_labels(server_url: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "send",
            "disk 95% full on db-1",
            "-s",
            "critical",
            "--service",
            "orders",
            "-e",
            "prod",
            "-l",
            "team=storage",
            "--url",
            server_url,
        ],
    )
    assert result.exit_code == 0, result.output
    answer = orjson.loads(result.output)
    assert answer["accepted"] == 1
    alert = httpx.get(f"{server_url}/api/v1/alerts/{answer['alerts'][0]['alert_id']}").json()
    assert (alert["title"], alert["severity"], alert["service"], alert["environment"]) == (
        "disk 95% full on db-1",
        "critical",
        "orders",
        "prod",
    )
    assert alert["labels"] == {"team": "storage"}


def test_send_reports_a_refusal_and_an_unreachable_server(server_url: str) -> None:
    refused = CliRunner().invoke(app, ["send", "x", "--status", "exploded", "--url", server_url])
    assert refused.exit_code == 1
    # Rich wraps long lines: compare with the wrapping taken out.
    assert "status: expected one of firing, resolved" in " ".join(refused.output.split())
    nobody = f"http://127.0.0.1:{free_port()}"
    unreachable = CliRunner().invoke(app, ["send", "x", "--url", nobody])
    assert unreachable.exit_code == 2
    assert "could not reach" in unreachable.output
