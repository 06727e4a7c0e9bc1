"""Recurring alerts: the same alert starting at about the same time of day, day after day.

A nightly backup that saturates a disk, a batch export that trips a latency rule: each fires at about the
same hour every night, and each night it is the same known thing. An alert whose earlier onsets fell within
`tolerance` of this time of day on at least `min_days` other days of the last `lookback` is *recurring*: it
is kept and grouped, but like a chronic alert it never raises an incident by itself.
"""

from __future__ import annotations

import heapq
from datetime import UTC, datetime, timedelta
from typing import Any

from openconductor.core.timeutil import format_rfc3339, parse_rfc3339

DAY = 86400.0
KEEP_ONSETS = 16  # per alert: a fortnight of a daily alert, a few days of one that fires hourly
MAX_ALERTS = 200_000  # past this, alerts not seen within the lookback are forgotten


class Recurrence:
    def __init__(
        self,
        *,
        tolerance: timedelta = timedelta(minutes=20),
        min_days: int = 3,
        lookback: timedelta = timedelta(days=8),
    ) -> None:
        self.tolerance = tolerance.total_seconds()
        self.min_days = min_days
        self.lookback = lookback.total_seconds()
        # Plain lists, not deques: most alerts start once or twice, and a deque costs ten times the memory.
        self._onsets: dict[str, list[float]] = {}
        # (latest onset, fingerprint), earliest first, so forgetting takes only the alerts it forgets: walking
        # them all for each new alert past MAX_ALERTS made a storm of n distinct alerts cost n² (a storm of
        # 400,000 ran for over half an hour). An entry whose alert started again since is stale, and skipped.
        self._by_latest: list[tuple[float, str]] = []

    def note(self, fingerprint: str, onset: datetime) -> bool:
        """Record an onset of `fingerprint`; True when it recurs at this time of day."""
        at = onset.timestamp()
        earlier = self._onsets.get(fingerprint)
        recurring = earlier is not None and self._recurs(earlier, at)
        if earlier is None:
            if len(self._onsets) >= MAX_ALERTS:
                self._forget_before(at - self.lookback)
            earlier = self._onsets[fingerprint] = []
        earlier.append(at)
        if len(earlier) > KEEP_ONSETS:
            del earlier[0]
        heapq.heappush(self._by_latest, (at, fingerprint))
        if len(self._by_latest) > 2 * len(self._onsets):
            self._reindex()  # mostly stale entries: at most two per alert are kept
        return recurring

    def _recurs(self, earlier: list[float], at: float) -> bool:
        days = set()
        for before in earlier:
            gap = at - before
            if gap > self.lookback or gap < DAY / 2:
                continue
            off = abs(gap - round(gap / DAY) * DAY)  # how far from a whole number of days apart
            if off <= self.tolerance:
                days.add(round(gap / DAY))
        return len(days) >= self.min_days

    def _forget_before(self, horizon: float) -> None:
        """Forget the alerts whose latest onset is before `horizon`."""
        by_latest, onsets = self._by_latest, self._onsets
        while by_latest and by_latest[0][0] < horizon:
            at, fingerprint = heapq.heappop(by_latest)
            kept = onsets.get(fingerprint)
            if kept is not None and kept[-1] == at:  # not started again since
                del onsets[fingerprint]

    def _reindex(self) -> None:
        self._by_latest = [(onsets[-1], fp) for fp, onsets in self._onsets.items() if onsets]
        heapq.heapify(self._by_latest)

    def to_document(self) -> dict[str, Any]:
        """Alerts with more than one onset within the lookback (one onset cannot recur yet), as text."""
        latest = max((onsets[-1] for onsets in self._onsets.values()), default=0.0)
        horizon = latest - self.lookback
        kept = {fp: [t for t in onsets if t >= horizon] for fp, onsets in self._onsets.items()}
        return {fp: [format_rfc3339(_utc(t)) for t in times] for fp, times in kept.items() if len(times) > 1}

    def load_document(self, document: dict[str, Any]) -> None:
        for fingerprint, times in document.items():
            self._onsets[fingerprint] = [parse_rfc3339(t).timestamp() for t in times][-KEEP_ONSETS:]
        self._reindex()


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)
