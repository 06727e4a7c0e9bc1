"""PagerDuty Events API v2: an incident becomes one PagerDuty alert, keyed by dedup_key
`openconductor-<incident id>`. Opened and updated notices send `trigger` (PagerDuty folds a trigger with a
known dedup_key into the open alert); resolved sends `resolve`.

Severity: critical → critical, high → error, medium and low → warning, info → info, unknown → warning
(overridable per target). PagerDuty answers 202; 400 means the event was invalid; 429 and 5xx are retried.
"""

from __future__ import annotations

from typing import Any, Literal

import httpx
from pydantic import SecretStr

from openconductor.core.timeutil import format_rfc3339
from openconductor.notify.contract import Delivered, DeliveryContext, IncidentNotice, TargetInfo, send_json
from openconductor.notify.targets._common import BaseUrl, TargetConfig, answer_field, clip, services_text

INFO = TargetInfo(slug="pagerduty", name="PagerDuty (Events API v2)", docs="docs/notifications/pagerduty.md")

EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
SUMMARY_LIMIT = 1024
DEDUP_KEY_LIMIT = 255
DEDUP_PREFIX = "openconductor-"
PagerDutySeverity = Literal["critical", "error", "warning", "info"]
OurSeverity = Literal["critical", "high", "medium", "low", "info", "unknown"]
DEFAULT_SEVERITIES: dict[str, PagerDutySeverity] = {
    "critical": "critical",
    "high": "error",
    "medium": "warning",
    "low": "warning",
    "info": "info",
    "unknown": "warning",
}


class Config(TargetConfig):
    routing_key: SecretStr  # the Integration Key of an Events API v2 integration on a PagerDuty service
    url: BaseUrl = EVENTS_URL  # the EU service region also answers at https://events.eu.pagerduty.com/v2/enqueue
    source: str | None = None  # payload.source; by default the incident's services
    severities: dict[OurSeverity, PagerDutySeverity] = {}  # overrides of DEFAULT_SEVERITIES


def dedup_key(notice: IncidentNotice) -> str:
    return clip(f"{DEDUP_PREFIX}{notice.incident_id}", DEDUP_KEY_LIMIT)


def event(notice: IncidentNotice, *, config: Config) -> dict[str, Any]:
    routing = {"routing_key": config.routing_key.get_secret_value(), "dedup_key": dedup_key(notice)}
    if notice.kind == "resolved":
        return {**routing, "event_action": "resolve"}
    severity = DEFAULT_SEVERITIES.get(notice.severity, "warning")
    severity = next((theirs for ours, theirs in config.severities.items() if ours == notice.severity), severity)
    payload: dict[str, Any] = {
        "summary": clip(notice.title, SUMMARY_LIMIT),
        "source": config.source or (services_text(notice) if notice.services else "openconductor"),
        "severity": severity,
        "timestamp": format_rfc3339(notice.started_at),
        "class": "openconductor incident",
        "custom_details": {
            "incident_id": notice.incident_id,
            "summary": notice.summary,
            "status": notice.status,
            "severity": notice.severity,
            "environment": notice.environment,
            "services": list(notice.services),
            "alert_count": notice.alert_count,
            "labels": dict(notice.labels),
        },
    }
    if notice.services:
        payload["component"] = notice.services[0]
    if notice.environment:
        payload["group"] = notice.environment
    return {
        **routing,
        "event_action": "trigger",
        "payload": payload,
        "client": "OpenConductor",
        "client_url": notice.url,
        "links": [{"href": notice.url, "text": "Incident in OpenConductor"}],
    }


def _pagerduty_error(response: httpx.Response) -> str | None:
    message = answer_field(response, "message")
    return clip(message, 120) if isinstance(message, str) else None


def deliver(notice: IncidentNotice, *, config: Config, context: DeliveryContext) -> Delivered:
    body = event(notice, config=config)
    response = send_json(
        context, method="POST", url=config.url, json=body, what="PagerDuty Events API", explain=_pagerduty_error
    )
    return Delivered(reference=body["dedup_key"], detail=f"HTTP {response.status_code}, {body['event_action']}")
