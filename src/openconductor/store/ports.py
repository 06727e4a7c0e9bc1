"""The storage contract the platform depends on; the SQL implementation lives in `store.sql`."""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from openconductor.core.changes import ChangeSet
from openconductor.core.models import Alert, Incident, Membership
from openconductor.core.queries import ListQuery, Page
from openconductor.core.silences import Silence
from openconductor.core.tokens import IntegrationToken

# -- notifications: the outbox and delivery log (docs/notifications.md) -----------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class NewNotification:
    """A notice to one target, written with the batch that caused it. With `merge_into`, that row takes this
    notice instead (the latest state wins) and keeps its due time, if it is still pending; else this is added."""

    incident_id: str
    target: str
    kind: str  # opened | updated | resolved
    notice: dict[str, Any]
    due_at: datetime
    created_at: datetime
    merge_into: int | None = None


@dataclass(slots=True)
class OutboxWrites:
    added: list[NewNotification] = field(default_factory=list)
    # Pending rows a resolve made pointless (the updates of an incident that has since resolved).
    dropped: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.dropped)


@dataclass(frozen=True, slots=True, kw_only=True)
class NotificationRecord:
    id: int
    incident_id: str
    target: str
    kind: str
    notice: dict[str, Any]
    status: str  # pending | sending | delivered | dead | dropped
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    detail: str | None
    created_at: datetime
    claimed_at: datetime | None
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryOutcome:
    status: str  # delivered | pending (tried again at next_attempt_at) | dead
    at: datetime
    next_attempt_at: datetime | None = None
    error: str | None = None
    detail: str | None = None
    reference: str | None = None  # kept per (incident, target) and handed to the next delivery


class NotificationStore(Protocol):
    def notification_history(self, incident_ids: Collection[str]) -> list[NotificationRecord]:
        """Every notice of these incidents except dropped ones, oldest first."""

    def claim_notifications(
        self, *, now: datetime, limit: int, stale_before: datetime
    ) -> list[tuple[NotificationRecord, str | None]]:
        """Mark up to `limit` due notices `sending` and return each with its (incident, target) reference. A
        notice is due at its next_attempt_at once no older notice to the same incident and target is pending
        or sending, which keeps them in order. Notices left sending since before `stale_before` are due again."""

    def finish_notification(self, notification_id: int, outcome: DeliveryOutcome) -> None: ...

    def list_notifications(
        self, *, incident_id: str | None, status: str | None, after_id: int | None, limit: int
    ) -> list[NotificationRecord]:
        """Oldest first, from after `after_id`."""

    def get_notification(self, notification_id: int) -> NotificationRecord | None: ...

    def requeue_notification(self, notification_id: int, *, now: datetime) -> NotificationRecord | None:
        """A dead notice pending again, due now, its attempts reset; None when no dead notice has this id."""


# -- end of notifications ------------------------------------------------------------------------


class Store(NotificationStore, Protocol):
    def apply(self, changes: ChangeSet, notifications: OutboxWrites | None = None) -> None:
        """Persist one batch's changes, and the notices they cause, atomically; returns only once durable."""

    def bulk_writes(self) -> AbstractContextManager[None]:
        """While inside, tune the database for one long run of large batches (the offline replay).

        Durability and every result stay the same: only caching and when the database tidies up change."""

    def save_incident(self, incident: Incident) -> None:
        """Persist an incident changed by a person (acknowledge, resolve, reopen)."""

    def load_working_set(self, *, since: datetime) -> tuple[list[Alert], list[Incident]]:
        """Firing alerts, alerts resolved after `since`, open incidents and incidents resolved after `since`."""

    def list_alerts(self, query: ListQuery) -> Page[Alert]: ...

    def get_alert(self, alert_id: str) -> Alert | None: ...

    def list_incidents(self, query: ListQuery) -> Page[Incident]: ...

    def get_incident(self, incident_id: str) -> Incident | None: ...

    def incident_members(self, incident_id: str) -> list[tuple[Alert, Membership]]: ...

    def counts(self) -> dict[str, int]: ...

    def save_silence(self, silence: Silence) -> None:
        """Persist a new silence or maintenance window."""

    def list_silences(self, *, active_at: datetime | None, include_expired: bool) -> list[Silence]:
        """Silences in effect at `active_at` when given; otherwise every silence that has not ended
        yet (in effect or still to start), and the ended ones too when `include_expired`."""

    def get_silence(self, silence_id: str) -> Silence | None: ...

    def expire_silence(self, silence_id: str, at: datetime) -> Silence | None:
        """End a silence at `at` (kept, for the record); None when there is no such silence."""

    # -- integration tokens --------------------------------------------------------------------

    def save_token(self, token: IntegrationToken) -> None: ...

    def list_tokens(self) -> list[IntegrationToken]:
        """Every token, revoked ones included (the record of who could send)."""
        ...

    def revoke_token(self, token_id: str, *, integration: str, at: datetime) -> IntegrationToken | None:
        """Revoke a token of `integration` at `at`; None when that integration has no such token."""
        ...

    def load_document(self, name: str) -> dict[str, Any] | None:
        """A named JSON document kept between restarts (topology, learned correlation state)."""

    def save_document(self, name: str, document: dict[str, Any]) -> None: ...

    def ping(self) -> None:
        """Raise if the database cannot be reached."""

    def close(self) -> None: ...
