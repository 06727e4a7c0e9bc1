"""New Relic workflows, webhook destination with New Relic's default payload template (or the extended one).

The issue id is the fingerprint; state CLOSED resolves, ACKNOWLEDGED acknowledges; priority is the severity;
impacted entities give the resource (or service), entity tags become labels; issueUrl links back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.ingest.base import IDENTITY_LIMITS, IntegrationInfo, ProblemCollector, build_event, require_object
from openconductor.ingest.fields import epoch_time, first_label

INFO = IntegrationInfo(
    slug="newrelic",
    name="New Relic (workflows)",
    docs="docs/integrations/newrelic.md",
    quality="gold",
    maps="issueId, state, priority, title, impactedEntities/entities, tags, createdAt/closedAt, policy and condition names, issueUrl",
)

ONE_ALERT_PER_REQUEST = "a New Relic workflow sends one notification per issue update"

_STATES = {
    "CREATED": AlertStatus.FIRING,
    "ACTIVATED": AlertStatus.FIRING,
    "ACKNOWLEDGED": AlertStatus.FIRING,
    "CLOSED": AlertStatus.RESOLVED,
}
PRIORITIES = {"CRITICAL": Severity.CRITICAL, "HIGH": Severity.HIGH, "MEDIUM": Severity.WARNING, "LOW": Severity.INFO}
SERVICE_TAGS = ("service", "service.name", "appName")
ENVIRONMENT_TAGS = ("environment", "env", "stage")
# Entity types that are a service rather than a place it runs.
SERVICE_TYPES = ("APPLICATION", "SERVICE", "APM_APPLICATION", "EXTERNAL_SERVICE")
_FINGERPRINT_PREFIX = "newrelic:issue:"


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    body = require_object(payload, what="a New Relic workflow webhook payload")
    check = ProblemCollector()
    issue_id = check.text(body, "issueId", max_length=100) or check.text(body, "id", required=True, max_length=100)
    state_word = check.text(body, "state", required=True)
    state = state_word.strip().upper() if state_word else None
    if state is not None and state not in _STATES:
        check.add("state", "one of CREATED, ACTIVATED, ACKNOWLEDGED, CLOSED", state_word)
    priority = (check.text(body, "priority") or "").strip().upper()
    if priority and priority not in PRIORITIES:
        check.add("priority", "one of CRITICAL, HIGH, MEDIUM, LOW", body.get("priority"))
    title = check.text(body, "title")
    issue_url = check.text(body, "issueUrl")
    names = {key: _strings(check, body, key) for key in _LISTS}
    tags = _tags(check, body.get("tags"))
    service, resource = _placement(check, body, names["impactedEntities"], tags)
    environment = first_label(tags, ENVIRONMENT_TAGS)
    if environment is not None:
        check.within("tags", environment, IDENTITY_LIMITS["environment"])
    # New Relic's timestamps are epoch milliseconds, a number or its text.
    times = {
        key: epoch_time(check, body, key, unit="milliseconds", digits=True, no_time=("",))
        for key in ("createdAt", "activatedAt", "updatedAt", "closedAt")
    }
    check.raise_if_any()
    assert issue_id is not None and state is not None
    status = _STATES[state]
    labels = {**tags, "state": state, **({"priority": priority} if priority else {})}
    labels.update({key: ", ".join(names[key]) for key in _LABEL_LISTS if names[key]})
    for key in ("trigger", "workflowName", "isCorrelated", "totalIncidents"):
        value = body.get(key)
        if isinstance(value, (str, int, float)) and value != "":
            labels[key] = str(value).lower() if isinstance(value, bool) else str(value)
    annotations = {"url": issue_url or ""}
    runbooks = names["runbookUrls"]
    if runbooks:
        annotations["runbook_url"] = runbooks[0]
    for key in ("policyUrl", "violationChartUrl"):
        if isinstance(body.get(key), str) and body[key]:
            annotations[key] = body[key]
    shown = title or next(iter(names["alertConditionNames"]), None) or f"New Relic issue {issue_id}"
    ends_at = (times["closedAt"] or times["updatedAt"] or received_at) if status is AlertStatus.RESOLVED else None
    event = build_event(
        source="newrelic",
        status=status,
        severity=PRIORITIES.get(priority, Severity.UNKNOWN),
        title=shown,
        description="\n".join(names["description"]),
        service=service,
        resource=resource,
        environment=environment,
        labels=labels,
        annotations={key: value for key, value in annotations.items() if value},
        starts_at=times["activatedAt"] or times["createdAt"],
        ends_at=ends_at,
        fingerprint=f"{_FINGERPRINT_PREFIX}{issue_id}",
        received_at=received_at,
        raw=body,
    )
    event.acknowledge = state == "ACKNOWLEDGED"
    return [event]


# Lists of names in the payload: the default template's, and `description`/`runbookUrls` of the extended one.
_LISTS = (
    "impactedEntities",
    "sources",
    "alertPolicyNames",
    "alertConditionNames",
    "description",
    "runbookUrls",
)


# The lists that name things (and so group alerts); descriptions and runbooks are text, not labels.
_LABEL_LISTS = ("impactedEntities", "sources", "alertPolicyNames", "alertConditionNames")


def _strings(check: ProblemCollector, body: Mapping[str, Any], key: str) -> list[str]:
    """A list of strings; one string alone is taken as a list of one (a template may use `.[0]`)."""
    value = body.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        check.add(key, "an array of strings", value)
        return []
    found: list[str] = []
    for index, item in enumerate(value):
        if isinstance(item, str):
            if item:
                found.append(item)
        elif item is not None:
            check.add(f"{key}[{index}]", "a string", item)
    return found


def _tags(check: ProblemCollector, tags: Any, *, where: str = "tags", name: str = "") -> dict[str, str]:
    """`{{ json accumulations.tag }}`: tag name -> list of values; dotted names may arrive nested."""
    if tags is None:
        return {}
    if not isinstance(tags, Mapping):
        check.add(where, "an object of tag names to values", tags)
        return {}
    labels: dict[str, str] = {}
    for key, value in tags.items():
        label = f"{name}{key}"
        if isinstance(value, Mapping):
            labels.update(_tags(check, value, where=f"{where}.{key}", name=f"{label}."))
        elif isinstance(value, list) and all(isinstance(item, (str, int, float)) for item in value):
            labels[label] = ",".join(dict.fromkeys(str(item) for item in value))
        elif isinstance(value, (str, int, float)):
            labels[label] = str(value)
        elif value is not None:
            check.add(f"{where}.{key}", "a string or an array of strings", value)
    return labels


def _placement(
    check: ProblemCollector, body: Mapping[str, Any], impacted: list[str], tags: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """(service, resource): from `entities` (typed) when sent, else the first impacted entity is the resource."""
    tagged = first_label(tags, SERVICE_TAGS)
    service, resource = tagged, (impacted[0] if impacted else None)
    entities = body.get("entities")
    if isinstance(entities, list):
        typed = [e for e in entities if isinstance(e, Mapping) and isinstance(e.get("name"), str) and e["name"]]
        services = [e["name"] for e in typed if str(e.get("type", "")).upper() in SERVICE_TYPES]
        others = [e["name"] for e in typed if str(e.get("type", "")).upper() not in SERVICE_TYPES]
        service = service or next(iter(services), None)
        resource = next(iter(others), None) or (None if services else resource)
    elif entities is not None:
        check.add("entities", "an array of entities (name, type)", entities)
    if service is not None:
        check.within("tags" if tagged else "entities", service, IDENTITY_LIMITS["service"])
    if resource is not None:
        check.within("impactedEntities" if resource in impacted else "entities", resource, IDENTITY_LIMITS["resource"])
    return service, resource
