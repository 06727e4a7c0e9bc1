"""Uptime Kuma webhook notification (the default "application/json" body: heartbeat, monitor, msg).

Heartbeat status 0 DOWN fires, 1 UP resolves, 2 PENDING fires as a warning, 3 MAINTENANCE resolves; the
monitor id is the fingerprint, monitor tags become labels, hostname (or the URL's host) is the resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.ingest.base import (
    IDENTITY_LIMITS,
    IntegrationInfo,
    ProblemCollector,
    build_event,
    describe,
    require_object,
)
from openconductor.ingest.fields import add_tag_value, first_label

INFO = IntegrationInfo(
    slug="uptime_kuma",
    name="Uptime Kuma",
    docs="docs/integrations/uptime_kuma.md",
    quality="gold",
    maps="heartbeat.status/time/msg, monitor.id/name/url/hostname/type/tags; monitor id as fingerprint; links to the monitor",
)

ONE_ALERT_PER_REQUEST = "Uptime Kuma sends one notification per monitor state change"

DOWN, UP, PENDING, MAINTENANCE = 0, 1, 2, 3
# Uptime Kuma has no severity: a monitor that is down is a high-severity outage, one still retrying
# (pending) a warning. Resolves keep the level of the state they end.
_STATES: dict[int, tuple[str, AlertStatus, Severity]] = {
    DOWN: ("down", AlertStatus.FIRING, Severity.HIGH),
    UP: ("up", AlertStatus.RESOLVED, Severity.HIGH),
    PENDING: ("pending", AlertStatus.FIRING, Severity.WARNING),
    MAINTENANCE: ("maintenance", AlertStatus.RESOLVED, Severity.HIGH),
}
SERVICE_TAGS = ("service", "app", "application")
ENVIRONMENT_TAGS = ("environment", "env", "stage")
_FINGERPRINT_PREFIX = "uptime_kuma:monitor:"
# Uptime Kuma's default URL of a new monitor, meaning "no URL".
_EMPTY_URLS = ("", "http://", "https://")


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    body = require_object(payload, what="an Uptime Kuma webhook notification")
    heartbeat, monitor = body.get("heartbeat"), body.get("monitor")
    if heartbeat is None and monitor is None:
        # The "Test" button sends only `msg`: nothing to alert on.
        return []
    if not isinstance(heartbeat, Mapping):
        raise InvalidPayload([FieldProblem("heartbeat", "an object with status and time", describe(heartbeat))])
    if monitor is None:
        monitor = {}
    if not isinstance(monitor, Mapping):
        raise InvalidPayload([FieldProblem("monitor", "an object with id and name", describe(monitor))])
    check = ProblemCollector()
    state = _state(check, heartbeat)
    beat = ProblemCollector("heartbeat.")
    time = beat.timestamp(heartbeat, "time")
    message = beat.text(heartbeat, "msg") or ""
    check.problems.extend(beat.problems)
    watched = ProblemCollector("monitor.")
    name = watched.text(monitor, "name")
    url = watched.text(monitor, "url")
    hostname = watched.text(monitor, "hostname", max_length=IDENTITY_LIMITS["resource"])
    path_name = watched.text(monitor, "pathName")
    monitor_type = watched.text(monitor, "type")
    labels = _tags(watched, monitor.get("tags"))
    check.problems.extend(watched.problems)
    monitor_id = _monitor_id(check, monitor, heartbeat)
    resource = hostname or check.within("monitor.url", _url_host(url) or "", IDENTITY_LIMITS["resource"]) or None
    service = first_label(labels, SERVICE_TAGS) or _group(path_name)
    environment = first_label(labels, ENVIRONMENT_TAGS)
    if service is not None:
        check.within(
            "monitor.tags" if first_label(labels, SERVICE_TAGS) else "monitor.pathName",
            service,
            IDENTITY_LIMITS["service"],
        )
    if environment is not None:
        check.within("monitor.tags", environment, IDENTITY_LIMITS["environment"])
    check.raise_if_any()
    assert state is not None
    word, status, severity = _STATES[state]
    shown = name or (f"monitor {monitor_id}" if monitor_id else "Uptime Kuma monitor")
    labels = {**labels, "uptime_kuma_status": word}
    if monitor_type:
        labels["monitor_type"] = monitor_type
    if monitor_id:
        labels["monitor_id"] = monitor_id
    annotations = _annotations(heartbeat, url=url, msg=body.get("msg"))
    return [
        build_event(
            source="uptime_kuma",
            status=status,
            severity=severity,
            title=f"{shown} is {'in maintenance' if state == MAINTENANCE else word}",
            description=message,
            service=service,
            resource=resource,
            environment=environment,
            labels=labels,
            annotations=annotations,
            starts_at=time if status is AlertStatus.FIRING else None,
            ends_at=(time or received_at) if status is AlertStatus.RESOLVED else None,
            fingerprint=f"{_FINGERPRINT_PREFIX}{monitor_id}" if monitor_id else None,
            received_at=received_at,
            raw=body,
        )
    ]


def _state(check: ProblemCollector, heartbeat: Mapping[str, Any]) -> int | None:
    value = heartbeat.get("status")
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    if type(value) is not int or value not in _STATES:
        check.add("heartbeat.status", "one of 0 (down), 1 (up), 2 (pending), 3 (maintenance)", value)
        return None
    return value


def _monitor_id(check: ProblemCollector, monitor: Mapping[str, Any], heartbeat: Mapping[str, Any]) -> str | None:
    for where, obj, key in (("monitor.id", monitor, "id"), ("heartbeat.monitorID", heartbeat, "monitorID")):
        value = obj.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            check.add(where, "a monitor id (integer)", value)
            return None
        text = str(value)
        if len(text) > 100:
            check.add(where, "a monitor id of at most 100 characters", f"{len(text)} characters")
            return None
        return text
    return None


def _tags(check: ProblemCollector, tags: Any) -> dict[str, str]:
    """Monitor tags ({name, value, color, ...}) as labels; a tag without a value gets an empty one."""
    if tags is None:
        return {}
    if not isinstance(tags, list):
        check.add("tags", "an array of tags", tags)
        return {}
    labels: dict[str, str] = {}
    for index, tag in enumerate(tags):
        if not isinstance(tag, Mapping):
            check.add(f"tags[{index}]", "a tag object with name and value", tag)
            continue
        name, value = tag.get("name"), tag.get("value")
        if not isinstance(name, str) or not name:
            check.add(f"tags[{index}].name", "a non-empty string", name)
            continue
        if value is not None and not isinstance(value, (str, int, float)):
            check.add(f"tags[{index}].value", "a string", value)
            continue
        text = "" if value is None else str(value)
        # The same tag may be set several times with different values; keep them all.
        add_tag_value(labels, name, text)
    return labels


def _annotations(heartbeat: Mapping[str, Any], *, url: str | None, msg: Any) -> dict[str, str]:
    annotations: dict[str, str] = {}
    if url and url not in _EMPTY_URLS:
        annotations["url"] = url
    if isinstance(msg, str) and msg:
        annotations["message"] = msg
    for key, name in (
        ("ping", "ping_ms"),
        ("duration", "duration_s"),
        ("timezone", "timezone"),
        ("localDateTime", "local_time"),
        ("important", "important"),
        ("retries", "retries"),
    ):
        value = heartbeat.get(key)
        if isinstance(value, bool):
            annotations[name] = "true" if value else "false"
        elif isinstance(value, (str, int, float)) and value != "":
            annotations[name] = str(value)
    return annotations


def _url_host(url: str | None) -> str | None:
    if not url or url in _EMPTY_URLS:
        return None
    try:
        return urlsplit(url).hostname or None
    except ValueError:
        return None


def _group(path_name: str | None) -> str | None:
    """The monitor's group: Uptime Kuma's pathName is "Group / Sub-group / Monitor"."""
    if not path_name or " / " not in path_name:
        return None
    return path_name.split(" / ")[0].strip() or None
