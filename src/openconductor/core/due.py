"""A queue of keys by due time, earliest first, for sweeps that should touch only what is due.

Lazy: booking a key again with an earlier time supersedes its entry, a later time is ignored (the earlier
entry will come up first, and its owner books the next one then), and popping a key unbooks it. So an owner
whose deadlines only move later books once and checks again when the key comes up.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterator
from datetime import datetime
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class DueQueue(Generic[K]):
    def __init__(self) -> None:
        # The sequence number keeps the heap from ever comparing two keys.
        self._heap: list[tuple[datetime, int, K]] = []
        self._due_at: dict[K, datetime] = {}
        self._booked = 0

    def book(self, key: K, due: datetime) -> None:
        scheduled = self._due_at.get(key)
        if scheduled is not None and scheduled <= due:
            return
        self._due_at[key] = due
        self._booked += 1
        heapq.heappush(self._heap, (due, self._booked, key))

    def discard(self, key: K) -> None:
        self._due_at.pop(key, None)

    def pop_due(self, now: datetime) -> Iterator[K]:
        """Each key whose booking is before `now`, earliest first, unbooked as it is handed out (the
        caller may book it again while iterating)."""
        heap, due_at = self._heap, self._due_at
        while heap and heap[0][0] < now:
            due, _, key = heapq.heappop(heap)
            if due_at.get(key) != due:
                continue  # superseded by an earlier booking, or discarded
            del due_at[key]
            yield key
