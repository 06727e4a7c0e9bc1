"""Deduplication: fold each event into the active alert with its fingerprint, or create one.

Decides what the event means (new, repeat, re-fire, resolve, acknowledge) for the stages after it,
counts occurrences, and marks alerts that flap between firing and resolved too often.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from openconductor.config.settings import DedupSettings, Settings
from openconductor.core.due import DueQueue
from openconductor.core.ids import new_id
from openconductor.core.models import Alert, AlertEvent
from openconductor.pipeline.members import (
    ALERT_FIRING,
    ALERT_RESOLVED,
    CHANGE_ACKNOWLEDGE,
    CHANGE_NEW,
    CHANGE_REFIRE,
    CHANGE_REPEAT,
    CHANGE_RESOLVE,
    CHANGE_UNMATCHED,
)
from openconductor.pipeline.resends import SOON
from openconductor.pipeline.stage import Batch, Item
from openconductor.pipeline.state import PipelineState

# How often (in pipeline time) the working set is scanned for alerts it may forget.
_SCAN_EVERY = timedelta(minutes=1)


def forget_firing_after(settings: Settings) -> timedelta:
    """How long a firing alert with no news stays in the working set: a day by default."""
    return max(settings.correlation.quiet_period * 24, settings.dedup.flap_window)


# Each reads the event's start as the start of its firing: callers first check that it may be read so
# (`Deduplicate._trusts_start`).


def _fires_afresh(event: AlertEvent, alert: Alert) -> bool:
    """The tool says this firing began after our latest news of the alert: the firing we knew ended in
    between, and its resolve never reached us (lost, or the tool sends none). A re-send of the firing we know
    carries its start unchanged, whatever the skew between the tool's clock and ours. A new start at another
    severity is the same alert changing state (Datadog's Warn then Triggered, CloudWatch's
    INSUFFICIENT_DATA then ALARM), not a new firing."""
    return (
        event.starts_at > alert.last_seen_at and event.starts_at > alert.starts_at and event.severity is alert.severity
    )


def _fired_before_its_end(event: AlertEvent, alert: Alert, now: datetime) -> bool:
    """A firing delivered late, minutes after the resolve of the firing it belongs to: the same start, before
    that end. (Later, or with another start, it is the alert firing again, whatever start a client wrote.)"""
    return (
        alert.ends_at is not None
        and event.starts_at == alert.starts_at
        and event.starts_at < alert.ends_at
        and now - alert.last_seen_at < SOON
    )


def _resolves_earlier_firing(event: AlertEvent, alert: Alert) -> bool:
    """A resolve delivered late, naming the start of a firing before the one we know."""
    return event.starts_at < alert.starts_at


class Deduplicate:
    def __init__(self, state: PipelineState, settings: DedupSettings, *, forget_firing_after: timedelta) -> None:
        self.state = state
        self.settings = settings
        # A firing alert with no news for this long leaves the working set (it stays in the
        # database, still firing); without it, alerts whose resolve never arrives grow memory forever.
        self.forget_firing_after = forget_firing_after
        self._next_scan: datetime | None = None
        # When each alert may next be forgotten, so a sweep looks only at those that are due instead of
        # walking the whole working set. `last_seen_at` only moves later, so an alert that comes up is
        # checked and booked again if not yet due; a resolve makes the deadline earlier and books it at
        # once. Alerts put in the working set from outside (a restart) are booked by the first sweep.
        self._forget_queue: DueQueue[str] = DueQueue()
        self._booked_working_set = False

    def __call__(self, items: list[Item], batch: Batch) -> list[Item]:
        for item in items:
            self._fold(item, batch)
        return items

    def _fold(self, item: Item, batch: Batch) -> None:
        event = item.event
        now = self.state.advance(event.received_at)
        alert = self.state.alerts_by_fingerprint.get(event.fingerprint)
        changes = batch.changes
        if event.acknowledge:
            if alert is not None and alert.status is ALERT_FIRING:
                alert.last_seen_at = now
                item.alert, item.change = alert, CHANGE_ACKNOWLEDGE
                changes.alert_changed(alert)
            else:
                item.change = CHANGE_UNMATCHED
                changes.count("acknowledge_unmatched")
            return
        if event.status is ALERT_FIRING:
            if alert is not None and event.keeps_start:
                if alert.status is ALERT_FIRING:
                    self._note_resend(event, alert, now)
                    if _fires_afresh(event, alert) and self._trusts_start(event):
                        self._end_unseen(alert, now)
                        item.ended = alert
                        changes.alert_changed(alert)
                        changes.count("resolve_missed")
                elif _fired_before_its_end(event, alert, now) and self._trusts_start(event):
                    # A late copy of the firing we saw end (delivered after its resolve): the alert stays resolved.
                    item.alert, item.change = alert, CHANGE_REPEAT
                    changes.count("firing_stale")
                    return
            if alert is None or (
                alert.status is ALERT_RESOLVED and now - alert.last_seen_at > self.settings.refire_window
            ):
                alert = self._create(event, now)
                item.alert, item.change = alert, CHANGE_NEW
                changes.alert_added(alert)
                return
            alert.occurrences += 1
            alert.last_seen_at = now
            alert.severity = event.severity
            if alert.status is ALERT_FIRING:
                item.change = CHANGE_REPEAT
                changes.count("deduplicated")
            else:
                alert.status = ALERT_FIRING
                alert.ends_at = None
                alert.starts_at = event.event_time
                self._transition(alert, now)
                item.change = CHANGE_REFIRE
        else:
            if alert is None:
                alert = self._create(event, now)
                item.alert, item.change = alert, CHANGE_UNMATCHED
                changes.alert_added(alert)
                changes.count("resolve_unmatched")
                return
            if (
                alert.status is ALERT_FIRING
                and event.keeps_start
                and _resolves_earlier_firing(event, alert)
                and self._trusts_start(event)
            ):
                # A late resolve of an earlier firing (its start is older than this one's): the alert fires on.
                item.alert, item.change = alert, CHANGE_REPEAT
                changes.count("resolve_stale")
                return
            alert.last_seen_at = now
            if alert.status is ALERT_RESOLVED:
                item.change = CHANGE_REPEAT
                changes.count("deduplicated")
            else:
                alert.status = ALERT_RESOLVED
                alert.ends_at = event.event_time
                self._transition(alert, now)
                self._book(alert)
                item.change = CHANGE_RESOLVE
        item.alert = alert
        changes.alert_changed(alert)

    def _trusts_start(self, event: AlertEvent) -> bool:
        """Whether the start of an event that keeps it (`AlertEvent.keeps_start`) says when its firing began: a
        tool's protocol guarantees it, a client of the generic format only promises it, and is believed while
        its re-sends keep the promise."""
        return not event.start_by_client or self.state.resends.keeps_starts(event.source)

    def _note_resend(self, event: AlertEvent, alert: Alert, now: datetime) -> None:
        """Tell `resends` how this source re-sends a firing alert: start kept, and after how long, or moved soon."""
        gap = now - alert.last_seen_at
        if event.starts_at == alert.starts_at:
            self.state.resends.note(event.source, gap)
        elif event.starts_at > alert.starts_at and gap < SOON:
            self.state.resends.note_moved_soon(event.source)

    def _end_unseen(self, alert: Alert, now: datetime) -> None:
        """The alert stopped firing some time after we last heard of it, and its resolve was lost (or the
        tool sends none): it ends at that last news, and the event that proved it fires afresh."""
        alert.status = ALERT_RESOLVED
        alert.ends_at = alert.last_seen_at
        self._transition(alert, now)
        self._book(alert)  # resolved now: it may be forgotten after the refire window, not a day

    def _create(self, event: AlertEvent, now: datetime) -> Alert:
        alert = Alert(
            id=new_id("alr"),
            fingerprint=event.fingerprint,
            source=event.source,
            status=event.status,
            severity=event.severity,
            title=event.title,
            description=event.description,
            service=event.service,
            resource=event.resource,
            environment=event.environment,
            labels=event.labels,
            annotations=event.annotations,
            starts_at=event.starts_at,
            ends_at=event.ends_at if event.status is ALERT_RESOLVED else None,
            received_at=event.received_at,
            last_seen_at=now,
            raw=event.raw,
        )
        self.state.remember_alert(alert)
        self._book(alert)
        return alert

    def _transition(self, alert: Alert, now: datetime) -> None:
        horizon = now - self.settings.flap_window
        alert.transitions = [moment for moment in alert.transitions if moment >= horizon]
        alert.transitions.append(now)
        alert.flapping = len(alert.transitions) >= self.settings.flap_threshold

    def _forget_at(self, alert: Alert) -> datetime:
        window = self.settings.refire_window if alert.status is ALERT_RESOLVED else self.forget_firing_after
        return alert.last_seen_at + window

    def _book(self, alert: Alert) -> None:
        self._forget_queue.book(alert.id, self._forget_at(alert))

    def sweep(self, now: datetime, batch: Batch) -> None:
        if self._next_scan is not None and now < self._next_scan:
            return
        self._next_scan = now + _SCAN_EVERY
        state = self.state
        if not self._booked_working_set:
            self._booked_working_set = True
            for alert in state.alerts_by_fingerprint.values():
                self._book(alert)
        # An alert is forgotten once idle for its window (`last_seen_at < now - window`). One replaced by a
        # newer alert with its fingerprint can get no more news: it goes when it is due, by id only (the
        # newer one stays). Before, it stayed known by id for ever, one more alert each time a fingerprint
        # fired again after its refire window.
        for alert_id in self._forget_queue.pop_due(now):
            known = state.alerts_by_id.get(alert_id)
            if known is None:
                continue
            if self._forget_at(known) < now or state.alerts_by_fingerprint.get(known.fingerprint) is not known:
                state.forget_alert(known)
            else:
                self._book(known)
