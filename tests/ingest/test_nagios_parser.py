"""Nagios notifications from openconductor-notify: states, resolves, acknowledgements, fingerprints, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.ingest.integrations import nagios

PAYLOADS = Path(__file__).parent / "payloads" / "nagios"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse(payload: object) -> AlertEvent:
    [event] = nagios.parse(payload, received_at=RECEIVED)
    return event


def test_service_problem_field_by_field() -> None:
    event = parse(load("firing"))
    assert event.source == "nagios"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.CRITICAL
    assert event.title == "PostgreSQL connections is CRITICAL on db-02"
    assert event.description == (
        "POSTGRES_BACKENDS CRITICAL: 198 of 200 connections in use (99%)\n"
        "orders: 181 connections\nreporting: 17 connections"
    )
    assert (event.service, event.resource, event.environment) == ("orders", "db-02", "prod")
    assert event.fingerprint == "nagios:db-02!PostgreSQL connections"
    # The problem started when the state changed, not when the notification went out.
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert event.ends_at is None
    assert event.acknowledge is False
    assert event.labels == {
        "host": "db-02",
        "object_type": "service",
        "service_description": "PostgreSQL connections",
        "host_groups": "databases,linux-servers",
        "service_groups": "postgres",
    }
    assert event.annotations == {
        "notification_type": "PROBLEM",
        "state": "CRITICAL",
        "last_state": "WARNING",
        "state_type": "HARD",
        "attempt": "3/3",
        "host_address": "10.20.4.12",
        "host_alias": "Orders database primary",
        "problem_id": "4187",
        "notification_id": "9120",
        "notification_number": "1",
        "notes_url": "https://runbooks.example.com/postgres/connections",
        "nagios_url": "https://nagios.example.com/nagios/cgi-bin",
        "url": "https://nagios.example.com/nagios/cgi-bin/extinfo.cgi?type=2&host=db-02&service=PostgreSQL%20connections",
    }
    assert event.raw == load("firing")


def test_recovery_resolves_the_same_alert() -> None:
    problem = parse(load("firing"))
    recovery = parse(load("resolved"))
    assert recovery.status is AlertStatus.RESOLVED
    assert recovery.fingerprint == problem.fingerprint
    assert recovery.ends_at == datetime(2026, 1, 5, 10, 25, 30, tzinfo=UTC)
    assert recovery.event_time == recovery.ends_at
    # A recovery keeps the severity of what recovered (last_state), not "ok".
    assert recovery.severity is Severity.CRITICAL
    assert recovery.annotations["last_problem_id"] == "4187"


def test_acknowledgement_keeps_the_alert_firing_and_acknowledges() -> None:
    event = parse(load("acknowledgement"))
    assert event.status is AlertStatus.FIRING
    assert event.acknowledge is True
    assert event.fingerprint == parse(load("firing")).fingerprint
    assert event.annotations["acknowledged_by"] == "Jane Doe"
    assert event.annotations["comment"] == "Looking at the reporting job that holds connections"
    assert "author" not in event.annotations


def test_host_notification() -> None:
    event = parse(load("host_down"))
    assert event.title == "Host edge-router-3 is DOWN"
    assert event.severity is Severity.CRITICAL
    assert event.fingerprint == "nagios:edge-router-3"
    assert (event.service, event.resource) == (None, "edge-router-3")
    assert event.labels == {"host": "edge-router-3", "object_type": "host", "host_groups": "network"}
    assert event.annotations["url"] == "https://nagios.example.com/nagios/cgi-bin/extinfo.cgi?type=1&host=edge-router-3"


def test_minimal_notification() -> None:
    event = parse(load("minimal"))
    assert event.title == "HTTP is WARNING on web-01"
    assert event.severity is Severity.WARNING
    assert event.starts_at == RECEIVED
    assert (event.service, event.environment) == (None, None)
    assert event.annotations == {"notification_type": "PROBLEM", "state": "WARNING"}


@pytest.mark.parametrize(
    ("state", "severity"),
    [
        ("CRITICAL", Severity.CRITICAL),
        ("WARNING", Severity.WARNING),
        ("UNKNOWN", Severity.UNKNOWN),
        ("critical", Severity.CRITICAL),
    ],
)
def test_service_state_severity(state: str, severity: Severity) -> None:
    assert parse({**load("minimal"), "state": state}).severity is severity


@pytest.mark.parametrize(("state", "severity"), [("DOWN", Severity.CRITICAL), ("UNREACHABLE", Severity.HIGH)])
def test_host_state_severity(state: str, severity: Severity) -> None:
    assert parse({**load("host_down"), "state": state}).severity is severity


@pytest.mark.parametrize("kind", ["FLAPPINGSTOP", "DOWNTIMEEND", "CUSTOM"])
def test_other_notification_types_follow_the_state(kind: str) -> None:
    ok = parse({**load("resolved"), "notification_type": kind})
    critical = parse({**load("firing"), "notification_type": kind})
    assert ok.status is AlertStatus.RESOLVED
    assert critical.status is AlertStatus.FIRING
    assert ok.fingerprint == critical.fingerprint


def test_recovery_of_an_unknown_previous_state_is_info() -> None:
    payload = {key: value for key, value in load("resolved").items() if key != "last_state"}
    assert parse(payload).severity is Severity.INFO


def test_object_type_is_inferred_from_the_service_description() -> None:
    payload = {key: value for key, value in load("host_down").items() if key != "object_type"}
    assert parse(payload).labels["object_type"] == "host"
    payload = {key: value for key, value in load("firing").items() if key != "object_type"}
    assert parse(payload).labels["object_type"] == "service"


def test_unknown_keys_and_versions_are_tolerated() -> None:
    event = parse({**load("firing"), "version": "7", "check_command": "check_pgsql", "perfdata": {"x": 1}})
    assert event.fingerprint == "nagios:db-02!PostgreSQL connections"


def test_numbers_are_accepted_where_nagios_gives_digits() -> None:
    event = parse({**load("firing"), "problem_id": 4187, "attempt": "2", "max_attempts": 3})
    assert (event.annotations["problem_id"], event.annotations["attempt"]) == ("4187", "2/3")


def test_overlong_identity_is_hashed_into_a_stable_fingerprint() -> None:
    payload = {**load("firing"), "service_description": "s" * 400}
    first, again = parse(payload), parse(payload)
    assert first.fingerprint == again.fingerprint
    assert first.fingerprint.startswith("nagios:sha256:")
    assert len(first.fingerprint) <= 300


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        ({"notification_type": None}, "notification_type", "a non-empty string"),
        ({"host_name": ["db-02"]}, "host_name", "a string"),
        ({"host_name": "h" * 301}, "host_name", "a string of at most 300 characters"),
        ({"state": "DOWN"}, "state", "one of OK, WARNING, CRITICAL, UNKNOWN (a service state)"),
        ({"object_type": "hostgroup"}, "object_type", "one of host, service"),
        (
            {"service_description": ""},
            "service_description",
            "a non-empty string (required when object_type is service)",
        ),
        ({"last_state_change": 1767607200}, "last_state_change", "an RFC 3339 timestamp string"),
        ({"timestamp": "yesterday"}, "timestamp", "an RFC 3339 timestamp such as 2026-01-05T10:00:00Z"),
        ({"labels": {"team": ["dba"]}}, "labels.team", "a string, number or boolean"),
        ({"environment": "e" * 201}, "environment", "a string of at most 200 characters"),
        ({"output": {"text": "x"}}, "output", "a string"),
    ],
)
def test_wrong_fields_are_named(change: dict[str, Any], field: str, expected: str) -> None:
    with pytest.raises(InvalidPayload) as caught:
        parse({**load("firing"), **change})
    assert [(p.field, p.expected) for p in caught.value.problems] == [(field, expected)]


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidPayload) as caught:
        parse({"notification_type": 3.5, "state": "SIDEWAYS", "object_type": "host"})
    assert {p.field for p in caught.value.problems} == {"host_name", "state"}


def test_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidPayload) as caught:
        parse([load("firing")])
    assert [p.field for p in caught.value.problems] == ["body"]
