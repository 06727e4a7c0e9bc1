"""Nagios Core 4 notifications, as contrib/nagios/openconductor-notify posts them (one per notification).

The host is the resource; the title is the service description (or the host) with its state; the
fingerprint is `nagios:<host>!<service description>` (`nagios:<host>` for host notifications), the same
for a problem, its acknowledgement and its recovery. The Icinga 2 integration shares this parser.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.ingest.base import (
    IDENTITY_LIMITS,
    IntegrationInfo,
    ProblemCollector,
    bounded_fingerprint,
    build_event,
    require_object,
)
from openconductor.ingest.fields import join_url

INFO = IntegrationInfo(
    slug="nagios",
    name="Nagios Core",
    docs="docs/integrations/nagios.md",
    quality="gold",
    maps="notification_type/state -> status and severity; host_name -> resource; host + service_description -> "
    "fingerprint; output/long_output, problem ids, acknowledgement author/comment, a link to the CGI status page",
)

ONE_ALERT_PER_REQUEST = "Nagios runs the notification command once per notification, and each run posts one"

# Nagios' words, mapped explicitly: the shared table reads "down" as high, but a host that is down takes
# every check on it with it, so it pages like a critical service. UNREACHABLE means a parent host is down
# (that parent's own DOWN is the critical alert), so it is one step below.
SERVICE_STATES = {
    "OK": Severity.INFO,
    "WARNING": Severity.WARNING,
    "CRITICAL": Severity.CRITICAL,
    "UNKNOWN": Severity.UNKNOWN,
}
HOST_STATES = {"UP": Severity.INFO, "DOWN": Severity.CRITICAL, "UNREACHABLE": Severity.HIGH}
RECOVERED_STATES = ("OK", "UP")
ACKNOWLEDGEMENT = "ACKNOWLEDGEMENT"
RECOVERY = "RECOVERY"
OBJECT_TYPES = ("host", "service")

# Values copied as annotations when present: (body key, annotation name).
# (notification_type, state and last_state are read on their own and annotated as normalized.)
_ANNOTATED = (
    ("state_type", "state_type"),
    ("host_address", "host_address"),
    ("host_alias", "host_alias"),
    ("problem_id", "problem_id"),
    ("last_problem_id", "last_problem_id"),
    ("notification_id", "notification_id"),
    ("notification_number", "notification_number"),
    ("comment", "comment"),
    ("notes_url", "notes_url"),
    ("action_url", "action_url"),
)


@dataclass(frozen=True, slots=True)
class Dialect:
    """What differs between the tools that speak this format: the source, the key naming the service
    check, and where the tool's web UI is and how it links to one host or service."""

    source: str
    service_key: str
    ui_key: str
    link: Callable[[str, str, str | None], str]  # (ui base URL, host, service or None) -> the status page


def _cgi_link(base: str, host: str, service: str | None) -> str:
    # extinfo.cgi shows one host (type=1) or one service (type=2) with its state, comments and history.
    if service is None:
        return join_url(base, f"extinfo.cgi?type=1&host={quote(host, safe='')}")
    return join_url(base, f"extinfo.cgi?type=2&host={quote(host, safe='')}&service={quote(service, safe='')}")


NAGIOS = Dialect(source="nagios", service_key="service_description", ui_key="nagios_url", link=_cgi_link)


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    return [parse_notification(payload, received_at=received_at, dialect=NAGIOS)]


