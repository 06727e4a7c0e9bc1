"""The generic webhook target: the documented body, the HMAC signature, extra headers and config checks."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest
from notify_support import HttpRecorder, make_notice, resolved_notice

from openconductor.core.errors import InvalidPayload
from openconductor.notify.contract import DeliveryContext, DeliveryError, IncidentNotice
from openconductor.notify.registry import parse_config
from openconductor.notify.targets import webhook

INCIDENT_KEYS = {
    "id", "title", "status", "severity", "environment", "services", "alert_count",
    "started_at", "resolved_at", "summary", "url", "labels",
}  # fmt: skip


def _config(server: HttpRecorder, **extra: object) -> webhook.Config:
    config = parse_config("webhook", {"url": f"{server.url}/hooks/incoming?token=abc", **extra})
    assert isinstance(config, webhook.Config)
    return config


def test_posts_the_documented_body(http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice) -> None:
    delivered = webhook.deliver(notice, config=_config(http_server), context=context)
    assert delivered.detail == "HTTP 200"
    request = http_server.last
    assert (request.method, request.path, request.query) == ("POST", "/hooks/incoming", {"token": ["abc"]})
    assert request.headers["content-type"] == "application/json"
    body = request.json()
    assert body["version"] == "1"
    assert body["kind"] == "opened"
    assert body["sent_at"] == "2026-01-05T10:02:00Z"
    incident = body["incident"]
    assert set(incident) == INCIDENT_KEYS
    assert incident["id"] == notice.incident_id
    assert incident["services"] == ["checkout", "payments"]
    assert incident["alert_count"] == 3
    assert incident["started_at"] == "2026-01-05T10:00:00Z"
    assert incident["resolved_at"] is None
    assert incident["labels"] == {"team": "payments", "region": "eu-west-1"}
    assert "x-openconductor-signature" not in request.headers


def test_resolved_notice_carries_the_resolve_time(http_server: HttpRecorder, context: DeliveryContext) -> None:
    webhook.deliver(resolved_notice(), config=_config(http_server), context=context)
    body = http_server.last.json()
    assert body["kind"] == "resolved"
    assert body["incident"]["status"] == "resolved"
    assert body["incident"]["resolved_at"] == "2026-01-05T10:40:00Z"


def test_signature_is_hmac_sha256_of_timestamp_dot_body(http_server: HttpRecorder, context: DeliveryContext) -> None:
    config = _config(http_server, secret="s3cr3t-signing-key")
    before = int(time.time())
    webhook.deliver(make_notice(title="ünïcode — title"), config=config, context=context)
    request = http_server.last
    timestamp = request.headers["x-openconductor-timestamp"]
    assert before <= int(timestamp) <= int(time.time())
    expected = hmac.new(b"s3cr3t-signing-key", f"{timestamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-openconductor-signature"] == f"sha256={expected}"
    assert request.json()["incident"]["title"] == "ünïcode — title"


def test_extra_headers_are_sent(http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice) -> None:
    config = _config(http_server, headers={"Authorization": "Bearer tok-123", "X-Team": "sre"})
    webhook.deliver(notice, config=config, context=context)
    assert http_server.last.headers["authorization"] == "Bearer tok-123"
    assert http_server.last.headers["x-team"] == "sre"


def test_retry_after_is_passed_on(http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice) -> None:
    http_server.reply(429, "slow down", headers={"Retry-After": "30"})
    with pytest.raises(DeliveryError) as caught:
        webhook.deliver(notice, config=_config(http_server), context=context)
    assert caught.value.retryable
    assert caught.value.retry_after_seconds == 30


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({}, "url"),
        ({"url": "ftp://host/x"}, "url"),
        ({"url": "https://host/x", "headers": {"Content-Type": "text/plain"}}, "headers"),
        ({"url": "https://host/x", "headers": {"bad name": "v"}}, "headers"),
        ({"url": "https://host/x", "secret": 12}, "secret"),
        ({"url": "https://host/x", "sign": True}, "sign"),
    ],
)
def test_bad_config_names_the_field(raw: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidPayload) as caught:
        parse_config("webhook", raw)
    assert [problem.field for problem in caught.value.problems] == [field]
