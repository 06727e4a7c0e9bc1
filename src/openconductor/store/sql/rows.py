"""Conversion between domain objects and table rows.

Two forms: dicts keyed by column name for SQLAlchemy statements (`alert_row`, ...), and, for the
batch writes of `SqlStore.apply`, plain tuples in the order of the `*_COLUMNS` lists with every value
already in the driver's form (`alert_values`, ...). The tuples skip SQLAlchemy's per-row compiling
and type processing: the caller passes `when` (a datetime in the form the driver stores) and `doc`
(a value as JSON text), chosen once per database.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Row

from openconductor.core.models import Alert, AlertStatus, Incident, IncidentStatus, Membership, Severity
from openconductor.core.silences import Matcher, Silence, SilenceKind


def alert_row(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "fingerprint": alert.fingerprint,
        "source": alert.source,
        "status": alert.status.value,
        "severity": alert.severity.value,
        "severity_rank": alert.severity.rank,
        "title": alert.title,
        "description": alert.description,
        "service": alert.service,
        "resource": alert.resource,
        "environment": alert.environment,
        "labels": alert.labels,
        "annotations": alert.annotations,
        "starts_at": alert.starts_at,
        "ends_at": alert.ends_at,
        "received_at": alert.received_at,
        "last_seen_at": alert.last_seen_at,
        "occurrences": alert.occurrences,
        "flapping": alert.flapping,
        "incident_id": alert.incident_id,
        "suppressed_by": alert.suppressed_by,
        "raw": alert.raw,
    }


# Columns that change after an alert is created; the update statement touches only these.
ALERT_MUTABLE = (
    "status",
    "severity",
    "severity_rank",
    "ends_at",
    "last_seen_at",
    "occurrences",
    "flapping",
    "incident_id",
    "suppressed_by",
    "starts_at",
)


ALERT_COLUMNS = (
    "id",
    "fingerprint",
    "source",
    "status",
    "severity",
    "severity_rank",
    "title",
    "description",
    "service",
    "resource",
    "environment",
    "labels",
    "annotations",
    "starts_at",
    "ends_at",
    "received_at",
    "last_seen_at",
    "occurrences",
    "flapping",
    "incident_id",
    "suppressed_by",
    "raw",
)
INCIDENT_COLUMNS = (
    "id",
    "title",
    "status",
    "severity",
    "severity_rank",
    "services",
    "environment",
    "group_key",
    "first_seen_at",
    "last_seen_at",
    "last_joined_at",
    "alert_count",
    "firing_count",
    "resolved_at",
    "resolution",
    "raised_at",
)
MEMBERSHIP_COLUMNS = ("incident_id", "alert_id", "rule", "score", "evidence", "joined_at", "left_at")
# Every incident column but the id can change.
INCIDENT_MUTABLE = INCIDENT_COLUMNS[1:]

When = Callable[[datetime | None], Any]
Doc = Callable[[Any], Any]

# The column values of each enum member, looked up once: an enum member's `.value` (and `.rank`) is a
# Python-level descriptor call, and the batch writes read them for every row.
_ALERT_STATUS_TEXT = {status: status.value for status in AlertStatus}
_INCIDENT_STATUS_TEXT = {status: status.value for status in IncidentStatus}
_SEVERITY_COLUMNS = {severity: (severity.value, severity.rank) for severity in Severity}


def dump_json(value: Any) -> str:
    """JSON text of a document column (the engine's serializer too): orjson, or the standard library
    for what orjson refuses (non-string keys, integers beyond 64 bits), so nothing that stored before fails now."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value)


def load_json(text: str | bytes) -> Any:
    """The engine's JSON deserializer: orjson, or the standard library for what only it reads (NaN)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def sqlite_time(value: datetime | None) -> str | None:
    """A datetime exactly as SQLAlchemy's SQLite DATETIME stores one after UTCDateTime converted it
    to UTC: `YYYY-MM-DD HH:MM:SS.ffffff`, so text comparisons in queries order it correctly."""
    return None if value is None else _sqlite_text(value)


def _sqlite_text(value: datetime) -> str:
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return value.isoformat(" ", "microseconds")[:-6]


def sqlite_times() -> When:
    """`sqlite_time` remembering its answers, for one batch: the same instants recur across a batch's
    rows (an alert's last_seen_at is its incident's), and formatting is most of the cost of a row."""
    known: dict[datetime, str] = {}

    def when(value: datetime | None) -> str | None:
        if value is None:
            return None
        text = known.get(value)
        if text is None:
            text = known[value] = _sqlite_text(value)
        return text

    return when


def postgres_time(value: datetime | None) -> datetime | None:
    """A datetime for a timestamptz column (naive values are UTC, as UTCDateTime takes them)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def alert_values(a: Alert, when: When, doc: Doc) -> tuple[Any, ...]:
    """An alert as ALERT_COLUMNS, ready for the driver."""
    severity, severity_rank = _SEVERITY_COLUMNS[a.severity]
    return (
        a.id,
        a.fingerprint,
        a.source,
        _ALERT_STATUS_TEXT[a.status],
        severity,
        severity_rank,
        a.title,
        a.description,
        a.service,
        a.resource,
        a.environment,
        doc(a.labels),
        doc(a.annotations),
        when(a.starts_at),
        when(a.ends_at),
        when(a.received_at),
        when(a.last_seen_at),
        a.occurrences,
        a.flapping,
        a.incident_id,
        a.suppressed_by,
        doc(a.raw),
    )


def alert_update_values(a: Alert, when: When) -> tuple[Any, ...]:
    """ALERT_MUTABLE, then the id (the update's WHERE)."""
    severity, severity_rank = _SEVERITY_COLUMNS[a.severity]
    return (
        _ALERT_STATUS_TEXT[a.status],
        severity,
        severity_rank,
        when(a.ends_at),
        when(a.last_seen_at),
        a.occurrences,
        a.flapping,
        a.incident_id,
        a.suppressed_by,
        when(a.starts_at),
        a.id,
    )


def incident_values(i: Incident, when: When, doc: Doc) -> tuple[Any, ...]:
    """An incident as INCIDENT_COLUMNS, ready for the driver."""
    severity, severity_rank = _SEVERITY_COLUMNS[i.severity]
    return (
        i.id,
        i.title,
        _INCIDENT_STATUS_TEXT[i.status],
        severity,
        severity_rank,
        doc(sorted(i.services)),
        i.environment,
        i.group_key,
        when(i.first_seen_at),
        when(i.last_seen_at),
        when(i.last_joined_at),
        i.alert_count,
        i.firing_count,
        when(i.resolved_at),
        i.resolution,
        when(i.raised_at),
    )


def incident_update_values(i: Incident, when: When, doc: Doc) -> tuple[Any, ...]:
    """INCIDENT_MUTABLE, then the id (the update's WHERE): the insert tuple with the id moved last."""
    values = incident_values(i, when, doc)
    return (*values[1:], values[0])


def membership_values(m: Membership, when: When, doc: Doc) -> tuple[Any, ...]:
    """A membership as MEMBERSHIP_COLUMNS, ready for the driver."""
    return (m.incident_id, m.alert_id, m.rule, m.score, doc(m.evidence), when(m.joined_at), None)


def alert_from_row(row: Row[Any]) -> Alert:
    data = row._mapping
    return Alert(
        id=data["id"],
        fingerprint=data["fingerprint"],
        source=data["source"],
        status=AlertStatus(data["status"]),
        severity=Severity(data["severity"]),
        title=data["title"],
        description=data["description"],
        service=data["service"],
        resource=data["resource"],
        environment=data["environment"],
        labels=data["labels"] or {},
        annotations=data["annotations"] or {},
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        received_at=data["received_at"],
        last_seen_at=data["last_seen_at"],
        occurrences=data["occurrences"],
        flapping=data["flapping"],
        incident_id=data["incident_id"],
        suppressed_by=data["suppressed_by"],
        raw=data["raw"],
    )


def incident_row(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "title": incident.title,
        "status": incident.status.value,
        "severity": incident.severity.value,
        "severity_rank": incident.severity.rank,
        "services": sorted(incident.services),
        "environment": incident.environment,
        "group_key": incident.group_key,
        "first_seen_at": incident.first_seen_at,
        "last_seen_at": incident.last_seen_at,
        "last_joined_at": incident.last_joined_at,
        "alert_count": incident.alert_count,
        "firing_count": incident.firing_count,
        "resolved_at": incident.resolved_at,
        "resolution": incident.resolution,
        "raised_at": incident.raised_at,
    }


def incident_from_row(row: Row[Any]) -> Incident:
    data = row._mapping
    return Incident(
        id=data["id"],
        title=data["title"],
        status=IncidentStatus(data["status"]),
        severity=Severity(data["severity"]),
        services=set(data["services"] or []),
        environment=data["environment"],
        group_key=data["group_key"],
        first_seen_at=data["first_seen_at"],
        last_seen_at=data["last_seen_at"],
        last_joined_at=data["last_joined_at"],
        alert_count=data["alert_count"],
        firing_count=data["firing_count"],
        resolved_at=data["resolved_at"],
        resolution=data["resolution"],
        raised_at=data["raised_at"],
    )


def membership_row(membership: Membership) -> dict[str, Any]:
    return {
        "incident_id": membership.incident_id,
        "alert_id": membership.alert_id,
        "rule": membership.rule,
        "score": membership.score,
        "evidence": membership.evidence,
        "joined_at": membership.joined_at,
        "left_at": None,
    }


def membership_from_row(row: Row[Any]) -> Membership:
    data = row._mapping
    return Membership(
        incident_id=data["incident_id"],
        alert_id=data["alert_id"],
        rule=data["rule"],
        score=data["score"],
        evidence=data["evidence"] or {},
        joined_at=data["joined_at"],
    )


def silence_row(silence: Silence) -> dict[str, Any]:
    return {
        "id": silence.id,
        "kind": silence.kind.value,
        "matchers": [matcher.to_dict() for matcher in silence.matchers],
        "starts_at": silence.starts_at,
        "ends_at": silence.ends_at,
        "comment": silence.comment,
        "created_by": silence.created_by,
        "created_at": silence.created_at,
    }


def silence_from_row(row: Row[Any]) -> Silence:
    data = row._mapping
    return Silence(
        id=data["id"],
        kind=SilenceKind(data["kind"]),
        matchers=tuple(Matcher(m["name"], m["value"], m["op"]) for m in data["matchers"]),
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        comment=data["comment"],
        created_by=data["created_by"],
        created_at=data["created_at"],
    )
