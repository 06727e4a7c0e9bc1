"""`openconductor integrations list | docs | token create/list/revoke`: the tools that can send, and their tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from openconductor.cli.http import call_api, show_json
from openconductor.core.tokens import endpoint_of
from openconductor.ingest.catalog import MAPPING, MAPPING_ENDPOINT, regenerate, with_current_table
from openconductor.ingest.registry import INTEGRATIONS

ServerUrl = typer.Option("http://127.0.0.1:8080", "--url", envvar="OPENCONDUCTOR_URL")
DOCS = Path("docs/integrations.md")


def _tokens_path(integration: str) -> str:
    return f"{endpoint_of(integration)}/tokens"


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Integrations (inbound tools) and the tokens that let them send.")
    app.add_typer(group, name="integrations")
    tokens = typer.Typer(help="Create, list and revoke an integration's tokens on a running server.")
    group.add_typer(tokens, name="token")

    @group.command("list")
    def list_() -> None:
        """Every integration this version offers: endpoint, quality tier, docs page."""
        table = Table("slug", "tool", "endpoint", "quality", "docs")
        for slug, module in sorted(INTEGRATIONS.items()):
            info = module.INFO
            table.add_row(slug, info.name, f"/api/v1/integrations/{slug}", info.quality, info.docs)
        table.add_row(MAPPING.slug, MAPPING.name, MAPPING_ENDPOINT, MAPPING.quality, MAPPING.docs)
        Console().print(table)

    @group.command("docs")
    def docs(
        path: Path = typer.Option(DOCS, "--path", help="The document holding the generated table."),
        write: bool = typer.Option(False, "--write", help="Rewrite the table; otherwise only check it."),
    ) -> None:
        """Check (or with --write regenerate) the integrations table in docs/integrations.md."""
        if write:
            changed = regenerate(path)
            Console().print(f"{path}: {'table regenerated' if changed else 'already up to date'}")
            return
        if with_current_table(path.read_text()) != path.read_text():
            Console(stderr=True).print(f"[red]{path}: the table is stale; run with --write[/red]")
            raise typer.Exit(1)
        Console().print(f"{path}: up to date")

    @tokens.command("create")
    def create(
        integration: str = typer.Argument(..., help="An integration slug, or mapping:<name>."),
        name: str = typer.Option(..., "--name", "-n", help="What sends with it, e.g. alertmanager-eu."),
        signing_secret: str | None = typer.Option(
            None, "--signing-secret", help="The secret the tool signs its requests with (Grafana, Sentry)."
        ),
        url: str = ServerUrl,
    ) -> None:
        """Create a token; it is printed once, with the URL to paste into the tool."""
        body: dict[str, Any] = {"name": name}
        if signing_secret:
            body["signing_secret"] = signing_secret
        show_json(call_api("POST", url, _tokens_path(integration), json=body))

    @tokens.command("list")
    def list_tokens(
        integration: str = typer.Argument(..., help="An integration slug, or mapping:<name>."),
        include_revoked: bool = typer.Option(False, "--include-revoked"),
        url: str = ServerUrl,
    ) -> None:
        """List an integration's tokens (their hints, never the tokens)."""
        params = {"include_revoked": str(include_revoked).lower()}
        show_json(call_api("GET", url, _tokens_path(integration), params=params))

    @tokens.command("revoke")
    def revoke(
        integration: str = typer.Argument(..., help="An integration slug, or mapping:<name>."),
        token_id: str = typer.Argument(..., help="The token's id (tok_...)."),
        url: str = ServerUrl,
    ) -> None:
        """Revoke a token: requests presenting it are refused from now on."""
        show_json(call_api("DELETE", url, f"{_tokens_path(integration)}/{token_id}"))
