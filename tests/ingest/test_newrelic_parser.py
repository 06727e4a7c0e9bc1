"""New Relic workflow webhooks: the default and extended templates, issue states, priorities, refusals."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.ingest.integrations import newrelic

PAYLOADS = Path(__file__).parent / "payloads" / "newrelic"
DOCS = Path(__file__).parents[2] / "docs" / "integrations" / "newrelic.md"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse_one(payload: object) -> AlertEvent:
    [event] = newrelic.parse(payload, received_at=RECEIVED)
    return event


def test_activated_issue_with_the_extended_template() -> None:
    event = parse_one(load("firing"))
    assert event.source == "newrelic"
    assert event.status is AlertStatus.FIRING
    assert not event.acknowledge
    assert event.severity is Severity.CRITICAL
    assert event.title == "Error percentage > 5% for at least 5 minutes on 'checkout-api'"
    assert event.description == "Error rate of checkout-api is 7.3% (threshold 5%)"
    assert event.fingerprint == "newrelic:issue:0ea2df1c-adab-45d2-aae0-042b609d2322"
    # The impacted entity is an APM application: the service, with no separate resource.
    assert (event.service, event.resource, event.environment) == ("checkout-api", None, "production")
    assert event.labels == {
        "account": "Shop production",
        "accountId": "3391234",
        "environment": "production",
        "team": "payments",
        "language": "java",
        "state": "ACTIVATED",
        "priority": "CRITICAL",
        "impactedEntities": "checkout-api",
        "sources": "newrelic",
        "alertPolicyNames": "Checkout golden signals",
        "alertConditionNames": "High error rate",
        "trigger": "STATE_CHANGE",
        "workflowName": "OpenConductor",
        "isCorrelated": "false",
        "totalIncidents": "1",
    }
    assert event.annotations == {
        "url": "https://radar-api.service.newrelic.com/accounts/3391234/issues/0ea2df1c-adab-45d2-aae0-042b609d2322"
        "?notifier=WEBHOOK",
        "runbook_url": "https://runbooks.example.com/checkout/errors",
    }
    # activatedAt is preferred to createdAt (epoch milliseconds).
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, 0, 412000, tzinfo=UTC)
    assert event.ends_at is None
    assert event.raw["workflowName"] == "OpenConductor"


def test_closed_issue_resolves_the_same_alert() -> None:
    firing, resolved = parse_one(load("firing")), parse_one(load("resolved"))
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.fingerprint == firing.fingerprint
    assert resolved.ends_at == datetime(2026, 1, 5, 10, 25, 3, 120000, tzinfo=UTC)
    assert resolved.event_time == resolved.ends_at


def test_closed_without_closed_at_ends_at_the_update() -> None:
    payload = load("minimal")
    payload.update(state="CLOSED", updatedAt=1767607500000)
    assert parse_one(payload).ends_at == datetime(2026, 1, 5, 10, 5, tzinfo=UTC)


def test_default_template_only() -> None:
    event = parse_one(load("minimal"))
    assert event.severity is Severity.HIGH
    assert event.fingerprint == "newrelic:issue:5c3f1a9e-47d2-4b1a-9e3c-8f2d7a6b5c41"
    # Without typed entities, the impacted entity is the resource.
    assert (event.service, event.resource, event.environment) == (None, "db-orders-2", None)
    assert event.starts_at == datetime(2026, 1, 5, 9, 55, 0, 21000, tzinfo=UTC)
    assert event.description == ""


@pytest.mark.parametrize(
    ("state", "status", "acknowledge"),
    [
        ("CREATED", AlertStatus.FIRING, False),
        ("ACTIVATED", AlertStatus.FIRING, False),
        ("ACKNOWLEDGED", AlertStatus.FIRING, True),
        ("CLOSED", AlertStatus.RESOLVED, False),
        ("closed", AlertStatus.RESOLVED, False),
    ],
)
def test_states(state: str, status: AlertStatus, acknowledge: bool) -> None:
    payload = load("minimal")
    payload["state"] = state
    event = parse_one(payload)
    assert (event.status, event.acknowledge) == (status, acknowledge)


@pytest.mark.parametrize(
    ("priority", "severity"),
    [("CRITICAL", Severity.CRITICAL), ("HIGH", Severity.HIGH), ("MEDIUM", Severity.WARNING), ("LOW", Severity.INFO)],
)
def test_priorities(priority: str, severity: Severity) -> None:
    payload = load("minimal")
    payload["priority"] = priority
    assert parse_one(payload).severity is severity


def test_issue_id_key_and_host_entities() -> None:
    payload = load("minimal")
    payload["issueId"] = payload.pop("id")
    payload["entities"] = [
        {"name": "db-orders-2", "type": "HOST", "kind": "INFRA"},
        {"name": "orders-api", "type": "APPLICATION"},
    ]
    payload["tags"] = {"k8s": {"clusterName": ["prod-eu"]}, "env": "staging"}
    event = parse_one(payload)
    assert event.fingerprint == "newrelic:issue:5c3f1a9e-47d2-4b1a-9e3c-8f2d7a6b5c41"
    assert (event.service, event.resource, event.environment) == ("orders-api", "db-orders-2", "staging")
    assert event.labels["k8s.clusterName"] == "prod-eu"


def test_title_falls_back_to_the_condition_name() -> None:
    payload = load("minimal")
    payload["title"] = None
    assert parse_one(payload).title == "Memory high"
    payload["alertConditionNames"] = []
    assert parse_one(payload).title == "New Relic issue 5c3f1a9e-47d2-4b1a-9e3c-8f2d7a6b5c41"


def test_unknown_keys_are_tolerated() -> None:
    payload = load("firing")
    payload["somethingNew"] = {"a": [1]}
    payload["mutingState"] = "NOT_MUTED"
    assert parse_one(payload).fingerprint == parse_one(load("firing")).fingerprint


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        (lambda p: p.pop("id"), "id", "a non-empty string"),
        (lambda p: p.update(state="OPEN"), "state", "one of CREATED, ACTIVATED, ACKNOWLEDGED, CLOSED"),
        (lambda p: p.pop("state"), "state", "a non-empty string"),
        (lambda p: p.update(priority="URGENT"), "priority", "one of CRITICAL, HIGH, MEDIUM, LOW"),
        (lambda p: p.update(createdAt="yesterday"), "createdAt", "epoch milliseconds (a number)"),
        (lambda p: p.update(updatedAt=10**20), "updatedAt", "epoch milliseconds between the years 1 and 9999"),
        (lambda p: p.update(impactedEntities={"a": 1}), "impactedEntities", "an array of strings"),
        (lambda p: p.update(alertPolicyNames=["a", 3]), "alertPolicyNames[1]", "a string"),
        (lambda p: p.update(tags=["env:prod"]), "tags", "an object of tag names to values"),
        (lambda p: p.update(tags={"team": [{"x": 1}]}), "tags.team", "a string or an array of strings"),
        (lambda p: p.update(entities="checkout"), "entities", "an array of entities (name, type)"),
        (lambda p: p.update(impactedEntities=["h" * 301]), "impactedEntities", "a string of at most 300 characters"),
    ],
)
def test_wrong_fields_are_named(change: Any, field: str, expected: str) -> None:
    payload = copy.deepcopy(load("minimal"))
    change(payload)
    with pytest.raises(InvalidPayload) as caught:
        newrelic.parse(payload, received_at=RECEIVED)
    assert [(p.field, p.expected) for p in caught.value.problems] == [(field, expected)]


def test_the_recorded_payloads_follow_the_documented_templates() -> None:
    text = DOCS.read_text()
    default, extended = (
        set(re.findall(r'^\s*"(\w+)":', block, flags=re.MULTILINE))
        for block in re.findall(r"```handlebars\n(.*?)```", text, flags=re.DOTALL)
    )
    assert set(load("minimal")) == default
    assert set(load("firing")) == extended
    assert default < extended
