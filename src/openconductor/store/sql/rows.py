"""Conversion between domain objects and table rows."""

from __future__ import annotations

from typing import Any

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
