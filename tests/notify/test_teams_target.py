"""The Teams target: the Workflows message envelope and a well-formed Adaptive Card."""

from __future__ import annotations

from typing import Any

from notify_support import HttpRecorder, make_notice, resolved_notice

from openconductor.notify.contract import DeliveryContext, IncidentNotice
from openconductor.notify.registry import parse_config
from openconductor.notify.targets import teams

# Elements and their required properties in Adaptive Cards 1.4 (adaptivecards.io/explorer).
ELEMENT_REQUIRED = {"TextBlock": {"text"}, "FactSet": {"facts"}, "ColumnSet": set(), "Container": {"items"}}
TEXT_SIZES = {"Default", "Small", "Medium", "Large", "ExtraLarge"}
TEXT_COLOURS = {"Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"}


def check_adaptive_card(card: dict[str, Any]) -> None:
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["type"] == "AdaptiveCard"
    assert card["version"] in {"1.4", "1.5"}
    assert isinstance(card["body"], list) and card["body"]
    for element in card["body"]:
        assert element["type"] in ELEMENT_REQUIRED, element["type"]
        assert ELEMENT_REQUIRED[element["type"]] <= set(element)
        if element["type"] == "TextBlock":
            assert isinstance(element["text"], str) and element["text"]
            assert element.get("size", "Default") in TEXT_SIZES
            assert element.get("color", "Default") in TEXT_COLOURS
            assert element.get("weight", "Default") in {"Default", "Lighter", "Bolder"}
        if element["type"] == "FactSet":
            assert element["facts"]
            for fact in element["facts"]:
                assert set(fact) == {"title", "value"}
                assert isinstance(fact["title"], str) and isinstance(fact["value"], str)
    for action in card.get("actions", []):
        assert action["type"] == "Action.OpenUrl"
        assert isinstance(action["title"], str) and action["url"].startswith("http")


def _send(server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice) -> dict[str, Any]:
    server.reply(202)
    url = f"{server.url}/workflows/6a1f/triggers/manual/paths/invoke?api-version=2016-06-01&sig=abc123"
    config = parse_config("teams", {"webhook_url": url})
    assert isinstance(config, teams.Config)
    assert teams.deliver(notice, config=config, context=context).detail == "HTTP 202"
    request = server.last
    assert (request.method, request.path) == ("POST", "/workflows/6a1f/triggers/manual/paths/invoke")
    assert request.query["sig"] == ["abc123"]
    assert request.headers["content-type"] == "application/json"
    body: dict[str, Any] = request.json()
    return body


def test_workflow_message_envelope(http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice) -> None:
    body = _send(http_server, context, notice)
    assert body["type"] == "message"
    assert len(body["attachments"]) == 1
    attachment = body["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert "contentUrl" in attachment and attachment["contentUrl"] is None
    card = attachment["content"]
    check_adaptive_card(card)
    heading, summary, facts, _ = card["body"]
    assert heading["text"] == "[CRITICAL] checkout p99 above 2s"
    assert heading["color"] == "Attention"
    assert summary["text"] == f"New incident. {notice.summary}"
    assert {fact["title"]: fact["value"] for fact in facts["facts"]} == {
        "Severity": "critical",
        "Status": "open",
        "Environment": "prod",
        "Services": "checkout, payments",
        "Alerts": "3",
        "Started": "2026-01-05T10:00:00Z",
    }
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open incident", "url": notice.url}]


def test_resolved_and_updated_cards_say_so(http_server: HttpRecorder, context: DeliveryContext) -> None:
    resolved = _send(http_server, context, resolved_notice())["attachments"][0]["content"]
    check_adaptive_card(resolved)
    assert resolved["body"][0]["text"].startswith("[RESOLVED]")
    assert resolved["body"][0]["color"] == "Good"
    assert resolved["body"][1]["text"].startswith("Incident resolved.")
    assert {"title": "Resolved", "value": "2026-01-05T10:40:00Z"} in resolved["body"][2]["facts"]
    updated = _send(http_server, context, make_notice(kind="updated"))["attachments"][0]["content"]
    check_adaptive_card(updated)
    assert updated["body"][0]["text"].startswith("[UPDATED]")


def test_long_summary_is_cut(http_server: HttpRecorder, context: DeliveryContext) -> None:
    card = _send(http_server, context, make_notice(summary="x" * 50_000))["attachments"][0]["content"]
    check_adaptive_card(card)
    assert len(card["body"][1]["text"]) <= 4100
