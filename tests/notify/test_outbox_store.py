"""Notices written with the batches that cause them, on SQLite and PostgreSQL: opened once, updates throttled and
coalesced, resolved last, nothing for an incident never raised, and nothing at all for a batch that failed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from openconductor.bootstrap import create_platform
from openconductor.config.settings import Settings
from openconductor.core.changes import ChangeSet
from openconductor.core.errors import StoreUnavailable
from openconductor.core.timeutil import utcnow
from openconductor.ingest.integrations import generic
from openconductor.notify.config import parse_notifications
from openconductor.notify.contract import Delivered, DeliveryError, IncidentNotice, TargetInfo
from openconductor.notify.service import Notifications
from openconductor.service import Platform
from openconductor.store.ports import NewNotification, OutboxWrites


class Recorder:
    """A target kept in the tests: records what it is told, and fails while `failures` holds errors."""

    INFO = TargetInfo(slug="recorder", name="Recorder", docs="docs/notifications/recorder.md")

    class Config(BaseModel):
        model_config = ConfigDict(extra="forbid")

    def __init__(self) -> None:
        self.told: list[IncidentNotice] = []
        self.references: list[str | None] = []
        self.failures: list[DeliveryError] = []

    def deliver(self, notice: IncidentNotice, *, config: BaseModel, context: Any) -> Delivered:
        if self.failures:
            raise self.failures.pop(0)
        self.told.append(notice)
        self.references.append(context.reference)
        return Delivered(reference=f"REF-{notice.incident_id[-4:]}", detail="recorded")

    @property
    def kinds(self) -> list[str]:
        return [notice.kind for notice in self.told]


def with_recorder(platform: Platform, recorder: Recorder, routes: list[dict[str, Any]] | None = None) -> None:
    config = parse_notifications(
        {"targets": [{"name": "rec", "type": "recorder"}], "routes": routes or [{"targets": ["rec"]}]},
        environ={},
        targets={"recorder": recorder},  # type: ignore[dict-item]
    )
    platform.notifications = Notifications(store=platform.store, settings=platform.settings, config=config)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def notifying(platform: Platform, recorder: Recorder) -> Platform:
    with_recorder(platform, recorder)
    return platform


def send(platform: Platform, *alerts: dict[str, Any]) -> list[str | None]:
    events = generic.parse(list(alerts), received_at=utcnow())
    return [outcome.incident_id for outcome in platform.ingest(events, integration="generic")]


def alert(key: str, status: str = "firing", severity: str = "high") -> dict[str, Any]:
    return {
        "title": f"checkout {key}",
        "fingerprint": key,
        "status": status,
        "severity": severity,
        "service": "checkout",
        "environment": "prod",
        "labels": {"team": "web", "alert": key},
    }


def statuses(platform: Platform, incident_id: str) -> list[tuple[str, str]]:
    return [(row.kind, row.status) for row in platform.notifications.deliveries(incident_id)]


def test_opened_once_updates_throttled_and_coalesced_resolved_last(notifying: Platform, recorder: Recorder) -> None:
    (incident_id,) = send(notifying, alert("a"))
    assert incident_id is not None
    assert notifying.deliver_due_notifications() == 1
    assert recorder.kinds == ["opened"]
    assert recorder.told[0].labels == {"team": "web", "alert": "a"}
    assert "1 alert (1 firing) on checkout in prod" in recorder.told[0].summary
    send(notifying, alert("a"))  # a repeat is no news
    send(notifying, alert("b"))
    send(notifying, alert("c", severity="critical"))
    assert statuses(notifying, incident_id) == [("opened", "delivered"), ("updated", "pending")]
    assert notifying.deliver_due_notifications() == 0  # throttled
    assert notifying.deliver_due_notifications(utcnow() + timedelta(minutes=6)) == 1
    update = recorder.told[-1]
    assert (update.kind, update.alert_count, update.severity) == ("updated", 3, "critical")
    assert update.labels == {"team": "web"}
    assert recorder.references == [None, "REF-" + incident_id[-4:]]
    # A resolve drops the update still waiting for its turn, and is sent at once.
    send(notifying, alert("d"))
    notifying.resolve(incident_id)
    assert statuses(notifying, incident_id)[-2:] == [("updated", "dropped"), ("resolved", "pending")]
    assert notifying.deliver_due_notifications() == 1
    assert recorder.kinds == ["opened", "updated", "resolved"]
    # Reopening tells the target of it again as opened.
    notifying.reopen(incident_id)
    notifying.deliver_due_notifications()
    assert recorder.kinds[-1] == "opened"


def test_an_acknowledge_is_an_update(notifying: Platform, recorder: Recorder) -> None:
    (incident_id,) = send(notifying, alert("a"))
    notifying.deliver_due_notifications()
    notifying.acknowledge(incident_id or "")
    notifying.deliver_due_notifications(utcnow() + timedelta(minutes=6))
    assert [(n.kind, n.status) for n in recorder.told] == [("opened", "open"), ("updated", "acknowledged")]


def test_order_is_kept_while_the_opened_notice_is_retried(notifying: Platform, recorder: Recorder) -> None:
    recorder.failures.append(DeliveryError("HTTP 503", retryable=True))
    (incident_id,) = send(notifying, alert("a"))
    assert notifying.deliver_due_notifications() == 1
    send(notifying, alert("a", status="resolved"))
    later = utcnow() + timedelta(minutes=1)
    # The resolved notice is due, but waits for the opened one, which is retried first.
    assert statuses(notifying, incident_id or "") == [("opened", "pending"), ("resolved", "pending")]
    assert notifying.deliver_due_notifications(later) == 2
    assert recorder.kinds == ["opened", "resolved"]
    log = notifying.notifications.deliveries(incident_id or "")
    assert (log[0].attempts, log[0].last_error) == (2, "HTTP 503")


def test_routes_choose_the_incidents(platform: Platform, recorder: Recorder) -> None:
    with_recorder(platform, recorder, routes=[{"match": {"severity": "critical"}, "targets": ["rec"]}])
    send(platform, alert("a", severity="warning"))
    send(platform, {**alert("z", severity="critical"), "service": "payments"})
    platform.deliver_due_notifications()
    assert [(n.kind, n.services) for n in recorder.told] == [("opened", ("payments",))]


@pytest.fixture
def engine_platform(database_url: str, tmp_path: Any) -> Iterator[Platform]:
    settings = Settings(database_url=database_url, data_dir=tmp_path, correlator="engine")
    created = create_platform(settings)
    yield created
    created.store.close()


def test_an_incident_never_raised_never_notifies(engine_platform: Platform, recorder: Recorder) -> None:
    with_recorder(engine_platform, recorder)
    (incident_id,) = send(engine_platform, alert("lonely"))
    assert engine_platform.get_incident(incident_id or "").raised_at is None
    engine_platform.acknowledge(incident_id or "")
    send(engine_platform, alert("lonely", status="resolved"))
    assert engine_platform.deliver_due_notifications(utcnow() + timedelta(hours=1)) == 0
    assert engine_platform.notifications.deliveries(incident_id or "") == []
    assert recorder.told == []


def test_a_failed_batch_leaves_no_notice(notifying: Platform) -> None:
    (incident_id,) = send(notifying, alert("a"))
    incident = notifying.get_incident(incident_id or "")
    changes = ChangeSet()
    changes.incident_added(incident)  # already stored: the insert fails
    entry = NewNotification(
        incident_id=incident.id, target="rec", kind="updated", notice={}, due_at=utcnow(), created_at=utcnow()
    )
    with pytest.raises(StoreUnavailable):
        notifying.store.apply(changes, OutboxWrites(added=[entry]))
    assert statuses(notifying, incident.id) == [("opened", "pending")]
