"""`openconductor silence add | list | expire`: manage silences and maintenance windows on a running server."""

from __future__ import annotations

import getpass
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from openconductor.cli.http import call_api, show_json
from openconductor.core.errors import InvalidPayload
from openconductor.core.silences import parse_matcher

ServerUrl = typer.Option("http://127.0.0.1:8080", "--url", envvar="OPENCONDUCTOR_URL")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Silences and maintenance windows: matching alerts are kept and marked, never dropped.")
    app.add_typer(group, name="silence")

    @group.command("add")
    def add(
        matcher: list[str] = typer.Option(
            ...,
            "--matcher",
            "-m",
            help="name=value, name!=value, name=~regex or name!~regex; repeatable, all must match",
        ),
        duration: str | None = typer.Option(None, "--duration", "-d", help="90m, 2h, 1h30m, 1d, 1w"),
        ends_at: str | None = typer.Option(None, "--ends-at", help="RFC 3339, instead of --duration"),
        starts_at: str | None = typer.Option(None, "--starts-at", help="RFC 3339; default: now"),
        comment: str = typer.Option(..., "--comment", "-c", help="Why."),
        created_by: str | None = typer.Option(None, "--created-by", help="Who; default: your user name."),
        kind: str = typer.Option("silence", "--kind", help="silence, or maintenance for planned work"),
        url: str = ServerUrl,
    ) -> None:
        """Create a silence (or a maintenance window with --kind maintenance)."""
        matchers = []
        for text in matcher:
            try:
                matchers.append(parse_matcher(text).to_dict())
            except InvalidPayload as error:
                raise typer.BadParameter(f"{text!r}: {error}", param_hint="--matcher") from error
        if duration is None and ends_at is None:
            raise typer.BadParameter("give --duration or --ends-at", param_hint="--duration")
        body: dict[str, Any] = {
            "kind": kind,
            "matchers": matchers,
            "comment": comment,
            "created_by": created_by or _user_name(),
        }
        for key, value in (("duration", duration), ("ends_at", ends_at), ("starts_at", starts_at)):
            if value is not None:
                body[key] = value
        show_json(call_api("POST", url, "/api/v1/silences", json=body))

    @group.command("list")
    def list_(
        include_expired: bool = typer.Option(False, "--include-expired", help="Also list ended silences."),
        as_json: bool = typer.Option(False, "--json", help="Print the API's JSON answer."),
        url: str = ServerUrl,
    ) -> None:
        """List silences that are active or still to start."""
        params = {"include_expired": "true"} if include_expired else {}
        answer = call_api("GET", url, "/api/v1/silences", params=params)
        if as_json:
            show_json(answer)
            return
        table = Table("id", "kind", "state", "matchers", "starts_at", "ends_at", "created_by", "comment")
        for silence in answer["items"]:
            matchers = ", ".join(f"{m['name']}{m['op']}{m['value']}" for m in silence["matchers"])
            table.add_row(
                silence["id"],
                silence["kind"],
                silence["state"],
                matchers,
                silence["starts_at"],
                silence["ends_at"],
                silence["created_by"],
                silence["comment"],
            )
        Console(width=200).print(table)

    @group.command("expire")
    def expire(silence_id: str = typer.Argument(..., help="The silence's id."), url: str = ServerUrl) -> None:
        """End a silence now. It stays listed with --include-expired."""
        show_json(call_api("DELETE", url, f"/api/v1/silences/{silence_id}"))


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "unknown"
