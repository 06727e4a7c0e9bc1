"""Dynatrace problem notifications, "Custom integration" (webhook) with the payload template of the docs page.

PID is the fingerprint; State OPEN fires, RESOLVED (or MERGED) resolves; ProblemSeverity is mapped below;
impacted SERVICE entities give the service, others the resource; Tags become labels; ProblemURL links back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.ingest.base import IDENTITY_LIMITS, IntegrationInfo, ProblemCollector, build_event, require_object
from openconductor.ingest.fields import epoch_time, filled, first_label, tag_labels

INFO = IntegrationInfo(
    slug="dynatrace",
    name="Dynatrace",
    docs="docs/integrations/dynatrace.md",
    quality="gold",
    maps="PID, State, ProblemTitle, ProblemSeverity/Impact, ImpactedEntities, Tags, ProblemDetailsJSON times, ProblemURL",
)

ONE_ALERT_PER_REQUEST = "Dynatrace sends one notification per problem state change"

# A MERGED problem was folded into another one, which carries on under its own PID: this one ends.
_STATES = {
    "OPEN": AlertStatus.FIRING,
    "RESOLVED": AlertStatus.RESOLVED,
    "CLOSED": AlertStatus.RESOLVED,
    "MERGED": AlertStatus.RESOLVED,
}
# Dynatrace's severities are kinds of impact; ordered as Dynatrace ranks them (availability first).
SEVERITIES = {
    "AVAILABILITY": Severity.CRITICAL,
    "ERROR": Severity.HIGH,
    "PERFORMANCE": Severity.WARNING,
    "RESOURCE_CONTENTION": Severity.WARNING,
    "CUSTOM_ALERT": Severity.WARNING,
    "MONITORING_UNAVAILABLE": Severity.WARNING,
    "INFO": Severity.INFO,
}
SERVICE_TYPES = ("SERVICE", "APPLICATION", "MOBILE_APPLICATION", "CUSTOM_APPLICATION")
SERVICE_TAGS = ("service", "app")
ENVIRONMENT_TAGS = ("environment", "env", "stage")
# A placeholder Dynatrace left unreplaced, such as "{Tags}" in some test notifications.
_PLACEHOLDER = re.compile(r"\{[A-Za-z0-9]+\}")
_FINGERPRINT_PREFIX = "dynatrace:problem:"


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    body = require_object(payload, what="a Dynatrace problem notification as in docs/integrations/dynatrace.md")
    check = ProblemCollector()
    texts = {key: filled(check.text(body, key), placeholder=_PLACEHOLDER) for key in _TEXTS}
    pid = texts["PID"] or texts["ProblemID"]
    if pid is None:
        check.add("PID", "a non-empty string (or ProblemID)", body.get("PID"))
    elif len(pid) > 200:
        check.add("PID" if texts["PID"] else "ProblemID", "at most 200 characters", f"{len(pid)} characters")
    state = (texts["State"] or "").upper()
    if state not in _STATES:
        check.add("State", "one of OPEN, RESOLVED, MERGED", body.get("State"))
    entities = _entities(check, body.get("ImpactedEntities"))
    details_key, details = _details(check, body)
    labels = _tags(texts["Tags"], details)
    tagged_service = first_label(labels, SERVICE_TAGS)
    service = tagged_service or next((name for kind, name in entities if kind in SERVICE_TYPES), None)
    resource = next((name for kind, name in entities if kind not in SERVICE_TYPES), None)
    environment = first_label(labels, ENVIRONMENT_TAGS)
    for field, value, where in (
        ("service", service, "Tags" if tagged_service else "ImpactedEntities"),
        ("resource", resource, "ImpactedEntities"),
        ("environment", environment, "Tags"),
    ):
        if value is not None:
            check.within(where, value, IDENTITY_LIMITS[field])
    # The details' startTime and endTime are epoch milliseconds; -1 means "not ended".
    times = {
        key: epoch_time(check, details, key, unit="milliseconds", field=f"{details_key}.{key}", no_time=(-1,))
        for key in ("startTime", "endTime")
    }
    check.raise_if_any()
    assert pid is not None
    status = _STATES[state]
    severity_word = (texts["ProblemSeverity"] or "").upper()
    for key, label in (("ProblemSeverity", "severity_level"), ("ProblemImpact", "impact"), ("ProblemID", "problem_id")):
        value = texts[key]
        if value:
            labels[label] = value
    labels["state"] = state
    annotations = {
        key: value
        for key, value in (
            ("url", texts["ProblemURL"]),
            ("impacted_entity", texts["ImpactedEntity"]),
            ("impacted_entity_names", texts["ImpactedEntityNames"]),
            ("root_cause", _root_cause(details)),
        )
        if value
    }
    display = texts["ProblemID"] or pid
    return [
        build_event(
            source="dynatrace",
            status=status,
            severity=SEVERITIES.get(severity_word, Severity.UNKNOWN),
            title=texts["ProblemTitle"] or f"Dynatrace problem {display}",
            description=texts["ProblemDetailsText"] or "",
            service=service,
            resource=resource,
            environment=environment,
            labels=labels,
            annotations=annotations,
            starts_at=times["startTime"],
            ends_at=(times["endTime"] or received_at) if status is AlertStatus.RESOLVED else None,
            fingerprint=f"{_FINGERPRINT_PREFIX}{pid}",
            received_at=received_at,
            raw=body,
        )
    ]


_TEXTS = (
    "PID",
    "ProblemID",
    "State",
    "ProblemTitle",
    "ProblemURL",
    "ProblemSeverity",
    "ProblemImpact",
    "ImpactedEntity",
    "ImpactedEntityNames",
    "ProblemDetailsText",
    "Tags",
)


def _entities(check: ProblemCollector, value: Any) -> list[tuple[str, str]]:
    """{ImpactedEntities}: [{"type": "HOST", "name": "web-1", "entity": "HOST-..."}] as (type, name)."""
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        check.add(
            "ImpactedEntities", "an array of entities (the {ImpactedEntities} placeholder, without quotes)", value
        )
        return []
    found: list[tuple[str, str]] = []
    for index, entity in enumerate(value):
        if not isinstance(entity, Mapping):
            check.add(f"ImpactedEntities[{index}]", "an entity object with type and name", entity)
            continue
        name, kind = entity.get("name") or entity.get("entity"), entity.get("type")
        if not isinstance(name, str) or not isinstance(kind, (str, type(None))):
            check.add(f"ImpactedEntities[{index}]", "an entity with a string type and name", entity)
            continue
        found.append(((kind or "").upper(), name))
    return found


def _details(check: ProblemCollector, body: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    """{ProblemDetailsJSON} (or {ProblemDetailsJSONv2}): the problem as Dynatrace's problems API shows it."""
    for key in ("ProblemDetailsJSON", "ProblemDetailsJSONv2"):
        value = body.get(key)
        if isinstance(value, Mapping):
            return key, value
        if value is not None and value != "":
            check.add(key, "an object (the placeholder, without quotes)", value)
    return "ProblemDetailsJSON", {}


def _tags(text: str | None, details: Mapping[str, Any]) -> dict[str, str]:
    """{Tags} ("env:prod, team:shop, critical") as labels; when it is empty, the details' entity tags."""
    labels = tag_labels(text or "")
    if labels:
        return labels
    for key in ("tagsOfAffectedEntities", "entityTags"):
        tags = details.get(key)
        for tag in tags if isinstance(tags, list) else []:
            if isinstance(tag, Mapping) and isinstance(tag.get("key"), str) and tag["key"]:
                tag_value = tag.get("value")
                labels.setdefault(tag["key"], tag_value if isinstance(tag_value, str) else "")
    return labels


def _root_cause(details: Mapping[str, Any]) -> str | None:
    cause = details.get("rootCauseEntity")
    if isinstance(cause, Mapping) and isinstance(cause.get("name"), str):
        return cause["name"] or None
    return None
