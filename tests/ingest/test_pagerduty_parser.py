"""PagerDuty Events API v2: trigger, acknowledge and resolve by dedup_key, PagerDuty's own validation rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertStatus, Severity
from openconductor.ingest.integrations import pagerduty

PAYLOADS = Path(__file__).parent / "payloads" / "pagerduty"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse_one(payload: object):  # type: ignore[no-untyped-def]
    [event] = pagerduty.parse(payload, received_at=RECEIVED)
    return event


def problems_of(payload: object) -> dict[str, str]:
    with pytest.raises(InvalidPayload) as caught:
        pagerduty.parse(payload, received_at=RECEIVED)
    return {p.field: p.expected for p in caught.value.problems}


def test_trigger() -> None:
    event = parse_one(load("firing"))
    assert event.source == "pagerduty"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.CRITICAL
    assert event.title == "DISK at 99% on machine prod-datapipe03.example.com"
    assert event.resource == "prod-datapipe03.example.com"
    assert event.service == "prod-datapipe"  # group before component
    assert event.environment == "production"
    assert event.labels == {"component": "mysql", "group": "prod-datapipe", "class": "disk"}
    assert event.starts_at == datetime(2015, 7, 17, 8, 42, 58, 315000, tzinfo=UTC)
    assert event.acknowledge is False
    assert pagerduty.dedup_key_of(event) == "samplekeyhere"
    # The routing key is a secret: it never appears in the fingerprint.
    assert "R0UT1NGK3Y" not in event.fingerprint
    assert event.raw["client"] == "Sample Monitoring Service"


@pytest.mark.parametrize(
    ("word", "level"),
    [("critical", Severity.CRITICAL), ("error", Severity.HIGH), ("warning", Severity.WARNING), ("info", Severity.INFO)],
)
def test_documented_severities(word: str, level: Severity) -> None:
    payload = load("minimal")
    payload["payload"]["severity"] = word
    assert parse_one(payload).severity is level


def test_component_is_the_service_without_group() -> None:
    payload = load("firing")
    del payload["payload"]["group"]
    assert parse_one(payload).service == "mysql"


def test_acknowledge_and_resolve_share_the_trigger_fingerprint() -> None:
    trigger = parse_one(load("firing"))
    acknowledge = parse_one(load("acknowledge"))
    resolve = parse_one(load("resolved"))
    assert acknowledge.fingerprint == resolve.fingerprint == trigger.fingerprint
    assert acknowledge.acknowledge is True
    assert acknowledge.status is AlertStatus.FIRING
    assert resolve.acknowledge is False
    assert resolve.status is AlertStatus.RESOLVED
    assert resolve.ends_at == RECEIVED


def test_the_same_dedup_key_under_another_routing_key_is_another_alert() -> None:
    other = load("firing")
    other["routing_key"] = "ANOTHERSERVICEKEY000000000000000"
    assert parse_one(other).fingerprint != parse_one(load("firing")).fingerprint


def test_trigger_without_dedup_key_gets_a_fresh_one() -> None:
    first, second = parse_one(load("minimal")), parse_one(load("minimal"))
    assert len(pagerduty.dedup_key_of(first)) == 32
    assert first.fingerprint != second.fingerprint
    assert first.resource == "host1.example.com"
    assert first.starts_at == RECEIVED


def test_missing_routing_key() -> None:
    payload = load("firing")
    del payload["routing_key"]
    assert problems_of(payload) == {"routing_key": "a non-empty string"}


@pytest.mark.parametrize("action", ["create", "TRIGGER", ""])
def test_bad_event_action(action: str) -> None:
    payload = load("firing")
    payload["event_action"] = action
    expected = "a non-empty string" if action == "" else "one of trigger, acknowledge, resolve"
    assert problems_of(payload) == {"event_action": expected}


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_acknowledge_and_resolve_need_a_dedup_key(action: str) -> None:
    payload = {"routing_key": "k", "event_action": action}
    assert problems_of(payload) == {"dedup_key": f"a non-empty string (required when event_action is {action})"}


@pytest.mark.parametrize("severity", ["high", "Critical", "sev1", "fatal"])
def test_severity_outside_the_four_words(severity: str) -> None:
    payload = load("minimal")
    payload["payload"]["severity"] = severity
    assert problems_of(payload) == {"payload.severity": "one of critical, error, warning, info"}


def test_summary_over_1024_characters() -> None:
    payload = load("minimal")
    payload["payload"]["summary"] = "x" * 1025
    with pytest.raises(InvalidPayload) as caught:
        pagerduty.parse(payload, received_at=RECEIVED)
    [problem] = caught.value.problems
    assert (problem.field, problem.expected, problem.got) == (
        "payload.summary",
        "a string of at most 1024 characters",
        "1025 characters",
    )
    payload["payload"]["summary"] = "x" * 1024
    assert len(parse_one(payload).title) == 1024


def test_trigger_needs_payload_with_summary_source_severity() -> None:
    assert problems_of({"routing_key": "k", "event_action": "trigger"}) == {
        "payload": "an object with summary, source and severity"
    }
    assert problems_of({"routing_key": "k", "event_action": "trigger", "payload": {}}) == {
        "payload.summary": "a non-empty string",
        "payload.source": "a non-empty string",
        "payload.severity": "a non-empty string",
    }


def test_bad_timestamp_is_named() -> None:
    payload = load("minimal")
    payload["payload"]["timestamp"] = "last tuesday"
    assert problems_of(payload) == {"payload.timestamp": "an RFC 3339 timestamp such as 2026-01-05T10:00:00Z"}


def test_body_must_be_an_object() -> None:
    assert problems_of([load("minimal")]) == {"body": "a JSON object (a PagerDuty Events API v2 event)"}


@pytest.mark.parametrize(
    ("where", "length", "field"),
    [
        (("dedup_key",), 256, "dedup_key"),
        (("payload", "source"), 301, "payload.source"),
        (("payload", "group"), 301, "payload.group"),
        (("payload", "component"), 301, "payload.component"),
        (("payload", "custom_details", "environment"), 201, "payload.custom_details.environment"),
    ],
)
def test_values_longer_than_their_limit_are_named(where: tuple[str, ...], length: int, field: str) -> None:
    payload = load("firing")
    target = payload
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = "v" * length
    assert problems_of(payload) == {field: f"a string of at most {length - 1} characters"}
    target[where[-1]] = "v" * (length - 1)
    assert parse_one(payload).title
