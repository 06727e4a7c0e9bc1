"""The generic format: one object or an array, every problem named with its path."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertStatus, Severity
from openconductor.ingest.integrations import generic

PAYLOADS = Path(__file__).parent / "payloads" / "generic"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def load(name: str) -> object:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def problems_of(payload: object) -> dict[str, str]:
    with pytest.raises(InvalidPayload) as caught:
        generic.parse(payload, received_at=RECEIVED)
    return {problem.field: problem.expected for problem in caught.value.problems}


def test_firing_object() -> None:
    [event] = generic.parse(load("firing"), received_at=RECEIVED)
    assert event.title == "Disk usage above 90% on db-1"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.CRITICAL
    assert (event.source, event.service, event.resource, event.environment) == ("nagios", "postgres", "db-1", "prod")
    assert event.description == "/var is 93% full"
    assert event.labels == {"team": "storage", "mount": "/var", "value": "93"}
    assert event.annotations == {"runbook": "https://runbooks.example.com/disk"}
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert event.keeps_start  # the documented meaning of starts_at: the firing's own start...
    assert event.start_by_client  # ...which a client may not keep to: deduplication checks
    assert event.ends_at is None
    # Keys the format does not know are kept in the raw payload, exactly as sent.
    assert event.raw["ticket"] == "OPS-1234"


def test_resolved_has_same_fingerprint_despite_volatile_value() -> None:
    [firing] = generic.parse(load("firing"), received_at=RECEIVED)
    [resolved] = generic.parse(load("resolved"), received_at=RECEIVED)
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.ends_at == datetime(2026, 1, 5, 10, 20, tzinfo=UTC)
    assert resolved.event_time == resolved.ends_at
    assert resolved.fingerprint == firing.fingerprint


def test_array_keeps_order_and_parses_each() -> None:
    events = generic.parse(load("batch"), received_at=RECEIVED)
    assert [e.title for e in events] == ["API 5xx rate above 5%", "API p99 latency above 2s", "Queue depth growing"]
    assert [e.severity for e in events] == [Severity.HIGH, Severity.WARNING, Severity.WARNING]
    assert events[2].labels == {"queue": "emails", "depth": "12000"}
    assert events[2].starts_at == datetime(2026, 1, 5, 9, 2, tzinfo=UTC)
    assert len({e.fingerprint for e in events}) == 3


def test_minimal_defaults() -> None:
    [event] = generic.parse(load("minimal"), received_at=RECEIVED)
    assert event.source == "generic"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.UNKNOWN
    assert event.starts_at == RECEIVED
    assert not event.keeps_start  # the arrival time says nothing about when the firing began
    assert (event.service, event.resource, event.environment, event.labels) == (None, None, None, {})


def test_own_fingerprint_is_used_verbatim() -> None:
    [event] = generic.parse({"title": "x", "fingerprint": "my-key-1"}, received_at=RECEIVED)
    assert event.fingerprint == "my-key-1"


def test_status_is_case_insensitive() -> None:
    [event] = generic.parse({"title": "x", "status": "RESOLVED"}, received_at=RECEIVED)
    assert event.status is AlertStatus.RESOLVED
    assert event.ends_at is None
    assert event.event_time == RECEIVED


@pytest.mark.parametrize("title", [None, "", "   "])
def test_missing_or_blank_title(title: object) -> None:
    payload = {"severity": "critical"} if title is None else {"title": title}
    assert problems_of(payload) == {"title": "a non-empty string"}


def test_wrong_types_name_the_field_with_array_index() -> None:
    payload = [
        {"title": "fine"},
        {"title": "bad", "labels": {"x": {"nested": True}}, "annotations": ["a"], "service": ["api"]},
        "not an object",
        {"title": 5, "status": "exploded", "severity": {"level": 1}, "starts_at": 1736071200, "ends_at": "soon"},
    ]
    problems = problems_of(payload)
    assert problems == {
        "[1].labels.x": "a string, number or boolean",
        "[1].annotations": "an object of string values",
        "[1].service": "a string",
        "[2]": "an alert object",
        "[3].status": "one of firing, resolved",
        "[3].severity": "a string such as critical, high, warning, info",
        "[3].starts_at": "an RFC 3339 timestamp string",
        "[3].ends_at": "an RFC 3339 timestamp such as 2026-01-05T10:00:00Z",
    }


def test_numbers_and_booleans_in_labels_are_coerced_to_text() -> None:
    [event] = generic.parse(
        {"title": "x", "labels": {"port": 8080, "ratio": 0.5, "canary": True, "primary": False, "zone": None}},
        received_at=RECEIVED,
    )
    assert event.labels == {"port": "8080", "ratio": "0.5", "canary": "true", "primary": "false", "zone": ""}


def test_numbers_in_text_fields_are_coerced() -> None:
    [event] = generic.parse({"title": 404, "service": 7}, received_at=RECEIVED)
    assert (event.title, event.service) == ("404", "7")


@pytest.mark.parametrize(
    "stamp", ["yesterday", "2026-13-01T00:00:00Z", "2026-01-05T25:00:00Z", "0001-01-01T00:00:00+01:00"]
)
def test_bad_timestamps_are_named(stamp: str) -> None:
    assert problems_of({"title": "x", "starts_at": stamp}) == {
        "starts_at": "an RFC 3339 timestamp such as 2026-01-05T10:00:00Z"
    }


@pytest.mark.parametrize(
    ("payload", "field", "expected"),
    [
        ([], "body", "a non-empty array of alert objects"),
        ("just text", "body", "an alert object"),
        (42, "body", "an alert object"),
        (None, "body", "an alert object"),
    ],
)
def test_wrong_top_level(payload: object, field: str, expected: str) -> None:
    assert problems_of(payload) == {field: expected}


def test_every_problem_in_every_element_is_reported_at_once() -> None:
    with pytest.raises(InvalidPayload) as caught:
        generic.parse([{}, {}, {"title": "ok"}, {}], received_at=RECEIVED)
    assert [p.field for p in caught.value.problems] == ["[0].title", "[1].title", "[3].title"]
    assert "[0].title: expected a non-empty string" in str(caught.value)


@pytest.mark.parametrize(
    ("field", "limit"),
    [("source", 100), ("service", 300), ("resource", 300), ("environment", 200), ("fingerprint", 300)],
)
def test_identity_fields_longer_than_the_store_keeps_are_named(field: str, limit: int) -> None:
    [fits] = generic.parse({"title": "x", field: "v" * limit}, received_at=RECEIVED)
    assert len(getattr(fits, field)) == limit
    with pytest.raises(InvalidPayload) as caught:
        generic.parse({"title": "x", field: "v" * (limit + 1)}, received_at=RECEIVED)
    [problem] = caught.value.problems
    assert (problem.field, problem.expected, problem.got) == (
        field,
        f"a string of at most {limit} characters",
        f"{limit + 1} characters",
    )
