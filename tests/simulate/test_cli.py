"""The `simulate` command: N lines, byte-identical reruns, topology file, Alertmanager bodies."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from openconductor.cli.simulate import register


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Keeps `simulate` a sub-command even when it is the only one."""

    register(app)
    return app


def run(app: typer.Typer, *args: str) -> None:
    result = CliRunner().invoke(app, ["simulate", *args])
    assert result.exit_code == 0, result.output


def test_writes_n_lines_and_a_topology(app: typer.Typer, tmp_path: Path) -> None:
    out, topology_out = tmp_path / "alerts.jsonl", tmp_path / "topology.json"
    run(
        app,
        "--profile",
        "small",
        "--alerts",
        "2500",
        "--seed",
        "4",
        "--out",
        str(out),
        "--topology-out",
        str(topology_out),
    )
    lines = out.read_bytes().splitlines()
    assert len(lines) == 2500
    assert all(orjson.loads(line)["_truth"]["group"] for line in lines)
    topology = orjson.loads(topology_out.read_bytes())
    assert {"name", "layer", "environment", "region", "team"} <= set(topology["services"][0])
    names = {s["name"] for s in topology["services"]}
    assert all(edge["from"] in names and edge["to"] in names for edge in topology["dependencies"])
    layers = {s["layer"] for s in topology["services"]}
    assert {"edge", "frontend", "api", "worker", "database", "host", "k8s_node", "network"} <= layers


def test_same_arguments_give_identical_bytes(app: typer.Typer, tmp_path: Path) -> None:
    outputs = []
    for name, seed in (("a", "9"), ("b", "9"), ("c", "10")):
        out = tmp_path / f"{name}.jsonl"
        run(app, "--profile", "midsize", "--alerts", "3000", "--seed", seed, "--out", str(out))
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0] != outputs[2]


def test_alertmanager_format_has_the_webhook_shape(app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "am.jsonl"
    run(app, "--profile", "midsize", "--alerts", "3000", "--seed", "2", "--format", "alertmanager", "--out", str(out))
    bodies = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert sum(len(body["alerts"]) for body in bodies) == 3000
    assert any(len(body["alerts"]) > 1 for body in bodies)
    received = [body["_received_at"] for body in bodies]
    assert received == sorted(received)
    for body in bodies:
        assert body["version"] == "4" and body["truncatedAlerts"] == 0
        assert body["status"] in ("firing", "resolved")
        assert body["groupLabels"] == {"alertname": body["alerts"][0]["labels"]["alertname"]}
        assert body["groupKey"].endswith(f':{{alertname="{body["groupLabels"]["alertname"]}"}}')
        assert set(body) >= {"receiver", "commonLabels", "commonAnnotations", "externalURL"}
        for alert in body["alerts"]:
            assert alert["labels"]["alertname"] == body["groupLabels"]["alertname"]
            assert body["commonLabels"].items() <= alert["labels"].items()
            assert re.fullmatch(r"[0-9a-f]{16}", alert["fingerprint"])
            assert (alert["endsAt"] == "0001-01-01T00:00:00Z") == (alert["status"] == "firing")
            assert {"group", "kind", "root_cause"} <= set(alert["_truth"])
            assert alert["generatorURL"].startswith("http")


def test_unknown_profile_is_a_usage_error(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["simulate", "--profile", "nope", "--alerts", "5", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "nope" in result.output
