"""OpenTelemetry logs over OTLP/HTTP with JSON encoding: each WARN, ERROR or FATAL log record is an alert.

Lower severities are dropped. Resource attributes give service, environment and resource; the fingerprint is
the service, environment and the body with its volatile parts (numbers, ids, addresses) masked.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.core.severity import map_severity
from openconductor.ingest.base import (
    ControlReply,
    IntegrationInfo,
    ProblemCollector,
    build_event,
    describe,
    require_object,
)
from openconductor.ingest.fields import conventional_identity, first_line, from_epoch

INFO = IntegrationInfo(
    slug="otlp",
    name="OpenTelemetry logs (OTLP/HTTP JSON)",
    docs="docs/integrations/otlp.md",
    quality="silver",
    maps="log records of severity WARN and above; body, severityNumber/Text, timeUnixNano; service.name, "
    "deployment.environment(.name), k8s.pod.name/host.name; attributes as labels; traceId/spanId",
)

SOURCE = "otlp"
# OTLP's severity ranges (SeverityNumber 1-24): WARN 13-16, ERROR 17-20, FATAL 21-24, in the shared table's words.
FIRST_ALERTING = 13
_RANGE_WORDS = ((21, "fatal"), (17, "error"), (13, "warn"), (9, "info"), (5, "debug"), (1, "trace"))
_SEVERITY_NAMES = {
    f"SEVERITY_NUMBER_{word.upper()}{suffix}": base + offset
    for base, word in _RANGE_WORDS
    for offset, suffix in enumerate(("", "2", "3", "4"))
}
SERVICE_KEYS = ("service.name",)
ENVIRONMENT_KEYS = ("deployment.environment.name", "deployment.environment")
RESOURCE_KEYS = ("k8s.pod.name", "host.name", "container.name", "service.instance.id")
# OpenConductor's own optional attributes: a stable alert key, and a record that resolves that alert.
KEY_ATTRIBUTE = "openconductor.alert.key"
STATUS_ATTRIBUTE = "openconductor.alert.status"
MAX_TITLE = 200
# Parts of a message that change between repeats of the same error, most specific first.
_VOLATILE = (
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE), "<uuid>"),
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"), "<ip>"),
    (re.compile(r"\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)[0-9a-f]{12,}\b", re.IGNORECASE), "<hex>"),
    (re.compile(r"\d+(?:\.\d+)?"), "<n>"),
    (re.compile(r"\s+"), " "),
)
_INTEGER = re.compile(r"-?\d{1,20}")


def reply(events: list[AlertEvent]) -> ControlReply:
    """OTLP/HTTP clients expect 200 with an ExportLogsServiceResponse; `{}` is full success (records below
    WARN are dropped by design, not rejected, so they are not counted as rejected)."""
    return ControlReply(200, {})


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    body = require_object(payload, what="an OTLP ExportLogsServiceRequest")
    resource_logs = body.get("resourceLogs", [])
    if not isinstance(resource_logs, list):
        raise InvalidPayload([FieldProblem("resourceLogs", "an array of ResourceLogs", describe(resource_logs))])
    check = ProblemCollector()
    events: list[AlertEvent] = []
    for r_index, entry in enumerate(resource_logs):
        where = f"resourceLogs[{r_index}]"
        if not isinstance(entry, Mapping):
            check.add(where, "a ResourceLogs object", entry)
            continue
        resource = _object(check, entry, "resource", where) or {}
        resource_attributes = _attributes(check, resource.get("attributes"), f"{where}.resource.attributes")
        for s_index, scope_logs in enumerate(_array(check, entry, "scopeLogs", where)):
            scope_where = f"{where}.scopeLogs[{s_index}]"
            if not isinstance(scope_logs, Mapping):
                check.add(scope_where, "a ScopeLogs object", scope_logs)
                continue
            scope = _object(check, scope_logs, "scope", scope_where) or {}
            for l_index, record in enumerate(_array(check, scope_logs, "logRecords", scope_where)):
                record_where = f"{scope_where}.logRecords[{l_index}]"
                event = _record_event(
                    check,
                    record,
                    where=record_where,
                    resource={"attributes": resource.get("attributes", [])},
                    resource_attributes=resource_attributes,
                    scope=scope,
                    received_at=received_at,
                )
                if event is not None:
                    events.append(event)
    check.raise_if_any()
    return events


def _record_event(
    check: ProblemCollector,
    record: Any,
    *,
    where: str,
    resource: Mapping[str, Any],
    resource_attributes: dict[str, tuple[str, str]],
    scope: Mapping[str, Any],
    received_at: datetime,
) -> AlertEvent | None:
    if not isinstance(record, Mapping):
        check.add(where, "a LogRecord object", record)
        return None
    before = len(check.problems)
    attributes = _attributes(check, record.get("attributes"), f"{where}.attributes")
    status_word = attributes.get(STATUS_ATTRIBUTE, ("", ""))[0].lower()
    if status_word not in ("", "firing", "resolved"):
        check.add(attributes[STATUS_ATTRIBUTE][1], "one of firing, resolved", status_word)
    severity = _severity(check, record, where)
    if severity is None and status_word != "resolved":
        return None  # below WARN: not an alert
    text = _any_text(check, record.get("body"), f"{where}.body") or ""
    times = [_time(check, record, key, where) for key in ("timeUnixNano", "observedTimeUnixNano")]
    trace_ids = {name: record.get(key) for key, name in (("traceId", "trace_id"), ("spanId", "span_id"))}
    for key, value in trace_ids.items():
        if value is not None and not isinstance(value, str):
            check.add(f"{where}.{'traceId' if key == 'trace_id' else 'spanId'}", "a hex string", value)
    identity = conventional_identity(
        check,
        resource_attributes,
        (("service", SERVICE_KEYS), ("environment", ENVIRONMENT_KEYS), ("resource", RESOURCE_KEYS)),
    )
    if len(check.problems) > before:
        return None
    service, environment = identity.get("service"), identity.get("environment")
    severity_text = record.get("severityText") if isinstance(record.get("severityText"), str) else ""
    title = (
        first_line(text, limit=MAX_TITLE) or f"{severity_text or 'Log'} record from {service or 'an unknown service'}"
    )
    labels = {name: value for name, (value, _path) in resource_attributes.items()}
    labels.update({name: value for name, (value, _path) in attributes.items() if not name.startswith("exception.")})
    scope_name = scope.get("name")
    if isinstance(scope_name, str) and scope_name:
        labels["otel.scope.name"] = scope_name
    annotations = {name: value for name, (value, _path) in attributes.items() if name.startswith("exception.")}
    annotations.update({name: value for name, value in trace_ids.items() if isinstance(value, str) and value})
    if severity_text:
        annotations["severity_text"] = severity_text
    if isinstance(record.get("eventName"), str) and record["eventName"]:
        annotations["event_name"] = record["eventName"]
    key = attributes.get(KEY_ATTRIBUTE, ("", ""))[0]
    happened = times[0] or times[1]
    resolved = status_word == "resolved"
    return build_event(
        source=SOURCE,
        status=AlertStatus.RESOLVED if resolved else AlertStatus.FIRING,
        severity=severity or Severity.INFO,
        title=title,
        description=text,
        service=service,
        resource=identity.get("resource"),
        environment=environment,
        labels=labels,
        annotations=annotations,
        starts_at=None if resolved else happened,
        ends_at=(happened or received_at) if resolved else None,
        fingerprint=fingerprint_of(service=service, environment=environment, body=text, key=key),
        received_at=received_at,
        raw={"resource": resource, "scope": scope, "logRecord": record},
    )


def fingerprint_of(*, service: str | None, environment: str | None, body: str, key: str = "") -> str:
    """One alert per service, environment and message shape (or per explicit alert key)."""
    basis = f"key\x1f{key}" if key else f"body\x1f{normalise(body)}"
    parts = f"{service or ''}\x1f{environment or ''}\x1f{basis}"
    return f"{SOURCE}:{hashlib.sha256(parts.encode('utf-8', 'surrogatepass')).hexdigest()[:32]}"


def normalise(body: str) -> str:
    text = body
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text.strip()


def _severity(check: ProblemCollector, record: Mapping[str, Any], where: str) -> Severity | None:
    """The alert severity of a record, or None when it is below WARN."""
    number = record.get("severityNumber")
    if isinstance(number, str) and number in _SEVERITY_NAMES:
        number = _SEVERITY_NAMES[number]
    if number is not None and (isinstance(number, bool) or not isinstance(number, int) or number < 0):
        check.add(f"{where}.severityNumber", "an integer from 0 to 24", number)
        return None
    if number:
        word = next(word for first, word in _RANGE_WORDS if min(number, 24) >= first)
        return map_severity(word) if number >= FIRST_ALERTING else None
    # SEVERITY_NUMBER_UNSPECIFIED: the original level text decides, through the shared table.
    text = record.get("severityText")
    if text is not None and not isinstance(text, str):
        check.add(f"{where}.severityText", "a string", text)
        return None
    level = map_severity(text)
    return level if level.rank >= Severity.WARNING.rank else None


def _time(check: ProblemCollector, record: Mapping[str, Any], key: str, where: str) -> datetime | None:
    value = record.get(key)
    if value is None or value in ("", "0", 0):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not _INTEGER.fullmatch(str(value)):
        check.add(f"{where}.{key}", "nanoseconds since the epoch, as a string of digits", value)
        return None
    when = from_epoch(value, unit="nanoseconds")
    if when is None:
        check.add(f"{where}.{key}", "nanoseconds since the epoch within years 1 to 9999", value)
    return when


def _object(check: ProblemCollector, obj: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any] | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, Mapping):
        check.add(f"{where}.{key}", "an object", value)
        return None
    return value


def _array(check: ProblemCollector, obj: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        check.add(f"{where}.{key}", "an array", value)
        return []
    return value


def _attributes(check: ProblemCollector, value: Any, where: str) -> dict[str, tuple[str, str]]:
    """KeyValue list -> {key: (value as text, field path of the value)}; the first of a repeated key wins."""
    found: dict[str, tuple[str, str]] = {}
    if value is None:
        return found
    if not isinstance(value, list):
        check.add(where, "an array of {key, value} objects", value)
        return found
    for index, item in enumerate(value):
        path = f"{where}[{index}]"
        key = item.get("key") if isinstance(item, Mapping) else None
        if not isinstance(key, str) or not key:
            check.add(path, "an object with a non-empty string key", item)
            continue
        text = _any_text(check, item.get("value"), f"{path}.value")
        if text is not None and key not in found:
            found[key] = (text, f"{path}.value")
    return found


def _any_text(check: ProblemCollector, value: Any, where: str) -> str | None:
    """An AnyValue as text: scalars as themselves, arrays and key-value lists as JSON."""
    plain = _any_plain(check, value, where)
    if plain is None or isinstance(plain, str):
        return plain
    if isinstance(plain, bool):
        return "true" if plain else "false"
    if isinstance(plain, (int, float)):
        return str(plain)
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":"))


def _any_plain(check: ProblemCollector, value: Any, where: str) -> Any:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        check.add(where, 'an AnyValue object such as {"stringValue": "..."}', value)
        return None
    if "stringValue" in value:
        text = value["stringValue"]
        if isinstance(text, str):
            return text
        check.add(f"{where}.stringValue", "a string", text)
    elif "boolValue" in value:
        if isinstance(value["boolValue"], bool):
            return value["boolValue"]
        check.add(f"{where}.boolValue", "true or false", value["boolValue"])
    elif "intValue" in value:
        number = value["intValue"]
        if not isinstance(number, bool) and isinstance(number, (int, str)) and _INTEGER.fullmatch(str(number)):
            return int(number)
        check.add(f"{where}.intValue", "an integer, as a number or a string of digits", number)
    elif "doubleValue" in value:
        number = value["doubleValue"]
        if not isinstance(number, bool) and isinstance(number, (int, float, str)):
            return number
        check.add(f"{where}.doubleValue", "a number", number)
    elif "bytesValue" in value:
        if isinstance(value["bytesValue"], str):
            return value["bytesValue"]
        check.add(f"{where}.bytesValue", "a base64 string", value["bytesValue"])
    elif "arrayValue" in value:
        values = value["arrayValue"].get("values", []) if isinstance(value["arrayValue"], Mapping) else None
        if isinstance(values, list):
            return [_any_plain(check, item, f"{where}.arrayValue.values[{index}]") for index, item in enumerate(values)]
        check.add(f"{where}.arrayValue", "an object with an array of values", value["arrayValue"])
    elif "kvlistValue" in value:
        pairs = value["kvlistValue"].get("values", []) if isinstance(value["kvlistValue"], Mapping) else None
        if isinstance(pairs, list):
            result: dict[str, Any] = {}
            for index, pair in enumerate(pairs):
                path = f"{where}.kvlistValue.values[{index}]"
                if not isinstance(pair, Mapping) or not isinstance(pair.get("key"), str):
                    check.add(path, "an object with a string key", pair)
                    continue
                result.setdefault(pair["key"], _any_plain(check, pair.get("value"), f"{path}.value"))
            return result
        check.add(f"{where}.kvlistValue", "an object with an array of key-value pairs", value["kvlistValue"])
    return None
