"""The outbox's pure decisions: which notices an incident state causes (order, throttling, coalescing), and
when a failed delivery is tried again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from openconductor.notify.outbox import MAX_RETRY_AFTER, RetryPolicy, after_failure, backoff, plan_incident
from openconductor.store.ports import NotificationRecord, OutboxWrites

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
THROTTLE = timedelta(minutes=5)
POLICY = RetryPolicy(max_attempts=5, base=timedelta(seconds=10), cap=timedelta(minutes=10))


def document(status: str = "open", alert_count: int = 1, severity: str = "high") -> dict[str, Any]:
    return {
        "incident_id": "inc_1",
        "title": "checkout slow",
        "status": status,
        "severity": severity,
        "services": ["checkout"],
        "alert_count": alert_count,
    }


def record(row_id: int, kind: str, status: str, *, target: str = "ops", **fields: Any) -> NotificationRecord:
    values: dict[str, Any] = {
        "id": row_id,
        "incident_id": "inc_1",
        "target": target,
        "kind": kind,
        "notice": document(),
        "status": status,
        "attempts": 0,
        "next_attempt_at": NOW - timedelta(minutes=10),
        "last_error": None,
        "detail": None,
        "created_at": NOW - timedelta(minutes=10),
        "claimed_at": None,
        "delivered_at": None,
    }
    values.update(fields)
    return NotificationRecord(**values)


def plan(doc: dict[str, Any], history: list[NotificationRecord], targets: tuple[str, ...] = ("ops",)) -> OutboxWrites:
    writes = OutboxWrites()
    plan_incident(document=doc, targets=targets, history=history, now=NOW, throttle=THROTTLE, writes=writes)
    return writes


def kinds(writes: OutboxWrites) -> list[tuple[str, str]]:
    return [(entry.target, entry.kind) for entry in writes.added]


def test_a_new_incident_is_opened_once_per_target() -> None:
    writes = plan(document(), [], targets=("ops", "chat"))
    assert kinds(writes) == [("ops", "opened"), ("chat", "opened")]
    assert all(entry.due_at == NOW for entry in writes.added)
    # The same state again is no news.
    assert not plan(document(), [record(1, "opened", "delivered", delivered_at=NOW)])


def test_an_update_after_a_recent_notice_waits_for_the_throttle() -> None:
    sent = record(1, "opened", "delivered", delivered_at=NOW - timedelta(minutes=1))
    writes = plan(document(alert_count=3), [sent])
    assert kinds(writes) == [("ops", "updated")]
    assert writes.added[0].due_at == NOW + timedelta(minutes=4)
    assert writes.added[0].merge_into is None
    # Long after the last notice, the update is due at once.
    old = record(1, "opened", "delivered", delivered_at=NOW - timedelta(hours=1))
    assert plan(document(alert_count=3), [old]).added[0].due_at == NOW


def test_updates_coalesce_into_the_pending_one() -> None:
    history = [
        record(1, "opened", "delivered", delivered_at=NOW - timedelta(minutes=1)),
        record(2, "updated", "pending", notice=document(alert_count=2), next_attempt_at=NOW + timedelta(minutes=4)),
    ]
    writes = plan(document(alert_count=5, severity="critical"), history)
    assert kinds(writes) == [("ops", "updated")]
    assert writes.added[0].merge_into == 2
    assert writes.added[0].notice["alert_count"] == 5
    # An update before the opened notice went out is folded into it.
    writes = plan(document(alert_count=2), [record(1, "opened", "pending")])
    assert writes.added[0].merge_into == 1


def test_resolved_drops_the_pending_update_and_follows_a_pending_opened() -> None:
    history = [
        record(1, "opened", "pending"),
        record(2, "updated", "pending", notice=document(alert_count=2)),
        record(3, "updated", "delivered", notice=document(alert_count=3)),
    ]
    writes = plan(document(status="resolved"), history)
    assert kinds(writes) == [("ops", "resolved")]
    assert writes.dropped == [2]
    # Resolved once is enough.
    told = [*history, record(4, "resolved", "pending", notice=document(status="resolved"))]
    assert not plan(document(status="resolved"), told)


def test_a_reopened_incident_is_opened_again() -> None:
    history = [record(1, "opened", "delivered"), record(2, "resolved", "delivered", notice=document("resolved"))]
    assert kinds(plan(document(), history)) == [("ops", "opened")]


def test_a_target_never_told_hears_opened_then_resolved() -> None:
    writes = plan(document(status="resolved"), [record(1, "opened", "delivered", target="chat")], ("ops", "chat"))
    assert kinds(writes) == [("ops", "opened"), ("ops", "resolved"), ("chat", "resolved")]


def test_backoff_doubles_up_to_the_cap_with_a_fixed_jitter_per_row() -> None:
    waits = [backoff(7, attempt, POLICY) for attempt in range(1, 9)]
    for attempt, wait in enumerate(waits, start=1):
        full = min(POLICY.cap, POLICY.base * 2 ** (attempt - 1))
        assert full / 2 <= wait <= full
    assert waits == [backoff(7, attempt, POLICY) for attempt in range(1, 9)]
    assert [backoff(8, attempt, POLICY) for attempt in range(1, 9)] != waits
    assert backoff(7, 10_000, POLICY) <= POLICY.cap


def test_a_retryable_failure_is_tried_again_until_max_attempts() -> None:
    outcome = after_failure(
        record(3, "opened", "sending"),
        error="HTTP 503",
        retryable=True,
        retry_after_seconds=None,
        now=NOW,
        policy=POLICY,
    )
    assert outcome.status == "pending"
    assert outcome.next_attempt_at == NOW + backoff(3, 1, POLICY)
    last = after_failure(
        record(3, "opened", "sending", attempts=4),
        error="HTTP 503",
        retryable=True,
        retry_after_seconds=None,
        now=NOW,
        policy=POLICY,
    )
    assert (last.status, last.detail) == ("dead", "gave up after 5 attempts")


def test_a_refused_notice_is_dead_at_once() -> None:
    outcome = after_failure(
        record(3, "opened", "sending"),
        error="HTTP 400",
        retryable=False,
        retry_after_seconds=None,
        now=NOW,
        policy=POLICY,
    )
    assert (outcome.status, outcome.error) == ("dead", "HTTP 400")


def test_retry_after_is_honoured_within_a_bound() -> None:
    def wait(seconds: float) -> timedelta:
        outcome = after_failure(
            record(3, "opened", "sending"),
            error="429",
            retryable=True,
            retry_after_seconds=seconds,
            now=NOW,
            policy=POLICY,
        )
        assert outcome.next_attempt_at is not None
        return outcome.next_attempt_at - NOW

    assert wait(120) == timedelta(seconds=120)
    assert wait(1) == backoff(3, 1, POLICY)  # never sooner than the backoff
    assert wait(10 * 86400) == MAX_RETRY_AFTER
