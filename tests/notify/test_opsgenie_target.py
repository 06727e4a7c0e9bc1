"""The Opsgenie target: create, add note and close requests as the Alert API documents them."""

from __future__ import annotations

from typing import Any

import pytest
from notify_support import HttpRecorder, make_notice, resolved_notice

from openconductor.core.errors import InvalidPayload
from openconductor.notify.contract import DeliveryContext, DeliveryError, IncidentNotice
from openconductor.notify.registry import parse_config
from openconductor.notify.targets import opsgenie

API_KEY = "eb243592-faa2-4ba2-a551q-1afdf565c889"
ACCEPTED = {"result": "Request will be processed", "took": 0.302, "requestId": "43a29c5c-3dbf-4fa4-9c26-f4f71023e120"}
ALLOWED_CREATE_KEYS = {
    "message", "alias", "description", "responders", "visibleTo", "actions", "tags", "details",
    "entity", "source", "priority", "user", "note",
}  # fmt: skip


def _send(server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice, **extra: Any) -> dict[str, Any]:
    server.reply(202, ACCEPTED)
    config = parse_config("opsgenie", {"api_key": API_KEY, "api_url": server.url, **extra})
    assert isinstance(config, opsgenie.Config)
    delivered = opsgenie.deliver(notice, config=config, context=context)
    assert delivered.reference == notice.incident_id
    assert delivered.detail.endswith("request 43a29c5c-3dbf-4fa4-9c26-f4f71023e120")
    request = server.last
    assert request.method == "POST"
    assert request.headers["authorization"] == f"GenieKey {API_KEY}"
    assert request.headers["content-type"] == "application/json"
    body: dict[str, Any] = request.json()
    return body


def test_opened_incident_creates_an_alert(
    http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice
) -> None:
    body = _send(http_server, context, notice, responders=["SRE"], user="openconductor")
    assert http_server.last.path == "/v2/alerts"
    assert set(body) <= ALLOWED_CREATE_KEYS
    assert body["message"] == "checkout p99 above 2s"
    assert body["alias"] == notice.incident_id
    assert body["priority"] == "P1"
    assert body["source"] == "OpenConductor"
    assert body["entity"] == "checkout, payments"
    assert body["responders"] == [{"type": "team", "name": "SRE"}]
    assert body["user"] == "openconductor"
    assert notice.summary in body["description"] and notice.url in body["description"]
    assert body["tags"] == ["openconductor", "severity:critical", "env:prod", "service:checkout", "service:payments"]
    assert all(isinstance(value, str) for value in body["details"].values())
    assert body["details"]["alert_count"] == "3"
    assert body["details"]["label.team"] == "payments"


def test_update_adds_a_note_by_alias(http_server: HttpRecorder, context: DeliveryContext) -> None:
    body = _send(http_server, context, make_notice(kind="updated", alert_count=8, incident_id="inc/1 x"))
    assert http_server.last.path == "/v2/alerts/inc%2F1%20x/notes"
    assert http_server.last.query == {"identifierType": ["alias"]}
    assert body["source"] == "OpenConductor"
    assert "Alerts: 8" in body["note"]


def test_resolve_closes_by_alias(http_server: HttpRecorder, context: DeliveryContext) -> None:
    body = _send(http_server, context, resolved_notice())
    assert http_server.last.path == "/v2/alerts/inc_01M8FB29F0V5EQXQ01A3TXSX74/close"
    assert http_server.last.query == {"identifierType": ["alias"]}
    assert body["note"].startswith("Resolved in OpenConductor.")


@pytest.mark.parametrize(
    ("severity", "priority"),
    [("critical", "P1"), ("high", "P2"), ("medium", "P3"), ("low", "P4"), ("info", "P5"), ("unknown", "P3")],
)
def test_priority_mapping(http_server: HttpRecorder, context: DeliveryContext, severity: str, priority: str) -> None:
    assert _send(http_server, context, make_notice(severity=severity))["priority"] == priority


def test_limits(http_server: HttpRecorder, context: DeliveryContext) -> None:
    notice = make_notice(
        title="m" * 400,
        summary="d" * 20000,
        services=tuple(f"service-{'x' * 60}-{i}" for i in range(30)),
        labels={f"k{i}": "v" * 500 for i in range(40)},
    )
    body = _send(http_server, context, notice, priorities={"critical": "P2"}, tags=["team:sre"])
    assert len(body["message"]) == 130
    assert len(body["description"]) == 15000
    assert len(body["entity"]) <= 512
    assert len(body["tags"]) <= 20 and all(len(tag) <= 50 for tag in body["tags"])
    assert "team:sre" in body["tags"]
    assert sum(len(key) + len(value) for key, value in body["details"].items()) <= 8000
    assert body["priority"] == "P2"


def test_error_message_is_reported(http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice) -> None:
    http_server.reply(422, {"message": "Request body is not processable", "took": 0.0, "requestId": "x"})
    config = parse_config("opsgenie", {"api_key": API_KEY, "api_url": http_server.url})
    with pytest.raises(DeliveryError) as caught:
        opsgenie.deliver(notice, config=config, context=context)  # type: ignore[arg-type]
    assert str(caught.value) == "Opsgenie create: HTTP 422 (Request body is not processable)"
    assert not caught.value.retryable


def test_config_defaults_and_errors() -> None:
    config = parse_config("opsgenie", {"api_key": API_KEY})
    assert isinstance(config, opsgenie.Config)
    assert config.api_url == "https://api.opsgenie.com"
    with pytest.raises(InvalidPayload) as caught:
        parse_config("opsgenie", {"api_key": API_KEY, "api_url": "api.eu.opsgenie.com", "priorities": {"high": "P9"}})
    assert sorted(problem.field for problem in caught.value.problems) == ["api_url", "priorities.high"]
