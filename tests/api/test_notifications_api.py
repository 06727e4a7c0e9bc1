"""Notifications end to end through the real app, on SQLite and PostgreSQL: a notifications file read at start-up,
webhooks posting to a local recording server, the delivery log, dead letters, retry, test sends and no secret shown."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openconductor.api.app import create_app
from openconductor.bootstrap import create_platform
from openconductor.config.settings import Settings
from openconductor.core.errors import InvalidPayload
from openconductor.core.timeutil import utcnow
from openconductor.service import Platform

TOKEN = "hook-token-5b1e0c"


class Receiver:
    """A local HTTP server: records each JSON body by path and answers with the next scripted status (else 200)."""

    def __init__(self) -> None:
        self.received: dict[str, list[dict[str, Any]]] = {}
        self.script: dict[str, list[int]] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                receiver.received.setdefault(self.path, []).append(body)
                statuses = receiver.script.get(self.path) or [200]
                self.send_response(statuses.pop(0) if len(statuses) > 1 else statuses[0])
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def kinds(self, name: str) -> list[str]:
        return [body["kind"] for body in self.received.get(f"/{name}/{TOKEN}", [])]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def notifying_settings(
    settings: Settings, tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    monkeypatch.setenv("HOOK_TOKEN", TOKEN)
    targets = "\n".join(
        f"  - name: {name}\n    type: webhook\n    config:\n      url: {receiver.url}/{name}/${{HOOK_TOKEN}}"
        for name in ("ops", "flaky", "strict")
    )
    path = tmp_path / "notifications.yaml"
    path.write_text(
        f"targets:\n{targets}\nroutes:\n  - match: {{environment: prod}}\n    targets: [ops, flaky, strict]\n"
    )
    return settings.model_copy(update={"notifications_file": path})


@pytest.fixture
def app_platform(notifying_settings: Settings) -> Iterator[Platform]:
    created = create_platform(notifying_settings)
    yield created
    created.store.close()


@pytest.fixture
def api(app_platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(app_platform, run_sweeper=False)) as test_client:
        yield test_client


def post_alert(api: TestClient, title: str) -> str:
    alert = {"title": title, "service": "checkout", "environment": "prod", "severity": "high"}
    answer = api.post("/api/v1/alerts", json=alert)
    assert answer.status_code == 202
    incident_id: str = answer.json()["alerts"][0]["incident_id"]
    return incident_id


def test_alerts_to_notices_end_to_end(
    api: TestClient, app_platform: Platform, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    receiver.script = {f"/flaky/{TOKEN}": [500, 200], f"/strict/{TOKEN}": [400, 200]}
    incident_id = post_alert(api, "checkout 5xx")
    start = utcnow()
    app_platform.deliver_due_notifications(start)
    app_platform.deliver_due_notifications(start)
    assert receiver.kinds("ops") == ["opened"]  # exactly once
    assert receiver.received[f"/ops/{TOKEN}"][0]["incident"]["id"] == incident_id

    # The 400 is in the dead letters; a retry re-queues it and it is delivered.
    letters = api.get("/api/v1/notifications/dead-letters").json()
    assert [(d["target"], d["kind"], d["last_error"]) for d in letters["items"]] == [
        ("strict", "opened", "webhook: HTTP 400")
    ]
    retried = api.post(f"/api/v1/notifications/{letters['items'][0]['id']}/retry")
    assert (retried.status_code, retried.json()["status"]) == (200, "pending")
    assert api.post(f"/api/v1/notifications/{letters['items'][0]['id']}/retry").status_code == 409
    app_platform.deliver_due_notifications()
    assert receiver.kinds("strict") == ["opened", "opened"]
    assert api.get("/api/v1/notifications/dead-letters").json() == {"items": [], "next_cursor": None}

    # More alerts: one throttled update to ops; flaky's opened notice, still waiting for its retry, takes them in.
    post_alert(api, "checkout latency")
    post_alert(api, "checkout errors")
    app_platform.deliver_due_notifications(start + timedelta(minutes=1))
    assert receiver.kinds("ops") == ["opened"]
    app_platform.deliver_due_notifications(start + timedelta(minutes=6))
    assert receiver.kinds("ops") == ["opened", "updated"]
    assert receiver.received[f"/ops/{TOKEN}"][1]["incident"]["alert_count"] == 3
    # Answered 500, then delivered with the latest state, never as a separate update.
    assert set(receiver.kinds("flaky")) == {"opened"}
    assert receiver.received[f"/flaky/{TOKEN}"][-1]["incident"]["alert_count"] == 3

    # Resolving through the API notifies every target.
    assert api.post(f"/api/v1/incidents/{incident_id}/resolve").status_code == 200
    app_platform.deliver_due_notifications(start + timedelta(minutes=7))
    assert receiver.kinds("ops") == ["opened", "updated", "resolved"]
    assert receiver.kinds("strict") == ["opened", "opened", "updated", "resolved"]

    log = api.get(f"/api/v1/incidents/{incident_id}/deliveries").json()
    by_target = {name: [(d["kind"], d["status"]) for d in log if d["target"] == name] for name in ("ops", "strict")}
    assert by_target["ops"] == [("opened", "delivered"), ("updated", "delivered"), ("resolved", "delivered")]
    assert by_target["strict"][0] == ("opened", "delivered")  # after its retry
    assert all(d["attempts"] >= 1 for d in log)
    assert TOKEN not in json.dumps(log)
    assert TOKEN not in caplog.text


def test_targets_test_sends_and_errors_that_name_the_field(api: TestClient, receiver: Receiver) -> None:
    targets = api.get("/api/v1/notifications/targets")
    assert targets.json() == [
        {"name": "ops", "type": "webhook", "routes": [0]},
        {"name": "flaky", "type": "webhook", "routes": [0]},
        {"name": "strict", "type": "webhook", "routes": [0]},
    ]
    assert TOKEN not in targets.text and receiver.url not in targets.text

    sent = api.post("/api/v1/notifications/test", json={"target": "ops"})
    assert sent.json() == {"target": "ops", "delivered": True, "detail": "HTTP 200"}
    assert receiver.received[f"/ops/{TOKEN}"][0]["incident"]["title"] == "OpenConductor test notification"
    receiver.script = {f"/strict/{TOKEN}": [403]}
    refused = api.post("/api/v1/notifications/test", json={"target": "strict"}).json()
    assert refused == {"target": "strict", "delivered": False, "detail": "webhook: HTTP 403"}

    unknown = api.post("/api/v1/notifications/test", json={"target": "nope"})
    assert unknown.status_code == 422
    assert unknown.json()["problems"][0]["field"] == "target"
    assert "ops, flaky, strict" in unknown.json()["problems"][0]["expected"]
    missing = api.post("/api/v1/notifications/test", json={})
    assert (missing.status_code, missing.json()["problems"][0]["field"]) == (422, "target")
    assert api.post("/api/v1/notifications/999/retry").status_code == 404
    bad_id = api.post("/api/v1/notifications/abc/retry")
    assert (bad_id.status_code, bad_id.json()["problems"][0]["field"]) == (422, "notification_id")
    bad_cursor = api.get("/api/v1/notifications/dead-letters", params={"cursor": "x"})
    assert (bad_cursor.status_code, bad_cursor.json()["problems"][0]["field"]) == (422, "cursor")
    assert api.get("/api/v1/incidents/inc_missing/deliveries").status_code == 404


def test_a_bad_notifications_file_stops_the_start(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "notifications.yaml"
    path.write_text("targets:\n  - {name: ops, type: webhook, config: {}}\nroutes:\n  - targets: [ops, pager]\n")
    with pytest.raises(InvalidPayload) as caught:
        create_platform(settings.model_copy(update={"notifications_file": path}))
    assert {problem.field for problem in caught.value.problems} == {"targets[0].config.url", "routes[0].targets[1]"}


def test_without_a_file_nothing_is_kept(client: TestClient, platform: Platform) -> None:
    incident_id = post_alert(client, "checkout 5xx")
    assert platform.deliver_due_notifications() == 0
    assert client.get(f"/api/v1/incidents/{incident_id}/deliveries").json() == []
    assert client.get("/api/v1/notifications/targets").json() == []
