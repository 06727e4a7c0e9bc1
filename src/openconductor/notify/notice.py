"""What a notice says about an incident: built from the incident and its alerts, stored as JSON in the outbox.

The stored document leaves out the kind (a column of its own) and the sending time (stamped at each attempt).
`digest` picks the facts whose change is news to people: status, severity, alerts, services and title.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from openconductor.core.models import Incident
from openconductor.core.timeutil import format_rfc3339, parse_rfc3339
from openconductor.notify.contract import IncidentNotice, NoticeKind


def notice_document(
    incident: Incident, *, labels: Mapping[str, str], rules: Iterable[str], base_url: str
) -> dict[str, Any]:
    return {
        "incident_id": incident.id,
        "title": incident.title,
        "status": incident.status.value,
        "severity": incident.severity.value,
        "environment": incident.environment,
        "services": sorted(incident.services),
        "alert_count": incident.alert_count,
        "started_at": format_rfc3339(incident.first_seen_at),
        "resolved_at": format_rfc3339(incident.resolved_at) if incident.resolved_at else None,
        "summary": summarize(incident, rules),
        "url": f"{base_url.rstrip('/')}/api/v1/incidents/{incident.id}",
        "labels": dict(sorted(labels.items())),
    }


def notice_from_document(kind: NoticeKind, document: Mapping[str, Any], *, sent_at: datetime) -> IncidentNotice:
    resolved_at = document.get("resolved_at")
    return IncidentNotice(
        kind=kind,
        incident_id=str(document["incident_id"]),
        title=str(document["title"]),
        status=str(document["status"]),
        severity=str(document["severity"]),
        environment=document.get("environment"),
        services=tuple(document.get("services") or ()),
        alert_count=int(document.get("alert_count") or 0),
        started_at=parse_rfc3339(document["started_at"]),
        resolved_at=parse_rfc3339(resolved_at) if resolved_at else None,
        summary=str(document.get("summary") or ""),
        url=str(document.get("url") or ""),
        labels=dict(document.get("labels") or {}),
        sent_at=sent_at,
    )


def digest(document: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        document.get("status"),
        document.get("severity"),
        document.get("alert_count"),
        tuple(document.get("services") or ()),
        document.get("title"),
    )


def incident_digest(incident: Incident) -> tuple[Any, ...]:
    """The same as `digest(notice_document(incident, ...))`, without reading the incident's alerts."""
    return (
        incident.status.value,
        incident.severity.value,
        incident.alert_count,
        tuple(sorted(incident.services)),
        incident.title,
    )


def summarize(incident: Incident, rules: Iterable[str]) -> str:
    """One or two sentences: how many alerts, where, and which rules grouped them."""
    alerts = f"{incident.alert_count} alert{'' if incident.alert_count == 1 else 's'}"
    where = ", ".join(sorted(incident.services)) or "no named service"
    if incident.environment:
        where += f" in {incident.environment}"
    text = f"{alerts} ({incident.firing_count} firing) on {where}."
    counted = Counter(rule for rule in rules if rule)
    if counted:
        grouped = ", ".join(f"{rule.replace('_', ' ')} ({count})" for rule, count in counted.most_common())
        text += f" Grouped by {grouped}."
    return text