def parse_notification(payload: Any, *, received_at: datetime, dialect: Dialect) -> AlertEvent:
    """One notification of the shared format (docs/integrations/nagios.md lists its keys)."""
    body = require_object(payload, what=f"a {dialect.source} notification from openconductor-notify")
    check = ProblemCollector()
    notification_type = (check.text(body, "notification_type", required=True) or "").strip().upper()
    host = check.text(body, "host_name", required=True, max_length=IDENTITY_LIMITS["resource"])
    already = len(check.problems)
    service_check = check.text(body, dialect.service_key) or None
    # A service key of the wrong type is one problem, named once.
    service_missing = service_check is None and len(check.problems) == already
    object_type = _object_type(check, body, service_check=service_check)
    if object_type == "service" and service_missing:
        check.add(
            dialect.service_key,
            "a non-empty string (required when object_type is service)",
            body.get(dialect.service_key),
        )
    states = SERVICE_STATES if object_type == "service" else HOST_STATES
    state = (check.text(body, "state", required=True) or "").strip().upper()
    if state and state not in states:
        check.add("state", f"one of {', '.join(states)} (a {object_type} state)", body.get("state"))
    last_state = (check.text(body, "last_state") or "").strip().upper()
    changed_at, sent_at = check.timestamp(body, "last_state_change"), check.timestamp(body, "timestamp")
    starts_or_ends = changed_at or sent_at
    service = check.text(body, "service", max_length=IDENTITY_LIMITS["service"]) or None
    environment = check.text(body, "environment", max_length=IDENTITY_LIMITS["environment"]) or None
    labels = check.string_map(body, "labels")
    texts = {key: check.text(body, key) or "" for key in _text_keys(dialect)}
    check.raise_if_any()
    assert host is not None

    acknowledged = notification_type == ACKNOWLEDGEMENT
    resolved = not acknowledged and (notification_type == RECOVERY or state in RECOVERED_STATES)
    if resolved:
        # The severity of what recovered, so a recovery that arrives alone still says what it was.
        severity = states.get(last_state, Severity.INFO)
    else:
        severity = states.get(state, Severity.UNKNOWN)
    host_shown = texts["host_display_name"] or host
    if service_check is None:
        title = f"Host {host_shown} is {state}"
    else:
        title = f"{texts['service_display_name'] or service_check} is {state} on {host_shown}"
    identity = host if service_check is None else f"{host}!{service_check}"
    labels.update({"host": host, "object_type": object_type})
    if service_check is not None:
        labels[dialect.service_key] = service_check
    for key in ("host_groups", "service_groups"):
        if texts[key]:
            labels[key] = texts[key]
    event = build_event(
        source=dialect.source,
        status=AlertStatus.RESOLVED if resolved else AlertStatus.FIRING,
        severity=severity,
        title=title,
        description="\n".join(part for part in (texts["output"], texts["long_output"]) if part),
        service=service,
        resource=host,
        environment=environment,
        labels=labels,
        annotations=_annotations(
            {**texts, "notification_type": notification_type, "state": state, "last_state": last_state},
            host=host,
            service_check=service_check,
            dialect=dialect,
        ),
        starts_at=None if resolved else starts_or_ends,
        ends_at=(starts_or_ends or received_at) if resolved else None,
        # Host and service names may together exceed what the store keeps; a digest of them is as stable.
        fingerprint=bounded_fingerprint(f"{dialect.source}:", identity),
        received_at=received_at,
        raw=payload,
    )
    # An acknowledgement keeps the alert firing and acknowledges its incident.
    event.acknowledge = acknowledged
    return event


def _object_type(check: ProblemCollector, body: Mapping[str, Any], *, service_check: str | None) -> str:
    word = check.text(body, "object_type")
    if not word:
        return "service" if service_check else "host"
    kind = word.strip().lower()
    if kind not in OBJECT_TYPES:
        check.add("object_type", "one of host, service", word)
        return "service" if service_check else "host"
    return kind


def _text_keys(dialect: Dialect) -> tuple[str, ...]:
    keys = {key for key, _ in _ANNOTATED}
    keys.update(
        (
            "host_display_name",
            "service_display_name",
            "host_groups",
            "service_groups",
            "output",
            "long_output",
            "author",
            "attempt",
            "max_attempts",
            dialect.ui_key,
        )
    )
    return tuple(sorted(keys))


def _annotations(texts: Mapping[str, str], *, host: str, service_check: str | None, dialect: Dialect) -> dict[str, str]:
    read = (*_ANNOTATED, ("notification_type", "notification_type"), ("state", "state"), ("last_state", "last_state"))
    annotations = {name: texts[key] for key, name in read if texts[key]}
    if texts["attempt"]:
        annotations["attempt"] = "/".join(part for part in (texts["attempt"], texts["max_attempts"]) if part)
    if texts["author"]:
        name = "acknowledged_by" if texts["notification_type"] == ACKNOWLEDGEMENT else "author"
        annotations[name] = texts["author"]
    base = texts[dialect.ui_key]
    if base:
        annotations[dialect.ui_key] = base
        annotations["url"] = dialect.link(base, host, service_check)
    return annotations
