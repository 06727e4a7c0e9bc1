"""The change set: everything one pipeline batch created or touched, persisted in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from openconductor.core.models import Alert, Incident, Membership


@dataclass(slots=True)
class Departure:
    incident_id: str
    alert_id: str
    left_at: datetime


@dataclass(slots=True)
class ChangeSet:
    new_alerts: dict[str, Alert] = field(default_factory=dict)
    dirty_alerts: dict[str, Alert] = field(default_factory=dict)
    new_incidents: dict[str, Incident] = field(default_factory=dict)
    dirty_incidents: dict[str, Incident] = field(default_factory=dict)
    memberships: list[Membership] = field(default_factory=list)
    departures: list[Departure] = field(default_factory=list)
    # (incident, alert) pairs whose earlier membership row is replaced (an alert moved back).
    replaced_memberships: list[tuple[str, str]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    def alert_added(self, alert: Alert) -> None:
        self.new_alerts[alert.id] = alert

    def alert_changed(self, alert: Alert) -> None:
        if alert.id not in self.new_alerts:
            self.dirty_alerts[alert.id] = alert

    def incident_added(self, incident: Incident) -> None:
        self.new_incidents[incident.id] = incident

    def incident_changed(self, incident: Incident) -> None:
        if incident.id not in self.new_incidents:
            self.dirty_incidents[incident.id] = incident

    def count(self, name: str, amount: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + amount

    def is_empty(self) -> bool:
        return not (
            self.new_alerts
            or self.dirty_alerts
            or self.new_incidents
            or self.dirty_incidents
            or self.memberships
            or self.departures
        )
