"""Notifications for the platform: outbox entries from each batch's changes, delivery, and what the API shows.

`plan` runs under the platform's lock, before the batch is stored, and its entries are written in the batch's
transaction. Delivery (`deliver_due`) runs outside that lock, in the server's background task or when called.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openconductor.config.settings import Settings
from openconductor.core.changes import ChangeSet
from openconductor.core.errors import FieldProblem, InvalidPayload, InvalidTransition, NotFound
from openconductor.core.models import Alert, Incident
from openconductor.core.timeutil import format_rfc3339
from openconductor.notify.config import NotificationConfig
from openconductor.notify.notice import digest, incident_digest, notice_document, notice_from_document
from openconductor.notify.outbox import plan_incident
from openconductor.notify.routing import IncidentFacts, common_labels, route
from openconductor.notify.worker import DeliveryWorker
from openconductor.store.ports import NotificationRecord, OutboxWrites, Store


@dataclass(frozen=True, slots=True)
class TestResult:
    target: str
    delivered: bool
    detail: str


@dataclass(frozen=True, slots=True)
class DeadLetters:
    items: list[NotificationRecord]
    next_cursor: str | None


class Notifications:
    def __init__(self, *, store: Store, settings: Settings, config: NotificationConfig | None = None) -> None:
        self.store = store
        self.settings = settings
        self.config = config or NotificationConfig()
        self.worker = DeliveryWorker(store=store, config=self.config, settings=settings.notifications)
        self.base_url = settings.notifications.public_url or f"http://{settings.host}:{settings.port}"

    @property
    def enabled(self) -> bool:
        return self.config.enabled

    # -- producing notices -----------------------------------------------------------------------

    def plan(self, changes: ChangeSet, *, now: datetime) -> OutboxWrites | None:
        """The notices a batch causes: only raised incidents are news to people."""
        if not self.enabled:
            return None
        touched = {**changes.dirty_incidents, **changes.new_incidents}
        raised = [incident for incident in touched.values() if incident.raised_at is not None]
        if not raised:
            return None
        history = self.store.notification_history([incident.id for incident in raised])
        writes = OutboxWrites()
        for incident in raised:
            told = [row for row in history if row.incident_id == incident.id]
            if told and _nothing_new(incident, told):
                continue
            alerts, rules = self._members(incident, changes)
            labels = common_labels(alert.labels for alert in alerts)
            facts = IncidentFacts(
                environment=incident.environment,
                services=frozenset(incident.services),
                severity=incident.severity,
                labels=labels,
            )
            plan_incident(
                document=notice_document(incident, labels=labels, rules=rules, base_url=self.base_url),
                targets=route(self.config.routes, facts),
                history=told,
                now=now,
                throttle=self.settings.notifications.update_throttle,
                writes=writes,
            )
        return writes or None

    def _members(self, incident: Incident, changes: ChangeSet) -> tuple[list[Alert], list[str]]:
        """The incident's alerts and the rules that put them there, as they will be once the batch is stored."""
        stored = [] if incident.id in changes.new_incidents else self.store.incident_members(incident.id)
        alerts = {alert.id: alert for alert, _ in stored}
        rules = {membership.alert_id: membership.rule for _, membership in stored}
        for alert in (*changes.new_alerts.values(), *changes.dirty_alerts.values()):
            if alert.incident_id == incident.id:
                alerts[alert.id] = alert
            else:
                alerts.pop(alert.id, None)
        for membership in changes.memberships:
            if membership.incident_id == incident.id:
                rules[membership.alert_id] = membership.rule
        return list(alerts.values()), [rules[alert_id] for alert_id in alerts if alert_id in rules]

    # -- delivering ------------------------------------------------------------------------------

    def deliver_due(self, now: datetime) -> int:
        return self.worker.deliver_due(now) if self.config.targets else 0

    def send_test(self, target_name: str, *, now: datetime) -> TestResult:
        """Send a made-up incident to one target now, outside the outbox; nothing is stored."""
        target = self.config.targets.get(target_name)
        if target is None:
            expected = f"one of {', '.join(self.config.targets)}" if self.config.targets else "a configured target"
            raise InvalidPayload([FieldProblem("target", expected)])
        document: dict[str, Any] = {
            "incident_id": "inc_test",
            "title": "OpenConductor test notification",
            "status": "open",
            "severity": "info",
            "environment": None,
            "services": [],
            "alert_count": 0,
            "started_at": format_rfc3339(now),
            "resolved_at": None,
            "summary": f"A test sent to target {target_name} to check its configuration; no incident is open.",
            "url": f"{self.base_url}/api/v1/incidents",
            "labels": {},
        }
        notice = notice_from_document("opened", document, sent_at=now)
        try:
            delivered = self.worker.send(target, notice, reference=None)
        except Exception as error:  # a DeliveryError, or the kind of error a faulty target raised
            return TestResult(target_name, False, self.config.redact(str(error)))
        return TestResult(target_name, True, self.config.redact(delivered.detail))

    def close(self) -> None:
        self.worker.close()

    # -- the delivery log and the dead letters ---------------------------------------------------

    def deliveries(self, incident_id: str) -> list[NotificationRecord]:
        return self.store.list_notifications(incident_id=incident_id, status=None, after_id=None, limit=10_000)

    def dead_letters(self, *, limit: int, cursor: str | None) -> DeadLetters:
        after_id = _cursor_id(cursor)
        rows = self.store.list_notifications(incident_id=None, status="dead", after_id=after_id, limit=limit + 1)
        next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
        return DeadLetters(items=rows[:limit], next_cursor=next_cursor)

    def retry(self, notification_id: int, *, now: datetime) -> NotificationRecord:
        requeued = self.store.requeue_notification(notification_id, now=now)
        if requeued is not None:
            return requeued
        existing = self.store.get_notification(notification_id)
        if existing is None:
            raise NotFound("notification", str(notification_id))
        raise InvalidTransition(f"only a dead notification can be retried; this one is {existing.status}")

    def targets(self) -> list[dict[str, Any]]:
        """Each configured target's name, type and the routes (by index) that use it; never its configuration."""
        return [
            {"name": name, "type": target.slug, "routes": self.config.routes_using(name)}
            for name, target in self.config.targets.items()
        ]


def _nothing_new(incident: Incident, told: list[NotificationRecord]) -> bool:
    """Whether every target told of this incident already has its current facts (no alerts read to know)."""
    current = incident_digest(incident)
    latest: dict[str, NotificationRecord] = {}
    for row in told:
        latest[row.target] = row
    return all(digest(row.notice) == current for row in latest.values())


def _cursor_id(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not cursor.isdigit():
        raise InvalidPayload([FieldProblem("cursor", "the next_cursor of an earlier page", repr(cursor[:40]))])
    return int(cursor)
