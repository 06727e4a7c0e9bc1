"""Deduplication: what each event means for its alert, decided in event time without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from openconductor.config.settings import Settings
from openconductor.core.models import AlertEvent, AlertStatus, IncidentStatus, Severity
from openconductor.ingest.base import build_event
from openconductor.pipeline.builder import Pipeline, build_pipeline
from openconductor.pipeline.resends import ResendGaps

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def event(
    minutes: float,
    *,
    status: str = "firing",
    severity: Severity = Severity.WARNING,
    key: str = "disk-db-1",
    acknowledge: bool = False,
    started: float | None = None,
    by_client: bool = False,
) -> AlertEvent:
    """An event `minutes` after T0. With `started`, its start is that minute and the tool keeps it on every
    re-send (`keeps_start`, as Alertmanager's startsAt; `by_client`, as a generic client promises); without,
    a firing is stamped with its own time and a resolve names no start."""
    moment = T0 + timedelta(minutes=minutes)
    resolved = status == "resolved"
    if started is not None:
        starts_at: datetime | None = T0 + timedelta(minutes=started)
    else:
        starts_at = None if resolved else moment
    built = build_event(
        source="test",
        status=AlertStatus.RESOLVED if resolved else AlertStatus.FIRING,
        severity=severity,
        title=f"alert {key}",
        service="db",
        environment="prod",
        received_at=moment,
        starts_at=starts_at,
        ends_at=moment if resolved else None,
        fingerprint=key,
        keeps_start=started is not None,
        start_by_client=by_client,
    )
    built.acknowledge = acknowledge
    return built


def run(pipeline: Pipeline, *events: AlertEvent) -> list[tuple[str, str]]:
    batch = pipeline.run(list(events))
    return [(item.change.value if item.change else "", item.alert.id if item.alert else "") for item in batch.items]


def fresh() -> Pipeline:
    return build_pipeline(Settings())


def test_first_event_creates_an_alert() -> None:
    pipeline = fresh()
    [(change, alert_id)] = run(pipeline, event(0))
    alert = pipeline.state.alerts_by_id[alert_id]
    assert change == "new"
    assert alert_id.startswith("alr_")
    assert (alert.status, alert.occurrences, alert.starts_at, alert.last_seen_at) == (AlertStatus.FIRING, 1, T0, T0)
    assert alert.incident_id is not None


def test_repeat_counts_occurrences_and_moves_last_seen() -> None:
    pipeline = fresh()
    [(_, alert_id)] = run(pipeline, event(0))
    outcomes = run(pipeline, event(2, severity=Severity.CRITICAL), event(5))
    assert outcomes == [("repeat", alert_id), ("repeat", alert_id)]
    alert = pipeline.state.alerts_by_id[alert_id]
    assert alert.occurrences == 3
    assert alert.last_seen_at == T0 + timedelta(minutes=5)
    assert alert.starts_at == T0
    # A repeat carries the source's current severity.
    assert alert.severity is Severity.WARNING


def test_repeats_are_counted_for_metrics() -> None:
    pipeline = fresh()
    run(pipeline, event(0))
    batch = pipeline.run([event(1), event(2)])
    assert batch.changes.counters["deduplicated"] == 2


def test_resolve_sets_ends_at() -> None:
    pipeline = fresh()
    [(_, alert_id)] = run(pipeline, event(0))
    assert run(pipeline, event(7, status="resolved")) == [("resolve", alert_id)]
    alert = pipeline.state.alerts_by_id[alert_id]
    assert alert.status is AlertStatus.RESOLVED
    assert alert.ends_at == T0 + timedelta(minutes=7)
    assert run(pipeline, event(8, status="resolved")) == [("repeat", alert_id)]
    assert alert.ends_at == T0 + timedelta(minutes=7)


def test_refire_within_refire_window_reuses_the_alert() -> None:
    pipeline = fresh()
    window = Settings().dedup.refire_window.total_seconds() / 60
    [(_, alert_id)] = run(pipeline, event(0))
    run(pipeline, event(5, status="resolved"))
    assert run(pipeline, event(5 + window)) == [("refire", alert_id)]
    alert = pipeline.state.alerts_by_id[alert_id]
    assert (alert.status, alert.ends_at, alert.occurrences) == (AlertStatus.FIRING, None, 2)


def test_refire_after_refire_window_creates_a_new_alert() -> None:
    pipeline = fresh()
    window = Settings().dedup.refire_window.total_seconds() / 60
    [(_, first_id)] = run(pipeline, event(0))
    run(pipeline, event(5, status="resolved"))
    [(change, second_id)] = run(pipeline, event(5 + window + 0.5))
    assert change == "new"
    assert second_id != first_id
    assert pipeline.state.alerts_by_fingerprint["disk-db-1"].id == second_id


def test_flapping_is_marked_at_the_threshold_within_the_window() -> None:
    settings = Settings()
    assert settings.dedup.flap_threshold == 4
    pipeline = build_pipeline(settings)
    [(_, alert_id)] = run(pipeline, event(0))
    alert = pipeline.state.alerts_by_id[alert_id]
    run(pipeline, event(1, status="resolved"), event(2), event(3, status="resolved"))
    assert alert.flapping is False  # three transitions
    run(pipeline, event(4))
    assert alert.flapping is True  # the fourth within the hour


def test_transitions_spread_beyond_the_flap_window_do_not_flap() -> None:
    pipeline = fresh()
    [(_, alert_id)] = run(pipeline, event(0))
    alert = pipeline.state.alerts_by_id[alert_id]
    # Each transition 25 minutes apart: never four within one hour.
    for step, status in enumerate(["resolved", "firing", "resolved", "firing", "resolved", "firing"], start=1):
        assert run(pipeline, event(25 * step, status=status))[0][1] == alert_id
    assert alert.flapping is False
    assert len(alert.transitions) <= 3


def test_unmatched_resolve_is_kept_but_not_correlated() -> None:
    pipeline = fresh()
    batch = pipeline.run([event(0, status="resolved", key="never-fired")])
    [item] = batch.items
    assert item.change is not None and item.change.value == "unmatched"
    assert item.alert is not None and item.alert.status is AlertStatus.RESOLVED
    assert item.alert.incident_id is None
    assert item.alert.id in batch.changes.new_alerts
    assert not batch.changes.new_incidents
    assert batch.changes.counters["resolve_unmatched"] == 1


def test_acknowledge_acknowledges_the_incident() -> None:
    pipeline = fresh()
    [(_, alert_id)] = run(pipeline, event(0))
    assert run(pipeline, event(1, acknowledge=True)) == [("acknowledge", alert_id)]
    alert = pipeline.state.alerts_by_id[alert_id]
    assert alert.status is AlertStatus.FIRING
    assert pipeline.state.incidents[alert.incident_id or ""].status is IncidentStatus.ACKNOWLEDGED


def test_acknowledge_for_an_unknown_alert_is_unmatched_and_creates_nothing() -> None:
    pipeline = fresh()
    batch = pipeline.run([event(0, acknowledge=True, key="unknown")])
    assert batch.items[0].change is not None and batch.items[0].change.value == "unmatched"
    assert batch.items[0].alert is None
    assert batch.changes.is_empty()
    assert batch.changes.counters["acknowledge_unmatched"] == 1


def remembered(pipeline: Pipeline, key: str = "disk-db-1") -> bool:
    return key in pipeline.state.alerts_by_fingerprint


def test_a_resolved_alert_leaves_the_working_set_once_the_refire_window_has_passed() -> None:
    pipeline = fresh()
    run(pipeline, event(0), event(10, status="resolved"))
    pipeline.sweep(T0 + timedelta(minutes=39))
    assert remembered(pipeline)
    pipeline.sweep(T0 + timedelta(minutes=41))
    assert not remembered(pipeline)
    assert pipeline.state.alerts_by_id == {}


def test_a_firing_alert_stays_while_it_repeats_and_leaves_a_day_after_its_last_news() -> None:
    pipeline = fresh()
    run(pipeline, event(0))
    for hours in (6, 12, 18, 24, 30):
        run(pipeline, event(hours * 60))
        assert remembered(pipeline)
    pipeline.sweep(T0 + timedelta(hours=30 + 23))
    assert remembered(pipeline)
    pipeline.sweep(T0 + timedelta(hours=30 + 25))
    assert not remembered(pipeline)


def test_an_alert_that_fired_for_hours_leaves_the_refire_window_after_it_resolves() -> None:
    pipeline = fresh()
    run(pipeline, event(0), event(300), event(600, status="resolved"))
    pipeline.sweep(T0 + timedelta(minutes=629))
    assert remembered(pipeline)
    pipeline.sweep(T0 + timedelta(minutes=631))
    assert not remembered(pipeline)


def test_an_alert_replaced_by_a_newer_one_with_its_fingerprint_does_not_take_the_newer_one_with_it() -> None:
    pipeline = fresh()
    [(_, older_id)] = run(pipeline, event(0))
    run(pipeline, event(5, status="resolved"), event(60))  # past the refire window: a new alert
    newer = pipeline.state.alerts_by_fingerprint["disk-db-1"]
    pipeline.sweep(T0 + timedelta(minutes=100))
    assert pipeline.state.alerts_by_fingerprint["disk-db-1"] is newer
    # The older one can get no more news: it leaves the working set (it once stayed there for ever).
    assert set(pipeline.state.alerts_by_id) == {newer.id} and older_id != newer.id


def test_a_fingerprint_firing_again_and_again_keeps_one_alert_in_the_working_set() -> None:
    pipeline = fresh()
    for hour in range(50):  # each firing past the refire window of the one before: a new alert each time
        run(pipeline, event(hour * 60), event(hour * 60 + 5, status="resolved"))
    pipeline.sweep(T0 + timedelta(hours=50))
    assert len(pipeline.state.alerts_by_id) <= 1


def test_alerts_taken_into_the_working_set_at_start_up_are_forgotten_like_the_others() -> None:
    first = fresh()
    run(first, event(0), event(10, status="resolved"), event(0, key="cpu-db-1"))
    second = fresh()
    for alert in first.state.alerts_by_id.values():
        second.state.remember_alert(alert)
    second.sweep(T0 + timedelta(minutes=41))
    assert not remembered(second) and remembered(second, "cpu-db-1")
    second.sweep(T0 + timedelta(hours=24, minutes=11))  # seen last at the clock of minute 10
    assert not remembered(second, "cpu-db-1")


def test_a_resend_keeping_its_start_is_a_repeat_even_when_the_tools_clock_runs_ahead() -> None:
    pipeline = fresh()
    # The tool's clock is two minutes ahead of ours: its start lies after our first news of the alert.
    [(_, alert_id)] = run(pipeline, event(0, started=2))
    assert run(pipeline, event(1, started=2), event(6, started=2)) == [
        ("repeat", alert_id),
        ("repeat", alert_id),
    ]


def test_a_firing_that_started_after_our_last_news_ends_the_one_we_knew_whose_resolve_was_lost() -> None:
    pipeline = fresh()
    [(_, first_id), _] = run(pipeline, event(0, started=0), event(5, started=0))
    # Three hours later the tool reports the alert firing since a minute ago: it resolved in between.
    batch = pipeline.run([event(181, started=180)])
    [item] = batch.items
    first = item.ended
    assert item.change is not None and item.change.value == "new"
    assert item.alert is not None and item.alert.id != first_id
    assert item.alert.starts_at == T0 + timedelta(minutes=180)
    assert first is not None and first.id == first_id
    assert (first.status, first.ends_at) == (AlertStatus.RESOLVED, T0 + timedelta(minutes=5))
    assert batch.changes.dirty_alerts[first_id] is first  # written as resolved...
    assert first_id not in pipeline.state.alerts_by_id  # ...and, replaced, no longer kept in memory
    assert batch.changes.counters["resolve_missed"] == 1


def test_a_firing_afresh_within_the_refire_window_is_the_same_alert_firing_again() -> None:
    pipeline = fresh()
    [(_, alert_id)] = run(pipeline, event(0, started=0))
    batch = pipeline.run([event(12, started=11)])
    [item] = batch.items
    alert = pipeline.state.alerts_by_id[alert_id]
    assert item.change is not None and item.change.value == "refire"
    assert item.ended is alert
    assert (alert.status, alert.starts_at, alert.ends_at) == (AlertStatus.FIRING, T0 + timedelta(minutes=11), None)
    assert len(alert.transitions) == 2  # the unseen resolve, then the re-fire


def test_a_start_that_is_only_the_time_of_each_notification_says_nothing() -> None:
    pipeline = fresh()
    # `event` stamps each firing with its own time and does not say the tool keeps it.
    [(_, alert_id)] = run(pipeline, event(0))
    assert run(pipeline, event(180)) == [("repeat", alert_id)]
    assert pipeline.state.alerts_by_id[alert_id].status is AlertStatus.FIRING


def test_a_late_resolve_of_an_earlier_firing_leaves_the_current_one_firing() -> None:
    pipeline = fresh()
    run(pipeline, event(0, started=0))
    [(_, current_id)] = run(pipeline, event(60, started=59))
    # The resolve of the firing that started at minute 0 arrives only now.
    batch = pipeline.run([event(62, started=0, status="resolved")])
    assert [
        (item.change.value if item.change else "", item.alert.id if item.alert else "") for item in batch.items
    ] == [("repeat", current_id)]
    assert pipeline.state.alerts_by_id[current_id].status is AlertStatus.FIRING
    assert batch.changes.counters["resolve_stale"] == 1
    assert run(pipeline, event(70, started=59, status="resolved")) == [("resolve", current_id)]


def test_the_longest_recent_silence_between_re_sends_counts_and_an_old_outage_is_forgotten() -> None:
    gaps = ResendGaps()
    assert gaps.longest("alertmanager") is None
    gaps.note("alertmanager", timedelta(hours=10))  # the tool was down once
    for _ in range(31):
        gaps.note("alertmanager", timedelta(hours=4))
    assert gaps.longest("alertmanager") == timedelta(hours=10)
    gaps.note("alertmanager", timedelta(hours=4))
    assert gaps.longest("alertmanager") == timedelta(hours=4)
    assert gaps.longest("zabbix") is None


def test_silences_are_learned_only_from_re_sends_that_keep_their_start() -> None:
    pipeline = fresh()
    run(pipeline, event(0, started=0), event(240, started=0))  # four hours later, the same firing
    assert pipeline.state.resends.longest("test") == timedelta(hours=4)
    other = fresh()
    # A firing that starts anew after a silence says nothing about how often the tool speaks.
    run(other, event(0, started=0), event(600, started=599))
    assert other.state.resends.longest("test") is None
    # Nor does a tool whose start is the time of each notification.
    run(other, event(0, key="cpu"), event(240, key="cpu"))
    assert other.state.resends.longest("test") is None


def test_a_later_start_at_another_severity_is_the_alert_changing_state_not_a_new_firing() -> None:
    pipeline = fresh()
    # Datadog's Warn, then Triggered once the critical threshold is crossed, each dated when it was sent.
    [(_, alert_id)] = run(pipeline, event(0, started=0))
    assert run(pipeline, event(50, started=50, severity=Severity.HIGH)) == [("repeat", alert_id)]
    alert = pipeline.state.alerts_by_id[alert_id]
    assert (alert.status, alert.severity, alert.starts_at) == (AlertStatus.FIRING, Severity.HIGH, T0)


def test_an_up_after_a_down_resolves_the_alert_when_the_tool_sends_no_key_of_its_own() -> None:
    def check(minutes: float, state: str, status: AlertStatus) -> AlertEvent:
        return build_event(
            source="synthetic",
            status=status,
            severity=Severity.HIGH,
            title=f"payments-ui homepage is {state}",
            service="payments-ui",
            received_at=T0 + timedelta(minutes=minutes),
        )

    pipeline = fresh()
    [(_, alert_id)] = run(pipeline, check(0, "DOWN", AlertStatus.FIRING))
    assert run(pipeline, check(4, "UP", AlertStatus.RESOLVED)) == [("resolve", alert_id)]
    alert = pipeline.state.alerts_by_id[alert_id]
    assert alert.status is AlertStatus.RESOLVED and alert.title == "payments-ui homepage is DOWN"


def test_a_firing_delivered_after_its_own_resolve_leaves_the_alert_resolved() -> None:
    pipeline = fresh()
    # Two Alertmanager replicas: one delivers the resolve, the other its late copy of the firing.
    [(_, alert_id)] = run(pipeline, event(0, started=0))
    assert run(pipeline, event(6, started=0, status="resolved")) == [("resolve", alert_id)]
    batch = pipeline.run([event(7, started=0)])
    assert [
        (item.change.value if item.change else "", item.alert.id if item.alert else "") for item in batch.items
    ] == [("repeat", alert_id)]
    assert pipeline.state.alerts_by_id[alert_id].status is AlertStatus.RESOLVED
    assert batch.changes.counters["firing_stale"] == 1
    # A firing that starts after that end is the alert firing again.
    assert run(pipeline, event(9, started=8)) == [("refire", alert_id)]


def test_a_client_that_writes_each_notifications_time_as_the_start_is_soon_no_longer_believed() -> None:
    pipeline = fresh()
    # A script posting the generic format every two minutes with starts_at = now, the alert firing throughout.
    changes = [run(pipeline, event(minute, started=minute, by_client=True))[0][0] for minute in range(0, 20, 2)]
    assert changes[:3] == ["new", "refire", "refire"]  # believed at first: each reads as a new firing
    assert set(changes[3:]) == {"repeat"}  # from the third quick move on, its starts are not read
    alert = pipeline.state.alerts_by_fingerprint["disk-db-1"]
    assert alert.status is AlertStatus.FIRING and alert.starts_at == T0 + timedelta(minutes=4)


def test_a_tools_own_start_is_believed_however_it_moves() -> None:
    pipeline = fresh()
    # CloudWatch notifies once per state change: an ALARM after an ALARM is a new firing, its OK lost.
    changes = [run(pipeline, event(minute, started=minute))[0][0] for minute in range(0, 20, 2)]
    assert set(changes[1:]) == {"refire"}


def test_a_firing_with_the_old_start_long_after_its_resolve_is_the_alert_firing_again() -> None:
    pipeline = fresh()
    # A client that sends the first start it ever saw with every firing.
    [(_, alert_id)] = run(pipeline, event(0, started=0, by_client=True))
    run(pipeline, event(5, started=0, status="resolved", by_client=True))
    assert run(pipeline, event(25, started=0, by_client=True)) == [("refire", alert_id)]
    assert pipeline.state.alerts_by_id[alert_id].status is AlertStatus.FIRING


def test_what_is_learned_of_re_sends_is_saved_and_taken_back_and_bad_shapes_are_left_out() -> None:
    gaps = ResendGaps()
    gaps.note("alertmanager", timedelta(hours=4))
    gaps.note_moved_soon("script")
    document = gaps.to_document()
    again = ResendGaps()
    again.load_document(document)
    assert again.to_document() == document and again.longest("alertmanager") == timedelta(hours=4)
    odd = ResendGaps()
    odd.load_document({"gaps_seconds": {"a": ["x", -1], "b": "no"}, "kept": {"a": "3"}, "moved_soon": []})
    assert odd.to_document() == {"gaps_seconds": {}, "kept": {}, "moved_soon": {}}
