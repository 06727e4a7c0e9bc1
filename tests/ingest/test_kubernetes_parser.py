"""Kubernetes events from kubernetes-event-exporter: Warning events alert, a few Normal ones resolve them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertStatus, Severity
from openconductor.ingest.integrations import kubernetes

PAYLOADS = Path(__file__).parent / "payloads" / "kubernetes"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def load(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse(payload: Any):  # type: ignore[no-untyped-def]
    return kubernetes.parse(payload, received_at=RECEIVED)


def parse_one(payload: Any):  # type: ignore[no-untyped-def]
    [event] = parse(payload)
    return event


def problems_of(payload: Any) -> dict[str, str]:
    with pytest.raises(InvalidPayload) as caught:
        parse(payload)
    return {problem.field: problem.expected for problem in caught.value.problems}


def test_warning_event_maps_field_by_field() -> None:
    event = parse_one(load("firing"))
    assert event.source == "kubernetes"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.WARNING
    assert event.title == "Pod shop/checkout-7d9f8b6c5-x2x7q: FailedScheduling"
    assert event.description.startswith("0/6 nodes are available: 3 Insufficient cpu")
    assert event.service == "checkout"  # app.kubernetes.io/name
    assert event.resource == "checkout-7d9f8b6c5-x2x7q"
    assert event.environment == "production"  # the object's environment label before the cluster name
    assert event.fingerprint == "kubernetes:prod-eu-1/Pod/shop/checkout-7d9f8b6c5-x2x7q/FailedScheduling"
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, 3, tzinfo=UTC)  # firstTimestamp
    assert event.labels["namespace"] == "shop"
    assert event.labels["kind"] == "Pod"
    assert event.labels["reason"] == "FailedScheduling"
    assert event.labels["cluster"] == "prod-eu-1"
    assert event.labels["reporting_component"] == "default-scheduler"
    assert event.labels["app.kubernetes.io/part-of"] == "shop"
    assert event.annotations["count"] == "7"
    assert event.annotations["last_timestamp"] == "2026-01-05T10:04:41Z"
    assert event.annotations["event_name"] == "checkout-7d9f8b6c5-x2x7q.1826c3a1f0e4b2d9"
    assert event.annotations["involved_object_uid"] == "6f0b2c1e-8a4d-4f5e-9b3a-2c1d0e9f8a7b"
    assert event.raw["metadata"]["uid"] == "0c7e5d4a-1b2f-4e3d-8a9c-7f6e5d4c3b2a"


def test_scheduled_resolves_failed_scheduling_of_the_same_pod() -> None:
    firing, resolved = parse_one(load("firing")), parse_one(load("resolved"))
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.fingerprint == firing.fingerprint
    assert resolved.title == firing.title
    assert resolved.ends_at == datetime(2026, 1, 5, 10, 25, 30, 512844, tzinfo=UTC)  # eventTime of a new-style event
    assert resolved.annotations["resolved_by"] == "Scheduled"


def test_other_normal_events_are_dropped() -> None:
    normal = load("resolved")
    for reason in ("Pulled", "Started", "Created", "Killing"):
        assert parse({**normal, "reason": reason}) == []


def test_backoff_is_not_resolved_by_a_start() -> None:
    backoff = parse_one(load("backoff"))
    assert backoff.fingerprint.endswith("/BackOff")
    assert backoff.labels["node"] == "ip-10-0-3-17.eu-west-1.compute.internal"
    assert backoff.annotations["field_path"] == "spec.containers{checkout}"
    started = {**load("backoff"), "type": "Normal", "reason": "Started"}
    assert parse(started) == []


def test_node_oom_is_high_and_has_no_service() -> None:
    event = parse_one(load("node_oom"))
    assert event.severity is Severity.HIGH
    assert event.title == "Node ip-10-0-3-17.eu-west-1.compute.internal: OOMKilling"
    assert event.service is None
    assert event.environment == "prod-eu-1"  # the cluster name, for want of an environment label
    assert "namespace" not in event.labels


def test_minimal_event_without_labels_or_cluster() -> None:
    event = parse_one(load("minimal"))
    assert event.service == "orders-db"  # StatefulSet pod name orders-db-0
    assert event.environment is None
    assert "cluster" not in event.labels
    assert event.fingerprint == "kubernetes:/Pod/orders/orders-db-0/Unhealthy"


@pytest.mark.parametrize(
    ("kind", "name", "service"),
    [
        ("Pod", "checkout-7d9f8b6c5-x2x7q", "checkout"),
        ("Pod", "ledger-0", "ledger"),
        ("ReplicaSet", "cart-5c8d7b9f4d", "cart"),
        ("Deployment", "cart", "cart"),
        ("Node", "ip-10-0-1-5", None),
        ("Pod", "standalone", None),
    ],
)
def test_service_from_generated_names(kind: str, name: str, service: str | None) -> None:
    payload = load("minimal")
    payload["involvedObject"] = {"kind": kind, "name": name, "namespace": "shop"}
    assert parse_one(payload).service == service


def test_batch_array_is_accepted() -> None:
    events = parse(load("batch"))
    assert [(event.status, event.labels["reason"]) for event in events] == [
        (AlertStatus.FIRING, "FailedCreate"),
        (AlertStatus.RESOLVED, "FailedCreate"),
    ]
    assert events[0].fingerprint == events[1].fingerprint
    assert events[0].service == "cart"


def test_unknown_keys_are_tolerated() -> None:
    payload = {**load("firing"), "series": {"count": 3, "lastObservedTime": "2026-01-05T10:04:41.000000Z"}, "x": [1]}
    payload["involvedObject"] = {**payload["involvedObject"], "annotations": {"a": "b"}, "future": {}}
    assert parse_one(payload).fingerprint == parse_one(load("firing")).fingerprint


def test_wrong_types_are_named_by_field() -> None:
    assert problems_of(3) == {"body": "a Kubernetes Event object"}
    assert problems_of({**load("firing"), "type": "Error"}) == {"type": "one of Normal, Warning"}
    assert problems_of({**load("firing"), "reason": None}) == {"reason": "a non-empty string"}
    assert problems_of({**load("firing"), "involvedObject": "pod"}) == {"involvedObject": "an object reference"}
    broken = {**load("firing"), "count": "many", "firstTimestamp": "yesterday"}
    broken["involvedObject"] = {"kind": "Pod", "labels": {"app": ["x"]}}
    assert problems_of(broken) == {
        "involvedObject.name": "a non-empty string",
        "involvedObject.labels.app": "a string, number or boolean",
        "count": "an integer",
        "firstTimestamp": "an RFC 3339 timestamp such as 2026-01-05T10:00:00Z",
    }
    assert problems_of([load("firing"), {**load("firing"), "type": 1}]) == {"[1].type": "one of Normal, Warning"}
    long_name = {**load("firing"), "involvedObject": {"kind": "Pod", "name": "p" * 400}}
    assert "involvedObject.name" in problems_of(long_name)
