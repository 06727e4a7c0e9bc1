"""Datadog webhooks: the recommended template and the default payload, status, severity, tags, fingerprint."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertStatus, Severity
from openconductor.ingest.integrations import datadog

PAYLOADS = Path(__file__).parent / "payloads" / "datadog"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
DOCS = Path(__file__).parents[2] / "docs" / "integrations" / "datadog.md"


def load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse(payload: object):  # type: ignore[no-untyped-def]
    [event] = datadog.parse(payload, received_at=RECEIVED)
    return event


def test_recommended_template_firing() -> None:
    event = parse(load("firing"))
    assert event.source == "datadog"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.HIGH  # P2
    assert event.title == "Checkout p99 latency above 2s"
    assert event.description.startswith("p99 latency of checkout is above 2s on web-3.")
    assert (event.service, event.resource, event.environment) == ("checkout", "web-3", "prod")
    assert event.labels == {
        "env": "prod",
        "host": "web-3",
        "monitor": "",
        "service": "checkout",
        "team": "payments",
        "version": "1.42.0",
    }
    assert event.fingerprint == "datadog:352347:221164084:env:prod,host:web-3"
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert event.ends_at is None
    assert event.annotations["monitor_url"] == "https://app.datadoghq.com/monitors/221164084"
    assert event.annotations["event_url"] == "https://app.datadoghq.com/event/event?id=8306082202796025694"
    assert event.annotations["snapshot_url"].startswith("https://p.datadoghq.com/snapshot/view/")
    assert event.annotations["alert_transition"] == "Triggered"
    assert event.annotations["alert_query"].startswith("percentile(last_5m)")
    assert event.annotations["alert_cycle_key"] == "7412398457213845012"
    assert event.annotations["aggreg_key"] == "9bd4ac313a4d1e8fae2482df7b77628"
    assert event.annotations["org_name"] == "Example Corp"
    assert event.raw["alert_id"] == "221164084"


def test_recovered_resolves_the_same_alert() -> None:
    firing = parse(load("firing"))
    resolved = parse(load("resolved"))
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.fingerprint == firing.fingerprint
    assert resolved.ends_at == datetime(2026, 1, 5, 10, 25, 30, tzinfo=UTC)
    assert resolved.event_time == resolved.ends_at
    assert resolved.title == firing.title


def test_default_payload_reads_status_scope_and_monitor_from_title_and_body() -> None:
    event = parse(load("minimal"))
    assert event.status is AlertStatus.FIRING
    assert event.title == "Disk usage above 90%"
    assert event.severity is Severity.HIGH  # Triggered, no priority, no alert type
    assert event.resource == "db-1"
    assert event.labels == {"host": "db-1"}
    assert event.fingerprint == "datadog:415600:18692904:host:db-1"
    assert event.annotations["monitor_url"] == "https://app.datadoghq.eu/monitors/18692904"
    assert event.description.startswith("@webhook-openconductor\n\nDisk usage above 90% on db-1.")
    assert event.starts_at == datetime(2026, 1, 5, 9, 58, tzinfo=UTC)


def test_default_payload_recovered() -> None:
    payload = load("minimal")
    firing = parse(payload)
    payload["title"] = "[Recovered on {host:db-1}] Disk usage above 90%"
    payload["date"] = "1767608000000"
    resolved = parse(payload)
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.fingerprint == firing.fingerprint
    assert resolved.ends_at == datetime(2026, 1, 5, 10, 13, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("transition", "status"),
    [
        ("Triggered", AlertStatus.FIRING),
        ("Re-Triggered", AlertStatus.FIRING),
        ("Warn", AlertStatus.FIRING),
        ("Re-Warn", AlertStatus.FIRING),
        ("No Data", AlertStatus.FIRING),
        ("Renotify", AlertStatus.FIRING),
        ("Recovered", AlertStatus.RESOLVED),
        ("recovered", AlertStatus.RESOLVED),
    ],
)
def test_status_from_alert_transition(transition: str, status: AlertStatus) -> None:
    payload = load("firing")
    payload["alert_transition"] = transition
    assert parse(payload).status is status


@pytest.mark.parametrize(
    ("transition", "keeps_start"),
    [
        ("Triggered", True),
        ("Warn", True),
        ("No Data", True),
        ("Re-Triggered", False),
        ("Re-Warn", False),
        ("Renotify", False),
    ],
)
def test_only_a_first_notification_dates_the_start_of_its_firing(transition: str, keeps_start: bool) -> None:
    # Deduplication reads a later start from a first notification as a new firing (its resolve was lost);
    # a re-notification's $DATE is only when Datadog sent it again.
    payload = load("firing")
    payload["alert_transition"] = transition
    assert parse(payload).keeps_start is keeps_start


@pytest.mark.parametrize(
    ("priority", "alert_type", "severity"),
    [
        ("P1", "error", Severity.CRITICAL),
        ("P2", "warning", Severity.HIGH),
        ("P3", "error", Severity.WARNING),
        ("P4", "error", Severity.INFO),
        ("P5", "error", Severity.INFO),
        ("", "error", Severity.HIGH),
        ("", "warning", Severity.WARNING),
        ("", "info", Severity.INFO),
        ("", "success", Severity.INFO),
        ("", "something new", Severity.UNKNOWN),
    ],
)
def test_severity_from_priority_else_alert_type(priority: str, alert_type: str, severity: Severity) -> None:
    payload = load("firing")
    payload["alert_priority"] = priority
    payload["alert_type"] = alert_type
    payload["title"] = "[Triggered on {host:web-3,env:prod}] Checkout p99 latency above 2s"
    assert parse(payload).severity is severity


def test_default_payload_severity_from_title_priority_and_transition() -> None:
    payload = load("minimal")
    payload["title"] = "[P1] [Warn on {host:db-1}] Disk usage above 90%"
    assert parse(payload).severity is Severity.CRITICAL
    payload["title"] = "[Warn on {host:db-1}] Disk usage above 90%"
    assert parse(payload).severity is Severity.WARNING


def test_scope_order_and_spacing_do_not_split_an_alert() -> None:
    payload = load("firing")
    first = parse(payload)
    payload["alert_scope"] = "env:prod, host:web-3"
    assert parse(payload).fingerprint == first.fingerprint


def test_without_alert_id_the_aggregation_key_identifies_the_alert() -> None:
    payload = load("firing")
    payload["alert_id"] = ""
    payload["body"] = ""
    assert parse(payload).fingerprint == "datadog:352347:9bd4ac313a4d1e8fae2482df7b77628:env:prod,host:web-3"


def test_without_any_id_the_fingerprint_is_computed_and_stable() -> None:
    payload = {"title": "[Triggered] Something", "body": "no links here", "tags": "service:x"}
    first, again = parse(payload), parse(payload)
    assert first.fingerprint == again.fingerprint
    assert not first.fingerprint.startswith("datadog:")
    assert first.service == "x"


def test_overlong_scope_is_hashed_into_the_fingerprint() -> None:
    payload = load("firing")
    payload["alert_scope"] = ",".join(f"tag{i}:value{i}" for i in range(40))
    fingerprint = parse(payload).fingerprint
    assert fingerprint.startswith("datadog:sha256:")
    assert len(fingerprint) <= 300


def test_numbers_instead_of_strings_are_accepted() -> None:
    payload = load("firing")
    payload["alert_id"] = 221164084
    payload["date"] = 1767607200000
    payload["org"]["id"] = 352347
    event = parse(payload)
    assert event.fingerprint == "datadog:352347:221164084:env:prod,host:web-3"
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def test_unknown_keys_are_tolerated() -> None:
    payload = load("firing")
    payload["my_custom_field"] = {"anything": [1, 2]}
    assert parse(payload).fingerprint == "datadog:352347:221164084:env:prod,host:web-3"


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        ({"date": "yesterday"}, "date", "epoch milliseconds such as 1406662672000"),
        ({"last_updated": True}, "last_updated", "epoch milliseconds such as 1406662672000"),
        ({"tags": ["env:prod"]}, "tags", "a string"),
        ({"org": "Example Corp"}, "org", "an object with id and name"),
        ({"org": {"id": {"x": 1}}}, "org.id", "a string"),
        ({"alert_transition": {}}, "alert_transition", "a string"),
        ({"tags": "service:" + "s" * 301}, "tags.service", "a string of at most 300 characters"),
        (
            {"hostname": "h" * 301, "tags": "", "alert_scope": "", "title": "[Triggered] Checkout p99"},
            "hostname",
            "a string of at most 300 characters",
        ),
    ],
)
def test_wrong_fields_are_named(change: dict, field: str, expected: str) -> None:  # type: ignore[type-arg]
    payload = {**load("firing"), **change}
    with pytest.raises(InvalidPayload) as caught:
        parse(payload)
    assert [(p.field, p.expected) for p in caught.value.problems] == [(field, expected)]


def test_body_must_be_an_object() -> None:
    with pytest.raises(InvalidPayload) as caught:
        parse(["not", "an", "object"])
    assert [p.field for p in caught.value.problems] == ["body"]


def test_the_documented_template_parses_once_datadog_fills_it_in() -> None:
    """The template on the docs page, with every $VARIABLE replaced as Datadog would, is understood."""
    text = DOCS.read_text()
    template = text.split("```json\n", 1)[1].split("```", 1)[0]
    recorded = load("firing")
    filled = template
    for variable, key in {
        "$ID": "id",
        "$LAST_UPDATED": "last_updated",
        "$EVENT_TYPE": "event_type",
        "$EVENT_TITLE": "title",
        "$DATE": "date",
        "$ALERT_ID": "alert_id",
        "$ALERT_TITLE": "alert_title",
        "$ALERT_TRANSITION": "alert_transition",
        "$ALERT_STATUS": "alert_status",
        "$ALERT_TYPE": "alert_type",
        "$ALERT_PRIORITY": "alert_priority",
        "$ALERT_METRIC": "alert_metric",
        "$ALERT_QUERY": "alert_query",
        "$ALERT_SCOPE": "alert_scope",
        "$ALERT_CYCLE_KEY": "alert_cycle_key",
        "$AGGREG_KEY": "aggreg_key",
        "$PRIORITY": "priority",
        "$HOSTNAME": "hostname",
        "$TAGS": "tags",
        "$LINK": "link",
        "$SNAPSHOT": "snapshot",
        "$TEXT_ONLY_MSG": "text_only_msg",
        "$EVENT_MSG": "body",
    }.items():
        filled = filled.replace(f'"{variable}"', json.dumps(recorded[key]))
    filled = filled.replace('"$ORG_ID"', '"352347"').replace('"$ORG_NAME"', '"Example Corp"')
    assert "$" not in filled
    assert json.loads(filled) == recorded
