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
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta

# Recent gaps kept per source, and sources tallied: a stream naming more sources than this is not a few tools.
_GAPS_KEPT = 32
_MAX_SOURCES = 1000


class ResendGaps:
    def __init__(self) -> None:
        self._gaps: dict[str, deque[timedelta]] = {}

    def note(self, source: str, gap: timedelta) -> None:
        """`source` re-sent a firing alert, start unchanged, `gap` after its previous news of it."""
        gaps = self._gaps.get(source)
        if gaps is None:
            if len(self._gaps) >= _MAX_SOURCES:
                return
            gaps = self._gaps[source] = deque(maxlen=_GAPS_KEPT)
        gaps.append(gap)

    def longest(self, source: str) -> timedelta | None:
        """The longest recent silence between two re-sends of one firing alert from `source` (None: none seen)."""
        gaps = self._gaps.get(source)
        return max(gaps) if gaps else None
