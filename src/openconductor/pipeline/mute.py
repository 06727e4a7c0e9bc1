"""Muting: mark alerts that a silence or maintenance window covers, and keep them all.

The stage never removes an item. A suppressed alert still goes on to the correlator, which groups
it like any other and decides that it does not raise an incident by itself; people still see it,
with the id of the silence that covered it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from openconductor.pipeline.members import (
    ALERT_FIRING,
    CHANGE_NEW,
    CHANGE_REFIRE,
    CHANGE_REPEAT,
)
from openconductor.pipeline.stage import Batch, Item
from openconductor.pipeline.state import PipelineState

# Only a firing event says anything about whether the alert is covered now; a resolve keeps the
# mark the alert had while it fired.
_DECIDES = frozenset({CHANGE_NEW, CHANGE_REFIRE, CHANGE_REPEAT})
# How often (in pipeline time) ended silences are dropped from the book.
_FORGET_EVERY = timedelta(minutes=1)


class Mute:
    def __init__(self, state: PipelineState) -> None:
        self.state = state
        self._next_forget: datetime | None = None

    def __call__(self, items: list[Item], batch: Batch) -> list[Item]:
        for item in items:
            self._mark(item, batch)
        return items

    def _mark(self, item: Item, batch: Batch) -> None:
        alert = item.alert
        if alert is None or item.change not in _DECIDES or alert.status is not ALERT_FIRING:
            return
        # The pipeline clock, which deduplication has just moved to this event's arrival: the same
        # time every other window is measured in, so a replay is muted as live traffic was.
        at = self.state.clock or item.event.received_at
        silences = self.state.silences
        # With no silence at all (the usual case) there is nothing to look up.
        silence = silences.suppressing(alert, at) if len(silences) else None
        suppressed_by = silence.id if silence is not None else None
        if alert.suppressed_by == suppressed_by:
            return
        alert.suppressed_by = suppressed_by
        batch.changes.alert_changed(alert)
        if suppressed_by is not None:
            batch.changes.count("suppressed")

    def sweep(self, now: datetime, batch: Batch) -> None:
        if self._next_forget is not None and now < self._next_forget:
            return
        self._next_forget = now + _FORGET_EVERY
        self.state.silences.forget_ended(now)
