"""The PagerDuty target: Events API v2 trigger and resolve events as PagerDuty documents them."""

from __future__ import annotations

from typing import Any

import pytest
from notify_support import HttpRecorder, make_notice, resolved_notice

from openconductor.core.errors import InvalidPayload
from openconductor.notify.contract import DeliveryContext, DeliveryError, IncidentNotice
from openconductor.notify.registry import parse_config
from openconductor.notify.targets import pagerduty

ROUTING_KEY = "R0123456789abcdef0123456789abcde"  # 32 characters, like PagerDuty's integration keys
ACCEPTED = {"status": "success", "message": "Event processed", "dedup_key": "openconductor-x"}
PAYLOAD_KEYS = {"summary", "source", "severity", "timestamp", "component", "group", "class", "custom_details"}


def _config(server: HttpRecorder, **extra: Any) -> pagerduty.Config:
    config = parse_config("pagerduty", {"routing_key": ROUTING_KEY, "url": f"{server.url}/v2/enqueue", **extra})
    assert isinstance(config, pagerduty.Config)
    return config


def _send(server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice, **extra: Any) -> dict[str, Any]:
    server.reply(202, ACCEPTED)
    delivered = pagerduty.deliver(notice, config=_config(server, **extra), context=context)
    assert delivered.reference == f"openconductor-{notice.incident_id}"
    request = server.last
    assert (request.method, request.path) == ("POST", "/v2/enqueue")
    assert request.headers["content-type"] == "application/json"
    body: dict[str, Any] = request.json()
    return body


def test_opened_incident_triggers(http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice) -> None:
    body = _send(http_server, context, notice)
    assert body["routing_key"] == ROUTING_KEY
    assert body["event_action"] == "trigger"
    assert body["dedup_key"] == "openconductor-inc_01M8FB29F0V5EQXQ01A3TXSX74"
    payload = body["payload"]
    assert set(payload) == PAYLOAD_KEYS
    assert payload["summary"] == "checkout p99 above 2s"
    assert payload["severity"] == "critical"
    assert payload["source"] == "checkout, payments"
    assert payload["component"] == "checkout"
    assert payload["group"] == "prod"
    assert payload["timestamp"] == "2026-01-05T10:00:00Z"
    assert payload["custom_details"]["alert_count"] == 3
    assert payload["custom_details"]["summary"] == notice.summary
    assert body["links"] == [{"href": notice.url, "text": "Incident in OpenConductor"}]
    assert (body["client"], body["client_url"]) == ("OpenConductor", notice.url)


def test_update_is_a_trigger_with_the_same_dedup_key(http_server: HttpRecorder, context: DeliveryContext) -> None:
    opened = _send(http_server, context, make_notice())
    updated = _send(http_server, context, make_notice(kind="updated", alert_count=7, severity="high"))
    assert updated["event_action"] == "trigger"
    assert updated["dedup_key"] == opened["dedup_key"]
    assert updated["payload"]["severity"] == "error"
    assert updated["payload"]["custom_details"]["alert_count"] == 7


def test_resolved_incident_resolves(http_server: HttpRecorder, context: DeliveryContext) -> None:
    body = _send(http_server, context, resolved_notice())
    assert body == {
        "routing_key": ROUTING_KEY,
        "dedup_key": "openconductor-inc_01M8FB29F0V5EQXQ01A3TXSX74",
        "event_action": "resolve",
    }


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [("critical", "critical"), ("high", "error"), ("medium", "warning"), ("low", "warning"),
     ("info", "info"), ("unknown", "warning")],
)  # fmt: skip
def test_severity_mapping(http_server: HttpRecorder, context: DeliveryContext, ours: str, theirs: str) -> None:
    assert _send(http_server, context, make_notice(severity=ours))["payload"]["severity"] == theirs


def test_overrides_and_limits(http_server: HttpRecorder, context: DeliveryContext) -> None:
    notice = make_notice(title="x" * 3000, severity="low", services=(), environment=None)
    body = _send(http_server, context, notice, severities={"low": "info"}, source="oc-prod")
    payload = body["payload"]
    assert len(payload["summary"]) == 1024
    assert payload["severity"] == "info"
    assert payload["source"] == "oc-prod"
    assert "component" not in payload and "group" not in payload
    assert len(body["dedup_key"]) <= 255


def test_invalid_event_message_is_reported(
    http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice
) -> None:
    http_server.reply(400, {"status": "invalid event", "message": "Event object is invalid", "errors": ["x"]})
    with pytest.raises(DeliveryError) as caught:
        pagerduty.deliver(notice, config=_config(http_server), context=context)
    assert str(caught.value) == "PagerDuty Events API: HTTP 400 (Event object is invalid)"
    assert not caught.value.retryable


def test_default_url_and_bad_severity_override() -> None:
    config = parse_config("pagerduty", {"routing_key": ROUTING_KEY})
    assert isinstance(config, pagerduty.Config)
    assert config.url == "https://events.pagerduty.com/v2/enqueue"
    with pytest.raises(InvalidPayload) as caught:
        parse_config("pagerduty", {"routing_key": ROUTING_KEY, "severities": {"high": "urgent"}})
    assert caught.value.problems[0].field == "severities.high"
