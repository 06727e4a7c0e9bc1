"""The correlators `openconductor eval` compares on one stream: the product's pipeline and the baselines.

Each returns, per line, the incident it landed in (or None) and when each incident was raised.
- `pipeline`: the product's current pipeline, exactly as `replay` and the server run it.
- `dedup_only`: every distinct alert after deduplication is its own incident (taken from the same run).
- `alertmanager[...]`: Prometheus Alertmanager's aggregation groups with its default timings
  (group_wait 30s, group_interval 5m, resolve_timeout 5m); a group lives while it holds alerts.
- `time_window`: everything that arrives in the same fixed 5-minute window is one incident.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from openconductor.config.settings import Settings
from openconductor.core.models import AlertEvent, AlertStatus
from openconductor.pipeline.builder import build_pipeline
from openconductor.pipeline.stage import Batch


@dataclass(slots=True)
class Assignment:
    """`predicted[i]`: the incident of line i; `raised_at`: when each incident was shown to people.
    An incident missing from `raised_at` stayed pending (a policy held it back) and is not counted."""

    predicted: list[str | None]
    raised_at: dict[str, float] = field(default_factory=dict)
    # The product's joins as (line, neighbour line, rule): the line of the joining alert and the line of the
    # alert its evidence named, each the latest firing line of that alert when it joined.
    joins: list[tuple[int, int, str]] = field(default_factory=list)


def run_pipeline(events: list[AlertEvent], settings: Settings | None = None) -> tuple[Assignment, Assignment]:
    """The product's pipeline, one event at a time; returns (product, dedup-only) assignments.

    After the last record, time runs on by the raise policy's longest wait, so an alert still
    firing at the end of the file raises its incident as it would have live (never flattering).
    """
    settings = settings or Settings()
    pipeline = build_pipeline(settings)
    product = Assignment(predicted=[])
    dedup = Assignment(predicted=[])

    def note_raised(batch: Batch) -> None:
        changes = batch.changes
        for incident in (*changes.new_incidents.values(), *changes.dirty_incidents.values()):
            if incident.raised_at is not None and incident.id not in product.raised_at:
                product.raised_at[incident.id] = incident.raised_at.timestamp()

    # Incidents the correlator merged into another (a pending one it emptied by moving its alerts):
    # their earlier lines count where their alerts went, as the incident list shows them in the end.
    merged_into: dict[str, str] = {}

    def note_merged(batch: Batch) -> None:
        changes = batch.changes
        if not changes.departures:
            return
        joined = {membership.alert_id: membership.incident_id for membership in changes.memberships}
        for departure in changes.departures:
            source = changes.dirty_incidents.get(departure.incident_id) or changes.new_incidents.get(
                departure.incident_id
            )
            target = joined.get(departure.alert_id)
            if source is not None and source.resolution == "merged" and target is not None:
                merged_into[departure.incident_id] = target

    latest_line: dict[str, int] = {}

    def note_joins(batch: Batch) -> None:
        for membership in batch.changes.memberships:
            neighbour = membership.evidence.get("neighbour_alert_id")
            mine, theirs = latest_line.get(membership.alert_id), latest_line.get(neighbour or "")
            if mine is not None and theirs is not None:
                product.joins.append((mine, theirs, membership.rule))

    for line, event in enumerate(events):
        batch = pipeline.run([event])
        note_raised(batch)
        note_merged(batch)
        alert = batch.items[0].alert
        if alert is not None and event.status is AlertStatus.FIRING:
            latest_line[alert.id] = line
        note_joins(batch)
        product.predicted.append(alert.incident_id if alert is not None else None)
        alert_id = alert.id if alert is not None else None
        dedup.predicted.append(alert_id)
        if alert_id is not None:
            dedup.raised_at.setdefault(alert_id, event.received_at.timestamp())
    if pipeline.state.clock is not None:
        waits = [settings.engine.min_duration_to_raise] + [
            p.min_duration_to_raise for p in settings.engine.policies if p.min_duration_to_raise
        ]
        note_raised(pipeline.sweep(pipeline.state.clock + max(waits) + timedelta(seconds=1)))
    product.predicted = [_final(incident, merged_into) for incident in product.predicted]
    return product, dedup


def _final(incident: str | None, merged_into: dict[str, str]) -> str | None:
    seen = 0
    while incident in merged_into and seen < len(merged_into):  # a chain of merges, never a cycle
        incident = merged_into[incident]
        seen += 1
    return incident


def alertmanager_key(event: AlertEvent, name: str) -> str:
    if name == "alertname":
        return event.labels.get("alertname") or event.title
    value = getattr(event, name, None) or event.labels.get(name)
    return value or ""


@dataclass(slots=True)
class _Group:
    id: str
    firing: set[str]
    last_active: float


def run_alertmanager(
    events: list[AlertEvent],
    group_by: list[str],
    *,
    group_wait: timedelta = timedelta(seconds=30),
    group_interval: timedelta = timedelta(minutes=5),
    resolve_timeout: timedelta = timedelta(minutes=5),
) -> Assignment:
    """Aggregation groups keyed by `group_by` label values; a group ends once it holds no firing alert
    (each resolved explicitly, or unrefreshed for resolve_timeout) and group_interval has passed."""
    wait, interval, timeout = (d.total_seconds() for d in (group_wait, group_interval, resolve_timeout))
    groups: dict[tuple[str, ...], _Group] = {}
    result = Assignment(predicted=[])
    counter = 0
    for event in events:
        now = event.received_at.timestamp()
        key = tuple(alertmanager_key(event, name) for name in group_by)
        group = groups.get(key)
        if group is not None:
            idle = now - group.last_active
            empty = not group.firing or idle > timeout
            if empty and idle > interval:
                group = None
        if group is None:
            if event.status is not AlertStatus.FIRING:
                # Alertmanager drops a resolve for an alert it does not hold.
                result.predicted.append(None)
                continue
            counter += 1
            group = _Group(id=f"am-{counter}", firing=set(), last_active=now)
            groups[key] = group
            result.raised_at[group.id] = now + wait
        if event.status is AlertStatus.FIRING:
            group.firing.add(event.fingerprint)
        else:
            group.firing.discard(event.fingerprint)
        group.last_active = now
        result.predicted.append(group.id)
    return result


def run_time_window(events: list[AlertEvent], *, window: timedelta = timedelta(minutes=5)) -> Assignment:
    size = window.total_seconds()
    result = Assignment(predicted=[])
    for event in events:
        now = event.received_at.timestamp()
        incident = f"window-{int(now // size)}"
        result.predicted.append(incident)
        result.raised_at.setdefault(incident, now)
    return result


Correlator = Callable[[list[AlertEvent]], Assignment]

BASELINES: dict[str, Correlator] = {
    "alertmanager [alertname]": lambda events: run_alertmanager(events, ["alertname"]),
    "alertmanager [service]": lambda events: run_alertmanager(events, ["service"]),
    "alertmanager [environment, service]": lambda events: run_alertmanager(events, ["environment", "service"]),
    "time window 5m": run_time_window,
}
