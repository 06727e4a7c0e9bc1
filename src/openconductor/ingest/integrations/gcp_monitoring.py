"""Google Cloud Monitoring webhook notification channel, schema version "1.2": one incident per request.

State open/closed, severity, the incident id as fingerprint, resource/metric/metadata/policy labels
as prefixed labels, epoch-second start and end times, and links back to the console.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from datetime import datetime
from typing import Any

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.core.severity import map_severity
from openconductor.ingest.base import (
    IDENTITY_LIMITS,
    IntegrationInfo,
    ProblemCollector,
    bounded_fingerprint,
    build_event,
    describe,
    require_object,
)
from openconductor.ingest.fields import first_label_name, from_epoch

INFO = IntegrationInfo(
    slug="gcp_monitoring",
    name="Google Cloud Monitoring",
    docs="docs/integrations/gcp_monitoring.md",
    quality="gold",
    maps="incident_id (fingerprint), state, severity, policy/condition names, summary, started_at/ended_at, "
    "resource/metric/metadata/policy labels, documentation, threshold and observed values, url",
)

ONE_ALERT_PER_REQUEST = "Cloud Monitoring sends one incident per notification"
STATES = {"open": AlertStatus.FIRING, "closed": AlertStatus.RESOLVED}
# The policy severities as Cloud Monitoring writes them in notifications.
SEVERITIES = {
    "critical": Severity.CRITICAL,
    "error": Severity.HIGH,
    "warning": Severity.WARNING,
    "no severity": Severity.UNKNOWN,
}
# Where the service lives, by kind of resource: Cloud Run, Cloud Functions, App Engine, GKE containers.
SERVICE_RESOURCE_LABELS = ("service_name", "function_name", "module_id", "container_name")
USER_SERVICE_LABELS = ("service", "app")
USER_ENVIRONMENT_LABELS = ("environment", "env", "stage")
_LABEL_SOURCES = (
    ("resource", "resource.labels", "resource."),
    ("metric", "metric.labels", "metric."),
    ("metadata", "metadata.system_labels", "system."),
    ("metadata", "metadata.user_labels", "user."),
)
_PREFIX = "gcp_monitoring:"


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    body = require_object(payload, what="a Google Cloud Monitoring webhook notification")
    incident = body.get("incident")
    if not isinstance(incident, Mapping):
        raise InvalidPayload([FieldProblem("incident", "an incident object", describe(incident))])
    check = ProblemCollector("incident.")
    incident_id = check.text(incident, "incident_id", required=True)
    state = (check.text(incident, "state") or "open").strip().lower()
    if state not in STATES:
        check.add("state", "one of open, closed", incident.get("state"))
    texts = {
        key: (check.text(incident, key) or "").strip()
        for key in (
            "scoping_project_id",
            "scoping_project_number",
            "url",
            "summary",
            "condition_name",
            "policy_name",
            "resource_id",
            "resource_name",
            "resource_display_name",
            "resource_type_display_name",
            "severity",
            "threshold_value",
            "observed_value",
            "apigee_url",
        )
    }
    started_at = _epoch(check, incident, "started_at")
    ended_at = _epoch(check, incident, "ended_at")
    resource, metric = _object(check, incident, "resource"), _object(check, incident, "metric")
    metadata = _object(check, incident, "metadata")
    parts = {"resource": resource, "metric": metric, "metadata": metadata}
    groups: dict[str, dict[str, str]] = {}
    for part, where, _prefix in _LABEL_SOURCES:
        sub = ProblemCollector(f"incident.{part}.")
        groups[where] = sub.string_map(parts[part], where.split(".", 1)[1])
        check.problems.extend(sub.problems)
    groups["policy_user_labels"] = check.string_map(incident, "policy_user_labels")
    resource_type = _text_in(check, resource, "resource.type")
    metric_type = _text_in(check, metric, "metric.type")
    metric_name = _text_in(check, metric, "metric.displayName")
    documentation, doc_subject, doc_links = _documentation(check, incident)

    user = {**groups["policy_user_labels"], **groups["metadata.user_labels"]}
    service_key = first_label_name(user, USER_SERVICE_LABELS)
    resource_key = first_label_name(groups["resource.labels"], SERVICE_RESOURCE_LABELS)
    service = user[service_key] if service_key else groups["resource.labels"][resource_key] if resource_key else None
    environment_key = first_label_name(user, USER_ENVIRONMENT_LABELS)
    environment = user[environment_key] if environment_key else None
    resource_where, resource_value = next(
        (
            (where, value)
            for where, value in (
                ("resource_display_name", texts["resource_display_name"]),
                ("resource.labels.instance_id", groups["resource.labels"].get("instance_id", "")),
                ("resource_name", texts["resource_name"]),
                ("resource_id", texts["resource_id"]),
            )
            if value
        ),
        ("", None),
    )
    for field, value, where in (
        ("service", service, _user_where(service_key, groups) or f"resource.labels.{resource_key}"),
        ("resource", resource_value, resource_where),
        ("environment", environment, _user_where(environment_key, groups)),
    ):
        if value:
            check.within(where, value, IDENTITY_LIMITS[field])
    check.raise_if_any()
    assert incident_id is not None

    labels = {
        f"{prefix}{key}": value for _part, where, prefix in _LABEL_SOURCES for key, value in groups[where].items()
    }
    labels.update({f"policy.{key}": value for key, value in groups["policy_user_labels"].items()})
    labels.update(
        {
            "project_id": texts["scoping_project_id"],
            "resource_type": resource_type,
            "metric_type": metric_type,
            "policy_name": texts["policy_name"],
            "condition_name": texts["condition_name"],
        }
    )
    annotations = {
        "incident_url": texts["url"],
        "apigee_url": texts["apigee_url"],
        "severity": texts["severity"],
        "summary": texts["summary"],
        "documentation": documentation,
        "threshold_value": texts["threshold_value"],
        "observed_value": texts["observed_value"],
        "metric": metric_name,
        "resource_type_display_name": texts["resource_type_display_name"],
        "resource_name": texts["resource_name"],
        "scoping_project_number": texts["scoping_project_number"],
        "version": body["version"] if isinstance(body.get("version"), str) else "",
        **doc_links,
    }
    status = STATES.get(state, AlertStatus.FIRING)
    severity_word = texts["severity"].lower()
    return [
        build_event(
            source="gcp_monitoring",
            status=status,
            severity=SEVERITIES[severity_word] if severity_word in SEVERITIES else map_severity(severity_word),
            title=doc_subject
            or texts["policy_name"]
            or texts["condition_name"]
            or texts["summary"]
            or "Google Cloud Monitoring incident",
            description=texts["summary"],
            service=service,
            resource=resource_value,
            environment=environment,
            labels={key: value for key, value in labels.items() if value},
            annotations={key: value for key, value in annotations.items() if value},
            starts_at=started_at,
            ends_at=(ended_at or received_at) if status is AlertStatus.RESOLVED else None,
            fingerprint=bounded_fingerprint(_PREFIX, incident_id),
            received_at=received_at,
            raw=body,
        )
    ]


def _epoch(check: ProblemCollector, incident: Mapping[str, Any], key: str) -> datetime | None:
    """Epoch seconds; null, absent and 0 (the test notification's value) mean no time."""
    value = incident.get(key)
    if value is None or value == 0 or value == "":
        return None
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        with suppress(ValueError, OverflowError):
            when = from_epoch(value, unit="seconds") if float(value) > 0 else None
            if when is not None:
                return when
    check.add(key, "epoch seconds such as 1767607200", value)
    return None


def _object(check: ProblemCollector, incident: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = incident.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        check.add(key, "an object", value)
        return {}
    return value


def _text_in(check: ProblemCollector, obj: Mapping[str, Any], path: str) -> str:
    """The string at `path` (`resource.type`) of an already checked object, named by its full path."""
    parent, _, key = path.partition(".")
    sub = ProblemCollector(f"incident.{parent}.")
    value = sub.text(obj, key) or ""
    check.problems.extend(sub.problems)
    return value.strip()


def _documentation(check: ProblemCollector, incident: Mapping[str, Any]) -> tuple[str, str, dict[str, str]]:
    """The policy's documentation: its content, its subject (a title), and its links as annotations.

    Cloud Monitoring sends an object; its test notification sends a plain string."""
    value = incident.get("documentation")
    if value is None:
        return "", "", {}
    if isinstance(value, str):
        return value, "", {}
    if not isinstance(value, Mapping):
        check.add("documentation", "an object with content", value)
        return "", "", {}
    sub = ProblemCollector("incident.documentation.")
    content = sub.text(value, "content") or ""
    subject = (sub.text(value, "subject") or "").strip()
    links: dict[str, str] = {}
    raw_links = value.get("links")
    if isinstance(raw_links, list):
        for index, link in enumerate(raw_links):
            if not isinstance(link, Mapping):
                sub.add(f"links[{index}]", "an object with displayName and url", link)
                continue
            item = ProblemCollector(f"incident.documentation.links[{index}].")
            url, name = item.text(link, "url"), item.text(link, "displayName")
            sub.problems.extend(item.problems)
            if url:
                links[f"link.{name or index}"] = url
    elif raw_links is not None:
        sub.add("links", "an array of links", raw_links)
    check.problems.extend(sub.problems)
    return content, subject, links


def _user_where(key: str | None, groups: Mapping[str, Mapping[str, str]]) -> str:
    """The field a service or environment was taken from, to name it in a problem."""
    if key is None:
        return ""
    return f"metadata.user_labels.{key}" if key in groups["metadata.user_labels"] else f"policy_user_labels.{key}"
