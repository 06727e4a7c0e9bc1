"""People's corrections: merge incidents, split alerts off into a new one, move an alert.

They change the working set and the change set exactly like the stages do, so they are persisted
in one transaction, and they tell the correlator, which learns from them (the engine strengthens
the link between components put together and vetoes the one between components pulled apart).
"""

from __future__ import annotations

from datetime import datetime

from openconductor.core.ids import new_id
from openconductor.core.models import Alert, AlertStatus, Incident, IncidentStatus
from openconductor.pipeline import incidents
from openconductor.pipeline.stage import Batch, Correlator
from openconductor.pipeline.state import PipelineState


def move_alerts(
    *,
    state: PipelineState,
    correlator: Correlator,
    alerts: list[Alert],
    target: Incident,
    rule: str,
    actor: str,
    now: datetime,
    batch: Batch,
) -> list[Incident]:
    """Move `alerts` into `target`; returns the incidents they left (emptied ones are resolved)."""
    left: dict[str, Incident] = {}
    for alert in alerts:
        previous_id = alert.incident_id
        if previous_id == target.id:
            continue
        previous = state.incidents.get(previous_id or "")
        if previous is not None:
            incidents.detach(previous, alert, at=now, counted_firing=alert.status is AlertStatus.FIRING, batch=batch)
            left[previous.id] = previous
        incidents.attach(
            alert,
            target,
            onset=alert.starts_at,
            service=alert.service,
            rule=rule,
            score=1.0,
            evidence={"signal": rule, "by": actor, "from_incident_id": previous_id},
            joined_at=now,
            batch=batch,
        )
        batch.changes.replaced_memberships.append((target.id, alert.id))
        correlator.alert_moved(alert, previous_id, target)
    batch.changes.incident_changed(target)
    for incident in left.values():
        if incident.alert_count == 0 and incident.status is not IncidentStatus.RESOLVED:
            incident.status = IncidentStatus.RESOLVED
            incident.resolved_at = now
            incident.resolution = "merged" if rule == "manual_merge" else "emptied"
    return list(left.values())


def new_incident_for(alerts: list[Alert], *, like: Incident, now: datetime) -> Incident:
    """The incident a split creates: open, and raised when the one it came from was."""
    first = min(alerts, key=lambda alert: alert.starts_at)
    return Incident(
        id=new_id("inc"),
        title=first.title,
        status=IncidentStatus.OPEN,
        severity=first.severity,
        services=set(),
        environment=like.environment,
        group_key=like.group_key,
        first_seen_at=first.starts_at,
        last_seen_at=now,
        last_joined_at=first.starts_at,
        raised_at=now if like.raised_at is not None else None,
    )
