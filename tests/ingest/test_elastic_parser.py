"""Kibana webhook connector with the documented body template: firing, Recovered, tags, empty variables."""

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
from openconductor.ingest.integrations import elastic

PAYLOADS = Path(__file__).parent / "payloads" / "elastic"
DOCS = Path(__file__).parents[2] / "docs" / "integrations" / "elastic.md"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse_one(payload: object) -> AlertEvent:
    [event] = elastic.parse(payload, received_at=RECEIVED)
    return event


def test_firing_metric_threshold_alert() -> None:
    event = parse_one(load("firing"))
    assert event.source == "elastic"
    assert event.status is AlertStatus.FIRING
    # The empty `severity` falls back to the rule tag severity:high.
    assert event.severity is Severity.HIGH
    assert event.title == "High CPU on checkout hosts: checkout-web-3"
    assert event.description.startswith("system.cpu.total.norm.pct is 96.4%")
    assert event.fingerprint == "elastic:5f0e7a60-8b1e-11ef-9a2c-3b1a3c0d9e21:checkout-web-3"
    assert (event.service, event.resource, event.environment) == ("checkout", "checkout-web-3", "prod")
    assert event.labels == {
        "env": "prod",
        "service": "checkout",
        "team": "payments",
        "severity": "high",
        "infra": "",
        "rule_id": "5f0e7a60-8b1e-11ef-9a2c-3b1a3c0d9e21",
        "alert_id": "checkout-web-3",
        "action_group": "metrics.threshold.fired",
        "space_id": "default",
        "flapping": "false",
    }
    assert event.annotations["url"].endswith("/app/observability/alerts/2d5d7c5e-1a0f-4d7e-9a8c-0b4c7a6f1e23")
    assert event.annotations["rule_url"].startswith("https://kibana.example.com/app/management/")
    assert event.annotations["kibana_url"] == "https://kibana.example.com"
    assert event.annotations["context.value"] == "96.4%"
    assert event.annotations["alert.consecutiveMatches"] == "3"
    # Empty variables are not kept.
    assert "context.message" not in event.annotations
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, 12, 481000, tzinfo=UTC)
    assert event.ends_at is None
    assert event.raw["rule"]["name"] == "High CPU on checkout hosts"


def test_recovered_action_resolves_the_same_alert() -> None:
    firing, resolved = parse_one(load("firing")), parse_one(load("resolved"))
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.fingerprint == firing.fingerprint
    assert resolved.ends_at == datetime(2026, 1, 5, 10, 24, 12, 903000, tzinfo=UTC)
    assert resolved.event_time == resolved.ends_at
    assert resolved.labels["action_group"] == "recovered"


def test_the_recovered_group_resolves_without_a_status_field() -> None:
    payload = load("resolved")
    del payload["status"]
    assert parse_one(payload).status is AlertStatus.RESOLVED
    payload = load("firing")
    del payload["status"]
    assert parse_one(payload).status is AlertStatus.FIRING


def test_minimal_query_rule_with_empty_variables() -> None:
    event = parse_one(load("minimal"))
    assert event.title == "rule 'Login errors' matched query"
    assert event.description == "Document count is 37 in the last 5m. Alert when greater than 10."
    assert event.severity is Severity.UNKNOWN
    assert (event.service, event.resource, event.environment) == (None, None, None)
    assert event.fingerprint == "elastic:b1c6a0f2-3e4d-4f5a-8b9c-0d1e2f3a4b5c:query matched"
    assert "rule_url" not in event.annotations and "url" not in event.annotations
    assert "kibana_url" not in event.annotations


@pytest.mark.parametrize(
    ("severity", "tags", "group", "group_name", "expected"),
    [
        ("critical", "severity:low", "x", "Alert", Severity.CRITICAL),
        ("", "severity:warning", "x", "Alert", Severity.WARNING),
        ("", "", "metrics.threshold.warning", "Warning", Severity.WARNING),
        ("", "", "logs.threshold.critical", "Critical", Severity.CRITICAL),
        ("", "", "threshold met", "Threshold met", Severity.UNKNOWN),
    ],
)
def test_severity_from_body_tag_or_action_group(
    severity: str, tags: str, group: str, group_name: str, expected: Severity
) -> None:
    payload = load("minimal")
    payload["severity"] = severity
    payload["rule"]["tags"] = tags
    payload["alert"].update(actionGroup=group, actionGroupName=group_name)
    assert parse_one(payload).severity is expected


