"""Incident bookkeeping every correlator and correction shares: joining, resolving, reopening.

One place keeps an incident's counts, severity, services and times consistent with its alerts, so
the engine, the group_by baseline and people's corrections cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from openconductor.core.models import Alert, Incident, Membership, worst
from openconductor.pipeline.members import (
    ALERT_FIRING,
    CHANGE_ACKNOWLEDGE,
    CHANGE_REPEAT,
    CHANGE_RESOLVE,
    INCIDENT_ACKNOWLEDGED,
    INCIDENT_OPEN,
    INCIDENT_RESOLVED,
)
from openconductor.pipeline.stage import Batch, Change, Departure

# Services an incident lists at most. A storm on 200,000 hosts names as many components, and the list is
# written with the incident at every change and sent in every notice: without a bound, each alert of a
# storm cost as much as all the alerts before it. The first ones are kept; the alerts still hold every name.
MAX_SERVICES = 100


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
    if alert.status is ALERT_FIRING:
        incident.firing_count += 1
    incident.severity = worst(incident.severity, alert.severity)
    if service and len(incident.services) < MAX_SERVICES:
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
    incident.status = INCIDENT_RESOLVED
    incident.resolved_at = at
    incident.resolution = resolution
    batch.changes.incident_changed(incident)
    batch.changes.count("incidents_resolved")


def reopen(incident: Incident, *, at: datetime, count_firing: bool, batch: Batch) -> None:
    incident.status = INCIDENT_OPEN
    incident.resolved_at = None
    incident.resolution = None
    if count_firing:
        incident.firing_count += 1
    incident.last_seen_at = max(incident.last_seen_at, at)
    batch.changes.incident_changed(incident)
    batch.changes.count("incidents_reopened")


def follow(incident: Incident, alert: Alert, change: Change, batch: Batch) -> bool:
    """Keep an open incident in step with one of its alerts repeating, being acknowledged or
    resolving. Returns True when that resolve leaves the incident with no firing alert (the
    caller decides how it resolves)."""
    incident.last_seen_at = max(incident.last_seen_at, alert.last_seen_at)
    batch.changes.incident_changed(incident)
    if change is CHANGE_REPEAT:
        incident.severity = worst(incident.severity, alert.severity)
    elif change is CHANGE_ACKNOWLEDGE and incident.status is INCIDENT_OPEN:
        incident.status = INCIDENT_ACKNOWLEDGED
    elif change is CHANGE_RESOLVE:
        incident.firing_count = max(0, incident.firing_count - 1)
        return incident.firing_count == 0
    return False


def detach(incident: Incident, alert: Alert, *, at: datetime, counted_firing: bool, batch: Batch) -> None:
    """Take `alert` out of `incident` (it moves elsewhere); `counted_firing` when the incident still
    counts it among its firing alerts. The membership row keeps the time it left."""
    incident.alert_count = max(0, incident.alert_count - 1)
    if counted_firing:
        incident.firing_count = max(0, incident.firing_count - 1)
    batch.changes.incident_changed(incident)
    batch.changes.departures.append(Departure(incident.id, alert.id, at))
