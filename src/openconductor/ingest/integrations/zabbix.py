"""Zabbix, through the webhook media type in contrib/zabbix/ (the JSON its script posts from Zabbix's macros).

{EVENT.ID} is the fingerprint (a recovery carries its problem's id); {EVENT.VALUE} 1 fires, 0 resolves;
an update that acknowledges acknowledges; {EVENT.NSEVERITY} is mapped below; event tags become labels;
the host is the resource; the trigger's event page in Zabbix is the link back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.ingest.base import IDENTITY_LIMITS, IntegrationInfo, ProblemCollector, build_event, require_object
from openconductor.ingest.fields import add_tag_value, epoch_in_range, filled, first_label, join_url

INFO = IntegrationInfo(
    slug="zabbix",
    name="Zabbix",
    docs="docs/integrations/zabbix.md",
    quality="gold",
    maps="EVENT.ID/VALUE/NSEVERITY/NAME/TAGSJSON/TIMESTAMP, EVENT.RECOVERY.*, EVENT.UPDATE.*, HOST.*, TRIGGER.ID; event page link",
)

ONE_ALERT_PER_REQUEST = "Zabbix runs the media type's script once per event and operation"

# {EVENT.NSEVERITY}: 0 not classified .. 5 disaster. Names can be renamed in Zabbix, numbers cannot.
SEVERITIES = {
    0: Severity.INFO,
    1: Severity.INFO,
    2: Severity.WARNING,
    3: Severity.WARNING,
    4: Severity.HIGH,
    5: Severity.CRITICAL,
}
SEVERITY_NAMES = {
    "not classified": 0,
    "information": 1,
    "warning": 2,
    "average": 3,
    "high": 4,
    "disaster": 5,
}
_STATUS_WORDS = {"problem": AlertStatus.FIRING, "resolved": AlertStatus.RESOLVED, "ok": AlertStatus.RESOLVED}
SERVICE_TAGS = ("service", "app", "application", "component")
ENVIRONMENT_TAGS = ("environment", "env", "stage")
# A macro Zabbix could not expand arrives as its name, e.g. "{EVENT.RECOVERY.DATE}" in a problem.
_UNEXPANDED = re.compile(r"\{[A-Z0-9_.$:\"]+\}")
_FINGERPRINT_PREFIX = "zabbix:event:"


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    body = require_object(payload, what="the JSON the OpenConductor media type for Zabbix posts")
    check = ProblemCollector()
    event_id = _number(check, body, "event_id", required=True)
    value = _number(check, body, "event_value")
    status_word = (_text(check, body, "event_status") or "").lower()
    status = {1: AlertStatus.FIRING, 0: AlertStatus.RESOLVED}.get(value) if value is not None else None
    status = status or _STATUS_WORDS.get(status_word)
    if status is None:
        check.add(
            "event_value", "1 (problem) or 0 (recovery), or event_status PROBLEM or RESOLVED", body.get("event_value")
        )
    update = _number(check, body, "event_update_status") == 1
    action = (_text(check, body, "event_update_action") or "").lower()
    severity = _severity(check, body)
    tags = _tags(check, body.get("event_tags"))
    host = _text(check, body, "host_name", limit=IDENTITY_LIMITS["resource"])
    host = host or _text(check, body, "host_host", limit=IDENTITY_LIMITS["resource"])
    service = first_label(tags, SERVICE_TAGS)
    environment = first_label(tags, ENVIRONMENT_TAGS)
    for field, tag_value in (("service", service), ("environment", environment)):
        if tag_value is not None:
            check.within("event_tags", tag_value, IDENTITY_LIMITS[field])
    started = _when(check, body, "event")
    recovered = _when(check, body, "event_recovery")
    trigger_id = _number(check, body, "trigger_id")
    texts = {key: _text(check, body, key) for key in _TEXTS}
    check.raise_if_any()
    assert event_id is not None and status is not None
    if update and "closed" in action:
        status = AlertStatus.RESOLVED  # closed by hand from the problem update dialog
    labels = {**tags}
    for key, label in (("event_severity", "severity"), ("host_host", "host"), ("host_ip", "host_ip")):
        text = texts[key]
        if text:
            labels[label] = text
    if trigger_id is not None:
        labels["trigger_id"] = str(trigger_id)
    annotations = _annotations(texts, event_id=event_id, trigger_id=trigger_id)
    event = build_event(
        source="zabbix",
        status=status,
        severity=severity,
        title=texts["event_name"] or texts["alert_subject"] or f"Zabbix problem {event_id}",
        description=texts["trigger_description"] or texts["event_opdata"] or "",
        service=service,
        resource=host,
        environment=environment,
        labels=labels,
        annotations=annotations,
        starts_at=started,
        ends_at=(recovered or received_at) if status is AlertStatus.RESOLVED else None,
        fingerprint=f"{_FINGERPRINT_PREFIX}{event_id}",
        received_at=received_at,
        raw=body,
    )
    event.acknowledge = update and "acknowledged" in action and "unacknowledged" not in action
    return [event]


_TEXTS = (
    "event_name",
    "event_severity",
    "event_opdata",
    "event_recovery_id",
    "event_ack_status",
    "event_update_action",
    "host_host",
    "host_ip",
    "trigger_description",
    "zabbix_url",
    "alert_subject",
)


def _text(check: ProblemCollector, body: Mapping[str, Any], key: str, *, limit: int | None = None) -> str | None:
    return filled(check.text(body, key, max_length=limit), placeholder=_UNEXPANDED)


def _number(check: ProblemCollector, body: Mapping[str, Any], key: str, *, required: bool = False) -> int | None:
    """A macro that is a number: sent as a number by the media type, or as its text."""
    value = body.get(key)
    if isinstance(value, str) and filled(value, placeholder=_UNEXPANDED) is None:
        value = None
    if value is None:
        if required:
            check.add(key, "a number ({EVENT.ID})")
        return None
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 19:
        value = int(value)
    if type(value) is not int or value < 0 or value > 2**63 - 1:
        check.add(key, "a non-negative integer", value)
        return None
    return value


def _severity(check: ProblemCollector, body: Mapping[str, Any]) -> Severity:
    number = _number(check, body, "event_nseverity")
    if number is not None and number not in SEVERITIES:
        check.add("event_nseverity", "0 (not classified) to 5 (disaster)", body.get("event_nseverity"))
        return Severity.UNKNOWN
    if number is None:
        name = body.get("event_severity")
        number = SEVERITY_NAMES.get(name.strip().lower()) if isinstance(name, str) else None
    return SEVERITIES[number] if number is not None else Severity.UNKNOWN


def _tags(check: ProblemCollector, tags: Any) -> dict[str, str]:
    """{EVENT.TAGSJSON}: [{"tag": "service", "value": "checkout"}, ...]; a repeated tag keeps every value."""
    if tags is None:
        return {}
    if not isinstance(tags, list):
        check.add("event_tags", "an array of {tag, value} objects ({EVENT.TAGSJSON})", tags)
        return {}
    labels: dict[str, str] = {}
    for index, tag in enumerate(tags):
        name = tag.get("tag") if isinstance(tag, Mapping) else None
        value = tag.get("value", "") if isinstance(tag, Mapping) else None
        if not isinstance(name, str) or not name or not isinstance(value, (str, type(None))):
            check.add(f"event_tags[{index}]", "a {tag, value} object of strings", tag)
            continue
        add_tag_value(labels, name, value or "")
    return labels


def _when(check: ProblemCollector, body: Mapping[str, Any], prefix: str) -> datetime | None:
    """`<prefix>_timestamp` (epoch seconds), else `<prefix>_date` and `_time` ("2026.01.05", "10:00:00"),
    which Zabbix writes in the server's time zone; without a timestamp they are taken as UTC."""
    stamp = _number(check, body, f"{prefix}_timestamp")
    if stamp is not None:
        return epoch_in_range(check, f"{prefix}_timestamp", stamp, unit="seconds")
    day, time = _text(check, body, f"{prefix}_date"), _text(check, body, f"{prefix}_time")
    if day is None or time is None:
        return None
    try:
        return datetime.strptime(f"{day} {time}", "%Y.%m.%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        check.add(f"{prefix}_date", "a date and time as Zabbix writes them (2026.01.05 and 10:00:00)", f"{day} {time}")
        return None


def _annotations(texts: Mapping[str, str | None], *, event_id: int, trigger_id: int | None) -> dict[str, str]:
    annotations: dict[str, str] = {}
    base = (texts["zabbix_url"] or "").rstrip("/")
    if base:
        annotations["zabbix_url"] = base
        if trigger_id is not None:
            annotations["url"] = join_url(base, f"tr_events.php?triggerid={trigger_id}&eventid={event_id}")
    for key, name in (
        ("event_opdata", "operational_data"),
        ("event_recovery_id", "recovery_event_id"),
        ("event_ack_status", "acknowledged"),
        ("event_update_action", "update_action"),
    ):
        value = texts[key]
        if value:
            annotations[name] = value
    return annotations
