"""Datadog webhooks integration: the default payload and the recommended template of docs/integrations/datadog.md.

Status from $ALERT_TRANSITION (or the title's `[Triggered]`/`[Recovered]` prefix), severity from the
monitor priority or alert type, `key:value` tags and the alert scope as labels, fingerprint from the
monitor id and scope.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.core.severity import map_severity
from openconductor.ingest.base import IDENTITY_LIMITS, IntegrationInfo, ProblemCollector, build_event, require_object
from openconductor.ingest.fields import first_label, first_label_name, from_epoch, tag_labels

INFO = IntegrationInfo(
    slug="datadog",
    name="Datadog",
    docs="docs/integrations/datadog.md",
    quality="gold",
    maps="$ALERT_TRANSITION -> status, $ALERT_PRIORITY/$ALERT_TYPE -> severity, $TAGS/$ALERT_SCOPE -> labels "
    "(service, env, host), $ALERT_ID+scope -> fingerprint, $DATE, $LINK, monitor link",
)

ONE_ALERT_PER_REQUEST = "Datadog sends one webhook request per monitor notification"

# Datadog's alert types ($ALERT_TYPE): an alert is `error`, a warning `warning`, a recovery `success`.
ALERT_TYPES = {"error": Severity.HIGH, "warning": Severity.WARNING, "info": Severity.INFO, "success": Severity.INFO}
# Used only when the payload carries neither a priority nor an alert type (the default payload).
TRANSITION_SEVERITY = {
    "triggered": Severity.HIGH,
    "re-triggered": Severity.HIGH,
    "warn": Severity.WARNING,
    "re-warn": Severity.WARNING,
    "no data": Severity.WARNING,
    "re-no data": Severity.WARNING,
}
SERVICE_TAGS = ("service", "app")
RESOURCE_TAGS = ("host", "hostname", "pod_name", "container_name")
ENVIRONMENT_TAGS = ("env", "environment")
# "[P1] [Triggered on {host:web-1,env:prod}] Monitor name": Datadog's event title.
_TITLE = re.compile(
    r"^\s*(?:\[(?P<priority>P[1-5])\]\s*)?\[(?P<transition>[^\]{]+?)(?:\s+on\s+\{(?P<scope>[^}]*)\})?\]\s*(?P<name>.*)$",
    re.DOTALL,
)
_MONITOR_LINK = re.compile(r"(?P<origin>https?://[^/\s()\[\]]+)/monitors[/#](?P<id>\d+)")
_ORIGIN = re.compile(r"^(https?://[^/\s]+)/")
# Transitions that send a firing again (`Re-Triggered`, `Re-Warn`, `Re-No Data`, `Renotify`).
_RESENT = re.compile(r"\s*re(-|notify)", re.IGNORECASE)
_MARKDOWN_FENCE = "%%%"


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    body = require_object(payload, what="a Datadog webhook payload")
    check = ProblemCollector()
    texts = {
        key: check.text(body, key)
        for key in (
            "id",
            "title",
            "body",
            "event_type",
            "alert_id",
            "alert_title",
            "alert_transition",
            "alert_status",
            "alert_type",
            "alert_priority",
            "alert_metric",
            "alert_query",
            "alert_scope",
            "alert_cycle_key",
            "aggreg_key",
            "priority",
            "hostname",
            "tags",
            "link",
            "snapshot",
            "text_only_msg",
        )
    }
    date = _epoch_ms(check, body, "date")
    last_updated = _epoch_ms(check, body, "last_updated")
    org = body.get("org")
    org_id = org_name = None
    if isinstance(org, Mapping):
        org_check = ProblemCollector("org.")
        org_id, org_name = org_check.text(org, "id"), org_check.text(org, "name")
        check.problems.extend(org_check.problems)
    elif org is not None:
        check.add("org", "an object with id and name", org)
    check.raise_if_any()

    value = {key: (text or "").strip() for key, text in texts.items()}
    title_parts = _TITLE.match(value["title"])
    transition = value["alert_transition"] or (title_parts.group("transition") if title_parts else "")
    scope = value["alert_scope"] or (title_parts.group("scope") or "" if title_parts else "")
    name = (title_parts.group("name").strip() if title_parts else "") or value["title"] or value["alert_title"]
    # Datadog tags (`env:prod,service:checkout,canary`) are taken as written, spaces around `:` included.
    labels = {**tag_labels(value["tags"], strip=False), **tag_labels(scope, strip=False)}

    # The `host` tag names the host of the alert's group; $HOSTNAME the host of the event.
    resource_tag = first_label_name(labels, RESOURCE_TAGS[:1]) or (
        None if value["hostname"] else first_label_name(labels, RESOURCE_TAGS)
    )
    resource = labels[resource_tag] if resource_tag else value["hostname"] or None
    resource_where = f"tags.{resource_tag}" if resource_tag else "hostname"
    identity = {
        "service": (f"tags.{first_label_name(labels, SERVICE_TAGS)}", first_label(labels, SERVICE_TAGS)),
        "resource": (resource_where, resource),
        "environment": (f"tags.{first_label_name(labels, ENVIRONMENT_TAGS)}", first_label(labels, ENVIRONMENT_TAGS)),
    }
    for field, (where, text) in identity.items():
        if text is not None:
            check.within(where, text, IDENTITY_LIMITS[field])
    check.raise_if_any()

    monitor_link = _MONITOR_LINK.search(value["body"])
    monitor_id = value["alert_id"] or (monitor_link.group("id") if monitor_link else "")
    origin = _origin(value["link"]) or (monitor_link.group("origin") if monitor_link else None)
    status = AlertStatus.RESOLVED if transition.lower().startswith("recovered") else AlertStatus.FIRING
    annotations = {
        "event_id": value["id"],
        "event_type": value["event_type"],
        "event_url": value["link"],
        "monitor_id": monitor_id,
        "monitor_url": f"{origin}/monitors/{monitor_id}" if origin and monitor_id else "",
        "snapshot_url": value["snapshot"],
        "alert_transition": transition,
        "alert_status": value["alert_status"],
        "alert_metric": value["alert_metric"],
        "alert_query": value["alert_query"],
        "alert_scope": scope,
        "alert_cycle_key": value["alert_cycle_key"],
        "aggreg_key": value["aggreg_key"],
        "event_priority": value["priority"],
        "org_name": org_name or "",
    }
    return [
        build_event(
            source="datadog",
            status=status,
            severity=_severity(value, title_parts, transition),
            title=name or "Datadog alert",
            description=value["text_only_msg"] or _strip_fences(value["body"]),
            service=identity["service"][1],
            resource=resource,
            environment=identity["environment"][1],
            labels=labels,
            annotations={key: text for key, text in annotations.items() if text},
            starts_at=date if status is AlertStatus.FIRING else None,
            ends_at=(date or last_updated or received_at) if status is AlertStatus.RESOLVED else None,
            fingerprint=_fingerprint(org_id, monitor_id or value["aggreg_key"], scope),
            received_at=received_at,
            raw=body,
            # $DATE of a first notification (Triggered, Warn, No Data) is when the firing began; that of a
            # Re-Triggered, Re-Warn or Renotify is only when it was sent again.
            keeps_start=not _RESENT.match(transition),
        )
    ]


def _severity(value: Mapping[str, str], title_parts: re.Match[str] | None, transition: str) -> Severity:
    priority = value["alert_priority"] or (title_parts.group("priority") or "" if title_parts else "")
    if priority:
        return map_severity(priority)
    if value["alert_type"]:
        return ALERT_TYPES.get(value["alert_type"].lower(), Severity.UNKNOWN)
    return TRANSITION_SEVERITY.get(transition.lower(), Severity.UNKNOWN)


def _fingerprint(org_id: str | None, monitor: str, scope: str) -> str | None:
    """`datadog:<org>:<monitor>:<scope>`: one alert per monitor and group, the same in every transition.

    The scope's tags are sorted, so `{env:prod,host:a}` and `{host:a, env:prod}` are one alert; a scope
    too long for the fingerprint column is hashed.
    """
    if not monitor:
        return None
    key = f"datadog:{org_id}:{monitor}" if org_id else f"datadog:{monitor}"
    if scope:
        normalized = ",".join(sorted(tag.strip() for tag in scope.split(",") if tag.strip()))
        key = f"{key}:{normalized}"
    if len(key) > IDENTITY_LIMITS["fingerprint"]:
        return f"datadog:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    return key


def _epoch_ms(check: ProblemCollector, body: Mapping[str, Any], key: str) -> datetime | None:
    """$DATE and $LAST_UPDATED: epoch milliseconds, as text (`"1406662672000"`) or a number."""
    value = body.get(key)
    if value is None or value == "":
        return None
    number = isinstance(value, (str, int, float)) and not isinstance(value, bool)
    when = from_epoch(value, unit="milliseconds") if number else None
    if when is None:
        check.add(key, "epoch milliseconds such as 1406662672000", value)
    return when


def _origin(url: str) -> str | None:
    match = _ORIGIN.match(url)
    return match.group(1) if match else None


def _strip_fences(text: str) -> str:
    """The event text without the `%%%` markers Datadog puts around Markdown."""
    text = text.strip()
    if text.startswith(_MARKDOWN_FENCE):
        text = text[len(_MARKDOWN_FENCE) :]
    if text.endswith(_MARKDOWN_FENCE):
        text = text[: -len(_MARKDOWN_FENCE)]
    return text.strip()
