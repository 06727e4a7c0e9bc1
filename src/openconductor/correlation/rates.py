"""Usual rates: how often each component starts alerting, and each kind of alert fires.

They turn "these two alerts came close together" into evidence weighed against coincidence, and
tell a real alert storm from a kind that always fires somewhere in a large estate.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from openconductor.core.timeutil import format_rfc3339, parse_rfc3339
from openconductor.correlation.context import TemplateKey
from openconductor.correlation.cooccurrence import Entity

# Until an hour has been seen, a rate is divided by an hour: nothing is called busy, or a storm, early.
LEARNING_SECONDS = 3600.0


class UsualRates:
    def __init__(self, *, storm_window: timedelta, storm_min_components: int, storm_max_chance: float) -> None:
        self.storm_window = storm_window
        self.storm_min_components = storm_min_components
        self.storm_max_chance = storm_max_chance
        self._onsets: dict[Entity, tuple[datetime, int]] = {}
        self._kinds: dict[TemplateKey, tuple[datetime, int]] = {}
        self._storms: dict[TemplateKey, _StormWindow] = {}
        # When the engine started watching: a kind it has not seen in that time is a rare kind.
        self._watching_since: datetime | None = None

    def count_onset(self, entity: Entity, at: datetime) -> None:
        first, count = self._onsets.get(entity, (at, 0))
        self._onsets[entity] = (first, count + 1)

    def rate(self, entity: Entity, now: datetime | None) -> float:
        """Onsets per second of `entity` so far."""
        seen = self._onsets.get(entity)
        if seen is None or now is None:
            return 0.0
        first, count = seen
        return count / max((now - first).total_seconds(), LEARNING_SECONDS)

    @staticmethod
    def chance(rate: float, gap: timedelta) -> float:
        """Probability that a Poisson process at `rate` produces an onset within `gap` (at least a minute)."""
        return 1.0 - math.exp(-rate * max(gap.total_seconds(), 60.0))

    def storm(self, kind: TemplateKey, entity: Entity, at: datetime, alert_id: str) -> float | None:
        """How likely by chance this kind's current burst is, when it looks like a storm; None otherwise.

        A storm is this kind of alert starting on many components at once, far above its usual rate.
        The usual rate matters: in a large estate some kinds (high CPU somewhere) fire on several hosts
        every minute, and grouping those would merge unrelated problems. So the burst is weighed as a
        Poisson count: with the kind's usual rate, how likely are this many components (or more) within
        the storm window? A storm is a burst of at least `storm_min_components` whose chance is below
        `storm_max_chance`; the chance is returned, so the caller can weigh the evidence with it."""
        window = self._storms.get(kind)
        if window is None:
            window = self._storms[kind] = _StormWindow()
        window.slide(at - self.storm_window)
        window.add(at, entity, alert_id)
        first_seen, total = self._kinds.get(kind, (at, 0))
        self._kinds[kind] = (first_seen, total + 1)
        if self._watching_since is None:
            self._watching_since = at
        components = len(window.components)
        if components < self.storm_min_components:
            return None
        if (at - self._watching_since).total_seconds() < LEARNING_SECONDS:
            return None  # a cold start: every kind is new, so nothing is called a storm for an hour
        # A kind first seen less than an hour ago counts as seen for an hour: one never seen before (a new
        # rule firing on every host at once) is a storm as soon as its burst outgrows its own count.
        observed_for = max((at - first_seen).total_seconds(), LEARNING_SECONDS)
        expected = total * self.storm_window.total_seconds() / observed_for
        chance = poisson_tail(expected, components)
        return chance if chance <= self.storm_max_chance else None

    def to_document(self) -> dict[str, Any]:
        """The usual rates as plain JSON, so a restart does not make every component look quiet (and every
        pair of its alerts look related) until an hour has passed. Components and kinds seen once are left
        out: after a restart they count as new, which is what one sighting is worth."""
        return {
            "watching_since": format_rfc3339(self._watching_since) if self._watching_since else None,
            "onsets": [[list(e), format_rfc3339(at), n] for e, (at, n) in self._onsets.items() if n > 1],
            "kinds": [[list(k), format_rfc3339(at), n] for k, (at, n) in self._kinds.items() if n > 1],
        }

    def load_document(self, document: dict[str, Any]) -> None:
        for target, key in ((self._onsets, "onsets"), (self._kinds, "kinds")):
            for (first, second), at, count in document.get(key, []):
                target[(first, second)] = (parse_rfc3339(at), int(count))
        known = [at for at, _ in self._kinds.values()]
        if document.get("watching_since"):
            known.append(parse_rfc3339(document["watching_since"]))
        if self._watching_since is not None:
            known.append(self._watching_since)
        self._watching_since = min(known, default=None)

    def storm_alerts(self, kind: TemplateKey) -> list[str]:
        """The alerts of `kind` that started within the storm window and were not handed out by an
        earlier call, oldest first: each is offered once, so a storm of n alerts costs n, not n²."""
        window = self._storms.get(kind)
        if window is None:
            return []
        # The fresh onsets are the newest: taken from the right end, so the cost is theirs alone (walking
        # from the left past those already offered made a storm of n alerts cost n², 8 minutes for 200,000).
        fresh = [alert_id for _, _, alert_id in islice(reversed(window.onsets), window.fresh)]
        fresh.reverse()
        window.fresh = 0
        return fresh

    def latest_storm_alerts(self, kind: TemplateKey, count: int) -> list[str]:
        """The alerts of `kind` that started most recently within the storm window, newest first."""
        window = self._storms.get(kind)
        if window is None:
            return []
        return [alert_id for _, _, alert_id in islice(reversed(window.onsets), count)]

    def forget_quiet_kinds(self, now: datetime) -> None:
        horizon = now - self.storm_window
        quiet = [kind for kind, window in self._storms.items() if window.quiet_since(horizon)]
        for kind in quiet:
            del self._storms[kind]


def poisson_tail(expected: float, count: int) -> float:
    """P(N >= count) for N ~ Poisson(expected), through SciPy's regularised incomplete gamma: constant
    time and exact for the huge counts of a real storm (a hand-written sum grows with the count, and
    its first term underflows once `expected` passes about 745)."""
    if count <= 0:
        return 1.0
    # Imported on first use: SciPy costs a third of a second to import, which every command and test
    # that builds a pipeline would pay, and most never see a storm.
    from scipy.special import pdtrc

    return float(pdtrc(count - 1, expected))


class _StormWindow:
    """One kind's onsets within the storm window, with how many each component has there, so the
    number of components is a length instead of a set built on every onset."""

    __slots__ = ("components", "fresh", "onsets")

    def __init__(self) -> None:
        self.onsets: deque[tuple[datetime, Entity, str]] = deque()
        self.components: dict[Entity, int] = {}
        self.fresh = 0  # how many of the newest onsets `storm_alerts` has not handed out yet

    def add(self, at: datetime, entity: Entity, alert_id: str) -> None:
        self.onsets.append((at, entity, alert_id))
        self.components[entity] = self.components.get(entity, 0) + 1
        self.fresh += 1

    def slide(self, horizon: datetime) -> None:
        """Drop the onsets before `horizon`."""
        onsets, components = self.onsets, self.components
        while onsets and onsets[0][0] < horizon:
            _, entity, _ = onsets.popleft()
            # An onset that leaves the window before it was handed out is not handed out later.
            self.fresh = min(self.fresh, len(onsets))
            left = components[entity] - 1
            if left:
                components[entity] = left
            else:
                del components[entity]

    def quiet_since(self, horizon: datetime) -> bool:
        return not self.onsets or self.onsets[-1][0] < horizon
