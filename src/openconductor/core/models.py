"""The normalized Alert and Incident, and the membership that ties them with a reason.

These are plain slotted dataclasses rather than Pydantic models: the pipeline creates and mutates
hundreds of thousands of them per second during a replay, and validation happens once, at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    WARNING = "warning"
    INFO = "info"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """Higher is worse; used to compute an incident's severity as the worst of its alerts."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.UNKNOWN: 0,
    Severity.INFO: 1,
    Severity.WARNING: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


def worst(a: Severity, b: Severity) -> Severity:
    # The table itself rather than `.rank`: this runs for every alert an incident takes or follows.
    return a if _SEVERITY_RANK[a] >= _SEVERITY_RANK[b] else b


class AlertStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


class IncidentStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


@dataclass(slots=True, kw_only=True)
class AlertEvent:
    """One alert as a source reported it, normalized but not yet deduplicated.

    `event_time` is when the event happened in the source's world: the start of a firing, the end
    of a resolve. `received_at` is when it arrived (during a replay, the recorded arrival). The
    pipeline's clock follows arrivals and its grouping windows compare alerts' start times, never
    the wall clock, so a replay groups exactly as live traffic would have been grouped.
    """

    fingerprint: str
    source: str
    status: AlertStatus
    severity: Severity
    title: str
    description: str = ""
    service: str | None = None
    resource: str | None = None
    environment: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    starts_at: datetime
    ends_at: datetime | None = None
    received_at: datetime
    event_time: datetime
    raw: Any = None
    # An acknowledge from the source (PagerDuty's event_action): acknowledges the alert's incident.
    acknowledge: bool = False
    # `starts_at` is the start of this firing as the tool keeps it on every re-send (Alertmanager's
    # startsAt), not the time of one notification: a later one means the alert resolved and fired again.
    keeps_start: bool = False
    # ...as a client of the generic format promises, rather than as a tool's protocol guarantees: deduplication
    # checks that the client keeps the promise (pipeline/resends.py) before it reads a later start as a new firing.
    start_by_client: bool = False


@dataclass(slots=True, kw_only=True)
class Alert:
    """A deduplicated alert: every event with the same fingerprint while it is active lands here."""

    id: str
    fingerprint: str
    source: str
    status: AlertStatus
    severity: Severity
    title: str
    description: str
    service: str | None
    resource: str | None
    environment: str | None
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    received_at: datetime
    last_seen_at: datetime
    occurrences: int = 1
    flapping: bool = False
    # Event times of recent firing<->resolved transitions, for flap detection; not persisted.
    transitions: list[datetime] = field(default_factory=list)
    incident_id: str | None = None
    # Set when a silence or maintenance window matched: the alert is kept and shown, never dropped,
    # but it does not raise an incident by itself.
    suppressed_by: str | None = None
    raw: Any = None


@dataclass(slots=True, kw_only=True)
class Membership:
    """Why an alert belongs to an incident: the rule or evidence that put it there, with a score."""

    incident_id: str
    alert_id: str
    rule: str
    score: float
    evidence: dict[str, Any]
    joined_at: datetime


@dataclass(slots=True, kw_only=True)
class Incident:
    id: str
    title: str
    status: IncidentStatus
    severity: Severity
    services: set[str]
    environment: str | None
    group_key: str
    first_seen_at: datetime
    last_seen_at: datetime
    # Last time a new alert joined: the grouping window is measured from here.
    last_joined_at: datetime
    alert_count: int = 0
    firing_count: int = 0
    resolved_at: datetime | None = None
    resolution: str | None = None
    # When the incident met its policy (enough alerts, or firing long enough) and was shown to
    # people; None while it is pending. Pending incidents that resolve are closed as noise.
    raised_at: datetime | None = None
