"""The mute stage: silenced alerts are marked, kept and still correlated; the mark follows the silence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from openconductor.config.settings import Settings
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.core.silences import Matcher, Silence, SilenceKind
from openconductor.ingest.base import build_event
from openconductor.pipeline.builder import Pipeline, build_pipeline
from openconductor.pipeline.mute import Mute
from openconductor.pipeline.stage import Batch, Item

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def event(at: timedelta, *, key: str, service: str = "checkout", status: str = "firing") -> AlertEvent:
    moment = T0 + at
    resolved = status == "resolved"
    return build_event(
        source="test",
        status=AlertStatus.RESOLVED if resolved else AlertStatus.FIRING,
        severity=Severity.HIGH,
        title=f"{key} on {service}",
        service=service,
        environment="prod",
        labels={"alertname": key},
        received_at=moment,
        starts_at=None if resolved else moment,
        ends_at=moment if resolved else None,
        fingerprint=key,
    )


def silence(
    *matchers: Matcher,
    kind: SilenceKind = SilenceKind.SILENCE,
    starts: timedelta = timedelta(0),
    ends: timedelta = timedelta(hours=1),
    silence_id: str = "sil_1",
) -> Silence:
    return Silence(
        id=silence_id,
        kind=kind,
        matchers=matchers,
        starts_at=T0 + starts,
        ends_at=T0 + ends,
        comment="deploy",
        created_by="ana",
        created_at=T0,
    )


def pipeline_with(*silences: Silence) -> Pipeline:
    pipeline = build_pipeline(Settings())
    for each in silences:
        pipeline.state.silences.add(each)
    return pipeline


def test_the_stage_runs_right_after_deduplication() -> None:
    stages = build_pipeline(Settings()).stages
    assert isinstance(stages[1], Mute)


@pytest.mark.parametrize("kind", list(SilenceKind))
def test_a_matching_alert_is_marked_kept_and_still_correlated(kind: SilenceKind) -> None:
    pipeline = pipeline_with(silence(Matcher("service", "checkout"), Matcher("alertname", "Disk.*", "=~"), kind=kind))
    batch = pipeline.run([event(timedelta(0), key="DiskFull"), event(timedelta(minutes=1), key="HighLatency")])
    silenced, other = (item.alert for item in batch.items)
    assert silenced is not None and other is not None
    assert (silenced.suppressed_by, other.suppressed_by) == ("sil_1", None)
    assert batch.changes.counters["suppressed"] == 1
    assert batch.changes.new_alerts[silenced.id].suppressed_by == "sil_1"
    # Kept and handed on: the correlator grouped it like any other alert.
    assert silenced.incident_id is not None
    assert silenced.id in {m.alert_id for m in batch.changes.memberships}


def test_the_stage_never_removes_items() -> None:
    pipeline = pipeline_with(silence(Matcher("service", "checkout")))
    items = [Item(event(timedelta(0), key="a"))]
    pipeline.stages[0](items, batch := Batch(items=items))
    assert pipeline.stages[1](items, batch) == items


def test_the_mark_clears_on_the_next_event_after_the_silence_ends() -> None:
    pipeline = pipeline_with(silence(Matcher("service", "checkout"), ends=timedelta(minutes=30)))
    first = pipeline.run([event(timedelta(0), key="a")]).items[0].alert
    assert first is not None and first.suppressed_by == "sil_1"

    still = pipeline.run([event(timedelta(minutes=20), key="a")])
    assert first.suppressed_by == "sil_1"
    assert "suppressed" not in still.changes.counters  # already marked: nothing new to count

    after = pipeline.run([event(timedelta(minutes=31), key="a")])
    assert first.suppressed_by is None
    assert after.changes.dirty_alerts[first.id].suppressed_by is None


def test_expiring_early_clears_the_mark_on_the_next_event() -> None:
    pipeline = pipeline_with(silence(Matcher("environment", "prod")))
    alert = pipeline.run([event(timedelta(0), key="a")]).items[0].alert
    assert alert is not None and alert.suppressed_by == "sil_1"
    pipeline.state.silences.expire("sil_1", T0 + timedelta(minutes=5))
    pipeline.run([event(timedelta(minutes=6), key="a")])
    assert alert.suppressed_by is None


def test_a_maintenance_window_marks_only_once_it_has_started_and_a_resolve_keeps_the_mark() -> None:
    window = silence(Matcher("service", "checkout"), kind=SilenceKind.MAINTENANCE, starts=timedelta(minutes=10))
    pipeline = pipeline_with(window)
    alert = pipeline.run([event(timedelta(0), key="a")]).items[0].alert
    assert alert is not None and alert.suppressed_by is None
    pipeline.run([event(timedelta(minutes=11), key="a")])
    assert alert.suppressed_by == "sil_1"
    pipeline.run([event(timedelta(minutes=12), key="a", status="resolved")])
    assert (alert.status, alert.suppressed_by) == (AlertStatus.RESOLVED, "sil_1")


def test_a_refire_is_judged_again() -> None:
    pipeline = pipeline_with(silence(Matcher("service", "checkout"), ends=timedelta(minutes=3)))
    alert = pipeline.run([event(timedelta(0), key="a")]).items[0].alert
    assert alert is not None and alert.suppressed_by == "sil_1"
    pipeline.run([event(timedelta(minutes=2), key="a", status="resolved")])
    refired = pipeline.run([event(timedelta(minutes=4), key="a")])
    assert refired.items[0].alert is alert
    assert alert.suppressed_by is None


def test_the_sweep_forgets_silences_that_ended() -> None:
    pipeline = pipeline_with(
        silence(Matcher("service", "checkout"), ends=timedelta(minutes=30)),
        silence(Matcher("service", "checkout"), ends=timedelta(hours=2), silence_id="sil_2"),
    )
    pipeline.sweep(T0 + timedelta(hours=1))
    assert [s.id for s in pipeline.state.silences] == ["sil_2"]
