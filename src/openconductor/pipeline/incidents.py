"""Incident bookkeeping every correlator and correction shares: joining, resolving, reopening.

One place keeps an incident's counts, severity, services and times consistent with its alerts, so
the engine, the group_by baseline and people's corrections cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from openconductor.core.models import Alert, AlertStatus, Incident, IncidentStatus, Membership, worst
from openconductor.pipeline.stage import Batch


def attach(
    alert: Alert,
    incident: Incident,
    *,
    onset: datetime,
    service: str | None,
    rule: str,
    score: float,
    evidence: dict[str, Any],
    joined_at: datetime,
    batch: Batch,
) -> None:
    """Put `alert` in `incident` and record why (the membership people read as the reason)."""
    alert.incident_id = incident.id
    incident.alert_count += 1
    if alert.status is AlertStatus.FIRING:
        incident.firing_count += 1
    incident.severity = worst(incident.severity, alert.severity)
    if service:
        incident.services.add(service)
    incident.first_seen_at = min(incident.first_seen_at, onset)
    incident.last_joined_at = max(incident.last_joined_at, onset)
    incident.last_seen_at = max(incident.last_seen_at, alert.last_seen_at)
    batch.changes.memberships.append(
        Membership(
            incident_id=incident.id, alert_id=alert.id, rule=rule, score=score, evidence=evidence, joined_at=joined_at
        )
    )
    batch.changes.alert_changed(alert)
    batch.changes.incident_changed(incident)


def resolve(incident: Incident, *, at: datetime, resolution: str, batch: Batch) -> None:
    incident.status = IncidentStatus.RESOLVED
    incident.resolved_at = at
    incident.resolution = resolution
    batch.changes.incident_changed(incident)
    batch.changes.count("incidents_resolved")


def reopen(incident: Incident, *, at: datetime, count_firing: bool, batch: Batch) -> None:
    incident.status = IncidentStatus.OPEN
    incident.resolved_at = None
    incident.resolution = None
    if count_firing:
        incident.firing_count += 1
    incident.last_seen_at = max(incident.last_seen_at, at)
    batch.changes.incident_changed(incident)
    batch.changes.count("incidents_reopened")
