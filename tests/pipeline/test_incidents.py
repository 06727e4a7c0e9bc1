"""Incident bookkeeping shared by every correlator: what an incident lists about its alerts."""

from __future__ import annotations

from datetime import UTC, datetime

from openconductor.config.settings import Settings
from openconductor.core.models import AlertStatus, Incident, IncidentStatus, Severity
from openconductor.ingest.base import build_event
from openconductor.pipeline import incidents
from openconductor.pipeline.dedup import Deduplicate
from openconductor.pipeline.stage import Batch, Item
from openconductor.pipeline.state import PipelineState

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_an_incident_lists_at_most_max_services_and_counts_every_alert() -> None:
    state = PipelineState()
    dedup = Deduplicate(state, Settings().dedup, forget_firing_after=Settings().dedup.flap_window)
    incident = Incident(
        id="inc_storm",
        title="Unavailable by ICMP ping",
        status=IncidentStatus.OPEN,
        severity=Severity.HIGH,
        services=set(),
        environment="prod",
        group_key="prod/storm",
        first_seen_at=T0,
        last_seen_at=T0,
        last_joined_at=T0,
    )
    batch = Batch(items=[])
    count = incidents.MAX_SERVICES + 50
    for n in range(count):
        event = build_event(
            source="zabbix",
            status=AlertStatus.FIRING,
            severity=Severity.HIGH,
            title="Unavailable by ICMP ping",
            resource=f"host-{n:04d}",
            received_at=T0,
            starts_at=T0,
        )
        (item,) = dedup([Item(event)], batch)
        assert item.alert is not None
        incidents.attach(
            item.alert,
            incident,
            onset=T0,
            service=f"host-{n:04d}",
            rule="opened" if n == 0 else "template_storm",
            score=1.0,
            evidence={},
            joined_at=T0,
            batch=batch,
        )
    assert incident.alert_count == incident.firing_count == count
    assert len(incident.services) == incidents.MAX_SERVICES
    assert incident.services == {f"host-{n:04d}" for n in range(incidents.MAX_SERVICES)}
