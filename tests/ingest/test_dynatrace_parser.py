"""Dynatrace custom integration: the documented template, problem states, severities, entities, refusals."""

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
from openconductor.ingest.integrations import dynatrace

PAYLOADS = Path(__file__).parent / "payloads" / "dynatrace"
DOCS = Path(__file__).parents[2] / "docs" / "integrations" / "dynatrace.md"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
PID = "-6542198712031256712_1767607140000V2"


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse_one(payload: object) -> AlertEvent:
    [event] = dynatrace.parse(payload, received_at=RECEIVED)
    return event


def test_open_problem() -> None:
    event = parse_one(load("firing"))
    assert event.source == "dynatrace"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.HIGH  # ERROR
    assert event.title == "Failure rate increase"
    assert event.description.startswith("Problem 2601052 in environment Production")
    assert event.fingerprint == f"dynatrace:problem:{PID}"
    # The SERVICE entity is the service, the process group instance the resource.
    assert (event.service, event.resource, event.environment) == (
        "checkout-service",
        "checkout-service-7d9f8b6c5-x2x7q",
        "production",
    )
    assert event.labels == {
        "env": "production",
        "team": "payments",
        "[Kubernetes]namespace": "shop",
        "tier-1": "",
        "severity_level": "ERROR",
        "impact": "SERVICE",
        "problem_id": "2601052",
        "state": "OPEN",
    }
    assert event.annotations == {
        "url": f"https://abc12345.live.dynatrace.com/#problems/problemdetails;pid={PID}",
        "impacted_entity": "checkout-service",
        "impacted_entity_names": "checkout-service",
    }
    assert event.starts_at == datetime(2026, 1, 5, 9, 59, tzinfo=UTC)
    assert event.ends_at is None  # endTime -1: still open
    assert event.raw["ProblemDetailsJSON"]["hasRootCause"] is True


def test_resolved_problem_matches_the_open_one() -> None:
    firing, resolved = parse_one(load("firing")), parse_one(load("resolved"))
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.fingerprint == firing.fingerprint
    assert resolved.ends_at == datetime(2026, 1, 5, 10, 23, 10, tzinfo=UTC)
    assert resolved.event_time == resolved.ends_at


def test_minimal_host_problem() -> None:
    event = parse_one(load("minimal"))
    assert event.severity is Severity.UNKNOWN
    assert (event.service, event.resource, event.environment) == (None, "db-orders-2", None)
    assert event.fingerprint == "dynatrace:problem:-3157710493358624810_1767606600000V2"
    assert event.labels == {"impact": "INFRASTRUCTURE", "problem_id": "2601049", "state": "OPEN"}
    assert "url" not in event.annotations


@pytest.mark.parametrize(
    ("word", "severity"),
    [
        ("AVAILABILITY", Severity.CRITICAL),
        ("ERROR", Severity.HIGH),
        ("PERFORMANCE", Severity.WARNING),
        ("RESOURCE_CONTENTION", Severity.WARNING),
        ("CUSTOM_ALERT", Severity.WARNING),
        ("MONITORING_UNAVAILABLE", Severity.WARNING),
        ("INFO", Severity.INFO),
        ("SOMETHING_NEW", Severity.UNKNOWN),
    ],
)
def test_severities(word: str, severity: Severity) -> None:
    payload = load("minimal")
    payload["ProblemSeverity"] = word
    assert parse_one(payload).severity is severity


@pytest.mark.parametrize(
    ("state", "status"),
    [("OPEN", AlertStatus.FIRING), ("RESOLVED", AlertStatus.RESOLVED), ("MERGED", AlertStatus.RESOLVED)],
)
def test_states(state: str, status: AlertStatus) -> None:
    payload = load("minimal")
    payload["State"] = state
    event = parse_one(payload)
    assert event.status is status
    if status is AlertStatus.RESOLVED:
        assert event.ends_at == RECEIVED  # no endTime in the details: the arrival


def test_entity_tags_from_the_details_when_tags_is_empty() -> None:
    payload = load("firing")
    payload["Tags"] = ""
    labels = parse_one(payload).labels
    assert (labels["env"], labels["namespace"], labels["tier-1"]) == ("production", "shop", "")


