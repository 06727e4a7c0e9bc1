"""Every recorded vendor payload parses with its integration into well-formed events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from openconductor.core.models import AlertStatus, Severity
from openconductor.ingest.registry import INTEGRATIONS, get_integration

PAYLOADS = Path(__file__).parent / "payloads"
RECORDED = sorted(PAYLOADS.glob("*/*.json"))
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def test_every_integration_has_recorded_payloads() -> None:
    tools = {path.parent.name for path in RECORDED}
    assert tools == set(INTEGRATIONS)
    assert {"generic", "alertmanager", "pagerduty"} <= tools
    for tool in tools:
        names = {path.stem for path in RECORDED if path.parent.name == tool}
        required = {"firing", "resolved", "minimal"}
        # A tool that sends one alert per request documents why (module attribute ONE_ALERT_PER_REQUEST).
        if not getattr(INTEGRATIONS[tool], "ONE_ALERT_PER_REQUEST", ""):
            required.add("batch")
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
    events = module.parse(json.loads(path.read_text()), received_at=RECEIVED)
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


def test_unknown_slug_is_not_registered() -> None:
    assert get_integration("no-such-tool") is None
