"""Opsgenie Alert API: create, close and acknowledge by alias, priorities, tags and details, the answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertStatus, Severity
from openconductor.ingest.integrations import opsgenie

PAYLOADS = Path(__file__).parent / "payloads" / "opsgenie"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
ALIAS = "6f3c9a1e0b2d4c5e8f7a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e"


def load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse(payload: object):  # type: ignore[no-untyped-def]
    [event] = opsgenie.parse(payload, received_at=RECEIVED)
    return event


def test_create_alert_maps_every_field() -> None:
    event = parse(load("firing"))
    assert event.source == "opsgenie"
    assert event.status is AlertStatus.FIRING
    assert not event.acknowledge
    assert event.severity is Severity.HIGH  # P2
    assert event.title == "[FIRING:1] KubePodCrashLooping checkout (checkout-api-7d9f8b6c5-x2x7q critical)"
    assert event.description.startswith("Pod checkout/checkout-api-7d9f8b6c5-x2x7q restarted")
    assert event.fingerprint == f"opsgenie:{ALIAS}"
    # details and key:value tags are labels; a plain tag is a label without value
    assert event.labels["namespace"] == "checkout"
    assert event.labels["team"] == "payments"
    assert event.labels["kubernetes"] == ""
    assert event.labels["OverwriteQuietHours"] == ""
    assert (event.service, event.resource, event.environment) == (
        "checkout-api",
        "checkout-api-7d9f8b6c5-x2x7q",
        "prod",
    )
    assert event.annotations == {
        "alias": ALIAS,
        "priority": "P2",
        "entity": "checkout-api",
        "source": "Alertmanager",
        "user": "alertmanager",
        "note": "Routed by the default Alertmanager route",
        "responders": "team:payments, team:4513b7ea-3b91-438f-b7e4-e3e54af9147c, user:trinity@example.com, "
        "escalation:Nightwatch Escalation",
        "visible_to": "team:sre",
        "actions": "Restart pod, Open runbook",
    }
    assert event.starts_at == RECEIVED
    assert event.ends_at is None
    assert event.raw["alias"] == ALIAS


def test_close_by_alias_resolves_the_created_alert() -> None:
    created = parse(load("firing"))
    closed = parse(load("resolved"))
    assert closed.status is AlertStatus.RESOLVED
    assert closed.fingerprint == created.fingerprint
    assert closed.ends_at == RECEIVED
    assert closed.title == f"Opsgenie alert {ALIAS}"
    assert closed.annotations["note"] == "Resolved in Prometheus"


def test_acknowledge_by_alias() -> None:
    event = parse({"action": "acknowledge", "alias": ALIAS, "user": "trinity@example.com"})
    assert event.acknowledge
    assert event.status is AlertStatus.FIRING
    assert event.fingerprint == f"opsgenie:{ALIAS}"


def test_minimal_create_gets_the_default_priority_and_a_new_alert_each_time() -> None:
    first = parse(load("minimal"))
    second = parse(load("minimal"))
    assert first.title == "Backup job nightly-db failed"
    assert first.severity is Severity.WARNING  # Opsgenie's default priority P3
    assert first.annotations == {"priority": "P3"}
    # Opsgenie deduplicates only by alias: without one, every request is a new alert.
    assert first.fingerprint != second.fingerprint
    assert first.fingerprint.startswith("opsgenie:")


@pytest.mark.parametrize(
    ("priority", "severity"),
    [
        ("P1", Severity.CRITICAL),
        ("P2", Severity.HIGH),
        ("P3", Severity.WARNING),
        ("P4", Severity.INFO),
        ("P5", Severity.INFO),
        ("p1", Severity.CRITICAL),
    ],
)
def test_priorities(priority: str, severity: Severity) -> None:
    assert parse({"message": "m", "priority": priority}).severity is severity


def test_long_alias_is_hashed_the_same_way_on_create_and_close() -> None:
    alias = "a" * 512  # Opsgenie's limit, longer than the fingerprint column
    created = parse({"message": "m", "alias": alias})
    closed = parse({"action": "close", "alias": alias})
    assert created.fingerprint == closed.fingerprint
    assert created.fingerprint.startswith("opsgenie:sha256:")
    assert len(created.fingerprint) <= 300


def test_tags_as_a_comma_separated_string_and_entity_as_resource() -> None:
    event = parse({"message": "m", "tags": "env:staging, service:search , db", "entity": "search-db-2"})
    assert event.labels == {"env": "staging", "service": "search", "db": ""}
    assert (event.service, event.resource, event.environment) == ("search", "search-db-2", "staging")


def test_unknown_keys_are_tolerated() -> None:
    payload = load("firing")
    payload["newField"] = {"x": [1]}
    payload["responders"].append({"name": "future", "type": "something-new", "extra": 1})
    assert parse(payload).fingerprint == f"opsgenie:{ALIAS}"


@pytest.mark.parametrize(
    ("payload", "field", "expected"),
    [
        ({}, "message", "a non-empty string"),
        ({"message": "  "}, "message", "a non-empty string"),
        ({"message": "m", "priority": "urgent"}, "priority", "one of P1, P2, P3, P4, P5"),
        ({"message": "m", "priority": 1}, "priority", "one of P1, P2, P3, P4, P5"),
        ({"message": "m", "action": "delete"}, "action", "one of create, close, acknowledge"),
        ({"action": "close"}, "alias", "the alias of the alert to close"),
        ({"action": "acknowledge", "alias": " "}, "alias", "the alias of the alert to acknowledge"),
        ({"message": "m", "tags": {"a": "b"}}, "tags", "an array of strings"),
        ({"message": "m", "tags": ["ok", 3]}, "tags[1]", "a string"),
        ({"message": "m", "details": ["x"]}, "details", "an object of string values"),
        ({"message": "m", "details": {"k": {"v": 1}}}, "details.k", "a string, number or boolean"),
        ({"message": "m", "responders": "ops"}, "responders", "an array of {id|name|username, type} objects"),
        ({"message": "m", "visibleTo": ["ops"]}, "visibleTo[0]", "an object with id, name or username, and type"),
        ({"message": "m", "responders": [{"name": ["x"], "type": "team"}]}, "responders[0].name", "a string"),
        ({"message": "m", "actions": [None]}, "actions[0]", "a string"),
        ({"message": "m", "details": {"service": "s" * 301}}, "details.service", "a string of at most 300 characters"),
        ({"message": "m", "entity": "e" * 301}, "entity", "a string of at most 300 characters"),
        ({"message": "m", "tags": ["env:" + "e" * 201]}, "tags", "a string of at most 200 characters"),
    ],
)
def test_wrong_fields_are_named(payload: dict, field: str, expected: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidPayload) as caught:
        parse(payload)
    assert [(p.field, p.expected) for p in caught.value.problems] == [(field, expected)]


def test_path_form_close_becomes_the_body_form() -> None:
    payload = opsgenie.path_request(
        {"source": "Alertmanager"}, action="close", identifier=ALIAS, identifier_type="alias"
    )
    assert payload == {"source": "Alertmanager", "action": "close", "alias": ALIAS}
    assert parse(payload).fingerprint == parse(load("firing")).fingerprint
    assert opsgenie.path_request(None, action="acknowledge", identifier="x", identifier_type="ALIAS") == {
        "action": "acknowledge",
        "alias": "x",
    }


@pytest.mark.parametrize("identifier_type", [None, "id", "tiny"])
def test_path_form_refuses_opsgenie_ids(identifier_type: str | None) -> None:
    with pytest.raises(InvalidPayload) as caught:
        opsgenie.path_request({}, action="close", identifier="123", identifier_type=identifier_type)
    assert [p.field for p in caught.value.problems] == ["identifierType"]


def test_reply_is_opsgenies_accepted_answer() -> None:
    answer = opsgenie.reply([parse(load("firing"))])
    assert answer.status == 202
    assert answer.body["result"] == "Request will be processed"
    assert isinstance(answer.body["took"], float)
    assert len(answer.body["requestId"]) == 36
    assert opsgenie.reply([]).body["requestId"] != answer.body["requestId"]