def test_service_tag_and_problem_details_v2() -> None:
    payload = load("minimal")
    payload["Tags"] = "service:orders, stage:staging"
    del payload["ProblemDetailsJSON"]
    payload["ProblemDetailsJSONv2"] = {
        "problemId": payload["PID"],
        "startTime": 1767606660000,
        "endTime": -1,
        "rootCauseEntity": {"entityId": {"id": "HOST-0A1B2C3D4E5F6071", "type": "HOST"}, "name": "db-orders-2"},
    }
    event = parse_one(payload)
    assert (event.service, event.environment) == ("orders", "staging")
    assert event.starts_at == datetime(2026, 1, 5, 9, 51, tzinfo=UTC)
    assert event.annotations["root_cause"] == "db-orders-2"


def test_unreplaced_placeholders_count_as_absent() -> None:
    payload = load("minimal")
    payload.update(ProblemTitle="{ProblemTitle}", Tags="{Tags}", PID="{PID}")
    event = parse_one(payload)
    assert event.title == "Dynatrace problem 2601049"
    assert event.fingerprint == "dynatrace:problem:2601049"  # ProblemID when PID is missing
    assert "Tags" not in event.labels


def test_unknown_keys_are_tolerated() -> None:
    payload = load("firing")
    payload["ProblemDetailsMarkdown"] = "**x**"
    payload["Custom"] = {"a": [1]}
    assert parse_one(payload).fingerprint == parse_one(load("firing")).fingerprint


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        (lambda p: (p.pop("PID"), p.pop("ProblemID")), "PID", "a non-empty string (or ProblemID)"),
        (lambda p: p.update(State="CLOSED_FOREVER"), "State", "one of OPEN, RESOLVED, MERGED"),
        (lambda p: p.update(State=None), "State", "one of OPEN, RESOLVED, MERGED"),
        (lambda p: p.update(PID="x" * 201), "PID", "at most 200 characters"),
        (
            lambda p: p.update(ImpactedEntities="db-orders-2"),
            "ImpactedEntities",
            "an array of entities (the {ImpactedEntities} placeholder, without quotes)",
        ),
        (lambda p: p.update(ImpactedEntities=[3]), "ImpactedEntities[0]", "an entity object with type and name"),
        (
            lambda p: p.update(ProblemDetailsJSON="{}"),
            "ProblemDetailsJSON",
            "an object (the placeholder, without quotes)",
        ),
        (
            lambda p: p["ProblemDetailsJSON"].update(startTime="now"),
            "ProblemDetailsJSON.startTime",
            "epoch milliseconds (a number)",
        ),
        (
            lambda p: p["ProblemDetailsJSON"].update(startTime=1e300),
            "ProblemDetailsJSON.startTime",
            "epoch milliseconds between the years 1 and 9999",
        ),
        (lambda p: p.update(ProblemTitle=["x"]), "ProblemTitle", "a string"),
        (lambda p: p.update(Tags="env:" + "e" * 201), "Tags", "a string of at most 200 characters"),
    ],
)
def test_wrong_fields_are_named(change: Any, field: str, expected: str) -> None:
    payload = copy.deepcopy(load("minimal"))
    change(payload)
    with pytest.raises(InvalidPayload) as caught:
        dynatrace.parse(payload, received_at=RECEIVED)
    assert [(p.field, p.expected) for p in caught.value.problems] == [(field, expected)]


def test_the_documented_template_fills_into_what_the_parser_reads() -> None:
    [template] = re.findall(r"```json\n(\{\n  \"State\".*?)\n```", DOCS.read_text(), flags=re.DOTALL)
    filled = json.loads(
        template.replace("{ImpactedEntities}", '[{"type": "HOST", "name": "web-1", "entity": "HOST-1"}]')
        .replace("{ProblemDetailsJSON}", '{"startTime": 1767607140000, "endTime": -1}')
        .replace('"{State}"', '"OPEN"')
        .replace('"{ProblemSeverity}"', '"AVAILABILITY"')
        .replace('"{PID}"', '"-1_1767607140000V2"')
    )
    assert set(filled) == set(load("firing"))
    event = parse_one(filled)
    assert event.resource == "web-1" and event.severity is Severity.CRITICAL
    assert event.fingerprint == "dynatrace:problem:-1_1767607140000V2"
    # Placeholders left as sent (as in a test run without data) are simply absent.
    assert event.title == "Dynatrace problem -1_1767607140000V2"
