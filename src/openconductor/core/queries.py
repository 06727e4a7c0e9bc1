"""Filters, sorting and cursor pages for listing alerts and incidents, independent of any database."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

import orjson

from openconductor.core.errors import FieldProblem, InvalidPayload

T = TypeVar("T")

ALERT_SORTS = ("received_at", "last_seen_at", "starts_at", "severity")
INCIDENT_SORTS = ("last_seen_at", "first_seen_at", "severity", "alert_count")


@dataclass(slots=True, kw_only=True)
class ListQuery:
    statuses: list[str] = field(default_factory=list)
    severities: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    environments: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None
    incident_id: str | None = None
    # Incidents only: raised (shown to people) or still pending; None lists both.
    raised: bool | None = None
    sort: str = "-last_seen_at"
    limit: int = 50
    cursor: str | None = None

    @property
    def sort_field(self) -> str:
        return self.sort.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(sort: str, value: object, identifier: str) -> str:
    """Opaque keyset cursor: the sort it belongs to, the last row's sort value and its id."""
    if isinstance(value, datetime):
        value = value.isoformat()
    return base64.urlsafe_b64encode(orjson.dumps([sort, value, identifier])).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[object, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        cursor_sort, value, identifier = orjson.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError) as error:
        raise InvalidPayload([FieldProblem("cursor", "a cursor returned by a previous page")]) from error
    if cursor_sort != sort or not isinstance(identifier, str):
        raise InvalidPayload([FieldProblem("cursor", f"a cursor from a listing sorted by {sort}")])
    return value, identifier
