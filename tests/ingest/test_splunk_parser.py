"""Splunk webhook alert action: result row as labels, fingerprint per search and host, opt-in resolves."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertStatus, Severity
from openconductor.ingest.integrations import splunk

PAYLOADS = Path(__file__).parent / "payloads" / "splunk"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse(payload: object):  # type: ignore[no-untyped-def]
    [event] = splunk.parse(payload, received_at=RECEIVED)
    return event


def test_triggered_alert_maps_every_field() -> None:
    event = parse(load("firing"))
    assert event.source == "splunk"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.HIGH
    assert event.title == "Checkout 5xx errors"
    assert event.description == "73 answers with status 5xx from checkout on web-3 in the last 5 minutes"
    assert (event.service, event.resource, event.environment) == ("checkout", "web-3", "prod")
    assert event.fingerprint == "splunk:key:checkout-5xx:web-3"
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert event.labels == {
        "host": "web-3",
        "service": "checkout",
        "env": "prod",
        "count": "73",
        "severity": "high",
        "sourcetype": "access_combined",
        "index": "web",
        "message": "73 answers with status 5xx from checkout on web-3 in the last 5 minutes",
    }
    assert event.annotations == {
        "results_url": "https://splunk.example.com:8000/app/search/@go?sid="
        "scheduler__admin__search__RMD5c1c0c0e1d2f3a4b5_at_1767607200_1042",
        "sid": "scheduler__admin__search__RMD5c1c0c0e1d2f3a4b5_at_1767607200_1042",
        "owner": "admin",
        "splunk_app": "search",
        "search_name": "Checkout 5xx errors",
    }
    assert event.raw["sid"].endswith("_1042")


def test_a_recovery_search_resolves_the_alert_by_its_key() -> None:
    firing = parse(load("firing"))
    resolved = parse(load("resolved"))
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.fingerprint == firing.fingerprint
    assert resolved.ends_at == datetime(2026, 1, 5, 10, 25, tzinfo=UTC)
    assert resolved.event_time == resolved.ends_at
    assert "openconductor_status" not in resolved.labels


def test_without_key_one_alert_per_search_and_host() -> None:
    event = parse(load("per_host"))
    assert event.fingerprint == "splunk:dba:Postgres lock errors:db-1"
    assert event.severity is Severity.WARNING  # urgency medium
    assert event.resource == "db-1"
    assert event.starts_at == datetime(2026, 1, 5, 9, 59, 58, tzinfo=UTC)
    # a multivalue field is joined; Splunk's internal fields are not labels
    assert event.labels["error_class"] == "deadlock,lock_timeout"
    assert not any(name.startswith("_") for name in event.labels)
    assert event.description == "2026-01-05 09:59:58 UTC [4242] ERROR:  deadlock detected"
    # the next run of the same search for the same host is the same alert, whatever its counts and sid
    again = load("per_host")
    again["sid"], again["result"]["count"], again["result"]["_time"] = "other", "40", "1767607800"
    assert parse(again).fingerprint == event.fingerprint
    other_host = load("per_host")
    other_host["result"]["host"] = "db-2"
    assert parse(other_host).fingerprint != event.fingerprint


def test_source_identifies_the_alert_when_there_is_no_host() -> None:
    payload = load("per_host")
    del payload["result"]["host"]
    assert parse(payload).fingerprint == "splunk:dba:Postgres lock errors:/var/log/postgresql/postgresql-16-main.log"


def test_ad_hoc_search_documented_example() -> None:
    event = parse(load("minimal"))
    assert event.title == "Splunk alert"
    assert event.severity is Severity.UNKNOWN
    assert event.fingerprint == "splunk:sid:scheduler_admin_search_W2_at_14232356_132"
    assert event.labels == {"sourcetype": "mongod", "count": "8"}
    assert event.starts_at == RECEIVED


def test_without_result_or_names_the_fingerprint_is_computed() -> None:
    event = parse({"owner": "admin"})
    assert event.title == "Splunk alert"
    assert not event.fingerprint.startswith("splunk:")
    assert parse({"result": None, "search_name": "Disk full"}).fingerprint == "splunk:Disk full"


@pytest.mark.parametrize("time", ["", "yesterday", "nan", "1e400", "5 Jan 2026 10:00"])
def test_an_unreadable_time_is_no_time(time: str) -> None:
    payload = load("per_host")
    payload["result"]["_time"] = time
    assert parse(payload).starts_at == RECEIVED


def test_overlong_key_is_hashed() -> None:
    payload = load("firing")
    payload["result"]["openconductor_key"] = "k" * 400
    fingerprint = parse(payload).fingerprint
    assert fingerprint.startswith("splunk:sha256:")
    assert len(fingerprint) <= 300


def test_unknown_keys_are_tolerated() -> None:
    payload = load("firing")
    payload["server_uri"] = "https://127.0.0.1:8089"
    payload["configuration"] = {"anything": True}
    assert parse(payload).fingerprint == "splunk:key:checkout-5xx:web-3"


@pytest.mark.parametrize(
    ("payload", "field", "expected"),
    [
        (["x"], "body", "a JSON object (a Splunk webhook alert action payload)"),
        ({"result": "host=web-3"}, "result", "an object (the first result row)"),
        (
            {"result": {"host": {"name": "web-3"}}},
            "result.host",
            "a string, or an array of strings for a multivalue field",
        ),
        ({"result": {"tags": [["a"]]}}, "result.tags", "a string, or an array of strings for a multivalue field"),
        ({"result": {"openconductor_status": "closed"}}, "result.openconductor_status", "one of firing, resolved"),
        ({"search_name": ["x"]}, "search_name", "a string"),
        ({"result": {"host": "h" * 301}}, "result.host", "a string of at most 300 characters"),
        ({"result": {"env": "e" * 201}}, "result.env", "a string of at most 200 characters"),
    ],
)
def test_wrong_fields_are_named(payload: object, field: str, expected: str) -> None:
    with pytest.raises(InvalidPayload) as caught:
        parse(payload)
    assert [(p.field, p.expected) for p in caught.value.problems] == [(field, expected)]
