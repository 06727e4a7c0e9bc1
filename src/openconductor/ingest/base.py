"""The contract every integration module follows, and small helpers they share."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.fingerprint import compute_fingerprint
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.core.timeutil import parse_rfc3339

QUALITY_TIERS = ("bronze", "silver", "gold")


@dataclass(frozen=True, slots=True)
class IntegrationInfo:
    """What the registry, `openconductor integrations list` and the generated docs table know of a tool."""

    slug: str  # the endpoint is POST /api/v1/integrations/<slug>
    name: str
    docs: str  # its page, docs/integrations/<slug>.md
    quality: str  # bronze | silver | gold, see docs/integrations.md
    maps: str = ""  # one line for the docs table: which of the tool's fields become which alert fields


@dataclass(frozen=True, slots=True)
class HmacSignature:
    """How a tool signs its requests with a shared secret, for tools that do (Grafana, Sentry...).

    The signature is HMAC(secret, signed content) in lower-case hex, sent in `header`, after `prefix`
    (for example "sha256="). The signed content is the raw body, or `f"{timestamp}:{body}"` when the tool
    also sends a timestamp in `timestamp_header` (optional: without that header the body alone is signed).
    """

    header: str
    algorithm: str = "sha256"
    prefix: str = ""
    timestamp_header: str | None = None
    # A signed timestamp (Unix seconds) older or newer than this is refused, so a captured request cannot
    # be replayed later.
    max_age_seconds: float = 300.0


@dataclass(frozen=True, slots=True)
class IncomingRequest:
    """What an integration's optional hooks may look at: header names lower-cased, the raw body, the
    decoded JSON payload, and the query parameters."""

    headers: Mapping[str, str]
    body: bytes
    payload: Any
    query: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ControlReply:
    """A request that carries no alerts but must be answered (for example an SNS subscription
    confirmation): the body the endpoint answers with, and no alerts ingested."""

    status: int
    body: dict[str, Any]


Parser = Callable[..., list[AlertEvent]]

# The widths of the store's alert columns: a longer value is refused here, by name, instead of failing
# the database write (PostgreSQL enforces them; SQLite does not, and both must answer alike).
IDENTITY_LIMITS = {"source": 100, "service": 300, "resource": 300, "environment": 200, "fingerprint": 300}


class ProblemCollector:
    """Gathers every problem in a payload so the client hears about all of them at once."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.problems: list[FieldProblem] = []

    def add(self, field: str, expected: str, got: Any = None) -> None:
        shown = None if got is None else describe(got)
        self.problems.append(FieldProblem(f"{self.prefix}{field}", expected, shown))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InvalidPayload(self.problems)

    def text(
        self, obj: Mapping[str, Any], key: str, *, required: bool = False, max_length: int | None = None
    ) -> str | None:
        value = obj.get(key)
        if type(value) is str and not required and (max_length is None or len(value) <= max_length):
            return value  # the common case, decided without the checks below
        if value is None:
            if required:
                self.add(key, "a non-empty string")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.add(key, "a string", value)
            return None
        if required and not value.strip():
            self.add(key, "a non-empty string", value)
            return None
        return self.within(key, value, max_length)

    def within(self, field: str, value: str, max_length: int | None) -> str | None:
        """`value` if it fits in `max_length` characters, else a problem named `field`."""
        if max_length is not None and len(value) > max_length:
            expected = f"a string of at most {max_length} characters"
            self.problems.append(FieldProblem(f"{self.prefix}{field}", expected, f"{len(value)} characters"))
            return None
        return value

    def string_map(self, obj: Mapping[str, Any], key: str) -> dict[str, str]:
        value = obj.get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.add(key, "an object of string values", value)
            return {}
        result: dict[str, str] = {}
        for name, item in value.items():
            if isinstance(item, str):
                result[str(name)] = item
            elif isinstance(item, (int, float, bool)):
                # Tools often send numbers as label values; keep them as their JSON text.
                result[str(name)] = "true" if item is True else "false" if item is False else str(item)
            elif item is None:
                result[str(name)] = ""
            else:
                self.add(f"{key}.{name}", "a string, number or boolean", item)
        return result

    def timestamp(self, obj: Mapping[str, Any], key: str) -> datetime | None:
        value = obj.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            self.add(key, "an RFC 3339 timestamp string", value)
            return None
        try:
            return parse_rfc3339(value)
        except ValueError:
            self.add(key, "an RFC 3339 timestamp such as 2026-01-05T10:00:00Z", value)
            return None


def describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# Real payloads nest a handful of levels; the JSON encoder that stores the raw payload recurses per level.
MAX_NESTING = 64


def reject_unstorable(payload: Any) -> None:
    """Refuse what no store can keep, naming where: text holding U+0000 (PostgreSQL cannot store it,
    in values, keys or the raw payload) and documents nested deeper than MAX_NESTING.

    Checked for every backend so a payload is accepted or refused the same way on SQLite and PostgreSQL.
    Iterative, because the document may nest deeper than Python's recursion limit. Every payload is
    checked, so the common case (nothing wrong) is a walk that builds no paths; only when it finds
    something does the walk that names the place run.
    """
    if not _plainly_storable(payload):
        _name_unstorable(payload)


