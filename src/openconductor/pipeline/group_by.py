"""The baseline correlator: firing alerts with equal grouping keys within a window share an incident.

It works in event time: an alert joins the incident for its key when its own start time lies within
`group_window` of the incident's span, so a replay groups exactly as live traffic would. Incidents
resolve when all their alerts resolve, or after `quiet_period` without any activity; a re-firing
alert reopens its incident within `reopen_grace`. The correlation engine replaces this stage.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from openconductor.config.settings import CorrelationSettings
from openconductor.core.ids import new_id
from openconductor.core.models import Alert, AlertStatus, Incident, IncidentStatus
from openconductor.pipeline import incidents
from openconductor.pipeline.stage import Batch, Change, Item
from openconductor.pipeline.state import PipelineState

_SCAN_EVERY = timedelta(minutes=1)


def key_values(alert: Alert, fields: list[str]) -> tuple[str, ...]:
    values = []
    for name in fields:
        if name.startswith("labels."):
            values.append(alert.labels.get(name[7:], ""))
        else:
            value = getattr(alert, name, None)
            values.append("" if value is None else str(value))
    return tuple(values)


class GroupByCorrelator:
    def __init__(self, state: PipelineState, settings: CorrelationSettings, *, keep_resolved_for: timedelta) -> None:
        self.state = state
        self.settings = settings
        # A resolved incident stays in the working set while one of its alerts may still re-fire
        # (dedup's refire window) or reopen it (reopen_grace), so a move is always recorded.
        self.keep_resolved_for = max(keep_resolved_for, settings.reopen_grace)
        self.joinable: dict[tuple[str, ...], str] = {}
        self._last_scan: datetime | None = None

    def __call__(self, items: list[Item], batch: Batch) -> list[Item]:
        for item in items:
            alert = item.alert
            if alert is None:
                continue
            if item.ended is not None:
                self._update(item.ended, Change.RESOLVE, batch)
            if item.change is Change.NEW and alert.status is AlertStatus.FIRING:
                self._assign(alert, batch)
            elif item.change is Change.REFIRE:
                self._refire(alert, batch)
            elif item.change is Change.REPEAT and alert.status is AlertStatus.FIRING and self._closed(alert):
                # Still firing, but its incident went quiet and closed: the problem is back.
                self._refire(alert, batch, still_firing=True)
            elif item.change in (Change.REPEAT, Change.RESOLVE, Change.ACKNOWLEDGE):
                self._update(alert, item.change, batch)
        return items

    def _assign(self, alert: Alert, batch: Batch) -> None:
        key = key_values(alert, self.settings.group_by)
        if not all(key):
            # A grouping key is missing: lumping every such alert of, say, one environment into one
            # incident would merge unrelated problems, so the alert stands alone (its own fingerprint).
            key = (f"fingerprint:{alert.fingerprint}",)
        keys = (
            dict(zip(self.settings.group_by, key, strict=True))
            if len(key) == len(self.settings.group_by)
            else {"fingerprint": alert.fingerprint}
        )
        window = self.settings.group_window
        incident = self.state.incidents.get(self.joinable.get(key, ""))
        if (
            incident is not None
            and incident.status is not IncidentStatus.RESOLVED
            and alert.last_seen_at - incident.last_seen_at <= self.settings.quiet_period
            # Differences, not shifted times: a start a client dates in year 1 or 9999 must not overflow.
            and alert.starts_at - incident.first_seen_at >= -window
            and alert.starts_at - incident.last_joined_at <= window
        ):
            gap = abs((alert.starts_at - incident.last_joined_at).total_seconds())
            evidence: dict[str, Any] = {"keys": keys, "window_seconds": window.total_seconds(), "gap_seconds": gap}
            self._join(alert, incident, rule="group_by", score=1.0, evidence=evidence, batch=batch)
            return
        incident = Incident(
            id=new_id("inc"),
            title=alert.title,
            status=IncidentStatus.OPEN,
            severity=alert.severity,
            services=set(),
            environment=alert.environment,
            group_key="|".join(key),
            first_seen_at=alert.starts_at,
            last_seen_at=alert.last_seen_at,
            last_joined_at=alert.starts_at,
            # The baseline raises every incident at once; the correlation engine applies policies.
            raised_at=alert.last_seen_at,
        )
        self.state.incidents[incident.id] = incident
        self.joinable[key] = incident.id
        batch.changes.incident_added(incident)
        batch.changes.count("incidents_opened")
        self._join(alert, incident, rule="opened", score=1.0, evidence={"keys": keys}, batch=batch)

    def _join(
        self, alert: Alert, incident: Incident, *, rule: str, score: float, evidence: dict[str, Any], batch: Batch
    ) -> None:
        incidents.attach(
            alert,
            incident,
            onset=alert.starts_at,
            service=alert.service,
            rule=rule,
            score=score,
            evidence=evidence,
            joined_at=alert.last_seen_at,
            batch=batch,
        )

    def _closed(self, alert: Alert) -> bool:
        incident = self.state.incidents.get(alert.incident_id or "")
        return incident is not None and incident.status is IncidentStatus.RESOLVED and incident.resolution == "quiet"

    def _refire(self, alert: Alert, batch: Batch, *, still_firing: bool = False) -> None:
        """The alert fires again (or, `still_firing`, repeats after its incident went quiet and
        closed): stay, reopen the incident within the grace, or move to a new one."""
        incident = self.state.incidents.get(alert.incident_id or "")
        now = alert.last_seen_at
        if incident is not None and incident.status is not IncidentStatus.RESOLVED:
            incident.firing_count += 0 if still_firing else 1
            incident.last_seen_at = max(incident.last_seen_at, now)
            batch.changes.incident_changed(incident)
            return
        if (
            incident is not None
            and incident.resolution in ("all_alerts_resolved", "quiet")
            and incident.resolved_at is not None
            and now - incident.resolved_at <= self.settings.reopen_grace
        ):
            incidents.reopen(incident, at=now, count_firing=not still_firing, batch=batch)
            return
        if incident is not None:
            incidents.detach(incident, alert, at=now, counted_firing=still_firing, batch=batch)
        self._assign(alert, batch)

    def _update(self, alert: Alert, change: Change, batch: Batch) -> None:
        incident = self.state.incidents.get(alert.incident_id or "")
        if incident is None or incident.status is IncidentStatus.RESOLVED:
            return
        if incidents.follow(incident, alert, change, batch):
            self._resolve(incident, alert.last_seen_at, "all_alerts_resolved", batch)

    def _resolve(self, incident: Incident, now: datetime, resolution: str, batch: Batch) -> None:
        incidents.resolve(incident, at=now, resolution=resolution, batch=batch)

    def sweep(self, now: datetime, batch: Batch) -> None:
        if self._last_scan is not None and now - self._last_scan < _SCAN_EVERY:
            return
        self._last_scan = now
        for incident in list(self.state.incidents.values()):
            if incident.status is not IncidentStatus.RESOLVED:
                if now - incident.last_seen_at > self.settings.quiet_period:
                    self._resolve(incident, now, "quiet", batch)
            elif incident.resolved_at is not None and now - incident.resolved_at > self.keep_resolved_for:
                del self.state.incidents[incident.id]
        stale = [key for key, incident_id in self.joinable.items() if incident_id not in self.state.incidents]
        for key in stale:
            del self.joinable[key]

    def adopt(self, incident: Incident) -> None:
        """Take an incident loaded from the database (at start-up) into the working set."""
        self.state.incidents[incident.id] = incident
        if incident.status is not IncidentStatus.RESOLVED:
            key = tuple(incident.group_key.split("|"))
            current = self.state.incidents.get(self.joinable.get(key, ""))
            # A resolved incident never takes new alerts, so it must not keep the key from an open one.
            if (
                current is None
                or current.status is IncidentStatus.RESOLVED
                or current.last_joined_at < incident.last_joined_at
            ):
                self.joinable[key] = incident.id

    def rebuilt(self) -> None:
        """Nothing beyond `adopt` to rebuild: the baseline keeps no other state."""

    def document(self) -> dict[str, Any] | None:
        return None

    def load_document(self, document: dict[str, Any]) -> None:
        """The baseline learns nothing."""

    def alert_moved(self, alert: Alert, previous_id: str | None, target: Incident) -> None:
        """The baseline keeps the incident in its working set and learns nothing from corrections."""
        self.state.incidents.setdefault(target.id, target)
