"""The due queue behind the sweeps: earliest first, one live booking per key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from openconductor.core.due import DueQueue

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_keys_come_up_earliest_first_and_only_once_due() -> None:
    queue: DueQueue[str] = DueQueue()
    queue.book("b", T0 + timedelta(minutes=2))
    queue.book("a", T0 + timedelta(minutes=1))
    queue.book("c", T0 + timedelta(minutes=9))
    assert list(queue.pop_due(T0 + timedelta(minutes=5))) == ["a", "b"]
    assert list(queue.pop_due(T0 + timedelta(minutes=5))) == []


def test_an_earlier_booking_supersedes_a_later_one_is_ignored_and_discard_unbooks() -> None:
    queue: DueQueue[str] = DueQueue()
    queue.book("a", T0 + timedelta(minutes=5))
    queue.book("a", T0 + timedelta(minutes=1))  # earlier: this one counts
    queue.book("a", T0 + timedelta(minutes=3))  # later: the earlier booking comes up first
    queue.book("b", T0 + timedelta(minutes=1))
    queue.discard("b")
    assert list(queue.pop_due(T0 + timedelta(minutes=2))) == ["a"]
    assert list(queue.pop_due(T0 + timedelta(minutes=10))) == []


def test_a_key_booked_again_while_popping_comes_up_later() -> None:
    queue: DueQueue[str] = DueQueue()
    queue.book("a", T0)
    seen = []
    for key in queue.pop_due(T0 + timedelta(minutes=1)):
        seen.append(key)
        queue.book(key, T0 + timedelta(minutes=5))  # not due yet: must not come up in this pass
    assert seen == ["a"]
    assert list(queue.pop_due(T0 + timedelta(minutes=6))) == ["a"]
