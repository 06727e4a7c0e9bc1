"""OTLP/HTTP JSON logs: which records alert, the severity ranges, resource attributes, dedup by message shape."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertStatus, Severity
from openconductor.ingest.base import ControlReply
from openconductor.ingest.integrations import otlp

PAYLOADS = Path(__file__).parent / "payloads" / "otlp"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def record_of(payload: dict[str, Any]) -> dict[str, Any]:
    return payload["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]


def parse(payload: Any):  # type: ignore[no-untyped-def]
    return otlp.parse(payload, received_at=RECEIVED)


def with_record(**changes: Any) -> dict[str, Any]:
    payload = load("firing")
    record = record_of(payload)
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return payload


def problems_of(payload: Any) -> dict[str, str]:
    with pytest.raises(InvalidPayload) as caught:
        parse(payload)
    return {problem.field: problem.expected for problem in caught.value.problems}


def test_error_record_maps_field_by_field() -> None:
    [event] = parse(load("firing"))
    assert event.source == "otlp"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.HIGH
    assert event.title.startswith("Payment authorization failed for order 84213: connection to 10.0.7.21:8443")
    assert event.description == event.title
    assert (event.service, event.environment, event.resource) == ("checkout", "production", "checkout-7d9f8b6c5-x2x7q")
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, 12, 345678, tzinfo=UTC)
    assert event.labels["service.version"] == "2.14.1"
    assert event.labels["host.name"] == "ip-10-0-3-17.ec2.internal"
    assert event.labels["order.id"] == "84213"  # intValue as a string of digits
    assert event.labels["retry.count"] == "3"  # intValue as a number
    assert event.labels["otel.scope.name"] == "com.example.checkout.PaymentClient"
    assert "exception.stacktrace" not in event.labels
    assert event.annotations["exception.type"] == "java.net.SocketTimeoutException"
    assert event.annotations["exception.stacktrace"].startswith("java.net.SocketTimeoutException: Connect timed out\n")
    assert event.annotations["trace_id"] == "5b8efff798038103d269b633813fc60c"
    assert event.annotations["span_id"] == "eee19b7ec3c1b174"
    assert event.annotations["severity_text"] == "ERROR"
    assert event.raw["logRecord"]["spanId"] == "eee19b7ec3c1b174"
    assert event.raw["scope"]["name"] == "com.example.checkout.PaymentClient"
    assert event.raw["resource"]["attributes"][0] == {"key": "service.name", "value": {"stringValue": "checkout"}}


@pytest.mark.parametrize(
    ("number", "level"),
    [
        (1, None),
        (9, None),
        (12, None),
        (13, Severity.WARNING),
        (16, Severity.WARNING),
        (17, Severity.HIGH),
        (20, Severity.HIGH),
        (21, Severity.CRITICAL),
        (24, Severity.CRITICAL),
        (30, Severity.CRITICAL),  # beyond the documented range: the worst there is
        ("SEVERITY_NUMBER_WARN3", Severity.WARNING),
        ("SEVERITY_NUMBER_INFO", None),
    ],
)
def test_severity_ranges(number: Any, level: Severity | None) -> None:
    events = parse(with_record(severityNumber=number))
    assert [event.severity for event in events] == ([level] if level else [])


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Error", Severity.HIGH),
        ("warning", Severity.WARNING),
        ("CRITICAL", Severity.CRITICAL),
        ("info", None),
        (None, None),
    ],
)
def test_unspecified_number_falls_back_on_the_text(text: str | None, level: Severity | None) -> None:
    events = parse(with_record(severityNumber=0, severityText=text))
    assert [event.severity for event in events] == ([level] if level else [])


def test_records_below_warn_are_dropped_and_empty_requests_are_valid() -> None:
    assert parse({}) == []
    assert parse({"resourceLogs": []}) == []
    assert parse(with_record(severityNumber=9)) == []
    assert otlp.reply([]) == ControlReply(200, {})


def test_repeated_errors_deduplicate_by_message_shape() -> None:
    events = parse(load("batch"))
    assert [event.severity for event in events] == [
        Severity.HIGH,
        Severity.HIGH,
        Severity.WARNING,
        Severity.CRITICAL,
        Severity.HIGH,
    ]
    first, second = events[0], events[1]
    assert first.title != second.title  # different transaction ids and retries...
    assert first.fingerprint == second.fingerprint  # ...same error
    assert len({event.fingerprint for event in events}) == 4
    assert otlp.normalise(
        "deadlock (transaction 7f3a9c2e1b4d, retry 1) at 10.0.0.1:5432 id 0b5d3a52-1c2e-4f3a-9d8e-7c6b5a493827"
    ) == ("deadlock (transaction <hex>, retry <n>) at <ip> id <uuid>")


def test_same_message_in_another_service_or_environment_is_another_alert() -> None:
    base = otlp.fingerprint_of(service="orders", environment="production", body="timeout after 5 s")
    assert otlp.fingerprint_of(service="orders", environment="production", body="timeout after 30 s") == base
    assert otlp.fingerprint_of(service="ledger", environment="production", body="timeout after 5 s") != base
    assert otlp.fingerprint_of(service="orders", environment="staging", body="timeout after 5 s") != base


def test_structured_body_and_attribute_values() -> None:
    events = parse(load("batch"))
    warn = events[2]
    assert warn.title == '{"message":"slow upstream","upstream":"inventory","latency_ms":2350.5}'
    assert warn.labels["http.response.status_code"] == "200"
    assert warn.labels["cache.hit"] == "false"
    assert warn.labels["process.command_args"] == '["/usr/bin/orders","--port=8080"]'
    assert (warn.service, warn.environment, warn.resource) == ("orders", "production", "orders-vm-2")
    fatal = events[3]
    assert (fatal.service, fatal.environment, fatal.resource) == ("ledger", "production", "ledger-0")
    unspecified = events[4]
    assert unspecified.starts_at == datetime(2026, 1, 5, 9, 56, 46, tzinfo=UTC)  # observedTimeUnixNano


def test_minimal_record() -> None:
    [event] = parse(load("minimal"))
    assert event.severity is Severity.WARNING
    assert event.service == "unknown_service:python"
    assert event.environment is None and event.resource is None
    assert event.starts_at == datetime(2026, 1, 5, 10, 1, 40, tzinfo=UTC)


def test_alert_key_resolves_and_keeps_the_fingerprint() -> None:
    [resolved] = parse(load("resolved"))
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.ends_at == datetime(2026, 1, 5, 10, 25, 12, tzinfo=UTC)
    firing_payload = load("firing")
    key = {"key": "openconductor.alert.key", "value": {"stringValue": "payment-provider-unreachable"}}
    record_of(firing_payload)["attributes"].append(key)
    [firing] = parse(firing_payload)
    assert firing.status is AlertStatus.FIRING
    assert firing.fingerprint == resolved.fingerprint


def test_empty_body_gets_a_title() -> None:
    [event] = parse(with_record(body=None))
    assert event.title == "ERROR record from checkout"
    [event] = parse(with_record(body={}, severityText=None))
    assert event.title == "Log record from checkout"


def test_unknown_keys_are_tolerated() -> None:
    payload = load("firing")
    payload["future"] = {"x": 1}
    payload["resourceLogs"][0]["resource"]["entityRefs"] = [{"type": "service"}]
    record_of(payload)["eventName"] = "payment.failed"
    record_of(payload)["body"] = {"stringValue": "x", "futureValue": 1}
    [event] = parse(payload)
    assert event.annotations["event_name"] == "payment.failed"


def test_wrong_types_are_named_by_field() -> None:
    assert problems_of([]) == {"body": "a JSON object (an OTLP ExportLogsServiceRequest)"}
    assert problems_of({"resourceLogs": {}}) == {"resourceLogs": "an array of ResourceLogs"}
    where = "resourceLogs[0].scopeLogs[0].logRecords[0]"
    assert problems_of(with_record(severityNumber="high")) == {f"{where}.severityNumber": "an integer from 0 to 24"}
    assert problems_of(with_record(timeUnixNano="yesterday"))[f"{where}.timeUnixNano"].startswith("nanoseconds")
    assert f"{where}.timeUnixNano" in problems_of(with_record(timeUnixNano="-" + "9" * 20))
    assert problems_of(with_record(body={"intValue": "1.5"})) == {
        f"{where}.body.intValue": "an integer, as a number or a string of digits"
    }
    assert problems_of(with_record(body="plain")) == {
        f"{where}.body": 'an AnyValue object such as {"stringValue": "..."}'
    }
    attributes = [{"value": {"stringValue": "x"}}, {"key": "a", "value": {"boolValue": "yes"}}]
    assert problems_of(with_record(attributes=attributes)) == {
        f"{where}.attributes[0]": "an object with a non-empty string key",
        f"{where}.attributes[1].value.boolValue": "true or false",
    }
    payload = load("firing")
    payload["resourceLogs"][0]["resource"]["attributes"][0]["value"] = {"stringValue": "s" * 400}
    assert "resourceLogs[0].resource.attributes[0].value" in problems_of(payload)
    payload = load("firing")
    payload["resourceLogs"][0]["scopeLogs"] = [{"logRecords": "none"}, 3]
    assert problems_of(payload) == {
        "resourceLogs[0].scopeLogs[0].logRecords": "an array",
        "resourceLogs[0].scopeLogs[1]": "a ScopeLogs object",
    }


def test_dropped_records_are_not_checked_beyond_their_severity() -> None:
    assert parse(with_record(severityNumber=5, body="not an AnyValue", timeUnixNano="soon")) == []


def test_every_mutation_of_a_record_parses_or_is_refused_by_field() -> None:
    original = load("batch")
    hostile: list[Any] = [None, True, 0, -1, "", "x" * 600, [], {}, [{}], {"stringValue": 1}, "SEVERITY_NUMBER_FATAL"]

    def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        found = [prefix] if prefix else []
        children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
        for key, item in children:
            found.extend(paths(item, (*prefix, key)))
        return found

    for path in paths(original):
        for replacement in hostile:
            mutated = copy.deepcopy(original)
            parent = mutated
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = replacement
            try:
                events = parse(mutated)
            except InvalidPayload as refusal:
                problems = refusal.problems
            else:
                assert all(event.title and event.fingerprint.startswith("otlp:") for event in events)
                continue
            assert problems and all(p.field and p.expected for p in problems), path
