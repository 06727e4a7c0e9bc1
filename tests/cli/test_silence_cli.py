"""`openconductor silence add | list | expire` against a real server process."""

from __future__ import annotations

import json

import httpx
from typer.testing import CliRunner

from openconductor.cli.main import app


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def flat(output: str) -> str:
    """The output with the error box's borders and line wrapping taken out."""
    return " ".join(output.replace("│", " ").split())


def test_add_list_and_expire_a_silence(server_url: str) -> None:
    created = json.loads(
        run(
            "silence",
            "add",
            "--matcher",
            "service=checkout",
            "--matcher",
            "labels.alertname=~Disk.*",
            "--duration",
            "2h",
            "--comment",
            "disk swap",
            "--created-by",
            "ana",
            "--kind",
            "maintenance",
            "--url",
            server_url,
        )
    )
    assert (created["kind"], created["state"], created["created_by"]) == ("maintenance", "active", "ana")
    assert created["matchers"] == [
        {"name": "service", "value": "checkout", "op": "="},
        {"name": "labels.alertname", "value": "Disk.*", "op": "=~"},
    ]

    alert = httpx.post(
        f"{server_url}/api/v1/alerts",
        json={"title": "Disk full", "service": "checkout", "labels": {"alertname": "DiskFull"}},
    ).json()["alerts"][0]
    assert httpx.get(f"{server_url}/api/v1/alerts/{alert['alert_id']}").json()["suppressed_by"] == created["id"]

    listed = run("silence", "list", "--url", server_url)
    assert created["id"] in listed and "service=checkout" in listed
    assert [s["id"] for s in json.loads(run("silence", "list", "--json", "--url", server_url))["items"]] == [
        created["id"]
    ]

    expired = json.loads(run("silence", "expire", created["id"], "--url", server_url))
    assert expired["state"] == "expired"
    assert json.loads(run("silence", "list", "--json", "--url", server_url))["items"] == []
    with_expired = json.loads(run("silence", "list", "--json", "--include-expired", "--url", server_url))
    assert [s["id"] for s in with_expired["items"]] == [created["id"]]


def test_errors_from_the_server_and_the_command_line(server_url: str) -> None:
    runner = CliRunner()
    # The matcher is checked before anything is sent; the server checks the rest.
    bad_regex = runner.invoke(app, ["silence", "add", "-m", "title=~Disk[", "-d", "1h", "-c", "x", "--url", server_url])
    assert bad_regex.exit_code == 2
    assert "expected a valid regular expression" in flat(bad_regex.output)
    assert "title=~Disk[" in flat(bad_regex.output)

    bad_kind = runner.invoke(
        app, ["silence", "add", "-m", "service=a", "-d", "1h", "-c", "x", "--kind", "nap", "--url", server_url]
    )
    assert bad_kind.exit_code == 1
    assert "kind: expected silence or maintenance" in flat(bad_kind.output)

    no_operator = runner.invoke(app, ["silence", "add", "-m", "service", "-d", "1h", "-c", "x", "--url", server_url])
    assert no_operator.exit_code == 2
    assert "expected name=value" in flat(no_operator.output)

    unknown = runner.invoke(app, ["silence", "expire", "sil_nope", "--url", server_url])
    assert unknown.exit_code == 1
    assert "not found" in flat(unknown.output)
