"""How long each source stays silent between re-sends of an alert that is still firing.

An incident whose alerts say nothing for `quiet_period` (an hour) is taken to be over: most tools repeat a
firing alert every few minutes, and one that stopped has usually resolved with its resolve lost. Some tools
speak far less often: Alertmanager re-sends a firing alert every `repeat_interval`, four hours by default.
Closing such an incident after an hour showed a firing alert in a resolved incident, which then left the
working set, so the next re-send found nothing to bring back. The engine asks here how long a source has
been seen to stay silent, and waits that long (plus the quiet period) before calling an incident quiet.

Learned only from re-sends whose start is unchanged (`AlertEvent.keeps_start`): only they prove the alert
fired all along; a gap before a firing of unknown start may hide a lost resolve. The longest of a source's
recent gaps counts, so one long outage of a tool is forgotten after a few dozen ordinary re-sends.

The same re-sends tell whether a source's starts can be trusted at all. Deduplication reads a later start as a
new firing (its resolve lost), which is right for a tool that keeps the start while the alert fires, and wrong
for a script that writes the time of each notification into `starts_at`: each of its re-sends would end the
alert and fire it again. Such a source moves the start on re-sends that come minutes after the one before,
which a lost resolve seldom explains; once it has done so more often than it kept the start (three times at
least), its starts are not read.
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta
from typing import Any

# Recent gaps kept per source, and sources tallied: a stream naming more sources than this is not a few tools.
_GAPS_KEPT = 32
_MAX_SOURCES = 1000
# A re-send this soon after the one before whose start moved looks like a notification's time, not a new firing.
SOON = timedelta(minutes=10)
# Moved starts a source may show before its starts can be distrusted.
_MOVES_TOLERATED = 2


class ResendGaps:
    def __init__(self) -> None:
        self._gaps: dict[str, deque[timedelta]] = {}
        self._kept: dict[str, int] = {}
        self._moved_soon: dict[str, int] = {}

    def note(self, source: str, gap: timedelta) -> None:
        """`source` re-sent a firing alert, start unchanged, `gap` after its previous news of it."""
        gaps = self._gaps.get(source)
        if gaps is None:
            if len(self._gaps) >= _MAX_SOURCES:
                return
            gaps = self._gaps[source] = deque(maxlen=_GAPS_KEPT)
        gaps.append(gap)
        self._kept[source] = self._kept.get(source, 0) + 1

    def note_moved_soon(self, source: str) -> None:
        """`source` re-sent a firing alert with a later start, less than SOON after its previous news of it."""
        if source in self._moved_soon or len(self._moved_soon) < _MAX_SOURCES:
            self._moved_soon[source] = self._moved_soon.get(source, 0) + 1

    def keeps_starts(self, source: str) -> bool:
        """Whether `source`'s starts say when each firing began (see the module's docstring)."""
        moved = self._moved_soon.get(source, 0)
        return moved <= _MOVES_TOLERATED or moved <= self._kept.get(source, 0)

    def longest(self, source: str) -> timedelta | None:
        """The longest recent silence between two re-sends of one firing alert from `source` (None: none seen)."""
        gaps = self._gaps.get(source)
        return max(gaps) if gaps else None

    def to_document(self) -> dict[str, Any]:
        """What was learned, as plain JSON (saved with the correlator's learned state)."""
        return {
            "gaps_seconds": {source: [gap.total_seconds() for gap in gaps] for source, gaps in self._gaps.items()},
            "kept": dict(self._kept),
            "moved_soon": dict(self._moved_soon),
        }

    def load_document(self, document: dict[str, Any]) -> None:
        """Take back what `to_document` saved; what does not have its shape is left out."""
        gaps = document.get("gaps_seconds")
        for source, seconds in gaps.items() if isinstance(gaps, dict) else ():
            if isinstance(source, str) and isinstance(seconds, list):
                kept = [timedelta(seconds=value) for value in seconds if isinstance(value, (int, float)) and value >= 0]
                if kept and len(self._gaps) < _MAX_SOURCES:
                    self._gaps[source] = deque(kept[-_GAPS_KEPT:], maxlen=_GAPS_KEPT)
        for key, tally in (("kept", self._kept), ("moved_soon", self._moved_soon)):
            counts = document.get(key)
            for source, count in counts.items() if isinstance(counts, dict) else ():
                if isinstance(source, str) and isinstance(count, int) and count >= 0 and len(tally) < _MAX_SOURCES:
                    tally[source] = count
