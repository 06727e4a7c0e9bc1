"""The SQL side of notifications: the outbox rows a batch writes, and the delivery worker's queries."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, select, update

from openconductor.store.ports import DeliveryOutcome, NotificationRecord, OutboxWrites
from openconductor.store.sql import tables as sql_tables


class OutboxQueries:
    """Mixed into SqlStore: the notification methods of the Store port (docs/notifications.md)."""

    engine: Engine

    def notification_history(self, incident_ids: Collection[str]) -> list[NotificationRecord]:
        if not incident_ids:
            return []
        table = sql_tables.notifications
        statement = (
            select(table)
            .where(table.c.incident_id.in_(list(incident_ids)), table.c.status != "dropped")
            .order_by(table.c.id)
        )
        with self.engine.connect() as conn:
            return [_notification_record(row) for row in conn.execute(statement)]

    def claim_notifications(
        self, *, now: datetime, limit: int, stale_before: datetime
    ) -> list[tuple[NotificationRecord, str | None]]:
        table, references = sql_tables.notifications, sql_tables.notification_references
        earlier = table.alias("earlier")
        blocked = (
            select(earlier.c.id)
            .where(
                earlier.c.incident_id == table.c.incident_id,
                earlier.c.target == table.c.target,
                earlier.c.id < table.c.id,
                earlier.c.status.in_(("pending", "sending")),
            )
            .exists()
        )
        due = (
            select(table)
            .where(table.c.status == "pending", table.c.next_attempt_at <= now, ~blocked)
            .order_by(table.c.next_attempt_at, table.c.id)
            .limit(limit)
            # PostgreSQL: several workers never claim the same row (SQLite has one writer and ignores this).
            .with_for_update(skip_locked=True, of=table)
        )
        with self.engine.begin() as conn:
            conn.execute(
                update(table)
                .where(table.c.status == "sending", table.c.claimed_at < stale_before)
                .values(status="pending")
            )
            claimed = [_notification_record(row) for row in conn.execute(due)]
            if not claimed:
                return []
            conn.execute(
                update(table).where(table.c.id.in_([r.id for r in claimed])).values(status="sending", claimed_at=now)
            )
            known = {
                (row.incident_id, row.target): row.reference
                for row in conn.execute(
                    select(references).where(references.c.incident_id.in_({r.incident_id for r in claimed}))
                )
            }
        return [
            (replace(r, status="sending", claimed_at=now), known.get((r.incident_id, r.target))) for r in claimed
        ]

    def finish_notification(self, notification_id: int, outcome: DeliveryOutcome) -> None:
        table, references = sql_tables.notifications, sql_tables.notification_references
        values: dict[str, Any] = {"status": outcome.status, "attempts": table.c.attempts + 1}
        if outcome.error is not None:
            values["last_error"] = outcome.error
        if outcome.detail is not None:
            values["detail"] = outcome.detail
        if outcome.status == "delivered":
            values["delivered_at"] = outcome.at
        if outcome.next_attempt_at is not None:
            values["next_attempt_at"] = outcome.next_attempt_at
        with self.engine.begin() as conn:
            row = conn.execute(
                update(table)
                .where(table.c.id == notification_id, table.c.status == "sending")
                .values(**values)
                .returning(table.c.incident_id, table.c.target)
            ).first()
            if row is None or outcome.reference is None:
                return
            key = (references.c.incident_id == row.incident_id) & (references.c.target == row.target)
            kept = {"reference": outcome.reference, "updated_at": outcome.at}
            if conn.execute(update(references).where(key).values(**kept)).rowcount == 0:
                conn.execute(references.insert().values(incident_id=row.incident_id, target=row.target, **kept))

    def list_notifications(
        self, *, incident_id: str | None, status: str | None, after_id: int | None, limit: int
    ) -> list[NotificationRecord]:
        table = sql_tables.notifications
        statement = select(table).order_by(table.c.id).limit(limit)
        if incident_id is not None:
            statement = statement.where(table.c.incident_id == incident_id)
        if status is not None:
            statement = statement.where(table.c.status == status)
        if after_id is not None:
            statement = statement.where(table.c.id > after_id)
        with self.engine.connect() as conn:
            return [_notification_record(row) for row in conn.execute(statement)]

    def get_notification(self, notification_id: int) -> NotificationRecord | None:
        table = sql_tables.notifications
        with self.engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.id == notification_id)).first()
        return _notification_record(row) if row else None

    def requeue_notification(self, notification_id: int, *, now: datetime) -> NotificationRecord | None:
        table = sql_tables.notifications
        with self.engine.begin() as conn:
            row = conn.execute(
                update(table)
                .where(table.c.id == notification_id, table.c.status == "dead")
                .values(status="pending", attempts=0, next_attempt_at=now, claimed_at=None)
                .returning(table)
            ).first()
        return _notification_record(row) if row else None


def write_outbox(conn: Connection, writes: OutboxWrites) -> None:
    """The batch's notices, inside its transaction: nothing is sent for a batch that was not stored."""
    table = sql_tables.notifications
    if writes.dropped:
        conn.execute(
            update(table)
            .where(table.c.id.in_(writes.dropped), table.c.status == "pending")
            .values(status="dropped", detail="not sent: the incident resolved first")
        )
    for entry in writes.added:
        if entry.merge_into is not None:
            merged = conn.execute(
                update(table)
                .where(table.c.id == entry.merge_into, table.c.status == "pending")
                .values(notice=entry.notice)
            )
            if merged.rowcount:
                continue
        conn.execute(
            table.insert().values(
                incident_id=entry.incident_id,
                target=entry.target,
                kind=entry.kind,
                notice=entry.notice,
                status="pending",
                attempts=0,
                next_attempt_at=entry.due_at,
                created_at=entry.created_at,
            )
        )


def _notification_record(row: Row[Any]) -> NotificationRecord:
    return NotificationRecord(**row._mapping)