def test_apm_context_gives_service_and_environment() -> None:
    payload = load("minimal")
    payload["context"].update(serviceName="checkout-api", environment="production", reason="Error rate 12% > 5%")
    event = parse_one(payload)
    assert (event.service, event.environment) == ("checkout-api", "production")
    assert event.description == "Error rate 12% > 5%"


def test_tags_rendered_as_json_array_and_summary_actions_without_alert() -> None:
    payload = load("minimal")
    payload["rule"]["tags"] = ["env:staging", "db"]
    payload["alert"] = None
    event = parse_one(payload)
    assert event.environment == "staging"
    assert event.labels["db"] == ""
    assert event.fingerprint == "elastic:b1c6a0f2-3e4d-4f5a-8b9c-0d1e2f3a4b5c"
    assert event.title == "rule 'Login errors' matched query"


def test_unknown_keys_and_object_context_are_tolerated() -> None:
    payload = load("firing")
    payload["context"]["hits"] = [{"_source": {"a": 1}}]
    payload["context"]["newNumber"] = 4
    payload["extra"] = {"x": 1}
    event = parse_one(payload)
    assert event.annotations["context.newNumber"] == "4"
    assert "context.hits" not in event.annotations
    assert event.fingerprint == parse_one(load("firing")).fingerprint


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        (lambda p: p.pop("rule"), "rule", "an object with id and name"),
        (lambda p: p["rule"].update(id=""), "rule.id", "a non-empty string"),
        (lambda p: p["rule"].update(id=["x"]), "rule.id", "a string"),
        (lambda p: p.update(alert="x"), "alert", "an object"),
        (
            lambda p: p.update(status="pending"),
            "status",
            "one of firing, recovered (or absent: alert.actionGroup decides)",
        ),
        (lambda p: p.update(date="today"), "date", "an RFC 3339 timestamp such as 2026-01-05T10:00:00Z"),
        (lambda p: p["rule"].update(tags={"a": 1}), "rule.tags", "a comma-separated string or an array of strings"),
        (lambda p: p["rule"].update(tags=["a", 2]), "rule.tags[1]", "a string"),
        (lambda p: p["context"].update(group="g" * 301), "context.group", "a string of at most 300 characters"),
        (lambda p: p["alert"].update(id="a" * 300), "alert.id", "a string of at most 255 characters"),
    ],
)
def test_wrong_fields_are_named(change: Any, field: str, expected: str) -> None:
    payload = copy.deepcopy(load("minimal"))
    change(payload)
    with pytest.raises(InvalidPayload) as caught:
        elastic.parse(payload, received_at=RECEIVED)
    assert [(p.field, p.expected) for p in caught.value.problems] == [(field, expected)]


def test_the_documented_templates_render_to_what_the_parser_reads() -> None:
    """The two templates on the docs page, with their variables filled as Kibana would, parse as intended."""
    templates = re.findall(r"```json\n(\{\n  \"status\".*?)\n```", DOCS.read_text(), flags=re.DOTALL)
    assert len(templates) == 2
    values = {
        "rule.tags": "env:prod,service:checkout",
        "date": "2026-01-05T10:00:00.000Z",
        "rule.id": "r-1",
        "context.serviceName": "",
        "context.environment": "",
    }
    rendered = [
        json.loads(re.sub(r"\{\{([\w.]+)\}\}", lambda m: values.get(m.group(1), "filled"), text)) for text in templates
    ]
    firing, recovered = (parse_one(body) for body in rendered)
    assert firing.status is AlertStatus.FIRING and recovered.status is AlertStatus.RESOLVED
    assert firing.fingerprint == recovered.fingerprint == "elastic:r-1:filled"
    assert firing.environment == "prod" and firing.service == "checkout"
