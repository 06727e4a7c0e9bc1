"""The delivery worker: claims due notices from the outbox, makes one attempt each, and records the outcome.

It shares one HTTP client between targets and hands each target the reference it returned for the same
incident before. Every message it records or logs is scrubbed of the configured secrets first.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import cast

import httpx

from openconductor.config.settings import NotificationSettings
from openconductor.notify.config import ConfiguredTarget, NotificationConfig
from openconductor.notify.contract import Delivered, DeliveryContext, DeliveryError, IncidentNotice, NoticeKind
from openconductor.notify.notice import notice_from_document
from openconductor.notify.outbox import RetryPolicy, after_failure
from openconductor.store.ports import DeliveryOutcome, NotificationRecord, NotificationStore

log = logging.getLogger(__name__)

CLAIM_BATCH = 10


class DeliveryWorker:
    def __init__(
        self,
        *,
        store: NotificationStore,
        config: NotificationConfig,
        settings: NotificationSettings,
        http: httpx.Client | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.settings = settings
        self.policy = RetryPolicy(
            max_attempts=settings.max_attempts, base=settings.backoff_base, cap=settings.backoff_cap
        )
        self._http = http
        # A claimed notice is retaken after this long without an outcome (the process stopped mid-delivery).
        self.lease = timedelta(seconds=CLAIM_BATCH * settings.delivery_timeout_seconds * 3 + 60)

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(follow_redirects=False, headers={"User-Agent": "OpenConductor"})
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def deliver_due(self, now: datetime) -> int:
        """Attempt every notice due at `now`, a batch at a time, until none is left (a delivered notice may let
        the next one of its incident and target go); returns how many attempts were made. A failed attempt is
        never due again at the same `now`, so this ends."""
        attempted = 0
        while True:
            claimed = self.store.claim_notifications(now=now, limit=CLAIM_BATCH, stale_before=now - self.lease)
            if not claimed:
                return attempted
            for record, reference in claimed:
                outcome = self._attempt(record, reference, now)
                self.store.finish_notification(record.id, outcome)
            attempted += len(claimed)

    def _attempt(self, record: NotificationRecord, reference: str | None, now: datetime) -> DeliveryOutcome:
        target = self.config.targets.get(record.target)
        if target is None:
            error = f"target {record.target!r} is no longer configured"
            return DeliveryOutcome(status="dead", at=now, error=error, detail="not retryable")
        notice = notice_from_document(cast(NoticeKind, record.kind), record.notice, sent_at=now)
        try:
            delivered = self.send(target, notice, reference=reference)
        except DeliveryError as failure:
            message = self.config.redact(str(failure))
            log.warning("notice %s to %s failed (attempt %s): %s", record.id, target.name, record.attempts + 1, message)
            return after_failure(
                record,
                error=message,
                retryable=failure.retryable,
                retry_after_seconds=failure.retry_after_seconds,
                now=now,
                policy=self.policy,
            )
        log.info("notice %s (%s of %s) delivered to %s", record.id, record.kind, record.incident_id, target.name)
        return DeliveryOutcome(
            status="delivered", at=now, detail=self.config.redact(delivered.detail), reference=delivered.reference
        )

    def send(self, target: ConfiguredTarget, notice: IncidentNotice, *, reference: str | None) -> Delivered:
        """One attempt. A target that fails in a way its contract does not allow is reported by the kind of
        error only: its message could hold a secret."""
        context = DeliveryContext(
            http=self.http, reference=reference, timeout_seconds=self.settings.delivery_timeout_seconds
        )
        try:
            delivered: Delivered = target.module.deliver(notice, config=target.config, context=context)
        except DeliveryError:
            raise
        except Exception as error:
            log.error("target %s (%s) raised %s", target.name, target.slug, type(error).__name__)
            raise DeliveryError(f"{target.slug}: unexpected {type(error).__name__}", retryable=False) from None
        return delivered
