"""Icinga 2 notifications from openconductor-notify: Icinga 2's names, links and fingerprints."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.ingest.integrations import icinga2

PAYLOADS = Path(__file__).parent / "payloads" / "icinga2"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse(payload: object) -> AlertEvent:
    [event] = icinga2.parse(payload, received_at=RECEIVED)
    return event


def test_service_problem_field_by_field() -> None:
    event = parse(load("firing"))
    assert event.source == "icinga2"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.CRITICAL
    # Display names in the title; object names in the identity.
    assert event.title == "Disk /var/lib/containerd is CRITICAL on k8s-node-07"
    assert event.description.startswith("DISK CRITICAL - free space: /var/lib/containerd 2048 MiB")
    assert event.description.endswith("49152 MiB used of 51200 MiB")
    assert (event.service, event.resource, event.environment) == (
        "containerd",
        "k8s-node-07.prod.example.com",
        "prod",
    )
    assert event.fingerprint == "icinga2:k8s-node-07.prod.example.com!disk-/var/lib/containerd"
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, 0, 254311, tzinfo=UTC)
    assert event.labels == {
        "host": "k8s-node-07.prod.example.com",
        "object_type": "service",
        "service_name": "disk-/var/lib/containerd",
        "host_groups": "kubernetes-nodes,linux-servers",
        "service_groups": "disks",
    }
    assert event.annotations["attempt"] == "1/5"
    assert event.annotations["notification_number"] == "1"
    assert event.annotations["icingaweb2_url"] == "https://icinga.example.com/icingaweb2"
    assert event.annotations["url"] == (
        "https://icinga.example.com/icingaweb2/icingadb/service"
        "?name=disk-%2Fvar%2Flib%2Fcontainerd&host.name=k8s-node-07.prod.example.com"
    )
    assert "nagios_url" not in event.annotations


def test_recovery_resolves_the_same_alert() -> None:
    problem, recovery = parse(load("firing")), parse(load("resolved"))
    assert recovery.status is AlertStatus.RESOLVED
    assert recovery.fingerprint == problem.fingerprint
    assert recovery.ends_at == datetime(2026, 1, 5, 10, 25, 30, 118902, tzinfo=UTC)
    assert recovery.severity is Severity.CRITICAL


def test_acknowledgement_keeps_the_alert_firing_and_acknowledges() -> None:
    event = parse(load("acknowledgement"))
    assert (event.status, event.acknowledge) == (AlertStatus.FIRING, True)
    assert event.fingerprint == parse(load("firing")).fingerprint
    assert event.annotations["acknowledged_by"] == "jdoe"
    assert event.annotations["comment"] == "Pruning old images, see CHG-4411"


def test_host_down_links_to_the_host_page() -> None:
    event = parse(load("host_down"))
    assert event.title == "Host k8s-node-09 is DOWN"
    assert event.severity is Severity.CRITICAL
    assert event.fingerprint == "icinga2:k8s-node-09.prod.example.com"
    assert (
        event.annotations["url"]
        == "https://icinga.example.com/icingaweb2/icingadb/host?name=k8s-node-09.prod.example.com"
    )


def test_minimal_notification() -> None:
    event = parse(load("minimal"))
    assert event.title == "http is UNKNOWN on web-01"
    assert event.severity is Severity.UNKNOWN
    assert event.fingerprint == "icinga2:web-01!http"


def test_flapping_end_follows_the_state() -> None:
    # Icinga 2 says FLAPPINGEND where Nagios says FLAPPINGSTOP; both follow the state.
    assert parse({**load("resolved"), "notification_type": "FLAPPINGEND"}).status is AlertStatus.RESOLVED
    assert parse({**load("firing"), "notification_type": "FLAPPINGEND"}).status is AlertStatus.FIRING


def test_the_nagios_key_for_the_service_is_not_read() -> None:
    payload = {key: value for key, value in load("minimal").items() if key != "service_name"}
    with pytest.raises(InvalidPayload) as caught:
        parse({**payload, "service_description": "http"})
    assert [(p.field, p.expected) for p in caught.value.problems] == [
        ("service_name", "a non-empty string (required when object_type is service)")
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service_name": 17.5}, None),
        ({"service_name": ["http"]}, "service_name"),
        ({"state": "UP"}, "state"),
        ({"icingaweb2_url": {"href": "x"}}, "icingaweb2_url"),
        ({"last_state_change": "1767607200.25"}, "last_state_change"),
    ],
)
def test_wrong_fields_are_named(change: dict[str, Any], field: str | None) -> None:
    if field is None:
        # Numbers are text to Icinga 2's macros: a service named 17.5 is a service.
        assert parse({**load("minimal"), **change}).fingerprint == "icinga2:web-01!17.5"
        return
    with pytest.raises(InvalidPayload) as caught:
        parse({**load("minimal"), **change})
    assert [p.field for p in caught.value.problems] == [field]
