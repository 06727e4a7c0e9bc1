"""Elastic / Kibana alerting rules through the Webhook connector, with the body template of the docs page.

rule.id + alert.id is the fingerprint; the "Recovered" action group (or `status`) resolves; rule tags
become labels (`key:value` tags split); context.reason/title/links become the text and links back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.core.severity import map_severity
from openconductor.ingest.base import (
    IDENTITY_LIMITS,
    IntegrationInfo,
    ProblemCollector,
    build_event,
    describe,
    require_object,
)
from openconductor.ingest.fields import filled, first_label, tag_labels

INFO = IntegrationInfo(
    slug="elastic",
    name="Elastic (Kibana alerting)",
    docs="docs/integrations/elastic.md",
    quality="gold",
    maps="rule.id/name/tags/url, alert.id/actionGroup, context.reason/title/links, date; Recovered resolves",
)

ONE_ALERT_PER_REQUEST = "Kibana runs a webhook action once per alert (action frequency 'For each alert')"

_FIRING_WORDS = ("firing", "active", "alert", "triggered")
_RESOLVED_WORDS = ("resolved", "recovered", "ok")
RECOVERED_GROUP = "recovered"
SERVICE_TAGS = ("service", "app")
ENVIRONMENT_TAGS = ("environment", "env", "stage")
# Context variables that link back to Kibana, in order of preference for the `url` annotation.
_LINKS = ("alertDetailsUrl", "viewInAppUrl", "link")
_FINGERPRINT_PREFIX = "elastic:"


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    body = require_object(payload, what="a Kibana webhook body as in docs/integrations/elastic.md")
    rule = body.get("rule")
    if not isinstance(rule, Mapping):
        raise InvalidPayload([FieldProblem("rule", "an object with id and name", describe(rule))])
    alert, context = _section(body, "alert"), _section(body, "context")
    check = ProblemCollector()
    rules = ProblemCollector("rule.")
    rule_id = rules.text(rule, "id", required=True, max_length=100)
    # Mustache renders a variable the rule type does not set as "": filled() takes that as absent, and keeps
    # what was rendered as it is (strip=False).
    rule_name = filled(rules.text(rule, "name"), strip=False)
    rule_url = filled(rules.text(rule, "url"), strip=False)
    space = filled(rules.text(rule, "spaceId"), strip=False)
    tags = _tags(rules, rule.get("tags"))
    check.problems.extend(rules.problems)
    alerts = ProblemCollector("alert.")
    alert_id = filled(alerts.text(alert, "id"), strip=False)
    group = filled(alerts.text(alert, "actionGroup"), strip=False)
    group_name = filled(alerts.text(alert, "actionGroupName"), strip=False)
    check.problems.extend(alerts.problems)
    texts = _context_texts(context)
    status = _status(check, body, group)
    date = body.get("date")  # anything but an empty render is checked as a timestamp
    when = check.timestamp(body, "date") if date and (not isinstance(date, str) or filled(date)) else None
    kibana_url = filled(check.text(body, "kibanaBaseUrl"), strip=False)
    severity_word = filled(check.text(body, "severity"), strip=False)
    labels = dict(tags)
    service = texts.get("serviceName") or first_label(labels, SERVICE_TAGS)
    environment = texts.get("environment") or first_label(labels, ENVIRONMENT_TAGS)
    resource = texts.get("group")
    for field, value, where in (
        ("service", service, "context.serviceName" if texts.get("serviceName") else "rule.tags"),
        ("environment", environment, "context.environment" if texts.get("environment") else "rule.tags"),
        ("resource", resource, "context.group"),
    ):
        if value is not None:
            check.within(where, value, IDENTITY_LIMITS[field])
    if rule_id is not None and alert_id is not None:
        room = IDENTITY_LIMITS["fingerprint"] - len(_FINGERPRINT_PREFIX) - len(rule_id) - 1
        check.within("alert.id", alert_id, room)
    check.raise_if_any()
    assert rule_id is not None and status is not None
    labels.update({"rule_id": rule_id, **({"alert_id": alert_id} if alert_id else {})})
    labels.update({key: value for key, value in (("action_group", group), ("space_id", space)) if value})
    flapping = _scalar(alert.get("flapping")).lower()
    if flapping in ("true", "false"):
        labels["flapping"] = flapping
    title = texts.get("title") or _title(rule_name or f"Kibana rule {rule_id}", alert_id)
    annotations = {f"context.{key}": value for key, value in texts.items()}
    links = {"rule_url": rule_url, "kibana_url": kibana_url, "url": next(filter(None, map(texts.get, _LINKS)), None)}
    annotations.update({key: value for key, value in links.items() if value})
    for key in ("actionGroupName", "consecutiveMatches", "uuid"):
        if _scalar(alert.get(key)):
            annotations[f"alert.{key}"] = _scalar(alert.get(key))
    return [
        build_event(
            source="elastic",
            status=status,
            severity=_severity(severity_word, labels, group, group_name),
            title=title,
            description=texts.get("reason") or texts.get("message") or texts.get("conditions") or "",
            service=service,
            resource=resource,
            environment=environment,
            labels=labels,
            annotations=annotations,
            starts_at=when if status is AlertStatus.FIRING else None,
            ends_at=(when or received_at) if status is AlertStatus.RESOLVED else None,
            fingerprint=f"{_FINGERPRINT_PREFIX}{rule_id}" + (f":{alert_id}" if alert_id else ""),
            received_at=received_at,
            raw=body,
        )
    ]


def _section(body: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """`alert` or `context` as an object; absent is empty (a summary action has no `alert`)."""
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidPayload([FieldProblem(name, "an object", describe(value))])
    return value


def _scalar(value: Any) -> str:
    """A rendered variable as text; empty for absent, empty or structured values."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    return ""


