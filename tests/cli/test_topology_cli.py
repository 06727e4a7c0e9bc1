"""`openconductor topology load | show` against a real server process."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from openconductor.cli.main import app

TOPOLOGY_YAML = """\
services:
  - {name: web, environment: prod, team: shop}
  - {name: checkout, environment: prod}
  - {name: web, environment: staging}
  - {name: checkout, environment: staging}
dependencies:
  - {from: web, to: checkout}
"""


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_load_a_yaml_file_then_show_it(server_url: str, tmp_path: Path) -> None:
    path = tmp_path / "topology.yaml"
    path.write_text(TOPOLOGY_YAML)

    loaded = json.loads(run("topology", "load", str(path), "--url", server_url))
    # The dependency names no environment: it applies in both.
    assert loaded == {"services": 4, "dependencies": 2, "environments": ["prod", "staging"]}

    shown = json.loads(run("topology", "show", "--json", "--url", server_url))
    assert [s["name"] for s in shown["services"]] == ["web", "checkout", "web", "checkout"]
    assert shown["dependencies"] == [{"from": "web", "to": "checkout"}]
    table = run("topology", "show", "--url", server_url)
    assert "shop" in table and "every environment with both" in table


def test_a_json_file_with_unknown_services_is_refused_by_name(server_url: str, tmp_path: Path) -> None:
    path = tmp_path / "topology.json"
    path.write_text(
        json.dumps(
            {
                "services": [{"name": "web", "environment": "prod"}, {"environment": "prod"}],
                "dependencies": [{"from": "web", "to": "payments", "environment": "prod"}],
            }
        )
    )
    result = CliRunner().invoke(app, ["topology", "load", str(path), "--url", server_url])
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "422" in output and "services[1].name" in output and "dependencies[0]" in output
    assert "'payments'" in output
    # Nothing was stored.
    assert json.loads(run("topology", "show", "--json", "--url", server_url)) == {"services": [], "dependencies": []}


def test_a_file_that_is_not_yaml_is_refused_before_sending(tmp_path: Path) -> None:
    path = tmp_path / "topology.yaml"
    path.write_text("services: [unclosed\n")
    result = CliRunner().invoke(app, ["topology", "load", str(path), "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "not valid yaml" in " ".join(result.output.split())
