"""Calling a running server's API from the command line, with errors a person can read."""

from __future__ import annotations

import os
from typing import Any

import httpx
import orjson
import typer
from rich.console import Console


def call_api(method: str, url: str, path: str, **kwargs: Any) -> Any:
    """The decoded JSON answer; exit 2 when the server cannot be reached, 1 when it refuses."""
    console = Console(stderr=True)
    try:
        headers = {**api_headers(), **kwargs.pop("headers", {})}
        response = httpx.request(method, f"{url.rstrip('/')}{path}", timeout=10, headers=headers, **kwargs)
    except httpx.HTTPError as error:
        console.print(f"[red]could not reach {url}: {error}[/red]")
        raise typer.Exit(2) from error
    if response.status_code >= 400:
        console.print(f"[red]{response.status_code}[/red] {response.text}")
        raise typer.Exit(1)
    return response.json()


def api_headers() -> dict[str, str]:
    """The server's API token (OPENCONDUCTOR_API_TOKEN), when one is set, for calls beyond ingest."""
    token = os.environ.get("OPENCONDUCTOR_API_TOKEN")
    return {"Authorization": f"Bearer {token}"} if token else {}


def show_json(answer: Any) -> None:
    Console().print_json(orjson.dumps(answer).decode())
