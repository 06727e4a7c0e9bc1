"""Uptime Kuma webhook: heartbeat states, monitor mapping, the test notification, and refusals by field."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.ingest.integrations import uptime_kuma

PAYLOADS = Path(__file__).parent / "payloads" / "uptime_kuma"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse_one(payload: object) -> AlertEvent:
    [event] = uptime_kuma.parse(payload, received_at=RECEIVED)
    return event


def test_down_heartbeat_fires() -> None:
    event = parse_one(load("firing"))
    assert event.source == "uptime_kuma"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.HIGH
    assert event.title == "checkout-api health is down"
    assert event.description == "timeout of 48000ms exceeded"
    assert event.fingerprint == "uptime_kuma:monitor:12"
    # service from the `service` tag, environment from `env`, resource from the URL's host.
    assert (event.service, event.resource, event.environment) == ("checkout", "checkout.example.com", "prod")
    assert event.labels == {
        "env": "prod",
        "service": "checkout",
        "public": "",
        "uptime_kuma_status": "down",
        "monitor_type": "http",
        "monitor_id": "12",
    }
    assert event.annotations["url"] == "https://checkout.example.com/healthz"
    assert event.annotations["message"].startswith("[checkout-api health] [🔴 Down]")
    assert event.annotations["timezone"] == "Europe/Berlin"
    assert event.annotations["local_time"] == "2026-01-05 11:00:03"
    assert event.annotations["duration_s"] == "60"
    assert "ping_ms" not in event.annotations  # null while down
    # heartbeat.time is UTC without an offset.
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, 3, 412000, tzinfo=UTC)
    assert event.ends_at is None
    assert event.raw["monitor"]["id"] == 12


def test_up_heartbeat_resolves_the_same_alert() -> None:
    firing = parse_one(load("firing"))
    resolved = parse_one(load("resolved"))
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.fingerprint == firing.fingerprint
    assert resolved.ends_at == datetime(2026, 1, 5, 10, 25, 33, 18000, tzinfo=UTC)
    assert resolved.event_time == resolved.ends_at
    assert resolved.title == "checkout-api health is up"
    assert resolved.annotations["ping_ms"] == "87"


def test_minimal_port_monitor() -> None:
    event = parse_one(load("minimal"))
    assert event.fingerprint == "uptime_kuma:monitor:7"
    # hostname is the resource; "https://" is Uptime Kuma's placeholder for "no URL".
    assert event.resource == "10.0.4.21"
    assert "url" not in event.annotations
    assert (event.service, event.environment) == (None, None)
    assert event.labels["monitor_type"] == "port"


@pytest.mark.parametrize(
    ("status", "expected_status", "severity", "title_end"),
    [
        (0, AlertStatus.FIRING, Severity.HIGH, "is down"),
        (1, AlertStatus.RESOLVED, Severity.HIGH, "is up"),
        (2, AlertStatus.FIRING, Severity.WARNING, "is pending"),
        (3, AlertStatus.RESOLVED, Severity.HIGH, "is in maintenance"),
        ("0", AlertStatus.FIRING, Severity.HIGH, "is down"),
    ],
)
def test_every_heartbeat_state(
    status: object, expected_status: AlertStatus, severity: Severity, title_end: str
) -> None:
    payload = load("minimal")
    payload["heartbeat"]["status"] = status
    event = parse_one(payload)
    assert event.status is expected_status
    assert event.severity is severity
    assert event.title.endswith(title_end)
    assert event.labels["uptime_kuma_status"] == title_end.split()[-1]


def test_test_notification_is_accepted_as_nothing() -> None:
    assert (
        uptime_kuma.parse({"heartbeat": None, "monitor": None, "msg": "OpenConductor Testing"}, received_at=RECEIVED)
        == []
    )


def test_group_path_is_the_service_without_a_service_tag() -> None:
    payload = load("firing")
    payload["monitor"]["tags"] = []
    assert parse_one(payload).service == "Shop"


def test_monitor_id_falls_back_to_the_heartbeat() -> None:
    payload = load("minimal")
    del payload["monitor"]
    event = parse_one(payload)
    assert event.fingerprint == "uptime_kuma:monitor:7"
    assert event.title == "monitor 7 is down"


def test_repeated_tag_keeps_every_value() -> None:
    payload = load("minimal")
    payload["monitor"]["tags"] = [{"name": "team", "value": "db"}, {"name": "team", "value": "payments"}]
    assert parse_one(payload).labels["team"] == "db,payments"


def test_unknown_keys_are_tolerated() -> None:
    payload = load("firing")
    payload["heartbeat"]["somethingNew"] = {"nested": [1, 2]}
    payload["monitor"]["futureField"] = "x"
    payload["extra"] = True
    assert parse_one(payload).fingerprint == parse_one(load("firing")).fingerprint


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        (lambda p: p.update(heartbeat="down"), "heartbeat", "an object with status and time"),
        (lambda p: p.update(monitor=[1]), "monitor", "an object with id and name"),
        (
            lambda p: p["heartbeat"].update(status=7),
            "heartbeat.status",
            "one of 0 (down), 1 (up), 2 (pending), 3 (maintenance)",
        ),
        (
            lambda p: p["heartbeat"].update(status="²"),
            "heartbeat.status",
            "one of 0 (down), 1 (up), 2 (pending), 3 (maintenance)",
        ),
        (
            lambda p: p["heartbeat"].update(status=True),
            "heartbeat.status",
            "one of 0 (down), 1 (up), 2 (pending), 3 (maintenance)",
        ),
        (
            lambda p: p["heartbeat"].update(time="yesterday"),
            "heartbeat.time",
            "an RFC 3339 timestamp such as 2026-01-05T10:00:00Z",
        ),
        (lambda p: p["monitor"].update(id={"x": 1}), "monitor.id", "a monitor id (integer)"),
        (lambda p: p["monitor"].update(tags="env:prod"), "monitor.tags", "an array of tags"),
        (lambda p: p["monitor"].update(tags=[{"name": 3}]), "monitor.tags[0].name", "a non-empty string"),
        (lambda p: p["monitor"].update(hostname="h" * 301), "monitor.hostname", "a string of at most 300 characters"),
    ],
)
def test_wrong_fields_are_named(change: Any, field: str, expected: str) -> None:
    payload = copy.deepcopy(load("minimal"))
    change(payload)
    with pytest.raises(InvalidPayload) as caught:
        uptime_kuma.parse(payload, received_at=RECEIVED)
    assert [(p.field, p.expected) for p in caught.value.problems] == [(field, expected)]


def test_body_must_be_an_object() -> None:
    with pytest.raises(InvalidPayload) as caught:
        uptime_kuma.parse([load("firing")], received_at=RECEIVED)
    assert caught.value.problems[0].field == "body"
