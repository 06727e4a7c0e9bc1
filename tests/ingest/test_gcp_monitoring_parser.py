"""Google Cloud Monitoring webhook 1.2: state, severity, incident id, labels by origin, times, links."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertStatus, Severity
from openconductor.ingest.integrations import gcp_monitoring

PAYLOADS = Path(__file__).parent / "payloads" / "gcp_monitoring"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)

# The channel's "Test connection" notification, as Cloud Monitoring documents it.
TEST_NOTIFICATION = {
    "version": "test",
    "incident": {
        "incident_id": "12345",
        "scoping_project_id": "12345",
        "scoping_project_number": 12345,
        "url": "http://www.example.com",
        "started_at": 0,
        "ended_at": 0,
        "state": "OPEN",
        "summary": "Test Incident",
        "apigee_url": "http://www.example.com",
        "observed_value": "1.0",
        "resource": {"type": "example_resource", "labels": {"example": "label"}},
        "resource_type_display_name": "Example Resource Type",
        "resource_id": "12345",
        "resource_display_name": "Example Resource",
        "resource_name": "projects/12345/example_resources/12345",
        "metric": {"type": "test.googleapis.com/metric", "displayName": "Test Metric", "labels": {"example": "label"}},
        "metadata": {"system_labels": {"example": "label"}, "user_labels": {"example": "label"}},
        "policy_name": "projects/12345/alertPolicies/12345",
        "policy_user_labels": {"example": "label"},
        "documentation": "Test documentation",
        "condition": {
            "name": "projects/12345/alertPolicies/12345/conditions/12345",
            "displayName": "Example condition",
        },
        "condition_name": "Example condition",
        "threshold_value": "0.5",
    },
}


def load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse(payload: object):  # type: ignore[no-untyped-def]
    [event] = gcp_monitoring.parse(payload, received_at=RECEIVED)
    return event


def test_open_incident_maps_every_field() -> None:
    event = parse(load("firing"))
    assert event.source == "gcp_monitoring"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.CRITICAL
    assert event.title == "Checkout answers 5xx in prod"  # the documentation's subject
    assert event.description.startswith("Request Count for shop-prod checkout")
    # service from the Cloud Run service name, environment from the resource's user labels
    assert (event.service, event.resource, event.environment) == ("checkout", "checkout", "prod")
    assert event.fingerprint == "gcp_monitoring:0.opqiw61fsv7p"
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert event.ends_at is None
    assert event.labels == {
        "resource.project_id": "shop-prod",
        "resource.service_name": "checkout",
        "resource.revision_name": "checkout-00042-abc",
        "resource.location": "europe-west1",
        "resource.configuration_name": "checkout",
        "metric.response_code_class": "5xx",
        "user.env": "prod",
        "user.team": "payments",
        "policy.tier": "1",
        "project_id": "shop-prod",
        "resource_type": "cloud_run_revision",
        "metric_type": "run.googleapis.com/request_count",
        "policy_name": "Checkout 5xx rate",
        "condition_name": "Cloud Run Revision - 5xx request count above 10/s",
    }
    assert event.annotations["incident_url"].startswith(
        "https://console.cloud.google.com/monitoring/alerting/incidents/"
    )
    assert event.annotations["threshold_value"] == "10"
    assert event.annotations["observed_value"] == "27.4"
    assert event.annotations["severity"] == "Critical"
    assert event.annotations["metric"] == "Request Count"
    assert event.annotations["documentation"].startswith("The checkout service answers")
    assert event.annotations["link.Runbook"] == "https://runbooks.example.com/checkout/5xx"
    assert event.annotations["scoping_project_number"] == "123456789012"
    assert event.annotations["version"] == "1.2"
    assert event.raw["incident"]["condition"]["conditionThreshold"]["comparison"] == "COMPARISON_GT"


def test_closed_incident_resolves_the_same_alert() -> None:
    opened = parse(load("firing"))
    closed = parse(load("resolved"))
    assert closed.status is AlertStatus.RESOLVED
    assert closed.fingerprint == opened.fingerprint
    assert closed.ends_at == datetime(2026, 1, 5, 10, 25, 30, tzinfo=UTC)
    assert closed.event_time == closed.ends_at
    assert closed.title == opened.title


def test_minimal_incident() -> None:
    event = parse(load("minimal"))
    assert event.title == "VM CPU"  # no documentation subject: the policy name
    assert event.severity is Severity.UNKNOWN  # "No severity"
    # no display name: the instance id names the resource; nothing names a service or environment
    assert (event.service, event.resource, event.environment) == (None, "8979287136362607111", None)
    assert event.labels["resource.zone"] == "europe-west1-b"


def test_the_test_notification_is_accepted() -> None:
    event = parse(TEST_NOTIFICATION)
    assert event.status is AlertStatus.FIRING  # "OPEN"
    assert event.starts_at == RECEIVED  # started_at 0 means no time
    assert event.annotations["documentation"] == "Test documentation"
    assert event.annotations["apigee_url"] == "http://www.example.com"
    assert event.resource == "Example Resource"
    assert event.labels["user.example"] == "label"
    assert event.labels["system.example"] == "label"


@pytest.mark.parametrize(
    ("word", "severity"),
    [
        ("Critical", Severity.CRITICAL),
        ("Error", Severity.HIGH),
        ("Warning", Severity.WARNING),
        ("No severity", Severity.UNKNOWN),
        ("CRITICAL", Severity.CRITICAL),
        ("", Severity.UNKNOWN),
    ],
)
def test_policy_severities(word: str, severity: Severity) -> None:
    payload = load("firing")
    payload["incident"]["severity"] = word
    assert parse(payload).severity is severity


def test_service_and_environment_from_user_labels_win() -> None:
    payload = load("firing")
    payload["incident"]["metadata"]["user_labels"] = {"service": "shop-frontend", "environment": "staging"}
    event = parse(payload)
    assert (event.service, event.environment) == ("shop-frontend", "staging")


def test_closed_without_end_time_ends_at_arrival() -> None:
    payload = load("resolved")
    payload["incident"]["ended_at"] = None
    assert parse(payload).ends_at == RECEIVED


def test_unknown_keys_and_versions_are_tolerated() -> None:
    payload = load("firing")
    payload["version"] = "1.3"
    payload["incident"]["log_match"] = {"x": 1}
    payload["incident"]["condition"] = ["anything"]
    assert parse(payload).fingerprint == "gcp_monitoring:0.opqiw61fsv7p"


@pytest.mark.parametrize(
    ("payload", "field", "expected"),
    [
        ([], "body", "a JSON object (a Google Cloud Monitoring webhook notification)"),
        ({"version": "1.2"}, "incident", "an incident object"),
        ({"incident": {}}, "incident.incident_id", "a non-empty string"),
        ({"incident": {"incident_id": "x", "state": "acknowledged"}}, "incident.state", "one of open, closed"),
        (
            {"incident": {"incident_id": "x", "started_at": "noon"}},
            "incident.started_at",
            "epoch seconds such as 1767607200",
        ),
        ({"incident": {"incident_id": "x", "ended_at": True}}, "incident.ended_at", "epoch seconds such as 1767607200"),
        ({"incident": {"incident_id": "x", "resource": "vm"}}, "incident.resource", "an object"),
        (
            {"incident": {"incident_id": "x", "resource": {"labels": []}}},
            "incident.resource.labels",
            "an object of string values",
        ),
        (
            {"incident": {"incident_id": "x", "metric": {"type": 5.5, "labels": {"a": {}}}}},
            "incident.metric.labels.a",
            "a string, number or boolean",
        ),
        ({"incident": {"incident_id": "x", "documentation": 3}}, "incident.documentation", "an object with content"),
        (
            {"incident": {"incident_id": "x", "documentation": {"links": [{"url": ["u"]}]}}},
            "incident.documentation.links[0].url",
            "a string",
        ),
        (
            {"incident": {"incident_id": "x", "policy_user_labels": "tier=1"}},
            "incident.policy_user_labels",
            "an object of string values",
        ),
        (
            {"incident": {"incident_id": "x", "metadata": {"user_labels": {"env": "e" * 201}}}},
            "incident.metadata.user_labels.env",
            "a string of at most 200 characters",
        ),
        (
            {"incident": {"incident_id": "x", "resource_display_name": "r" * 301}},
            "incident.resource_display_name",
            "a string of at most 300 characters",
        ),
    ],
)
def test_wrong_fields_are_named(payload: object, field: str, expected: str) -> None:
    with pytest.raises(InvalidPayload) as caught:
        parse(payload)
    assert [(p.field, p.expected) for p in caught.value.problems] == [(field, expected)]


def test_overlong_incident_id_is_hashed() -> None:
    payload = load("firing")
    payload["incident"]["incident_id"] = "i" * 400
    fingerprint = parse(payload).fingerprint
    assert fingerprint.startswith("gcp_monitoring:sha256:")
    assert len(fingerprint) <= 300
