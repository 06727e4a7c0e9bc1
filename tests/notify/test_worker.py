"""The delivery worker against a real socket (the webhook target and a recording server), on both databases:
retries with backoff, dead letters, Retry-After, references, stale claims, and no secret in what it keeps or logs."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from notify_support import HttpRecorder
from pydantic import BaseModel, ConfigDict, SecretStr

from openconductor.core.timeutil import utcnow
from openconductor.ingest.integrations import generic
from openconductor.notify import registry
from openconductor.notify.config import parse_notifications
from openconductor.notify.contract import DeliveryError, IncidentNotice, TargetInfo
from openconductor.notify.service import Notifications
from openconductor.service import Platform

TOKEN = "tok-9f8c1d2e7a"


class Leaky:
    """A badly written target: its errors carry its secret, which the worker must scrub."""

    INFO = TargetInfo(slug="leaky", name="Leaky", docs="docs/notifications/leaky.md")

    class Config(BaseModel):
        model_config = ConfigDict(extra="forbid")
        password: SecretStr
        crash: bool = False

    @staticmethod
    def deliver(notice: IncidentNotice, *, config: Any, context: Any) -> Any:
        secret = config.password.get_secret_value()
        if config.crash:
            raise ValueError(f"could not log in with {secret}")
        raise DeliveryError(f"refused password {secret}", retryable=False)


def configure(platform: Platform, targets: list[dict[str, Any]]) -> None:
    config = parse_notifications(
        {"targets": targets, "routes": [{"targets": [t["name"] for t in targets]}]},
        environ={"HOOK_TOKEN": TOKEN},
        targets={**registry.TARGETS, "leaky": Leaky},  # type: ignore[dict-item]
    )
    platform.notifications = Notifications(store=platform.store, settings=platform.settings, config=config)


@pytest.fixture
def hooked(platform: Platform, http_server: HttpRecorder) -> Platform:
    url = f"{http_server.url}/hooks/${{HOOK_TOKEN}}"
    configure(platform, [{"name": "hook", "type": "webhook", "config": {"url": url, "secret": "${HOOK_TOKEN}"}}])
    return platform


def open_incident(platform: Platform, key: str = "a") -> str:
    events = generic.parse(
        {"title": f"disk full {key}", "fingerprint": key, "severity": "critical", "service": "db"}, received_at=utcnow()
    )
    incident_id = platform.ingest(events, integration="generic")[0].incident_id
    assert incident_id is not None
    return incident_id


def test_a_server_error_is_retried_with_backoff_then_delivered(hooked: Platform, http_server: HttpRecorder) -> None:
    http_server.queue(500)
    incident_id = open_incident(hooked)
    now = utcnow()
    assert hooked.deliver_due_notifications(now) == 1
    (row,) = hooked.notifications.deliveries(incident_id)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "webhook: HTTP 500")
    wait = row.next_attempt_at - now
    assert timedelta(seconds=5) <= wait <= timedelta(seconds=10)
    assert hooked.deliver_due_notifications(now + timedelta(seconds=5) - timedelta(milliseconds=1)) == 0
    assert hooked.deliver_due_notifications(now + timedelta(seconds=11)) == 1
    (row,) = hooked.notifications.deliveries(incident_id)
    assert (row.status, row.attempts, row.detail) == ("delivered", 2, "HTTP 200")
    assert len(http_server.requests) == 2
    body = http_server.last.json()
    assert (body["kind"], body["incident"]["id"], body["incident"]["severity"]) == ("opened", incident_id, "critical")
    assert http_server.last.path == f"/hooks/{TOKEN}"
    assert http_server.last.headers["x-openconductor-signature"].startswith("sha256=")


def test_a_refused_notice_goes_to_the_dead_letters_and_can_be_retried(
    hooked: Platform, http_server: HttpRecorder
) -> None:
    http_server.queue(400)
    incident_id = open_incident(hooked)
    hooked.deliver_due_notifications()
    letters = hooked.notifications.dead_letters(limit=10, cursor=None)
    assert [(r.incident_id, r.status, r.last_error, r.detail) for r in letters.items] == [
        (incident_id, "dead", "webhook: HTTP 400", "not retryable")
    ]
    requeued = hooked.notifications.retry(letters.items[0].id, now=utcnow())
    assert (requeued.status, requeued.attempts) == ("pending", 0)
    assert hooked.deliver_due_notifications() == 1
    assert hooked.notifications.deliveries(incident_id)[0].status == "delivered"
    assert hooked.notifications.dead_letters(limit=10, cursor=None).items == []


def test_retry_after_is_honoured(hooked: Platform, http_server: HttpRecorder) -> None:
    http_server.queue(429, headers={"Retry-After": "120"})
    incident_id = open_incident(hooked)
    now = utcnow()
    hooked.deliver_due_notifications(now)
    (row,) = hooked.notifications.deliveries(incident_id)
    assert row.next_attempt_at == now + timedelta(seconds=120)


def test_gives_up_after_max_attempts(hooked: Platform, http_server: HttpRecorder) -> None:
    http_server.reply(503)
    incident_id = open_incident(hooked)
    now = utcnow()
    for hour in range(hooked.settings.notifications.max_attempts):
        hooked.deliver_due_notifications(now + timedelta(hours=hour))
    (row,) = hooked.notifications.deliveries(incident_id)
    assert (row.status, row.attempts, row.detail) == ("dead", 8, "gave up after 8 attempts")
    assert hooked.deliver_due_notifications(now + timedelta(days=1)) == 0


def test_dead_letters_are_paged(hooked: Platform, http_server: HttpRecorder) -> None:
    http_server.reply(404)
    for key in "abc":
        open_incident(hooked, key)
    hooked.deliver_due_notifications()
    first = hooked.notifications.dead_letters(limit=2, cursor=None)
    assert len(first.items) == 2
    assert first.next_cursor is not None
    second = hooked.notifications.dead_letters(limit=2, cursor=first.next_cursor)
    assert len(second.items) == 1
    assert second.next_cursor is None
    assert {r.id for r in first.items}.isdisjoint(r.id for r in second.items)


def test_a_notice_claimed_by_a_stopped_process_is_taken_again(hooked: Platform, http_server: HttpRecorder) -> None:
    incident_id = open_incident(hooked)
    now = utcnow()
    claimed = hooked.store.claim_notifications(now=now, limit=10, stale_before=now - timedelta(minutes=5))
    assert len(claimed) == 1
    assert hooked.deliver_due_notifications(now) == 0  # still within its lease
    assert hooked.deliver_due_notifications(now + hooked.notifications.worker.lease + timedelta(seconds=1)) == 1
    assert hooked.notifications.deliveries(incident_id)[0].status == "delivered"


def test_a_target_removed_from_the_file_is_dead(hooked: Platform, http_server: HttpRecorder) -> None:
    incident_id = open_incident(hooked)
    configure(hooked, [{"name": "other", "type": "webhook", "config": {"url": http_server.url}}])
    hooked.deliver_due_notifications()
    (row,) = hooked.notifications.deliveries(incident_id)
    assert (row.target, row.status, row.last_error) == ("hook", "dead", "target 'hook' is no longer configured")


@pytest.mark.parametrize("crash", [False, True])
def test_secrets_never_reach_the_log_or_the_store(
    platform: Platform, caplog: pytest.LogCaptureFixture, crash: bool
) -> None:
    configure(platform, [{"name": "leaky", "type": "leaky", "config": {"password": "${HOOK_TOKEN}", "crash": crash}}])
    caplog.set_level(logging.DEBUG)
    incident_id = open_incident(platform)
    platform.deliver_due_notifications()
    (row,) = platform.notifications.deliveries(incident_id)
    assert row.status == "dead"
    assert row.last_error == ("leaky: unexpected ValueError" if crash else "refused password ***")
    test = platform.notifications.send_test("leaky", now=utcnow())
    assert not test.delivered
    assert TOKEN not in test.detail
    assert TOKEN not in caplog.text
    assert "leaky" in caplog.text
