"""Azure Monitor common alert schema: essentials, severity scale, target resource id, alert context."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertStatus, Severity
from openconductor.ingest.integrations import azure_monitor

PAYLOADS = Path(__file__).parent / "payloads" / "azure_monitor"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
SUBSCRIPTION = "11111111-2222-3333-4444-555555555555"
ALERT_ID = (
    f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.AlertsManagement/alerts/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e"
)


def load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse(payload: object):  # type: ignore[no-untyped-def]
    [event] = azure_monitor.parse(payload, received_at=RECEIVED)
    return event


def test_fired_metric_alert() -> None:
    event = parse(load("firing"))
    assert event.source == "azure_monitor"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.WARNING  # Sev2
    assert event.title == "checkout-vm-high-cpu"
    assert event.description == "CPU of the checkout VMs above 85% for 5 minutes"
    # customProperties name the service and environment; the resource is the configuration item.
    assert (event.service, event.resource, event.environment) == ("checkout", "checkout-vm-2", "prod")
    assert event.fingerprint == f"azure_monitor:{ALERT_ID}"
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, 24, 371321, tzinfo=UTC)
    assert event.ends_at is None
    assert event.labels == {
        "dimension.ResourceId": "a0a0a0a0-bbbb-cccc-dddd-e1e1e1e1e1e1",
        "service": "checkout",
        "environment": "prod",
        "team": "payments",
        "subscription_id": SUBSCRIPTION,
        "resource_group": "checkout-prod",
        "resource_provider": "microsoft.compute",
        "resource_type": "microsoft.compute/virtualmachines",
        "resource_name": "checkout-vm-2",
        "alert_rule": "checkout-vm-high-cpu",
        "signal_type": "Metric",
        "monitoring_service": "Platform",
    }
    assert event.annotations["alert_id"] == ALERT_ID
    assert event.annotations["alert_rule_id"].endswith("/metricAlerts/checkout-vm-high-cpu")
    assert event.annotations["severity"] == "Sev2"
    assert event.annotations["condition"] == "Percentage CPU GreaterThan 85 (value 93.127)"
    assert event.annotations["resource_url"] == (
        f"https://portal.azure.com/#@/resource/subscriptions/{SUBSCRIPTION}/resourcegroups/checkout-prod"
        "/providers/microsoft.compute/virtualmachines/checkout-vm-2"
    )
    assert event.annotations["investigation_url"].startswith("https://portal.azure.com/#view/")
    assert event.annotations["origin_alert_id"].endswith("_-117781227")
    assert event.raw["data"]["alertContext"]["conditionType"] == "SingleResourceMultipleMetricCriteria"


def test_resolved_matches_the_fired_alert() -> None:
    fired = parse(load("firing"))
    resolved = parse(load("resolved"))
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.fingerprint == fired.fingerprint
    assert resolved.ends_at == datetime(2026, 1, 5, 10, 25, 16, 224631, tzinfo=UTC)
    assert resolved.event_time == resolved.ends_at
    assert resolved.annotations["condition"] == "Percentage CPU GreaterThan 85 (value 41.5)"


def test_activity_log_alert_without_custom_properties() -> None:
    event = parse(load("minimal"))
    assert event.severity is Severity.INFO  # Sev4
    # No custom properties: the resource group is the service, the target's name the resource.
    assert (event.service, event.resource, event.environment) == ("orders-prod", "orders-vm-1", None)
    assert event.description == ""
    assert event.annotations["operation_name"] == "Microsoft.Compute/virtualMachines/restart/action"
    assert event.annotations["activity_status"] == "Succeeded"
    assert event.annotations["caller"] == "ops@example.com"
    assert "condition" not in event.annotations


def test_log_search_alert_resource_is_the_configuration_item_not_the_workspace() -> None:
    event = parse(load("log_search"))
    assert event.severity is Severity.HIGH  # Sev1
    assert (event.service, event.resource) == ("monitoring", "search-vm-7")
    assert event.labels["resource_name"] == "prod-logs"
    assert event.labels["resource_type"] == "microsoft.operationalinsights/workspaces"
    assert event.labels["dimension.Computer"] == "search-vm-7"
    assert event.annotations["search_results_url"].endswith("/q/filtered")
    assert event.annotations["condition"].startswith("Heartbeat | summarize")


@pytest.mark.parametrize(
    ("word", "severity"),
    [
        ("Sev0", Severity.CRITICAL),
        ("Sev1", Severity.HIGH),
        ("Sev2", Severity.WARNING),
        ("Sev3", Severity.INFO),
        ("Sev4", Severity.INFO),
        ("sev0", Severity.CRITICAL),
        ("Sev9", Severity.UNKNOWN),
    ],
)
def test_azure_severity_scale(word: str, severity: Severity) -> None:
    payload = load("firing")
    payload["data"]["essentials"]["severity"] = word
    assert parse(payload).severity is severity


@pytest.mark.parametrize(
    ("resource_id", "parts"),
    [
        (
            "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Sql/servers/sql-1/databases/orders",
            {
                "subscription_id": "s1",
                "resource_group": "rg1",
                "resource_provider": "Microsoft.Sql",
                "resource_type": "Microsoft.Sql/servers/databases",
                "resource_name": "orders",
            },
        ),
        (
            "/subscriptions/s1/resourceGroups/rg1",
            {"subscription_id": "s1", "resource_group": "rg1", "resource_name": "rg1"},
        ),
        ("/subscriptions/s1", {"subscription_id": "s1"}),
        ("not an id", {}),
        ("", {}),
    ],
)
def test_parse_resource_id(resource_id: str, parts: dict[str, str]) -> None:
    assert azure_monitor.parse_resource_id(resource_id) == parts


def test_resolved_without_resolved_time_ends_at_arrival() -> None:
    payload = load("resolved")
    del payload["data"]["essentials"]["resolvedDateTime"]
    assert parse(payload).ends_at == RECEIVED


def test_unknown_keys_and_versions_are_tolerated() -> None:
    payload = load("firing")
    payload["data"]["essentials"]["essentialsVersion"] = "2.0"
    payload["data"]["essentials"]["somethingNew"] = {"x": 1}
    payload["data"]["alertContext"] = {"condition": {"allOf": ["odd", {"dimensions": "odd"}]}, "Dimensions": 5}
    payload["extra"] = []
    event = parse(payload)
    assert event.fingerprint == f"azure_monitor:{ALERT_ID}"
    assert "condition" not in event.annotations


def test_overlong_alert_id_is_hashed() -> None:
    payload = load("firing")
    payload["data"]["essentials"]["alertId"] = "/x" * 200
    fingerprint = parse(payload).fingerprint
    assert fingerprint.startswith("azure_monitor:sha256:")
    assert len(fingerprint) <= 300


@pytest.mark.parametrize(
    ("payload", "field", "expected"),
    [
        ([], "body", "a JSON object (an Azure Monitor alert in the common alert schema)"),
        (
            {"schemaId": "Microsoft.Insights/activityLogs", "data": {}},
            "schemaId",
            "azureMonitorCommonAlertSchema (enable the common alert schema on the action group's webhook)",
        ),
        ({"schemaId": "azureMonitorCommonAlertSchema"}, "data", "an object with essentials and alertContext"),
        ({"data": {"essentials": []}}, "data.essentials", "an object"),
        ({"data": {"essentials": {}}}, "data.essentials.alertId", "a non-empty string"),
    ],
)
def test_wrong_shape_names_the_field(payload: object, field: str, expected: str) -> None:
    with pytest.raises(InvalidPayload) as caught:
        parse(payload)
    assert [(p.field, p.expected) for p in caught.value.problems] == [(field, expected)]


def test_every_bad_essentials_field_is_named() -> None:
    payload = load("firing")
    essentials = payload["data"]["essentials"]
    essentials["monitorCondition"] = "Pending"
    essentials["firedDateTime"] = "3/22/2019 1:36:31 PM"
    essentials["alertTargetIDs"] = "/subscriptions/x"
    essentials["configurationItems"] = ["ok", 7]
    payload["data"]["customProperties"] = {"service": ["a"]}
    with pytest.raises(InvalidPayload) as caught:
        parse(payload)
    assert {p.field: p.expected for p in caught.value.problems} == {
        "data.essentials.monitorCondition": "one of Fired, Resolved",
        "data.essentials.firedDateTime": "an RFC 3339 timestamp such as 2026-01-05T10:00:00Z",
        "data.essentials.alertTargetIDs": "an array of strings",
        "data.essentials.configurationItems[1]": "a string",
        "data.customProperties.service": "a string, number or boolean",
    }


@pytest.mark.parametrize(
    ("where", "value", "field", "limit"),
    [
        ("configurationItems", ["c" * 301], "data.essentials.configurationItems[0]", 300),
        ("service", "s" * 301, "data.customProperties.service", 300),
        ("environment", "e" * 201, "data.customProperties.environment", 200),
    ],
)
def test_identity_values_longer_than_the_store_keeps_are_named(
    where: str, value: object, field: str, limit: int
) -> None:
    payload = load("firing")
    if where == "configurationItems":
        payload["data"]["essentials"][where] = value
    else:
        payload["data"]["customProperties"][where] = value
    with pytest.raises(InvalidPayload) as caught:
        parse(payload)
    assert [(p.field, p.expected) for p in caught.value.problems] == [
        (field, f"a string of at most {limit} characters")
    ]
