"""Every recorded vendor payload parses with its integration into well-formed events; a tool that sends one
alert per request records in batch.json a burst, the request bodies it sends one after another in an incident."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.ingest.registry import INTEGRATIONS, get_integration

PAYLOADS = Path(__file__).parent / "payloads"
RECORDED = sorted(PAYLOADS.glob("*/*.json"))
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
# Kubernetes declares one event per request (the event exporter's webhook), but its endpoint also takes an
# array of events, and its batch.json records one such request rather than a burst.
ARRAY_BATCHES = frozenset({"kubernetes"})


def is_burst(path: Path) -> bool:
    slug = path.parent.name
    one_per_request = getattr(get_integration(slug), "ONE_ALERT_PER_REQUEST", "")
    return path.stem == "batch" and bool(one_per_request) and slug not in ARRAY_BATCHES


def request_bodies(path: Path) -> list[Any]:
    """The request bodies a recorded file holds: several for a burst, else the file itself."""
    payload = json.loads(path.read_text())
    if not is_burst(path):
        return [payload]
    assert isinstance(payload, list), f"{path}: a burst is a JSON array of request bodies"
    return payload


BURSTS = sorted(path for path in RECORDED if is_burst(path))


def test_every_integration_has_recorded_payloads() -> None:
    tools = {path.parent.name for path in RECORDED}
    assert tools == set(INTEGRATIONS)
    assert {"generic", "alertmanager", "pagerduty"} <= tools
    for tool in tools:
        names = {path.stem for path in RECORDED if path.parent.name == tool}
        required = {"firing", "resolved", "minimal", "batch"}
        assert required <= names, f"{tool}: missing recorded payloads {sorted(required - names)}"


@pytest.mark.parametrize("slug", sorted(INTEGRATIONS))
def test_every_integration_has_a_docs_page(slug: str) -> None:
    info = INTEGRATIONS[slug].INFO
    assert info.docs == f"docs/integrations/{slug}.md"
    assert (Path(__file__).parents[2] / info.docs).is_file()


@pytest.mark.parametrize("path", RECORDED, ids=[f"{p.parent.name}/{p.stem}" for p in RECORDED])
def test_recorded_payload_parses(path: Path) -> None:
    module = get_integration(path.parent.name)
    assert module is not None
    assert module.INFO.slug == path.parent.name
    assert module.INFO.quality in {"bronze", "silver", "gold"}
    for body in request_bodies(path):
        check_events(module.parse(body, received_at=RECEIVED))


def check_events(events: list[AlertEvent]) -> None:
    assert events
    for event in events:
        assert event.title.strip()
        assert event.received_at == RECEIVED
        assert event.starts_at.tzinfo is not None
        assert len(event.fingerprint) >= 16
        assert isinstance(event.severity, Severity)
        assert all(isinstance(v, str) for v in event.labels.values())
        if event.status is AlertStatus.RESOLVED:
            assert event.ends_at is not None
            assert event.event_time == event.ends_at
        else:
            assert event.ends_at is None
            assert event.event_time == event.starts_at


@pytest.mark.parametrize("path", BURSTS, ids=[p.parent.name for p in BURSTS])
def test_a_burst_is_distinct_alerts_and_resolves_one_that_fired(path: Path) -> None:
    module = get_integration(path.parent.name)
    assert module is not None
    bodies = request_bodies(path)
    assert len(bodies) >= 3
    fired: set[str] = set()
    resolved: list[str] = []
    for index, body in enumerate(bodies):
        for event in module.parse(body, received_at=RECEIVED):
            if event.status is AlertStatus.RESOLVED:
                assert event.fingerprint in fired, f"body {index} resolves an alert no earlier body fired"
                resolved.append(event.fingerprint)
            else:
                fired.add(event.fingerprint)
    assert len(fired) >= 3
    assert resolved


def test_unknown_slug_is_not_registered() -> None:
    assert get_integration("no-such-tool") is None
