"""Learned co-occurrence: which components start alerting together, more often than chance says.

Every alert onset is paired with the onsets of other components in the preceding window (the most
recent few, to bound the work per alert). Pointwise mutual information over these counts, with
exponential decay so old habits fade, links components that the topology does not connect. People's
corrections feed in too: a merge teaches that two components belong together, a split or a move
teaches that they do not.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

Entity = tuple[str, str]
PERSISTED_MIN_PAIR = 2.0


@dataclass(slots=True)
class CooccurrenceSettings:
    window_seconds: float = 180.0
    recent_limit: int = 24
    half_life_seconds: float = 7 * 24 * 3600.0
    # Chosen on the simulator's small and midsize streams, checked on a second seed: a support of 3 let
    # components that had met in a few failures link every later blip of theirs (precision 0.92 to 0.94
    # on midsize); 5 with a lower PMI kept the recall.
    min_support: float = 5.0
    min_pmi: float = 0.5
    max_partners: int = 64


@dataclass(slots=True)
class CooccurrenceModel:
    settings: CooccurrenceSettings = field(default_factory=CooccurrenceSettings)
    onsets: dict[Entity, float] = field(default_factory=dict)
    pairs: dict[Entity, dict[Entity, float]] = field(default_factory=dict)
    vetoes: dict[Entity, dict[Entity, float]] = field(default_factory=dict)
    total: float = 0.0
    pair_events: float = 0.0
    recent: deque[tuple[float, Entity]] = field(default_factory=deque)
    last_decay: float | None = None
    # Every component that may have a partner with `min_support` (a superset: counts only grow between
    # decays, which recount it). Fewer than 0.1% of pairs reach the support, so most onsets skip the
    # scan of their partners for evidence altogether.
    _supported: set[Entity] = field(default_factory=set, init=False, repr=False, compare=False)
    # The components in `recent`, each once, ordered by their latest onset there, with how many of
    # their onsets it holds. Walking it backwards meets each recent partner once, where walking
    # `recent` itself meets a busy component again at each of its onsets.
    _live: dict[Entity, int] = field(default_factory=dict, init=False, repr=False, compare=False)
    # The kind of alert each component in `recent` last started with, so a storm's onsets skip their own kind.
    _live_kinds: dict[Entity, Hashable] = field(default_factory=dict, init=False, repr=False, compare=False)

    def observe(self, entity: Entity, at: float, *, kind: Hashable = None, storming: bool = False) -> None:
        """Count one onset of `entity` at `at` (epoch seconds), of `kind`, and its pairs with recent onsets.

        While its kind is `storming`, an onset is not paired with the recent onsets of that same kind: the
        storm is why they start together, and pairing each of a storm's hosts with the 24 before it filled
        the tables with chance meetings (half the memory a storm took). Its pairs with other kinds (a node
        and the pods failing with it) are still counted."""
        self._decay(at)
        horizon = at - self.settings.window_seconds
        recent = self.recent
        live = self._live
        # `recent` is in arrival order, and onsets may arrive out of order: like the window itself,
        # `live` forgets an onset only when it leaves the front.
        while recent and recent[0][0] < horizon:
            _, gone = recent.popleft()
            left = live[gone] - 1
            if left:
                live[gone] = left
            else:
                del live[gone]
                del self._live_kinds[gone]
        self.onsets[entity] = self.onsets.get(entity, 0.0) + 1.0
        self.total += 1.0
        limit = self.settings.recent_limit
        trim_above = self.settings.max_partners * 2
        floor = self.settings.min_support
        pairs = self.pairs
        supported = self._supported
        mine = pairs.get(entity)
        if mine is None:
            mine = pairs[entity] = {}
        pair_events = self.pair_events
        paired = 0
        # The hot path of learning: the body of _add_pair and the size check of _trim, written out
        # for the common amount of one (about 24 pairs per onset).
        kinds = self._live_kinds
        for other in reversed(live):
            if other == entity:
                continue
            if storming and kinds[other] == kind:
                paired += 1  # walked past, so a storm's onset still looks at no more than `limit` others
                if paired >= limit:
                    break
                continue
            count = mine[other] = mine.get(other, 0.0) + 1.0
            if count >= floor:
                supported.add(entity)
            theirs = pairs.get(other)
            if theirs is None:
                theirs = pairs[other] = {}
            count = theirs[entity] = theirs.get(entity, 0.0) + 1.0
            if count >= floor:
                supported.add(other)
            if len(theirs) > trim_above:
                self._trim(other, theirs)
            pair_events += 1.0
            paired += 1
            if paired >= limit:
                break
        self.pair_events = pair_events
        self._trim(entity, mine)
        recent.append((at, entity))
        live[entity] = live.pop(entity, 0) + 1
        kinds[entity] = kind

    def _add_pair(self, a: Entity, b: Entity, amount: float) -> None:
        for x, y in ((a, b), (b, a)):
            partners = self.pairs.setdefault(x, {})
            partners[y] = partners.get(y, 0.0) + amount
            if partners[y] >= self.settings.min_support:
                self._supported.add(x)
            self._trim(x, partners)

    def _trim(self, entity: Entity, partners: dict[Entity, float]) -> None:
        if len(partners) > self.settings.max_partners * 2:
            # Keep the strongest partners only: bounded memory per component. A reverse sort is
            # stable too, so ties keep their order as with a key of minus the count.
            keep = sorted(partners.items(), key=itemgetter(1), reverse=True)[: self.settings.max_partners]
            self.pairs[entity] = dict(keep)

    def pmi(self, a: Entity, b: Entity) -> tuple[float, float] | None:
        """(PMI, support) of the pair when it is strong enough to count as evidence, else None."""
        together = self.pairs.get(a, {}).get(b, 0.0) - self.vetoes.get(a, {}).get(b, 0.0)
        if together < self.settings.min_support:
            return None
        n_a, n_b = self.onsets.get(a, 0.0), self.onsets.get(b, 0.0)
        if n_a <= 0 or n_b <= 0 or self.total <= 0 or self.pair_events <= 0:
            return None
        # By chance, a pair is {a, b} with probability 2 p(a) p(b), p = share of onsets.
        expected = 2.0 * self.pair_events * (n_a / self.total) * (n_b / self.total)
        value = math.log(together / expected)
        return (value, together) if value >= self.settings.min_pmi else None

    def vetoed(self, a: Entity, b: Entity) -> bool:
        apart = self.vetoes.get(a)
        if not apart:
            return False
        return apart.get(b, 0.0) > self.pairs.get(a, {}).get(b, 0.0)

    def partners(self, entity: Entity) -> list[Entity]:
        return list(self.pairs.get(entity, ()))

    def supported_partners(self, entity: Entity) -> list[Entity]:
        """Partners seen together at least `min_support` times: the only ones PMI can accept."""
        if entity not in self._supported:
            return []
        floor = self.settings.min_support
        return [partner for partner, count in self.pairs.get(entity, {}).items() if count >= floor]

    def teach_together(self, a: Entity, b: Entity, weight: float) -> None:
        if a != b:
            self._add_pair(a, b, weight)
            for x, y in ((a, b), (b, a)):
                self.vetoes.get(x, {}).pop(y, None)

    def teach_apart(self, a: Entity, b: Entity, weight: float) -> None:
        if a != b:
            for x, y in ((a, b), (b, a)):
                vetoes = self.vetoes.setdefault(x, {})
                vetoes[y] = vetoes.get(y, 0.0) + weight

    def _decay(self, at: float) -> None:
        if self.last_decay is None:
            self.last_decay = at
            return
        elapsed = at - self.last_decay
        if elapsed < 3600.0:
            return
        factor = 0.5 ** (elapsed / self.settings.half_life_seconds)
        self.last_decay = at
        self.total *= factor
        self.pair_events *= factor
        # Each table rebuilt in one pass (same values, same order): this walks every pair.
        self.onsets = _faded(self.onsets, factor)
        _fade_nested(self.pairs, factor)
        _fade_nested(self.vetoes, factor)
        self._count_supported()

    def _count_supported(self) -> None:
        floor = self.settings.min_support
        self._supported = {key for key, inner in self.pairs.items() if any(v >= floor for v in inner.values())}

    def to_document(self) -> dict[str, Any]:
        """The model as plain JSON. Pairs seen together fewer than PERSISTED_MIN_PAIR times are left
        out: in a large estate they are almost all chance meetings (98% of pairs after 100k alerts),
        they can never be evidence on their own (`min_support`), and keeping them made the saved
        document about 60 times larger."""

        def flat(nested: dict[Entity, dict[Entity, float]], floor: float) -> list[list[Any]]:
            return [
                [list(a), list(b), round(v, 4)] for a, inner in nested.items() for b, v in inner.items() if v >= floor
            ]

        return {
            "onsets": [[list(k), round(v, 4)] for k, v in self.onsets.items()],
            "pairs": flat(self.pairs, PERSISTED_MIN_PAIR),
            "vetoes": flat(self.vetoes, 0.0),
            "total": self.total,
            "pair_events": self.pair_events,
            "last_decay": self.last_decay,
        }

    @classmethod
    def from_document(cls, document: dict[str, Any], settings: CooccurrenceSettings | None = None) -> CooccurrenceModel:
        model = cls(settings=settings or CooccurrenceSettings())
        model.onsets = {(k[0], k[1]): float(v) for k, v in document.get("onsets", [])}
        for target, key in ((model.pairs, "pairs"), (model.vetoes, "vetoes")):
            for a, b, value in document.get(key, []):
                target.setdefault((a[0], a[1]), {})[(b[0], b[1])] = float(value)
        model.total = float(document.get("total", 0.0))
        model.pair_events = float(document.get("pair_events", 0.0))
        model.last_decay = document.get("last_decay")
        model._count_supported()
        return model


def _faded(counts: dict[Entity, float], factor: float) -> dict[Entity, float]:
    """`counts` times `factor`, without those that fell below 0.05."""
    return {key: faded for key, value in counts.items() if (faded := value * factor) >= 0.05}


def _fade_nested(nested: dict[Entity, dict[Entity, float]], factor: float) -> None:
    """Each inner table replaced in its place, one at a time, so the pairs are never held twice."""
    for key in list(nested):
        inner = _faded(nested[key], factor)
        if inner:
            nested[key] = inner
        else:
            del nested[key]
