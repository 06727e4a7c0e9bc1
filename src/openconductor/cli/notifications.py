"""`openconductor notifications targets | dead-letters | retry ID | test TARGET`, against a running server."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from openconductor.cli.http import call_api, show_json

ServerUrl = typer.Option("http://127.0.0.1:8080", "--url", envvar="OPENCONDUCTOR_URL")
AsJson = typer.Option(False, "--json", help="Print the API's JSON answer.")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Notification targets, dead letters, retries and test sends (docs/notifications.md).")
    app.add_typer(group, name="notifications")

    @group.command("targets")
    def targets(as_json: bool = AsJson, url: str = ServerUrl) -> None:
        """List the configured targets and the routes that use them (never their configuration)."""
        answer = call_api("GET", url, "/api/v1/notifications/targets")
        if as_json:
            show_json(answer)
            return
        table = Table("name", "type", "routes")
        for target in answer:
            table.add_row(target["name"], target["type"], ", ".join(str(r) for r in target["routes"]) or "none")
        Console().print(table)

    @group.command("dead-letters")
    def dead_letters(
        limit: int = typer.Option(50, "--limit", min=1, max=500),
        cursor: str | None = typer.Option(None, "--cursor", help="The next_cursor of the previous page."),
        as_json: bool = AsJson,
        url: str = ServerUrl,
    ) -> None:
        """List notices given up on (refused, or failing after every attempt)."""
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        answer = call_api("GET", url, "/api/v1/notifications/dead-letters", params=params)
        if as_json:
            show_json(answer)
            return
        table = Table("id", "incident", "target", "kind", "attempts", "last_error", "created_at")
        for item in answer["items"]:
            table.add_row(
                str(item["id"]),
                item["incident_id"],
                item["target"],
                item["kind"],
                str(item["attempts"]),
                item["last_error"] or "",
                item["created_at"],
            )
        Console(width=200).print(table)
        if answer["next_cursor"]:
            Console(stderr=True).print(f"more: --cursor {answer['next_cursor']}")

    @group.command("retry")
    def retry(notification_id: int = typer.Argument(..., help="The dead notice's id."), url: str = ServerUrl) -> None:
        """Put a dead notice back in the queue, due now."""
        show_json(call_api("POST", url, f"/api/v1/notifications/{notification_id}/retry"))

    @group.command("test")
    def test(target: str = typer.Argument(..., help="A configured target's name."), url: str = ServerUrl) -> None:
        """Send a made-up incident to one target now; exit 1 when it was not delivered."""
        answer = call_api("POST", url, "/api/v1/notifications/test", json={"target": target})
        show_json(answer)
        if not answer["delivered"]:
            raise typer.Exit(1)