def _context_texts(context: Mapping[str, Any]) -> dict[str, str]:
    """The rendered context variables that hold text; objects (rendered with asJSON) stay in `raw`."""
    return {str(key): _scalar(value) for key, value in context.items() if _scalar(value)}


def _status(check: ProblemCollector, body: Mapping[str, Any], group: str | None) -> AlertStatus | None:
    word = filled(check.text(body, "status"), strip=False)
    if word is None:
        return AlertStatus.RESOLVED if (group or "").lower() == RECOVERED_GROUP else AlertStatus.FIRING
    if word.strip().lower() in _FIRING_WORDS:
        return AlertStatus.FIRING
    if word.strip().lower() in _RESOLVED_WORDS:
        return AlertStatus.RESOLVED
    check.add("status", "one of firing, recovered (or absent: alert.actionGroup decides)", word)
    return None


def _tags(check: ProblemCollector, tags: Any) -> dict[str, str]:
    """`{{rule.tags}}` renders as "a,b,c" (an array with `asJSON`); `key:value` tags become labels."""
    if tags is None:
        return {}
    if isinstance(tags, str):
        return tag_labels(tags)
    if not isinstance(tags, list):
        check.add("tags", "a comma-separated string or an array of strings", tags)
        return {}
    for index, tag in enumerate(tags):
        if not isinstance(tag, str):
            check.add(f"tags[{index}]", "a string", tag)
    return tag_labels(tag for tag in tags if isinstance(tag, str))


def _severity(word: str | None, labels: Mapping[str, str], group: str | None, group_name: str | None) -> Severity:
    """The body's `severity`, else a `severity:<word>` rule tag, else what the action group says."""
    if word:
        return map_severity(word)
    if labels.get("severity"):
        return map_severity(labels["severity"])
    # Kibana rule types name their groups "...warning" / "...critical" ("Warning", "Critical").
    named = f"{group or ''} {group_name or ''}".lower()
    for level in (Severity.CRITICAL, Severity.WARNING):
        if level.value in named:
            return level
    return Severity.UNKNOWN


def _title(rule_name: str, alert_id: str | None) -> str:
    return f"{rule_name}: {alert_id}" if alert_id and alert_id != rule_name else rule_name
