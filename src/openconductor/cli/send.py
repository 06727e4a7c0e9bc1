"""`openconductor send`: post one alert to a running server."""

from __future__ import annotations

import httpx
import orjson
import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    @app.command()
    def send(
        title: str = typer.Argument(..., help="What is wrong."),
        severity: str = typer.Option("warning", "--severity", "-s"),
        status: str = typer.Option("firing", "--status", help="firing or resolved"),
        service: str | None = typer.Option(None, "--service"),
        resource: str | None = typer.Option(None, "--resource"),
        environment: str | None = typer.Option(None, "--environment", "-e"),
        description: str | None = typer.Option(None, "--description"),
        label: list[str] = typer.Option([], "--label", "-l", help="key=value, repeatable"),
        fingerprint: str | None = typer.Option(None, "--fingerprint"),
        url: str = typer.Option("http://127.0.0.1:8080", "--url", envvar="OPENCONDUCTOR_URL"),
    ) -> None:
        """Send one alert in the generic format."""
        labels = {}
        for item in label:
            key, sep, value = item.partition("=")
            if not sep:
                raise typer.BadParameter(f"expected key=value, got {item!r}", param_hint="--label")
            labels[key] = value
        body = {
            key: value
            for key, value in {
                "title": title,
                "severity": severity,
                "status": status,
                "service": service,
                "resource": resource,
                "environment": environment,
                "description": description,
                "labels": labels,
                "fingerprint": fingerprint,
            }.items()
            if value not in (None, {})
        }
        console = Console()
        try:
            response = httpx.post(f"{url.rstrip('/')}/api/v1/alerts", json=body, timeout=10)
        except httpx.HTTPError as error:
            console.print(f"[red]could not reach {url}: {error}[/red]")
            raise typer.Exit(2) from error
        if response.status_code >= 400:
            console.print(f"[red]{response.status_code}[/red] {response.text}")
            raise typer.Exit(1)
        console.print_json(orjson.dumps(response.json()).decode())
