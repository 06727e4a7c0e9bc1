"""Opsgenie Alert API compatible endpoint, so any tool that can send to Opsgenie can send here.

Create alert (message, alias, description, responders, visibleTo, actions, tags, details, entity,
source, priority, user, note), and close or acknowledge by alias. The alias is the fingerprint; tags
and details become labels.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.core.severity import map_severity
from openconductor.ingest.base import (
    IDENTITY_LIMITS,
    ControlReply,
    IntegrationInfo,
    ProblemCollector,
    bounded_fingerprint,
    build_event,
    describe,
    require_object,
)
from openconductor.ingest.fields import first_label, first_label_name, tag_labels
from openconductor.ingest.integrations.alertmanager import ENVIRONMENT_LABELS, RESOURCE_LABELS, SERVICE_LABELS

INFO = IntegrationInfo(
    slug="opsgenie",
    name="Opsgenie Alert API",
    docs="docs/integrations/opsgenie.md",
    quality="gold",
    maps="message, alias (fingerprint), description, priority P1-P5, tags and details (labels), entity, source, "
    "responders, visibleTo, actions, user, note; close and acknowledge by alias",
)

ONE_ALERT_PER_REQUEST = "the Opsgenie Alert API takes one alert (or one action on an alert) per request"
ACTIONS = ("create", "close", "acknowledge")
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
DEFAULT_PRIORITY = "P3"  # Opsgenie's default
_PREFIX = "opsgenie:"


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    body = require_object(payload, what="an Opsgenie create-alert request, or a close or acknowledge action")
    check = ProblemCollector()
    action = (check.text(body, "action") or "create").strip().lower()
    if action not in ACTIONS:
        check.add("action", "one of create, close, acknowledge", body.get("action"))
    alias = check.text(body, "alias")
    if action in ("close", "acknowledge") and not (alias and alias.strip()):
        check.add("alias", f"the alias of the alert to {action}", alias)
    message = check.text(body, "message", required=action == "create")
    priority = check.text(body, "priority")
    if priority is not None and priority.strip().upper() not in PRIORITIES:
        check.add("priority", "one of P1, P2, P3, P4, P5", priority)
    texts = {key: check.text(body, key) or "" for key in ("description", "entity", "source", "user", "note")}
    details = check.string_map(body, "details")
    # Tags are `key:value` (or `key=value`); a plain tag is a label with the value "".
    labels = {**tag_labels(_strings(check, body, "tags"), separators=":="), **details}
    recipients = {key: _recipients(check, body, key) for key in ("responders", "visibleTo")}
    actions = _strings(check, body, "actions")
    service = first_label(labels, SERVICE_LABELS)
    resource = first_label(labels, RESOURCE_LABELS) or texts["entity"] or None
    environment = first_label(labels, ENVIRONMENT_LABELS)
    for field, value, where in (
        ("service", service, _where(labels, details, SERVICE_LABELS)),
        ("resource", resource, _where(labels, details, RESOURCE_LABELS)),
        ("environment", environment, _where(labels, details, ENVIRONMENT_LABELS)),
    ):
        if value is not None:
            check.within(where, value, IDENTITY_LIMITS[field])
    check.raise_if_any()

    level = (priority or DEFAULT_PRIORITY).strip().upper()
    key = alias.strip() if alias and alias.strip() else None
    annotations = {
        "alias": key or "",
        "priority": level if action == "create" else "",
        "entity": texts["entity"],
        "source": texts["source"],
        "user": texts["user"],
        "note": texts["note"],
        "responders": recipients["responders"],
        "visible_to": recipients["visibleTo"],
        "actions": ", ".join(actions),
    }
    status = AlertStatus.RESOLVED if action == "close" else AlertStatus.FIRING
    event = build_event(
        source="opsgenie",
        status=status,
        severity=map_severity(level) if action == "create" else Severity.UNKNOWN,
        title=(message or "").strip() or f"Opsgenie alert {key}",
        description=texts["description"],
        service=service,
        resource=resource,
        environment=environment,
        labels=labels,
        annotations={name: value for name, value in annotations.items() if value},
        ends_at=received_at if status is AlertStatus.RESOLVED else None,
        # Without an alias Opsgenie creates a new alert every time; so does OpenConductor. An alias too long
        # for the fingerprint column (Opsgenie allows 512 characters) is hashed.
        fingerprint=bounded_fingerprint(_PREFIX, key) if key else f"{_PREFIX}{uuid.uuid4().hex}",
        received_at=received_at,
        raw=body,
    )
    event.acknowledge = action == "acknowledge"
    return [event]


def path_request(body: Any, *, action: str, identifier: str, identifier_type: str | None) -> dict[str, Any]:
    """The request body for Opsgenie's path form, `POST /v2/alerts/{identifier}/close?identifierType=alias`
    (and `/acknowledge`), as this module parses it: `{"action": ..., "alias": identifier, ...body}`.

    Only aliases can be resolved: Opsgenie's own alert ids and tiny ids are never known here.
    """
    if (identifier_type or "id").lower() != "alias":
        raise InvalidPayload(
            [FieldProblem("identifierType", "alias (alerts are known by their alias)", describe(identifier_type))]
        )
    extra = dict(body) if isinstance(body, Mapping) else {}
    return {**extra, "action": action, "alias": identifier}


def reply(events: list[AlertEvent]) -> ControlReply:
    """Opsgenie's answer to an accepted request, which its clients may read."""
    return ControlReply(
        status=202, body={"result": "Request will be processed", "took": 0.0, "requestId": str(uuid.uuid4())}
    )


def _strings(check: ProblemCollector, body: Mapping[str, Any], key: str) -> list[str]:
    """An array of strings; a comma-separated string is accepted as well, as Opsgenie's own forms do."""
    value = body.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list):
        check.add(key, "an array of strings", value)
        return []
    result = []
    for index, item in enumerate(value):
        if isinstance(item, str):
            if item.strip():
                result.append(item.strip())
        else:
            check.add(f"{key}[{index}]", "a string", item)
    return result


def _recipients(check: ProblemCollector, body: Mapping[str, Any], key: str) -> str:
    """Responders or visibleTo (`[{"name": "ops", "type": "team"}, ...]`) as `team:ops, user:ann@example.com`."""
    value = body.get(key)
    if value is None:
        return ""
    if not isinstance(value, list):
        check.add(key, "an array of {id|name|username, type} objects", value)
        return ""
    shown = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            check.add(f"{key}[{index}]", "an object with id, name or username, and type", item)
            continue
        sub = ProblemCollector(f"{key}[{index}].")
        kind = sub.text(item, "type") or ""
        who = sub.text(item, "name") or sub.text(item, "username") or sub.text(item, "id") or ""
        check.problems.extend(sub.problems)
        if who:
            shown.append(f"{kind}:{who}" if kind else who)
    return ", ".join(shown)


def _where(labels: Mapping[str, str], details: Mapping[str, str], names: tuple[str, ...]) -> str:
    """The request field a service, resource or environment came from, to name it in a problem."""
    name = first_label_name(labels, names)
    if name is None:
        return "entity"
    return f"details.{name}" if name in details else "tags"
