"""When each incident in the working set next needs a look: going quiet, or leaving the working set.

The sweep takes only the incidents that are due, earliest first, instead of walking them all every
minute. An incident's times only move later, so one that comes up is checked again and booked anew when it
turned out not to be due (core/due.py). Due incidents come back in the order they entered the working set,
so results never depend on the queue's order.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from openconductor.core.due import DueQueue
from openconductor.core.models import Incident, IncidentStatus

# Read for every alert, bound once: on Python 3.11 `IncidentStatus.RESOLVED` goes through the enum
# metaclass's `__getattr__` hook (about 0.15 µs each; see pipeline/members.py).
_RESOLVED = IncidentStatus.RESOLVED


class Deadlines:
    def __init__(
        self, *, quiet_period: timedelta, keep_resolved_for: timedelta, keep_quiet_firing_for: timedelta
    ) -> None:
        self.quiet_period = quiet_period
        self.keep_resolved_for = keep_resolved_for
        # An incident that went quiet with alerts still firing stays while they do (until deduplication
        # forgets them), so that the next re-send of one brings it back instead of finding nothing.
        self.keep_quiet_firing_for = keep_quiet_firing_for
        self._queue: DueQueue[str] = DueQueue()
        self._position: dict[str, int] = {}
        self._entered = 0
        # Open incidents whose alerts' sources are due to speak later than the quiet period allows.
        self._not_before: dict[str, datetime] = {}

    def entered(self, incident_id: str) -> None:
        """`incident_id` joined the working set (call once, before it is in it)."""
        self._entered += 1
        self._position[incident_id] = self._entered

    def left(self, incident_id: str) -> None:
        self._position.pop(incident_id, None)
        self._not_before.pop(incident_id, None)
        self._queue.discard(incident_id)

    def postpone(self, incident: Incident, until: datetime) -> None:
        """Do not call the open `incident` quiet before `until` (its alerts' sources speak rarely)."""
        self._not_before[incident.id] = until
        self.watch(incident)

    def next_look(self, incident: Incident) -> datetime | None:
        if incident.status is not _RESOLVED:
            quiet = incident.last_seen_at + self.quiet_period
            postponed = self._not_before.get(incident.id)
            return quiet if postponed is None or postponed < quiet else postponed
        if incident.resolved_at is not None:
            if incident.resolution == "quiet" and incident.firing_count > 0:
                return incident.last_seen_at + self.keep_quiet_firing_for
            return incident.resolved_at + self.keep_resolved_for
        return None  # resolved with no time: it stays, as it always has

    def watch(self, incident: Incident) -> None:
        due = self.next_look(incident)
        if due is not None:
            self._queue.book(incident.id, due)

    def due(self, now: datetime, incidents: Mapping[str, Incident]) -> list[Incident]:
        """The incidents going quiet or leaving the working set before `now`, in working-set order."""
        found = []
        for incident_id in self._queue.pop_due(now):
            incident = incidents.get(incident_id)
            if incident is None:
                continue
            actual = self.next_look(incident)
            if actual is not None and actual < now:
                found.append(incident)
            else:
                self.watch(incident)  # it was active since: look again later
        found.sort(key=lambda incident: self._position[incident.id])
        return found
