"""`openconductor topology load | show`: give a running server its service topology, and read it back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import typer
import yaml
from rich.console import Console
from rich.table import Table

from openconductor.cli.http import call_api, show_json

ServerUrl = typer.Option("http://127.0.0.1:8080", "--url", envvar="OPENCONDUCTOR_URL")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The service topology the correlation engine links alerts by.")
    app.add_typer(group, name="topology")

    @group.command("load")
    def load(
        path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A .yaml, .yml or .json file."),
        url: str = ServerUrl,
    ) -> None:
        """Replace the server's topology with the one in PATH (see docs/api.md#topology for the shape)."""
        show_json(call_api("PUT", url, "/api/v1/topology", json=_read_document(path)))

    @group.command("show")
    def show(
        as_json: bool = typer.Option(False, "--json", help="Print the API's JSON answer."),
        url: str = ServerUrl,
    ) -> None:
        """Show the topology the server uses."""
        answer = call_api("GET", url, "/api/v1/topology")
        if as_json:
            show_json(answer)
            return
        services = Table("environment", "service", "layer", "region", "team", title="services")
        for service in answer.get("services", []):
            services.add_row(
                *(str(service.get(key) or "") for key in ("environment", "name", "layer", "region", "team"))
            )
        dependencies = Table("from", "to", "environment", title="dependencies")
        for dependency in answer.get("dependencies", []):
            dependencies.add_row(str(dependency.get("from")), str(dependency.get("to")), _environments(dependency))
        console = Console(width=200)
        console.print(services)
        console.print(dependencies)


def _read_document(path: Path) -> Any:
    text = path.read_bytes()
    try:
        return yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else orjson.loads(text)
    except (yaml.YAMLError, orjson.JSONDecodeError) as error:
        raise typer.BadParameter(f"{path}: not valid {path.suffix.lstrip('.') or 'JSON'}: {error}") from error


def _environments(dependency: dict[str, Any]) -> str:
    if "from_environment" in dependency or "to_environment" in dependency:
        return f"{dependency.get('from_environment', '')} -> {dependency.get('to_environment', '')}"
    return str(dependency.get("environment") or "every environment with both")
