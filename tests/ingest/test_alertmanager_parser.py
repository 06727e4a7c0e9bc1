"""Alertmanager webhook v4: firing and resolved, label conventions, its own fingerprint."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertStatus, Severity
from openconductor.ingest.integrations import alertmanager

PAYLOADS = Path(__file__).parent / "payloads" / "alertmanager"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse(payload: object) -> list:  # type: ignore[type-arg]
    return alertmanager.parse(payload, received_at=RECEIVED)


def test_firing_notification() -> None:
    [event] = parse(load("firing"))
    assert event.source == "alertmanager"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.CRITICAL
    assert event.title == "Pod checkout/checkout-api-7d9f8b6c5-x2x7q is crash looping"
    assert event.description.startswith("Pod checkout/checkout-api-7d9f8b6c5-x2x7q (api) restarted")
    # service from `app` (before `job`), resource from `pod`, environment from `env`.
    assert (event.service, event.resource, event.environment) == (
        "checkout-api",
        "checkout-api-7d9f8b6c5-x2x7q",
        "prod",
    )
    assert event.fingerprint == "alertmanager:5f8d3c2a1b0e9f47"
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, 0, 123456, tzinfo=UTC)
    assert event.keeps_start and not event.start_by_client  # Alertmanager keeps startsAt on every re-send
    # The zero endsAt of a firing alert is not an end.
    assert event.ends_at is None
    assert event.annotations["generator_url"].startswith("http://prometheus.monitoring.svc:9090/graph")
    assert event.annotations["alertmanager_url"] == "http://alertmanager.monitoring.svc:9093"
    assert event.annotations["runbook_url"] == "https://runbooks.example.com/KubePodCrashLooping"
    assert event.labels["container"] == "api"
    assert event.raw["fingerprint"] == "5f8d3c2a1b0e9f47"


def test_resolved_notification_matches_the_firing_one() -> None:
    [firing] = parse(load("firing"))
    [resolved] = parse(load("resolved"))
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.ends_at == datetime(2026, 1, 5, 10, 25, 30, tzinfo=UTC)
    assert resolved.event_time == resolved.ends_at
    assert resolved.fingerprint == firing.fingerprint


def test_batch_label_conventions() -> None:
    payments, ledger, search = parse(load("batch"))
    assert (payments.service, payments.resource, payments.environment) == ("payments", "10.0.3.17:8080", "production")
    assert (ledger.service, ledger.resource, ledger.environment) == ("ledger", "ledger-2", "production")
    assert (search.service, search.resource, search.environment) == ("search", "node-7", "staging")
    assert payments.severity is Severity.WARNING
    # No summary annotation: the title falls back to the alert name.
    assert ledger.title == "HighRequestLatency"
    assert ledger.ends_at is None  # a firing alert's endsAt is only Alertmanager's expiry guess
    assert search.status is AlertStatus.RESOLVED
    assert [e.fingerprint for e in (payments, ledger, search)] == [
        "alertmanager:a1b2c3d4e5f60718",
        "alertmanager:0f1e2d3c4b5a6978",
        "alertmanager:99aa88bb77cc66dd",
    ]


def test_minimal_notification_without_fingerprint_gets_a_stable_one() -> None:
    [first] = parse(load("minimal"))
    [again] = parse(load("minimal"))
    assert first.title == "Watchdog"
    assert first.status is AlertStatus.FIRING
    assert first.severity is Severity.UNKNOWN
    assert first.fingerprint == again.fingerprint
    assert not first.fingerprint.startswith("alertmanager:")
    assert (first.service, first.resource, first.environment) == (None, None, None)


def test_empty_alerts_is_accepted_as_nothing() -> None:
    assert parse({"version": "4", "alerts": []}) == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ([], "body"),
        ({"version": "4"}, "alerts"),
        ({"alerts": {"labels": {}}}, "alerts"),
        ({"alerts": ["x"]}, "alerts[0]"),
    ],
)
def test_wrong_shape_names_the_field(payload: object, field: str) -> None:
    with pytest.raises(InvalidPayload) as caught:
        parse(payload)
    assert [p.field for p in caught.value.problems] == [field]


def test_every_bad_alert_field_is_named_with_its_index() -> None:
    payload = load("batch")
    payload["alerts"][1]["status"] = "pending"
    payload["alerts"][1]["startsAt"] = "not a time"
    payload["alerts"][2]["labels"] = {"alertname": ["x"]}
    payload["alerts"][2]["endsAt"] = 12
    with pytest.raises(InvalidPayload) as caught:
        parse(payload)
    assert {p.field: p.expected for p in caught.value.problems} == {
        "alerts[1].status": "one of firing, resolved",
        "alerts[1].startsAt": "an RFC 3339 timestamp such as 2026-01-05T10:00:00Z",
        "alerts[2].labels.alertname": "a string, number or boolean",
        "alerts[2].endsAt": "an RFC 3339 timestamp string",
    }


@pytest.mark.parametrize(("label", "limit"), [("app", 300), ("pod", 300), ("env", 200)])
def test_convention_labels_longer_than_the_store_keeps_are_named(label: str, limit: int) -> None:
    payload = load("firing")
    payload["alerts"][0]["labels"][label] = "v" * (limit + 1)
    with pytest.raises(InvalidPayload) as caught:
        parse(payload)
    assert [(p.field, p.expected) for p in caught.value.problems] == [
        (f"alerts[0].labels.{label}", f"a string of at most {limit} characters")
    ]


def test_overlong_fingerprint_is_named() -> None:
    payload = load("firing")
    payload["alerts"][0]["fingerprint"] = "f" * 288
    with pytest.raises(InvalidPayload) as caught:
        parse(payload)
    assert [p.field for p in caught.value.problems] == ["alerts[0].fingerprint"]
