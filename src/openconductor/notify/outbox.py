"""The outbox's decisions, pure: which notices an incident's new state causes, and when a failed one is retried.

Per incident and target the notices keep their order: opened, then updates, then resolved. Updates are
throttled: at most one pending update per incident and target, which takes the latest state, due no sooner
than `throttle` after the notice before it. A resolve drops a pending update; a reopen is opened again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from openconductor.notify.notice import digest
from openconductor.store.ports import DeliveryOutcome, NewNotification, NotificationRecord, OutboxWrites

# However long a service asks us to wait (Retry-After), the next attempt is never later than this.
MAX_RETRY_AFTER = timedelta(hours=1)
# Nor sooner than this, whatever the settings: a failed notice is never due again in the same round.
MIN_WAIT = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int
    base: timedelta
    cap: timedelta


def plan_incident(
    *,
    document: Mapping[str, Any],
    targets: Sequence[str],
    history: Sequence[NotificationRecord],
    now: datetime,
    throttle: timedelta,
    writes: OutboxWrites,
) -> None:
    """Add to `writes` what telling `targets` about this incident state takes. `history` holds the incident's
    notices so far (dropped ones excepted), oldest first."""
    incident_id = str(document["incident_id"])
    resolved = document["status"] == "resolved"

    def add(target: str, kind: str, due_at: datetime, merge_into: int | None = None) -> None:
        writes.added.append(
            NewNotification(
                incident_id=incident_id,
                target=target,
                kind=kind,
                notice=dict(document),
                due_at=due_at,
                created_at=now,
                merge_into=merge_into,
            )
        )

    for target in targets:
        rows = [row for row in history if row.target == target]
        told = [row.kind for row in rows if row.kind in ("opened", "resolved")]
        if not told or (told[-1] == "resolved" and not resolved):
            # Never told (or told it resolved and it reopened): the target hears of it as a new incident.
            add(target, "opened", now)
            if resolved:
                add(target, "resolved", now)
            continue
        if resolved:
            if told[-1] != "resolved":
                writes.dropped.extend(r.id for r in rows if r.kind == "updated" and r.status == "pending")
                add(target, "resolved", now)
            continue
        if digest(rows[-1].notice) == digest(document):
            continue
        pending = [r for r in rows if r.status == "pending" and r.kind in ("opened", "updated")]
        if pending:
            # Coalesce: the waiting notice says the latest state. Should the worker take it meanwhile,
            # a new update is added, due one throttle later.
            add(target, "updated", now + throttle, merge_into=pending[-1].id)
        else:
            add(target, "updated", max(now, _last_told_at(rows) + throttle))


def _last_told_at(rows: Sequence[NotificationRecord]) -> datetime:
    last = rows[-1]
    return last.delivered_at or last.claimed_at or last.next_attempt_at


def backoff(notification_id: int, attempt: int, policy: RetryPolicy) -> timedelta:
    """The wait after failed attempt number `attempt` (1 for the first): doubling from `base` up to `cap`,
    then between half and all of it. The jitter is fixed by the row id and attempt, so retries of many
    notices spread out, and the same row always waits the same."""
    exponential = min(policy.cap, policy.base * 2 ** min(attempt - 1, 32))
    seed = hashlib.blake2b(f"{notification_id}:{attempt}".encode(), digest_size=8).digest()
    fraction = int.from_bytes(seed, "big") / 2**64
    return exponential * (0.5 + 0.5 * fraction)


def after_failure(
    record: NotificationRecord,
    *,
    error: str,
    retryable: bool,
    retry_after_seconds: float | None,
    now: datetime,
    policy: RetryPolicy,
) -> DeliveryOutcome:
    attempt = record.attempts + 1
    if not retryable:
        return DeliveryOutcome(status="dead", at=now, error=error, detail="not retryable")
    if attempt >= policy.max_attempts:
        return DeliveryOutcome(status="dead", at=now, error=error, detail=f"gave up after {attempt} attempts")
    wait = backoff(record.id, attempt, policy)
    if retry_after_seconds is not None and retry_after_seconds > 0:
        wait = max(wait, min(timedelta(seconds=retry_after_seconds), MAX_RETRY_AFTER))
    return DeliveryOutcome(status="pending", at=now, next_attempt_at=now + max(wait, MIN_WAIT), error=error)
