"""Request and response schemas of the HTTP API. Names say their role: *Create in, *Public out."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from openconductor.core.models import Alert, Incident, Membership


class AlertCreate(BaseModel):
    """The generic alert format (also accepted as a JSON array). Unknown keys are kept in the raw payload."""

    model_config = ConfigDict(extra="allow")

    title: str = Field(description="Required. What is wrong, in one line.")
    severity: str | None = Field(None, description="critical, high, warning, info, or a source's own word.")
    status: Literal["firing", "resolved"] = "firing"
    source: str | None = Field(None, description="The tool that raised it; default `generic`.")
    service: str | None = None
    resource: str | None = Field(None, description="Host, pod or instance.")
    environment: str | None = None
    description: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: datetime | None = Field(None, description="RFC 3339; default: when received.")
    ends_at: datetime | None = Field(None, description="RFC 3339; set on resolve.")
    fingerprint: str | None = Field(None, description="Your own deduplication key; default: a stable hash.")


class OutcomePublic(BaseModel):
    alert_id: str | None
    incident_id: str | None
    change: str = Field(description="new, repeat, refire, resolve, acknowledge or unmatched")


class IngestAccepted(BaseModel):
    accepted: int
    alerts: list[OutcomePublic]


class FieldProblemPublic(BaseModel):
    field: str
    expected: str
    got: str | None = None


class ErrorPublic(BaseModel):
    error: str
    message: str
    problems: list[FieldProblemPublic] = Field(default_factory=list)


class AlertPublic(BaseModel):
    id: str
    fingerprint: str
    source: str
    status: str
    severity: str
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
    occurrences: int
    flapping: bool
    incident_id: str | None
    suppressed_by: str | None = Field(
        None, description="The silence or maintenance window that covered the alert when it last fired."
    )
    raw: Any = Field(description="The payload exactly as the source sent it.")

    @classmethod
    def of(cls, alert: Alert) -> AlertPublic:
        return cls(
            id=alert.id,
            fingerprint=alert.fingerprint,
            source=alert.source,
            status=alert.status.value,
            severity=alert.severity.value,
            title=alert.title,
            description=alert.description,
            service=alert.service,
            resource=alert.resource,
            environment=alert.environment,
            labels=alert.labels,
            annotations=alert.annotations,
            starts_at=alert.starts_at,
            ends_at=alert.ends_at,
            received_at=alert.received_at,
            last_seen_at=alert.last_seen_at,
            occurrences=alert.occurrences,
            flapping=alert.flapping,
            incident_id=alert.incident_id,
            suppressed_by=alert.suppressed_by,
            raw=alert.raw,
        )


class IncidentPublic(BaseModel):
    id: str
    title: str
    status: str
    severity: str
    services: list[str]
    environment: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    alert_count: int
    firing_count: int
    resolved_at: datetime | None
    resolution: str | None
    raised_at: datetime | None = Field(
        None, description="When the incident was raised (shown to people); null while it is pending."
    )

    @classmethod
    def of(cls, incident: Incident) -> IncidentPublic:
        return cls(
            id=incident.id,
            title=incident.title,
            status=incident.status.value,
            severity=incident.severity.value,
            services=sorted(incident.services),
            environment=incident.environment,
            first_seen_at=incident.first_seen_at,
            last_seen_at=incident.last_seen_at,
            alert_count=incident.alert_count,
            firing_count=incident.firing_count,
            resolved_at=incident.resolved_at,
            resolution=incident.resolution,
            raised_at=incident.raised_at,
        )


class ReasonPublic(BaseModel):
    rule: str = Field(description="The rule or evidence that put the alert here (e.g. opened, group_by).")
    score: float
    evidence: dict[str, Any]
    joined_at: datetime

    @classmethod
    def of(cls, membership: Membership) -> ReasonPublic:
        return cls(
            rule=membership.rule, score=membership.score, evidence=membership.evidence, joined_at=membership.joined_at
        )


class IncidentAlertPublic(BaseModel):
    alert: AlertPublic
    reason: ReasonPublic


class IncidentDetailPublic(IncidentPublic):
    alerts: list[IncidentAlertPublic]


class AlertPage(BaseModel):
    items: list[AlertPublic]
    next_cursor: str | None


class IncidentPage(BaseModel):
    items: list[IncidentPublic]
    next_cursor: str | None
