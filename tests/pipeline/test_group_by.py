"""The baseline group_by correlator, in event time: joining, windows, severity, resolution, reopening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from openconductor.config.settings import Settings
from openconductor.core.models import AlertEvent, AlertStatus, Incident, IncidentStatus, Severity
from openconductor.ingest.base import build_event
from openconductor.pipeline.builder import Pipeline, build_pipeline

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
SETTINGS = Settings(correlator="group_by")
WINDOW = SETTINGS.correlation.group_window
QUIET = SETTINGS.correlation.quiet_period
GRACE = SETTINGS.correlation.reopen_grace


def event(
    at: timedelta,
    *,
    key: str,
    service: str = "api",
    environment: str = "prod",
    status: str = "firing",
    severity: Severity = Severity.WARNING,
    base: datetime = T0,
    starts: timedelta | None = None,
    keeps_start: bool = False,
) -> AlertEvent:
    moment = base + at
    resolved = status == "resolved"
    return build_event(
        source="test",
        status=AlertStatus.RESOLVED if resolved else AlertStatus.FIRING,
        severity=severity,
        title=f"{key} on {service}",
        service=service,
        environment=environment,
        received_at=moment,
        starts_at=None if resolved else base + (starts if starts is not None else at),
        ends_at=moment if resolved else None,
        fingerprint=key,
        keeps_start=keeps_start,
    )


def minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


def incident_of(pipeline: Pipeline, key: str) -> Incident:
    alert = pipeline.state.alerts_by_fingerprint[key]
    return pipeline.state.incidents[alert.incident_id or ""]


def test_same_keys_within_the_window_share_an_incident_with_evidence() -> None:
    pipeline = build_pipeline(SETTINGS)
    batch = pipeline.run([event(minutes(0), key="a"), event(minutes(10), key="b")])
    first, second = (item.alert for item in batch.items)
    assert first is not None and second is not None
    assert first.incident_id == second.incident_id
    incident = pipeline.state.incidents[first.incident_id or ""]
    assert (incident.alert_count, incident.firing_count, incident.services) == (2, 2, {"api"})
    opened, joined = batch.changes.memberships
    assert (opened.alert_id, opened.rule, opened.evidence) == (
        first.id,
        "opened",
        {"keys": {"environment": "prod", "service": "api"}},
    )
    assert (joined.alert_id, joined.rule, joined.score) == (second.id, "group_by", 1.0)
    assert joined.evidence == {
        "keys": {"environment": "prod", "service": "api"},
        "window_seconds": WINDOW.total_seconds(),
        "gap_seconds": 600.0,
    }


@pytest.mark.parametrize("other", [{"service": "db"}, {"environment": "staging"}])
def test_different_keys_open_different_incidents(other: dict[str, str]) -> None:
    pipeline = build_pipeline(SETTINGS)
    pipeline.run([event(minutes(0), key="a"), event(minutes(1), key="b", **other)])
    assert incident_of(pipeline, "a").id != incident_of(pipeline, "b").id
    assert len(pipeline.state.incidents) == 2


def test_an_alert_starting_outside_the_window_opens_a_new_incident() -> None:
    pipeline = build_pipeline(SETTINGS)
    late = WINDOW + minutes(1)
    pipeline.run([event(minutes(0), key="a"), event(late, key="b")])
    assert incident_of(pipeline, "a").id != incident_of(pipeline, "b").id


def test_the_window_is_measured_from_the_last_alert_that_joined() -> None:
    pipeline = build_pipeline(SETTINGS)
    step = WINDOW - minutes(1)
    pipeline.run([event(step * n, key=f"k{n}") for n in range(4)])
    assert {incident_of(pipeline, f"k{n}").id for n in range(4)} == {incident_of(pipeline, "k0").id}
    assert incident_of(pipeline, "k0").alert_count == 4


def test_an_alert_that_started_long_ago_does_not_join_a_recent_incident() -> None:
    pipeline = build_pipeline(SETTINGS)
    pipeline.run([event(minutes(30), key="a")])
    # Arrives now, but its own start lies far before the incident began.
    pipeline.run([event(minutes(31), key="old", starts=minutes(30) - WINDOW - minutes(5))])
    assert incident_of(pipeline, "old").id != incident_of(pipeline, "a").id


def test_incident_severity_is_the_worst_of_its_alerts() -> None:
    pipeline = build_pipeline(SETTINGS)
    pipeline.run([event(minutes(0), key="a", severity=Severity.INFO)])
    assert incident_of(pipeline, "a").severity is Severity.INFO
    pipeline.run([event(minutes(1), key="b", severity=Severity.CRITICAL)])
    pipeline.run([event(minutes(2), key="c", severity=Severity.WARNING)])
    assert incident_of(pipeline, "a").severity is Severity.CRITICAL


def test_all_alerts_resolved_resolves_the_incident() -> None:
    pipeline = build_pipeline(SETTINGS)
    pipeline.run([event(minutes(0), key="a"), event(minutes(1), key="b")])
    incident = incident_of(pipeline, "a")
    pipeline.run([event(minutes(5), key="a", status="resolved")])
    assert (incident.status, incident.firing_count) == (IncidentStatus.OPEN, 1)
    pipeline.run([event(minutes(9), key="b", status="resolved")])
    assert incident.status is IncidentStatus.RESOLVED
    assert incident.resolution == "all_alerts_resolved"
    assert incident.resolved_at == T0 + minutes(9)


def test_quiet_period_without_activity_resolves_on_sweep() -> None:
    pipeline = build_pipeline(SETTINGS)
    pipeline.run([event(minutes(0), key="a")])
    incident = incident_of(pipeline, "a")
    pipeline.sweep(T0 + QUIET)
    assert incident.status is IncidentStatus.OPEN
    later = T0 + QUIET + minutes(2)
    batch = pipeline.sweep(later)
    assert incident.status is IncidentStatus.RESOLVED
    assert (incident.resolution, incident.resolved_at) == ("quiet", later)
    assert incident.id in batch.changes.dirty_incidents
    assert batch.changes.counters["incidents_resolved"] == 1


def test_activity_keeps_an_incident_from_going_quiet() -> None:
    pipeline = build_pipeline(SETTINGS)
    half = QUIET / 2
    pipeline.run([event(minutes(0), key="a"), event(half, key="a"), event(half * 2, key="a")])
    pipeline.sweep(T0 + QUIET + minutes(2))
    assert incident_of(pipeline, "a").status is IncidentStatus.OPEN


def test_refire_within_reopen_grace_reopens_the_incident() -> None:
    pipeline = build_pipeline(SETTINGS)
    pipeline.run([event(minutes(0), key="a"), event(minutes(3), key="a", status="resolved")])
    incident = incident_of(pipeline, "a")
    assert incident.status is IncidentStatus.RESOLVED
    batch = pipeline.run([event(minutes(3) + GRACE - minutes(1), key="a")])
    assert incident_of(pipeline, "a") is incident
    assert (incident.status, incident.resolution, incident.resolved_at) == (IncidentStatus.OPEN, None, None)
    assert incident.firing_count == 1
    assert batch.changes.counters["incidents_reopened"] == 1


def test_refire_after_reopen_grace_opens_a_new_incident() -> None:
    pipeline = build_pipeline(SETTINGS)
    pipeline.run([event(minutes(0), key="a"), event(minutes(3), key="a", status="resolved")])
    first = incident_of(pipeline, "a")
    batch = pipeline.run([event(minutes(3) + GRACE + minutes(1), key="a")])
    second = incident_of(pipeline, "a")
    assert second.id != first.id
    assert first.status is IncidentStatus.RESOLVED
    assert first.alert_count == 0
    [departure] = batch.changes.departures
    assert departure.incident_id == first.id


def outcome_shape(pipeline: Pipeline, keys: list[str]) -> list[tuple[str, str, str | None, int, int]]:
    """Per alert: its status, its incident's status and resolution, and the incident's counts."""
    shape = []
    for key in keys:
        alert = pipeline.state.alerts_by_fingerprint[key]
        incident = pipeline.state.incidents[alert.incident_id or ""]
        shape.append(
            (
                alert.status.value,
                incident.status.value,
                incident.resolution,
                incident.alert_count,
                incident.firing_count,
            )
        )
    return shape


def scenario() -> list[AlertEvent]:
    return [
        event(minutes(0), key="a"),
        event(minutes(0.5), key="b"),
        event(minutes(1), key="a", status="resolved"),
        event(minutes(2), key="c", service="db"),
        event(minutes(2.5), key="b", status="resolved"),
        event(minutes(4), key="b"),
    ]


def test_a_firing_and_its_resolve_in_one_batch_behave_as_in_separate_batches() -> None:
    together, apart = build_pipeline(SETTINGS), build_pipeline(SETTINGS)
    together.run(scenario())
    for single in scenario():
        apart.run([single])
    keys = ["a", "b", "c"]
    assert outcome_shape(together, keys) == outcome_shape(apart, keys)
    assert outcome_shape(together, keys) == [
        ("resolved", "open", None, 2, 1),
        ("firing", "open", None, 2, 1),
        ("firing", "open", None, 1, 1),
    ]


def test_quiet_time_passes_between_events_of_one_batch() -> None:
    pipeline = build_pipeline(SETTINGS)
    pipeline.run([event(minutes(0), key="a"), event(QUIET + minutes(5), key="b")])
    assert incident_of(pipeline, "a").resolution == "quiet"
    assert incident_of(pipeline, "b").status is IncidentStatus.OPEN


def partition(pipeline: Pipeline, keys: list[str]) -> list[int]:
    """Incidents numbered by first appearance, so two runs can be compared without their ids."""
    numbering: dict[str, int] = {}
    return [
        numbering.setdefault(pipeline.state.alerts_by_fingerprint[k].incident_id or "", len(numbering)) for k in keys
    ]


def test_replaying_old_events_groups_exactly_as_live() -> None:
    replayed_base = datetime(2019, 3, 1, 2, 0, tzinfo=UTC)
    live_base = datetime.now(UTC)
    offsets = [minutes(0), minutes(5), WINDOW + minutes(10), minutes(200), minutes(201), QUIET + minutes(300)]
    keys = [f"k{n}" for n in range(len(offsets))]
    results = []
    for base in (replayed_base, live_base):
        pipeline = build_pipeline(SETTINGS)
        batch = pipeline.run([event(at, key=key, base=base) for at, key in zip(offsets, keys, strict=True)])
        # Incidents that went quiet long ago have left the working set; the batch still holds them.
        incidents = batch.changes.new_incidents
        resolutions = [
            incidents[pipeline.state.alerts_by_fingerprint[key].incident_id or ""].resolution for key in keys
        ]
        results.append((partition(pipeline, keys), resolutions))
    assert results[0] == results[1]
    assert results[0][0] == [0, 0, 1, 2, 2, 3]
    assert results[0][1] == ["quiet", "quiet", "quiet", "quiet", "quiet", None]


def test_a_reopened_incident_takes_its_key_back_from_a_newer_resolved_one() -> None:
    pipeline = build_pipeline(SETTINGS)

    def resolve_by_hand(incident: Incident) -> None:
        incident.status, incident.resolution, incident.resolved_at = IncidentStatus.RESOLVED, "manual", T0

    pipeline.run([event(minutes(0), key="a")])
    older = incident_of(pipeline, "a")
    resolve_by_hand(older)
    pipeline.run([event(minutes(1), key="b")])
    newer = incident_of(pipeline, "b")
    assert newer.id != older.id
    resolve_by_hand(newer)
    older.status, older.resolution, older.resolved_at = IncidentStatus.OPEN, None, None
    pipeline.correlator.adopt(older)  # what the platform does after a reopen
    pipeline.run([event(minutes(2), key="c")])
    assert incident_of(pipeline, "c") is older


def test_an_alert_whose_resolve_was_lost_stops_counting_as_firing_when_it_starts_afresh() -> None:
    pipeline = build_pipeline(SETTINGS)
    pipeline.run([event(minutes(0), key="a", keeps_start=True)])
    first = incident_of(pipeline, "a")
    # No resolve came; the tool now says the alert has fired since minute 44, after our last news of it.
    pipeline.run([event(minutes(45), key="a", starts=minutes(44), keeps_start=True)])
    assert first.firing_count == 0 and first.status is IncidentStatus.RESOLVED
    assert incident_of(pipeline, "a") is not first


def test_starts_dated_at_the_ends_of_the_calendar_do_not_overflow() -> None:
    # A client may date a start in year 1 or 9999 (the API fuzz test does); arrival times are the server's.
    pipeline = build_pipeline(SETTINGS)
    earliest = datetime(1, 1, 1, tzinfo=UTC) - T0
    latest = datetime(9999, 12, 31, 23, 59, tzinfo=UTC) - T0
    batch = pipeline.run(
        [
            event(minutes(0), key="a", starts=earliest),
            event(minutes(1), key="b", starts=earliest),
            event(minutes(2), key="c", starts=latest, service="web"),
            event(minutes(3), key="d", starts=latest, service="web"),
        ]
    )
    first, second, third, fourth = (item.alert for item in batch.items)
    assert first is not None and second is not None and third is not None and fourth is not None
    assert first.incident_id == second.incident_id
    assert third.incident_id == fourth.incident_id