_SCALARS = (int, float, bool, type(None))


def _plainly_storable(payload: Any) -> bool:
    """True when no text holds NUL and no container is nested MAX_NESTING deep, for the plain types JSON
    decodes to. False when something is wrong, or for any other type (the naming walk then decides)."""
    level = [payload]
    depth = 0
    while level:
        deeper: list[Any] = []
        for value in level:
            kind = type(value)
            if kind is str:
                if "\x00" in value:
                    return False
                continue
            if kind is dict:
                if depth >= MAX_NESTING:
                    return False
                for key, item in value.items():
                    if type(key) is not str or "\x00" in key:
                        return False
                    item_kind = type(item)
                    if item_kind is str:
                        if "\x00" in item:
                            return False
                    elif item_kind is dict or item_kind is list:
                        deeper.append(item)
                    elif item_kind not in _SCALARS:
                        return False
            elif kind is list:
                if depth >= MAX_NESTING:
                    return False
                for item in value:
                    item_kind = type(item)
                    if item_kind is str:
                        if "\x00" in item:
                            return False
                    elif item_kind is dict or item_kind is list:
                        deeper.append(item)
                    elif item_kind not in _SCALARS:
                        return False
            elif kind not in _SCALARS:
                return False
        level = deeper
        depth += 1
    return True


def _name_unstorable(payload: Any) -> None:
    """The walk that builds each value's path and raises naming the first problem it meets."""
    pending: list[tuple[str, int, Any]] = [("", 0, payload)]
    while pending:
        path, depth, value = pending.pop()
        where = path.lstrip(".") or "body"
        if isinstance(value, str):
            if "\x00" in value:
                raise InvalidPayload([FieldProblem(where, "text without NUL (\\u0000) characters")])
            continue
        if isinstance(value, (Mapping, list)) and depth >= MAX_NESTING:
            raise InvalidPayload([FieldProblem(where, f"JSON nested at most {MAX_NESTING} levels deep")])
        if isinstance(value, Mapping):
            for key, item in value.items():
                pending.append((f"{path}.{key}", depth + 1, key))
                pending.append((f"{path}.{key}", depth + 1, item))
        elif isinstance(value, list):
            pending.extend((f"{path}[{index}]", depth + 1, item) for index, item in enumerate(value))


def require_object(payload: Any, *, what: str) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise InvalidPayload([FieldProblem("body", f"a JSON object ({what})", describe(payload))])
    return payload


def parse_each(
    items: Iterable[Any], parse_one: Callable[[int, Any], AlertEvent | list[AlertEvent]]
) -> list[AlertEvent]:
    """The events `parse_one(index, item)` makes of every item; the problems of all failing items are raised at once."""
    events: list[AlertEvent] = []
    problems: list[FieldProblem] = []
    for index, item in enumerate(items):
        try:
            parsed = parse_one(index, item)
        except InvalidPayload as error:
            problems.extend(error.problems)
            continue
        if isinstance(parsed, list):
            events.extend(parsed)
        else:
            events.append(parsed)
    if problems:
        raise InvalidPayload(problems)
    return events


def bounded_fingerprint(prefix: str, key: str) -> str:
    """`<prefix><key>`, or `<prefix>sha256:<hex digest of key>` when that would not fit the fingerprint column."""
    if len(prefix) + len(key) <= IDENTITY_LIMITS["fingerprint"]:
        return f"{prefix}{key}"
    return f"{prefix}sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def build_event(
    *,
    source: str,
    status: AlertStatus,
    severity: Severity,
    title: str,
    received_at: datetime,
    description: str = "",
    service: str | None = None,
    resource: str | None = None,
    environment: str | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    fingerprint: str | None = None,
    raw: Any = None,
    keeps_start: bool = False,
    start_by_client: bool = False,
) -> AlertEvent:
    """Assemble an AlertEvent, filling the fingerprint and the event time by the documented rules.

    `keeps_start`: the tool sends the same `starts_at` on every re-send of one firing, so a later one is a
    new firing (`AlertEvent.keeps_start`); it holds only when `starts_at` is given. `start_by_client`: only
    because the format asks its clients to (`AlertEvent.start_by_client`)."""
    labels = labels or {}
    starts = starts_at or (ends_at if status is AlertStatus.RESOLVED and ends_at else received_at)
    if status is AlertStatus.RESOLVED:
        event_time = ends_at or received_at
    else:
        event_time = starts
    return AlertEvent(
        fingerprint=fingerprint
        or compute_fingerprint(
            source=source,
            title=title,
            service=service,
            resource=resource,
            environment=environment,
            labels=labels,
        ),
        source=source,
        status=status,
        severity=severity,
        title=title,
        description=description,
        service=service,
        resource=resource,
        environment=environment,
        labels=labels,
        annotations=annotations or {},
        starts_at=starts,
        ends_at=ends_at,
        received_at=received_at,
        event_time=event_time,
        raw=raw,
        keeps_start=keeps_start and starts_at is not None,
        start_by_client=start_by_client,
    )
