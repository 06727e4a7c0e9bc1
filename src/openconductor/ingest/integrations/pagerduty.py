"""PagerDuty Events API v2 compatible endpoint, so any tool that can page PagerDuty can send here.

Follows the documented event shape: routing_key, event_action (trigger | acknowledge | resolve),
dedup_key, and payload.{summary, source, severity, timestamp, component, group, class,
custom_details}. `payload.source` is the affected host (resource); `group` or `component` is the
service; `custom_details.environment` when present is the environment.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openconductor.core.models import AlertEvent, AlertStatus
from openconductor.core.severity import map_severity
from openconductor.ingest.base import IDENTITY_LIMITS, IntegrationInfo, ProblemCollector, build_event, require_object

INFO = IntegrationInfo(
    slug="pagerduty",
    name="PagerDuty Events API v2",
    docs="docs/integrations/pagerduty.md",
    quality="gold",
    maps="event_action, dedup_key, payload.summary/severity/source/component/group/custom_details, links",
)

ONE_ALERT_PER_REQUEST = "the Events API v2 carries one event per request"
ACTIONS = ("trigger", "acknowledge", "resolve")
SEVERITIES = ("critical", "error", "warning", "info")
MAX_SUMMARY = 1024
MAX_DEDUP_KEY = 255  # PagerDuty's documented limit


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    body = require_object(payload, what="a PagerDuty Events API v2 event")
    check = ProblemCollector()
    routing_key = check.text(body, "routing_key", required=True)
    action = check.text(body, "event_action", required=True)
    if action is not None and action not in ACTIONS:
        check.add("event_action", "one of trigger, acknowledge, resolve", action)
    dedup_key = check.text(body, "dedup_key", max_length=MAX_DEDUP_KEY)
    if action in ("acknowledge", "resolve") and not dedup_key:
        check.add("dedup_key", f"a non-empty string (required when event_action is {action})")
    details: Mapping[str, Any] = {}
    summary = source = None
    severity_word = None
    timestamp = None
    if action == "trigger":
        inner = body.get("payload")
        if not isinstance(inner, Mapping):
            check.add("payload", "an object with summary, source and severity", inner)
        else:
            sub = ProblemCollector("payload.")
            summary = sub.text(inner, "summary", required=True)
            source = sub.text(inner, "source", required=True, max_length=IDENTITY_LIMITS["resource"])
            for name in ("group", "component"):
                if isinstance(inner.get(name), str):
                    sub.within(name, inner[name], IDENTITY_LIMITS["service"])
            severity_word = sub.text(inner, "severity", required=True)
            if severity_word is not None and severity_word not in SEVERITIES:
                sub.add("severity", "one of critical, error, warning, info", severity_word)
            if summary is not None:
                summary = sub.within("summary", summary, MAX_SUMMARY)
            timestamp = sub.timestamp(inner, "timestamp")
            custom = inner.get("custom_details")
            details = custom if isinstance(custom, Mapping) else {}
            if isinstance(details.get("environment"), str):
                sub.within("custom_details.environment", details["environment"], IDENTITY_LIMITS["environment"])
            check.problems.extend(sub.problems)
    check.raise_if_any()
    assert routing_key is not None and action is not None
    key = dedup_key or uuid.uuid4().hex
    raw_payload = body.get("payload")
    inner_payload: Mapping[str, Any] = raw_payload if isinstance(raw_payload, Mapping) else {}
    labels = {
        name: str(inner_payload[name])
        for name in ("component", "group", "class")
        if isinstance(inner_payload.get(name), (str, int, float)) and inner_payload.get(name) != ""
    }
    environment = details.get("environment") if isinstance(details.get("environment"), str) else None
    event = build_event(
        source="pagerduty",
        status=AlertStatus.RESOLVED if action == "resolve" else AlertStatus.FIRING,
        severity=map_severity(severity_word),
        title=summary or f"PagerDuty {action} {key}",
        resource=source,
        service=labels.get("group") or labels.get("component"),
        environment=environment,
        labels=labels,
        starts_at=timestamp,
        ends_at=received_at if action == "resolve" else None,
        # The routing key is a secret: it scopes the dedup_key through a hash, never verbatim.
        fingerprint=f"pagerduty:{_scope(routing_key)}:{key}",
        received_at=received_at,
        # The routing key is a credential: kept out of the stored payload, everything else verbatim.
        raw={**body, "routing_key": "<redacted>"},
    )
    event.acknowledge = action == "acknowledge"
    return [event]


def _scope(routing_key: str) -> str:
    return hashlib.sha256(routing_key.encode()).hexdigest()[:12]


def dedup_key_of(event: AlertEvent) -> str:
    """The dedup_key to answer with: the last part of the fingerprint built above."""
    return event.fingerprint.split(":", 2)[2]
