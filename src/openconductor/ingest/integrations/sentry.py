"""Sentry internal-integration webhooks: issue alerts (event_alert), metric alerts and issue state changes.

The resource is told by the payload's `data` (event / metric_alert / issue), not the Sentry-Hook-Resource
header. Issue alerts and issue webhooks share the issue id as fingerprint, so resolving the issue in Sentry
resolves the alert; a metric alert incident is keyed by its own id. Level is the severity; tags are labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.core.severity import map_severity
from openconductor.ingest.base import (
    IDENTITY_LIMITS,
    ControlReply,
    HmacSignature,
    IncomingRequest,
    IntegrationInfo,
    ProblemCollector,
    build_event,
    describe,
    require_object,
)
from openconductor.ingest.fields import epoch_time

INFO = IntegrationInfo(
    slug="sentry",
    name="Sentry",
    docs="docs/integrations/sentry.md",
    quality="gold",
    maps="issue alerts, metric alerts (critical/warning/resolved), issue created/resolved/assigned/archived; "
    "issue or incident id, level, project, environment, tags, web_url",
)

# Sentry signs the body with the integration's client secret: HMAC-SHA256, lower-case hex, no prefix.
SIGNATURE = HmacSignature(header="Sentry-Hook-Signature")
ONE_ALERT_PER_REQUEST = "Sentry sends one webhook per issue alert, metric alert change or issue change"

HANDLED_RESOURCES = ("event_alert", "metric_alert", "issue")
METRIC_ACTIONS = {"critical": AlertStatus.FIRING, "warning": AlertStatus.FIRING, "resolved": AlertStatus.RESOLVED}
# Issue webhook actions; `assigned` means someone took the issue, so it acknowledges.
ISSUE_ACTIONS = {
    "created": AlertStatus.FIRING,
    "unresolved": AlertStatus.FIRING,
    "assigned": AlertStatus.FIRING,
    "resolved": AlertStatus.RESOLVED,
    "archived": AlertStatus.RESOLVED,
    "ignored": AlertStatus.RESOLVED,
}
# For an action Sentry adds later, the issue's own status decides.
ISSUE_STATUSES = {"unresolved": AlertStatus.FIRING, "resolved": AlertStatus.RESOLVED, "ignored": AlertStatus.RESOLVED}
_PROJECT_IN_URL = re.compile(r"/projects/[^/]+/([^/]+)/")
_MAX_ID = 100


def control(request: IncomingRequest) -> ControlReply | None:
    """Other resources the integration may be subscribed to (installation, comment, error, ...) carry no
    alert: answer 200 so Sentry does not count them as failed deliveries."""
    resource = request.headers.get("sentry-hook-resource")
    if resource and resource not in HANDLED_RESOURCES:
        return ControlReply(200, {"status": "ignored", "resource": resource, "handled": list(HANDLED_RESOURCES)})
    return None


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    body = require_object(payload, what="a Sentry webhook with action and data")
    data = body.get("data")
    if not isinstance(data, Mapping):
        raise InvalidPayload([FieldProblem("data", "an object", describe(data))])
    action = body.get("action")
    if not isinstance(action, str):
        raise InvalidPayload([FieldProblem("action", "a string", describe(action))])
    parsers: tuple[tuple[str, Callable[..., AlertEvent]], ...] = (
        ("metric_alert", _metric_alert),
        ("event", _issue_alert),
        ("issue", _issue),
    )
    for key, parser in parsers:
        if key in data:
            return [parser(action.strip().lower(), data, body=body, received_at=received_at)]
    expected = "an object with event (issue alert), metric_alert (metric alert) or issue (issue webhook)"
    raise InvalidPayload([FieldProblem("data", expected, describe(data))])


def _issue_alert(action: str, data: Mapping[str, Any], *, body: Mapping[str, Any], received_at: datetime) -> AlertEvent:
    event = data.get("event")
    if not isinstance(event, Mapping):
        raise InvalidPayload([FieldProblem("data.event", "an event object", describe(event))])
    check = ProblemCollector("data.event.")
    issue_id = _id(check, event, "issue_id")
    level = check.text(event, "level")
    labels = _tags(check, event.get("tags"))
    environment = check.text(event, "environment", max_length=IDENTITY_LIMITS["environment"]) or labels.get(
        "environment"
    )
    resource = check.text(event, "server_name", max_length=IDENTITY_LIMITS["resource"]) or labels.get("server_name")
    url = check.text(event, "url")
    found = _PROJECT_IN_URL.search(url or "")
    project = check.within("url", found.group(1), IDENTITY_LIMITS["service"]) if found else None
    title = check.text(event, "title") or check.text(event, "message")
    started = check.timestamp(event, "datetime") or epoch_time(check, event, "timestamp", unit="seconds")
    links = {name: check.text(event, key) for name, key in (("url", "web_url"), ("issue_api_url", "issue_url"))}
    for field, value in (("environment", environment), ("resource", resource)):
        if value is not None:
            check.within("tags", value, IDENTITY_LIMITS[field])
    rule = data.get("triggered_rule") if isinstance(data.get("triggered_rule"), str) else None
    check.raise_if_any()
    labels.update({"sentry_resource": "event_alert", **({"level": level} if level else {})})
    if project:
        labels["project"] = project
    annotations = {**links, "api_url": url, "triggered_rule": rule}
    for key in ("culprit", "event_id", "release", "platform"):
        if isinstance(event.get(key), str) and event[key]:
            annotations[key] = event[key]
    return build_event(
        source="sentry",
        status=AlertStatus.FIRING,
        severity=map_severity(level),
        title=title or "Sentry issue alert",
        description=_metadata_text(event.get("metadata")),
        service=project,
        resource=resource,
        environment=environment,
        labels=labels,
        annotations={key: value for key, value in annotations.items() if value},
        starts_at=started,
        fingerprint=f"sentry:issue:{issue_id}" if issue_id else None,
        received_at=received_at,
        raw=body,
    )


def _metric_alert(
    action: str, data: Mapping[str, Any], *, body: Mapping[str, Any], received_at: datetime
) -> AlertEvent:
    incident = data.get("metric_alert")
    if not isinstance(incident, Mapping):
        raise InvalidPayload([FieldProblem("data.metric_alert", "an incident object", describe(incident))])
    check = ProblemCollector("data.")
    status = METRIC_ACTIONS.get(action)
    if status is None:
        check.problems.append(
            FieldProblem("action", "one of critical, warning, resolved (a metric alert)", describe(body.get("action")))
        )
    inner = ProblemCollector("data.metric_alert.")
    incident_id = _id(inner, incident, "id", required=True)
    started = inner.timestamp(incident, "date_started") or inner.timestamp(incident, "date_detected")
    closed = inner.timestamp(incident, "date_closed")
    rule = incident.get("alert_rule")
    rule = rule if isinstance(rule, Mapping) else {}
    rules = ProblemCollector("data.metric_alert.alert_rule.")
    projects = _strings(rule.get("projects")) or _strings(incident.get("projects"))
    environment = rules.text(rule, "environment", max_length=IDENTITY_LIMITS["environment"])
    if projects:
        rules.within("projects[0]", projects[0], IDENTITY_LIMITS["service"])
    title = check.text(data, "description_title") or rules.text(rule, "name") or inner.text(incident, "title")
    description = check.text(data, "description_text") or ""
    web_url = check.text(data, "web_url")
    for collector in (inner, rules):
        check.problems.extend(collector.problems)
    check.raise_if_any()
    assert status is not None
    labels = {"sentry_resource": "metric_alert", "action": action}
    for key in ("name", "id", "aggregate", "query", "dataset"):
        value = rule.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and value != "":
            labels[f"rule_{key}"] = str(value)
    if projects:
        labels["projects"] = ",".join(projects)
    identifier = incident.get("identifier")
    annotations = {"url": web_url or "", "incident": str(identifier) if isinstance(identifier, (str, int)) else ""}
    return build_event(
        source="sentry",
        status=status,
        severity=map_severity(action) if status is AlertStatus.FIRING else Severity.UNKNOWN,
        title=title or f"Sentry metric alert {incident_id}",
        description=description,
        service=projects[0] if projects else None,
        environment=environment or None,
        labels=labels,
        annotations={key: value for key, value in annotations.items() if value},
        starts_at=started,
        ends_at=(closed or received_at) if status is AlertStatus.RESOLVED else None,
        fingerprint=f"sentry:metric_alert:{incident_id}",
        received_at=received_at,
        raw=body,
    )


def _issue(action: str, data: Mapping[str, Any], *, body: Mapping[str, Any], received_at: datetime) -> AlertEvent:
    issue = data.get("issue")
    if not isinstance(issue, Mapping):
        raise InvalidPayload([FieldProblem("data.issue", "an issue object", describe(issue))])
    check = ProblemCollector("data.issue.")
    issue_id = _id(check, issue, "id", required=True)
    issue_status = (check.text(issue, "status") or "").lower()
    status = ISSUE_ACTIONS.get(action) or ISSUE_STATUSES.get(issue_status)
    if status is None:
        known = ", ".join(ISSUE_ACTIONS)
        check.problems.append(FieldProblem("action", f"one of {known} (or an issue status)", describe(action)))
    level = check.text(issue, "level")
    project = issue.get("project")
    projects = ProblemCollector("data.issue.project.")
    slug = (
        projects.text(project, "slug", max_length=IDENTITY_LIMITS["service"]) if isinstance(project, Mapping) else None
    )
    check.problems.extend(projects.problems)
    title = check.text(issue, "title")
    first_seen, last_seen = check.timestamp(issue, "firstSeen"), check.timestamp(issue, "lastSeen")
    links = {"url": check.text(issue, "web_url") or check.text(issue, "permalink"), "api_url": check.text(issue, "url")}
    check.raise_if_any()
    assert status is not None and issue_id is not None
    labels = {"sentry_resource": "issue", "action": action, **({"level": level} if level else {})}
    if slug:
        labels["project"] = slug
    for key in ("status", "substatus", "shortId", "platform", "type", "issueCategory"):
        if isinstance(issue.get(key), str) and issue[key]:
            labels[key] = issue[key]
    annotations = {**links, "culprit": issue.get("culprit"), "count": issue.get("count")}
    event = build_event(
        source="sentry",
        status=status,
        severity=map_severity(level),
        title=title or f"Sentry issue {issue_id}",
        description=_metadata_text(issue.get("metadata")),
        service=slug,
        labels=labels,
        annotations={key: str(value) for key, value in annotations.items() if isinstance(value, (str, int)) and value},
        # A regression re-fires an old issue: it starts now-ish, not when the issue was first seen.
        starts_at=first_seen if action == "created" else (last_seen or first_seen),
        ends_at=received_at if status is AlertStatus.RESOLVED else None,
        fingerprint=f"sentry:issue:{issue_id}",
        received_at=received_at,
        raw=body,
    )
    event.acknowledge = action == "assigned"
    return event


def _id(check: ProblemCollector, obj: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    """Sentry ids are numeric strings (sometimes numbers)."""
    value = obj.get(key)
    if value is None or value == "":
        if required:
            check.add(key, "an id (a non-empty string)")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        check.add(key, "an id (a string)", value)
        return None
    return check.within(key, str(value), _MAX_ID)


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str) and item] if isinstance(value, list) else []


def _tags(check: ProblemCollector, tags: Any) -> dict[str, str]:
    """Event tags: [["key", "value"], ...] (or [{"key": ..., "value": ...}, ...])."""
    if tags is None:
        return {}
    if not isinstance(tags, list):
        check.add("tags", "an array of [key, value] pairs", tags)
        return {}
    labels: dict[str, str] = {}
    for index, tag in enumerate(tags):
        pair = (tag.get("key"), tag.get("value")) if isinstance(tag, Mapping) else tag
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            check.add(f"tags[{index}]", "a [key, value] pair of strings", tag)
            continue
        labels[pair[0]] = pair[1]
    return labels


def _metadata_text(metadata: Any) -> str:
    """`metadata` of an event or issue: the exception type and value (or the message)."""
    if not isinstance(metadata, Mapping):
        return ""
    kind, value = metadata.get("type"), metadata.get("value") or metadata.get("title")
    parts = [part for part in (kind, value) if isinstance(part, str) and part]
    return ": ".join(parts)
