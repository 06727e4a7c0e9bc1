"""The Jira target: REST API v2 issue creation, comments and the resolve transition, as Jira documents them."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from notify_support import HttpRecorder, make_notice, resolved_notice

from openconductor.core.errors import InvalidPayload
from openconductor.notify.contract import DeliveryContext, DeliveryError, IncidentNotice
from openconductor.notify.registry import parse_config
from openconductor.notify.targets import jira

CREATED = {"id": "10012", "key": "OPS-12", "self": "https://example.atlassian.net/rest/api/2/issue/10012"}
COMMENTED = {"id": "10100", "body": "..."}
TRANSITIONS = {
    "expand": "transitions",
    "transitions": [
        {"id": "11", "name": "To Do", "to": {"name": "To Do"}},
        {"id": "21", "name": "In Progress", "to": {"name": "In Progress"}},
        {"id": "31", "name": "Done", "to": {"name": "Done"}},
    ],
}


def _config(server: HttpRecorder, **changes: Any) -> jira.Config:
    raw = {"base_url": server.url, "project_key": "OPS", "email": "bot@example.com", "api_token": "tok-1", **changes}
    config = parse_config("jira", raw)
    assert isinstance(config, jira.Config)
    return config


def test_opened_incident_creates_an_issue(
    http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice
) -> None:
    http_server.reply(201, CREATED)
    delivered = jira.deliver(notice, config=_config(http_server, labels=["on call"]), context=context)
    assert (delivered.reference, delivered.detail) == ("OPS-12", "issue OPS-12 created")
    request = http_server.last
    assert (request.method, request.path) == ("POST", "/rest/api/2/issue")
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"bot@example.com:tok-1").decode()
    assert request.headers["content-type"] == "application/json"
    fields = request.json()["fields"]
    assert set(fields) == {"project", "summary", "description", "issuetype", "labels"}
    assert fields["project"] == {"key": "OPS"}
    assert fields["summary"] == "[CRITICAL] checkout p99 above 2s"
    assert fields["issuetype"] == {"name": "Task"}
    assert fields["labels"] == ["openconductor", "severity-critical", "on-call", "env-prod"]
    assert all(" " not in label for label in fields["labels"])
    assert notice.summary in fields["description"]
    assert "||Services|checkout, payments|" in fields["description"]
    assert f"[Open the incident in OpenConductor|{notice.url}]" in fields["description"]


def test_priority_is_sent_only_when_mapped(http_server: HttpRecorder, context: DeliveryContext) -> None:
    http_server.reply(201, CREATED)
    config = _config(http_server, priorities={"critical": "Highest", "high": "High"})
    jira.deliver(make_notice(), config=config, context=context)
    assert http_server.last.json()["fields"]["priority"] == {"name": "Highest"}
    jira.deliver(make_notice(severity="low"), config=config, context=context)
    assert "priority" not in http_server.last.json()["fields"]


def test_summary_limit_and_wiki_escaping(http_server: HttpRecorder, context: DeliveryContext) -> None:
    http_server.reply(201, CREATED)
    notice = make_notice(title="line one\nline two " + "x" * 400, summary="see [this|http://evil] {code} *bold*")
    jira.deliver(notice, config=_config(http_server), context=context)
    fields = http_server.last.json()["fields"]
    assert len(fields["summary"]) == 255 and "\n" not in fields["summary"]
    assert r"see \[this\|http://evil\] \{code\} \*bold\*" in fields["description"]


def test_personal_access_token_is_a_bearer(
    http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice
) -> None:
    http_server.reply(201, CREATED)
    config = _config(http_server, email=None, api_token=None, personal_access_token="pat-2")
    jira.deliver(notice, config=config, context=context)
    assert http_server.last.headers["authorization"] == "Bearer pat-2"


def test_update_comments_on_the_issue(http_server: HttpRecorder, context: DeliveryContext) -> None:
    http_server.reply(201, COMMENTED)
    context.reference = "OPS-12"
    delivered = jira.deliver(make_notice(kind="updated", alert_count=6), config=_config(http_server), context=context)
    assert (delivered.reference, delivered.detail) == ("OPS-12", "comment on OPS-12")
    request = http_server.last
    assert (request.method, request.path) == ("POST", "/rest/api/2/issue/OPS-12/comment")
    body = request.json()
    assert set(body) == {"body"}
    assert body["body"].startswith("*Updated in OpenConductor.*") and "||Alerts|6|" in body["body"]


def test_update_without_an_issue_creates_one(http_server: HttpRecorder, context: DeliveryContext) -> None:
    http_server.reply(201, CREATED)
    delivered = jira.deliver(make_notice(kind="updated"), config=_config(http_server), context=context)
    assert delivered.reference == "OPS-12"
    assert [(r.method, r.path) for r in http_server.requests] == [("POST", "/rest/api/2/issue")]


def test_resolve_transitions_then_comments(http_server: HttpRecorder, context: DeliveryContext) -> None:
    http_server.queue(200, TRANSITIONS)
    http_server.queue(204)
    http_server.queue(201, COMMENTED)
    context.reference = "OPS-12"
    delivered = jira.deliver(resolved_notice(), config=_config(http_server), context=context)
    assert delivered.detail == "OPS-12 moved by 'Done', comment added"
    assert [(r.method, r.path) for r in http_server.requests] == [
        ("GET", "/rest/api/2/issue/OPS-12/transitions"),
        ("POST", "/rest/api/2/issue/OPS-12/transitions"),
        ("POST", "/rest/api/2/issue/OPS-12/comment"),
    ]
    assert http_server.requests[1].json() == {"transition": {"id": "31"}}
    assert http_server.requests[2].json()["body"].startswith("*Resolved in OpenConductor.*")


def test_resolve_matches_the_target_status_too(http_server: HttpRecorder, context: DeliveryContext) -> None:
    http_server.queue(200, {"transitions": [{"id": "2", "name": "Close Issue", "to": {"name": "Closed"}}]})
    http_server.queue(204)
    http_server.queue(201, COMMENTED)
    context.reference = "OPS-12"
    jira.deliver(resolved_notice(), config=_config(http_server, resolve_transition="closed"), context=context)
    assert http_server.requests[1].json() == {"transition": {"id": "2"}}


def test_resolve_without_that_transition_only_comments(http_server: HttpRecorder, context: DeliveryContext) -> None:
    http_server.queue(200, {"transitions": [{"id": "11", "name": "Reopen", "to": {"name": "To Do"}}]})
    http_server.queue(201, COMMENTED)
    context.reference = "OPS-12"
    delivered = jira.deliver(resolved_notice(), config=_config(http_server), context=context)
    assert delivered.detail == "comment on OPS-12; no transition 'Done' offered"
    assert [r.method for r in http_server.requests] == ["GET", "POST"]
    assert http_server.last.path == "/rest/api/2/issue/OPS-12/comment"


def test_refused_fields_are_named(http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice) -> None:
    http_server.reply(400, {"errorMessages": [], "errors": {"priority": "Field 'priority' cannot be set."}})
    with pytest.raises(DeliveryError) as caught:
        jira.deliver(notice, config=_config(http_server), context=context)
    assert str(caught.value) == "Jira create issue: HTTP 400 (fields priority)"
    assert not caught.value.retryable


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": None}, "config"),
        ({"personal_access_token": "pat"}, "config"),
        ({"email": None, "api_token": None}, "config"),
        ({"project_key": "ops"}, "project_key"),
    ],
)
def test_config_errors(changes: dict[str, Any], field: str) -> None:
    raw = {"base_url": "https://example.atlassian.net", "project_key": "OPS", "email": "a@b.c", "api_token": "t"}
    with pytest.raises(InvalidPayload) as caught:
        parse_config("jira", {key: value for key, value in {**raw, **changes}.items() if value is not None})
    assert [problem.field for problem in caught.value.problems] == [field]
