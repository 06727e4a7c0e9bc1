"""`openconductor send`: post one alert to a running server."""

from __future__ import annotations

import typer

from openconductor.cli.http import call_api, show_json


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
        token: str | None = typer.Option(
            None, "--token", envvar="OPENCONDUCTOR_TOKEN", help="A token of the generic integration, once it has one."
        ),
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
        headers = {"X-OpenConductor-Token": token} if token else {}
        show_json(call_api("POST", url, "/api/v1/alerts", json=body, headers=headers))
