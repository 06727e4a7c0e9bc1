"""The ServiceNow target: Table API create, update and resolve requests on the incident table."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from notify_support import HttpRecorder, make_notice, resolved_notice

from openconductor.core.errors import InvalidPayload
from openconductor.notify.contract import DeliveryContext, DeliveryError, IncidentNotice
from openconductor.notify.registry import parse_config
from openconductor.notify.targets import servicenow

SYS_ID = "9d385017c611228701d22104cc95c371"
RECORD = {"result": {"sys_id": SYS_ID, "number": "INC0010023"}}
BASIC = "Basic " + base64.b64encode(b"oc.integration:sn-pass").decode()
QUERY = {"sysparm_fields": ["sys_id,number"], "sysparm_exclude_reference_link": ["true"]}


def _config(server: HttpRecorder, **changes: Any) -> servicenow.Config:
    raw = {"instance_url": server.url, "username": "oc.integration", "password": "sn-pass", **changes}
    config = parse_config("servicenow", raw)
    assert isinstance(config, servicenow.Config)
    return config


def _check_request(server: HttpRecorder, method: str, path: str) -> dict[str, Any]:
    request = server.last
    assert (request.method, request.path, request.query) == (method, path, QUERY)
    assert request.headers["authorization"] == BASIC
    assert request.headers["accept"] == "application/json"
    assert request.headers["content-type"] == "application/json"
    body: dict[str, Any] = request.json()
    assert all(isinstance(value, str) for value in body.values())  # the Table API takes field values as strings
    return body


def test_opened_incident_creates_one(
    http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice
) -> None:
    http_server.reply(201, RECORD)
    config = _config(http_server, caller_id="6816f79cc0a8016401c5a33be04be441", assignment_group="Service Desk")
    delivered = servicenow.deliver(notice, config=config, context=context)
    assert (delivered.reference, delivered.detail) == (SYS_ID, "incident INC0010023 created")
    body = _check_request(http_server, "POST", "/api/now/table/incident")
    assert body["short_description"] == "checkout p99 above 2s"
    assert notice.summary in body["description"] and notice.url in body["description"]
    assert (body["urgency"], body["impact"]) == ("1", "1")
    assert body["correlation_id"] == notice.incident_id
    assert body["correlation_display"] == "OpenConductor"
    assert body["caller_id"] == "6816f79cc0a8016401c5a33be04be441"
    assert body["assignment_group"] == "Service Desk"
    assert "category" not in body and "state" not in body


@pytest.mark.parametrize(
    ("severity", "urgency", "impact"),
    [("critical", "1", "1"), ("high", "1", "2"), ("medium", "2", "2"), ("low", "2", "3"), ("info", "3", "3")],
)
def test_urgency_and_impact(
    http_server: HttpRecorder, context: DeliveryContext, severity: str, urgency: str, impact: str
) -> None:
    http_server.reply(201, RECORD)
    servicenow.deliver(make_notice(severity=severity), config=_config(http_server), context=context)
    body = http_server.last.json()
    assert (body["urgency"], body["impact"]) == (urgency, impact)


def test_short_description_limit(http_server: HttpRecorder, context: DeliveryContext) -> None:
    http_server.reply(201, RECORD)
    servicenow.deliver(make_notice(title="a\nb " + "x" * 300), config=_config(http_server), context=context)
    short = http_server.last.json()["short_description"]
    assert len(short) == 160 and "\n" not in short


def test_update_adds_work_notes(http_server: HttpRecorder, context: DeliveryContext) -> None:
    http_server.reply(200, RECORD)
    context.reference = SYS_ID
    notice = make_notice(kind="updated", alert_count=11, severity="high")
    delivered = servicenow.deliver(notice, config=_config(http_server), context=context)
    assert delivered.detail == "incident INC0010023 updated"
    body = _check_request(http_server, "PATCH", f"/api/now/table/incident/{SYS_ID}")
    assert set(body) == {"work_notes", "urgency", "impact"}
    assert body["work_notes"].startswith("Incident updated: ") and "Alerts: 11" in body["work_notes"]
    assert (body["urgency"], body["impact"]) == ("1", "2")


def test_resolve_sets_state_close_code_and_notes(http_server: HttpRecorder, context: DeliveryContext) -> None:
    http_server.reply(200, RECORD)
    context.reference = SYS_ID
    config = _config(http_server, close_code="Solved (Permanently)")
    delivered = servicenow.deliver(resolved_notice(), config=config, context=context)
    assert delivered.detail == "incident INC0010023 resolved"
    body = _check_request(http_server, "PATCH", f"/api/now/table/incident/{SYS_ID}")
    assert body["state"] == "6"
    assert body["close_code"] == "Solved (Permanently)"
    assert body["close_notes"].startswith("Incident resolved: ")


def test_resolve_without_a_record_creates_then_resolves(http_server: HttpRecorder, context: DeliveryContext) -> None:
    http_server.queue(201, RECORD)
    http_server.queue(200, RECORD)
    delivered = servicenow.deliver(resolved_notice(), config=_config(http_server), context=context)
    assert delivered.reference == SYS_ID
    assert [(r.method, r.path) for r in http_server.requests] == [
        ("POST", "/api/now/table/incident"),
        ("PATCH", f"/api/now/table/incident/{SYS_ID}"),
    ]


def test_error_message_is_reported(http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice) -> None:
    http_server.reply(
        401,
        {
            "error": {"message": "User Not Authenticated", "detail": "Required to provide Auth information"},
            "status": "failure",
        },
    )
    with pytest.raises(DeliveryError) as caught:
        servicenow.deliver(notice, config=_config(http_server), context=context)
    assert str(caught.value) == "ServiceNow create incident: HTTP 401 (User Not Authenticated)"
    assert not caught.value.retryable


def test_answer_without_sys_id_is_an_error(
    http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice
) -> None:
    http_server.reply(201, "<html>login</html>")
    with pytest.raises(DeliveryError) as caught:
        servicenow.deliver(notice, config=_config(http_server), context=context)
    assert str(caught.value) == "ServiceNow create incident: the answer holds no sys_id"


def test_config_errors() -> None:
    with pytest.raises(InvalidPayload) as caught:
        parse_config("servicenow", {"instance_url": "dev1.service-now.com", "username": ""})
    assert sorted(problem.field for problem in caught.value.problems) == ["instance_url", "password", "username"]
