"""The platform service: runs batches through the pipeline and persists them before anyone is answered.

The API, the CLI and the replay all call this one class, so every path takes the same route:
parse (in the caller) -> pipeline -> one transaction -> answer. A lock serialises batches because
the pipeline's working set is shared; the store is the durable copy it is rebuilt from.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openconductor.config.settings import Settings
from openconductor.core.changes import ChangeSet
from openconductor.core.errors import InvalidTransition, NotFound
from openconductor.core.ids import new_id
from openconductor.core.models import Alert, AlertEvent, Incident, IncidentStatus, Membership
from openconductor.core.queries import ListQuery, Page
from openconductor.core.silences import Silence, new_silence
from openconductor.core.timeutil import utcnow
from openconductor.correlation.topology import Topology, topology_from_document
from openconductor.ingest.tokens import TokenRegistry
from openconductor.notify.service import Notifications
from openconductor.pipeline.builder import Pipeline
from openconductor.pipeline.feedback import move_alerts, new_incident_for
from openconductor.pipeline.stage import Batch, Change
from openconductor.pipeline.state import PipelineState
from openconductor.store.ports import Store
from openconductor.telemetry import Metrics

CORRELATION_DOCUMENT = "correlation"
TOPOLOGY_DOCUMENT = "topology"


# Each change's text, looked up once: an enum member's `.value` is a Python-level descriptor call, and
# every accepted event's answer names its change.
_CHANGE_TEXT = {change: change.value for change in Change}


@dataclass(slots=True)
class Outcome:
    """What happened to one accepted event."""

    alert_id: str | None
    incident_id: str | None
    change: str


class Platform:
    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        pipeline_factory: Callable[[PipelineState], Pipeline],
        notifications: Notifications | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.metrics = Metrics()
        self.notifications = notifications or Notifications(store=store, settings=settings)
        self.tokens = TokenRegistry(store, mode=settings.ingest_auth)
        self._pipeline_factory = pipeline_factory
        self._lock = threading.Lock()
        self.pipeline = pipeline_factory(PipelineState())

    def start(self) -> None:
        """Rebuild the working set from the database (at start-up, or after a failed write)."""
        with self._lock:
            self._rebuild()
        self.tokens.reload()

    def _rebuild(self) -> None:
        horizon = max(self.settings.dedup.refire_window, self.settings.correlation.reopen_grace)
        now = utcnow()
        alerts, incidents = self.store.load_working_set(since=now - horizon)
        state = PipelineState()
        pipeline = self._pipeline_factory(state)
        for alert in alerts:
            state.remember_alert(alert)
            state.advance(alert.last_seen_at)
        for incident in incidents:
            pipeline.correlator.adopt(incident)
        learned = self.store.load_document(CORRELATION_DOCUMENT)
        if learned is not None:
            pipeline.correlator.load_document(learned)
        # A topology given through the API replaces the one in settings.engine.topology_file.
        topology = self.store.load_document(TOPOLOGY_DOCUMENT)
        if topology is not None:
            _install_topology(pipeline, topology_from_document(topology))
        pipeline.correlator.rebuilt()
        # Silences still to start are loaded too: they take effect without another rebuild.
        state.silences.replace_all(self.store.list_silences(active_at=None, include_expired=False))
        self.pipeline = pipeline

    def ingest(self, events: list[AlertEvent], *, integration: str) -> list[Outcome]:
        """Deduplicate and correlate `events`, and return only once the result is durable."""
        with self._lock:
            batch = self._run(lambda: self.pipeline.run(events))
            self._persist(batch)
        return self._answer(batch, integration, len(events))

    def ingest_unwritten(self, events: list[AlertEvent], *, integration: str, into: ChangeSet) -> list[Outcome]:
        """`ingest` for the offline replay: the batch's changes join `into` instead of being written, and
        `write(into)` later stores several batches in one transaction, each row once in its final state.

        Nothing of it is durable before that `write`, so this is not for anyone waiting on an answer.
        A failure rebuilds the working set from the store, so the batches gathered in `into` are lost
        with it (the replay stops). The answers are those `ingest` gives for the same batch."""
        with self._lock:
            batch = self._run(lambda: self.pipeline.run(events))
            _absorb(into, batch.changes)
        return self._answer(batch, integration, len(events))

    def write(self, changes: ChangeSet) -> None:
        """Store what `ingest_unwritten` gathered, with the notices it causes, in one transaction."""
        with self._lock:
            self._persist(Batch(items=[], changes=changes))

    def _answer(self, batch: Batch, integration: str, received: int) -> list[Outcome]:
        self.metrics.alerts_received.labels(integration).inc(received)
        self._count(batch)
        return [
            Outcome(alert.id, alert.incident_id, _CHANGE_TEXT[item.change or Change.UNMATCHED])
            if (alert := item.alert) is not None
            else Outcome(None, None, _CHANGE_TEXT[item.change or Change.UNMATCHED])
            for item in batch.items
        ]

    def sweep(self, now: datetime | None = None) -> None:
        with self._lock:
            batch = self._run(lambda: self.pipeline.sweep(now or utcnow()))
            self._persist(batch)
        self._count(batch)

    def deliver_due_notifications(self, now: datetime | None = None) -> int:
        """Attempt the notices due at `now` (docs/notifications.md). Never under the lock: targets may be slow."""
        return self.notifications.deliver_due(now or utcnow())

    def _run(self, step: Callable[[], Batch]) -> Batch:
        try:
            return step()
        except Exception:
            # A stage failed halfway: earlier events of the batch are already in the working set.
            self._rebuild()
            raise

    def save_learned_state(self) -> None:
        """Keep what the correlator learned (templates, co-occurrence) across restarts."""
        with self._lock:
            document = self.pipeline.correlator.document()
        if document is not None:
            self.store.save_document(CORRELATION_DOCUMENT, document)

    def _persist(self, batch: Batch) -> None:
        try:
            self.store.apply(batch.changes, self.notifications.plan(batch.changes, now=utcnow()))
        except Exception:
            # The working set already holds the batch; put it back in line with what is stored.
            self._rebuild()
            raise

    def _count(self, batch: Batch) -> None:
        counters = batch.changes.counters
        self.metrics.alerts_deduplicated.inc(counters.get("deduplicated", 0))
        self.metrics.incidents_opened.inc(counters.get("incidents_opened", 0))
        self.metrics.incidents_resolved.inc(counters.get("incidents_resolved", 0))

    # -- incident actions ----------------------------------------------------------------------

    def acknowledge(self, incident_id: str) -> Incident:
        def change(incident: Incident) -> None:
            if incident.status is IncidentStatus.RESOLVED:
                raise InvalidTransition("a resolved incident cannot be acknowledged; reopen it first")
            incident.status = IncidentStatus.ACKNOWLEDGED

        return self._act(incident_id, change)

    def resolve(self, incident_id: str) -> Incident:
        def change(incident: Incident) -> None:
            if incident.status is IncidentStatus.RESOLVED:
                return
            incident.status = IncidentStatus.RESOLVED
            incident.resolved_at = utcnow()
            incident.resolution = "manual"

        return self._act(incident_id, change)

    def reopen(self, incident_id: str) -> Incident:
        def change(incident: Incident) -> None:
            if incident.status is not IncidentStatus.RESOLVED:
                raise InvalidTransition(f"only a resolved incident can be reopened; this one is {incident.status}")
            incident.status = IncidentStatus.OPEN
            incident.resolved_at = None
            incident.resolution = None
            incident.last_seen_at = max(incident.last_seen_at, utcnow())

        return self._act(incident_id, change)

    def _act(self, incident_id: str, change: Callable[[Incident], None]) -> Incident:
        with self._lock:
            incident = self.pipeline.state.incidents.get(incident_id) or self.store.get_incident(incident_id)
            if incident is None:
                raise NotFound("incident", incident_id)
            change(incident)
            # Through the batch path, so the notices the action causes are stored with it.
            batch = Batch(items=[])
            batch.changes.incident_changed(incident)
            self._persist(batch)
            if incident.status is not IncidentStatus.RESOLVED:
                self.pipeline.correlator.adopt(incident)
            return incident

    # -- silences and maintenance windows ------------------------------------------------------

    def create_silence(
        self,
        *,
        kind: str,
        matchers: Iterable[Mapping[str, Any]],
        starts_at: datetime | None,
        ends_at: datetime | None,
        duration: str | float | None,
        comment: str,
        created_by: str,
    ) -> Silence:
        """Validate, persist, then let the pipeline mark matching alerts from their next event on."""
        now = utcnow()
        silence = new_silence(
            silence_id=new_id("sil"),
            kind=kind,
            matchers=matchers,
            starts_at=starts_at or now,
            ends_at=ends_at,
            duration=duration,
            comment=comment,
            created_by=created_by,
            created_at=now,
        )
        with self._lock:
            self.store.save_silence(silence)
            self.pipeline.state.silences.add(silence)
        return silence

    def list_silences(self, *, active_at: datetime | None = None, include_expired: bool = False) -> list[Silence]:
        return self.store.list_silences(active_at=active_at, include_expired=include_expired)

    def get_silence(self, silence_id: str) -> Silence:
        silence = self.store.get_silence(silence_id)
        if silence is None:
            raise NotFound("silence", silence_id)
        return silence

    def expire_silence(self, silence_id: str) -> Silence:
        """End a silence now; it is kept for the record. Alerts it marked are cleared on their next event."""
        with self._lock:
            silence = self.store.expire_silence(silence_id, utcnow())
            if silence is None:
                raise NotFound("silence", silence_id)
            self.pipeline.state.silences.add(silence)
        return silence

    # -- topology ------------------------------------------------------------------------------

    def set_topology(self, document: Any) -> Topology:
        """Validate (every bad field named), store, then let the running engine use it for the next alerts.

        The group_by baseline has no use for a topology; it is stored anyway, for the engine."""
        topology = topology_from_document(document)
        with self._lock:
            self.store.save_document(TOPOLOGY_DOCUMENT, document)
            _install_topology(self.pipeline, topology)
        return topology

    def get_topology(self) -> dict[str, Any] | None:
        """The topology last set through `set_topology`, as it was given; else the one the engine
        loaded from `settings.engine.topology_file`; None when there is none."""
        stored = self.store.load_document(TOPOLOGY_DOCUMENT)
        if stored is not None:
            return stored
        running: Topology | None = getattr(self.pipeline.correlator, "topology", None)
        return running.to_document() if running is not None else None

    # -- queries -------------------------------------------------------------------------------

    def list_alerts(self, query: ListQuery) -> Page[Alert]:
        return self.store.list_alerts(query)

    def get_alert(self, alert_id: str) -> Alert:
        alert = self.store.get_alert(alert_id)
        if alert is None:
            raise NotFound("alert", alert_id)
        return alert

    def list_incidents(self, query: ListQuery) -> Page[Incident]:
        return self.store.list_incidents(query)

    def get_incident(self, incident_id: str) -> Incident:
        incident = self.store.get_incident(incident_id)
        if incident is None:
            raise NotFound("incident", incident_id)
        return incident

    def incident_members(self, incident_id: str) -> list[tuple[Alert, Membership]]:
        self.get_incident(incident_id)
        return self.store.incident_members(incident_id)

    # -- corrections (feedback the correlator learns from) ----------------------------------------

    def merge_incidents(self, target_id: str, source_ids: list[str], *, actor: str) -> Incident:
        """Move every alert of `source_ids` into `target_id`; the sources resolve as merged."""
        with self._lock:
            target = self._working_incident(target_id)
            sources = [self._working_incident(source_id) for source_id in source_ids if source_id != target_id]
            alerts = [alert for source in sources for alert in self._working_members(source.id)]
            return self._correct(alerts, target, rule="manual_merge", actor=actor)

    def split_incident(self, incident_id: str, alert_ids: list[str], *, actor: str) -> Incident:
        """Move `alert_ids` out of the incident into a new one, which is returned."""
        with self._lock:
            incident = self._working_incident(incident_id)
            members = {alert.id: alert for alert in self._working_members(incident_id)}
            strangers = [alert_id for alert_id in alert_ids if alert_id not in members]
            if strangers:
                raise InvalidTransition(f"alert_ids: {', '.join(strangers)} are not in incident {incident_id}")
            if len(alert_ids) >= len(members):
                raise InvalidTransition("alert_ids: a split must leave at least one alert in the incident")
            moving = [members[alert_id] for alert_id in dict.fromkeys(alert_ids)]
            created = new_incident_for(moving, like=incident, now=utcnow())
            self.pipeline.correlator.adopt(created)
            return self._correct(moving, created, rule="manual_split", actor=actor, created=True)

    def move_alert(self, alert_id: str, incident_id: str, *, actor: str) -> Alert:
        with self._lock:
            alert = self.pipeline.state.alerts_by_id.get(alert_id) or self.store.get_alert(alert_id)
            if alert is None:
                raise NotFound("alert", alert_id)
            target = self._working_incident(incident_id)
            self._correct([alert], target, rule="manual_move", actor=actor)
            return alert

    def _working_incident(self, incident_id: str) -> Incident:
        incident = self.pipeline.state.incidents.get(incident_id)
        if incident is None:
            incident = self.store.get_incident(incident_id)
            if incident is None:
                raise NotFound("incident", incident_id)
            self.pipeline.correlator.adopt(incident)
        return incident

    def _working_members(self, incident_id: str) -> list[Alert]:
        """The incident's alerts, as the working set holds them when it does (it may be newer)."""
        held = self.pipeline.state.alerts_by_id
        return [held.get(alert.id, alert) for alert, _ in self.store.incident_members(incident_id)]

    def _correct(
        self, alerts: list[Alert], target: Incident, *, rule: str, actor: str, created: bool = False
    ) -> Incident:
        batch = Batch(items=[])
        if created:
            batch.changes.incident_added(target)
        move_alerts(
            state=self.pipeline.state,
            correlator=self.pipeline.correlator,
            alerts=alerts,
            target=target,
            rule=rule,
            actor=actor,
            now=utcnow(),
            batch=batch,
        )
        self._persist(batch)
        return target


def _absorb(into: ChangeSet, later: ChangeSet) -> None:
    """Add a later batch's changes to `into`, by the change set's own rules, so `into` ends as one
    batch of all those events would have: an alert or incident created in an earlier batch is
    inserted once, as it is by then, rather than inserted then updated."""
    if later.replaced_memberships:
        # Their DELETE runs before the gathered inserts; the pipeline never makes them (corrections do).
        raise ValueError("changes that replace memberships cannot be gathered with others")
    for alert in later.new_alerts.values():
        into.alert_added(alert)
    for alert in later.dirty_alerts.values():
        into.alert_changed(alert)
    for incident in later.new_incidents.values():
        into.incident_added(incident)
    for incident in later.dirty_incidents.values():
        into.incident_changed(incident)
    into.memberships.extend(later.memberships)
    into.departures.extend(later.departures)
    for name, amount in later.counters.items():
        into.count(name, amount)


def _install_topology(pipeline: Pipeline, topology: Topology) -> None:
    set_topology = getattr(pipeline.correlator, "set_topology", None)
    if set_topology is not None:
        set_topology(topology)
