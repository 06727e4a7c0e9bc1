"""The Slack target: Block Kit structure and limits, the text fallback, and Slack's answers."""

from __future__ import annotations

from typing import Any

import pytest
from notify_support import HttpRecorder, make_notice, resolved_notice

from openconductor.notify.contract import DeliveryContext, DeliveryError, IncidentNotice
from openconductor.notify.registry import parse_config
from openconductor.notify.targets import slack

TEXT_OBJECT_TYPES = {"plain_text", "mrkdwn"}


def check_block_kit(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The Block Kit rules a message must keep (docs.slack.dev reference/block-kit); returns the blocks."""
    assert isinstance(message["text"], str) and message["text"].strip()
    blocks = message["blocks"]
    assert 1 <= len(blocks) <= 50
    for block in blocks:
        kind = block["type"]
        if kind == "header":
            assert block["text"]["type"] == "plain_text"
            assert 0 < len(block["text"]["text"]) <= 150
        elif kind == "section":
            assert "text" in block or "fields" in block
            if "text" in block:
                assert block["text"]["type"] in TEXT_OBJECT_TYPES
                assert 0 < len(block["text"]["text"]) <= 3000
            for item in block.get("fields", []):
                assert item["type"] in TEXT_OBJECT_TYPES
                assert 0 < len(item["text"]) <= 2000
            assert len(block.get("fields", [])) <= 10
        elif kind == "actions":
            assert 1 <= len(block["elements"]) <= 25
            for element in block["elements"]:
                assert element["type"] == "button"
                assert element["text"]["type"] == "plain_text"
                assert 0 < len(element["text"]["text"]) <= 75
                assert len(element["url"]) <= 3000
                assert len(element["action_id"]) <= 255
        elif kind == "context":
            assert 1 <= len(block["elements"]) <= 10
        else:
            pytest.fail(f"unexpected block type {kind}")
    return blocks


def _send(server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice) -> dict[str, Any]:
    server.reply(200, "ok", headers={"Content-Type": "text/html"})
    config = parse_config("slack", {"webhook_url": f"{server.url}/services/T000/B000/XXXXXXXX"})
    assert isinstance(config, slack.Config)
    delivered = slack.deliver(notice, config=config, context=context)
    assert delivered.detail == "HTTP 200"
    request = server.last
    assert (request.method, request.path) == ("POST", "/services/T000/B000/XXXXXXXX")
    assert request.headers["content-type"] == "application/json"
    body: dict[str, Any] = request.json()
    return body


def test_opened_message(http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice) -> None:
    body = _send(http_server, context, notice)
    blocks = check_block_kit(body)
    assert [block["type"] for block in blocks] == ["header", "section", "section", "actions", "context"]
    assert blocks[0]["text"]["text"] == "[CRITICAL] checkout p99 above 2s"
    fields = [item["text"] for item in blocks[1]["fields"]]
    assert fields == [
        "*Severity*\ncritical",
        "*Status*\nopen",
        "*Environment*\nprod",
        "*Services*\ncheckout, payments",
        "*Alerts*\n3",
        "*Started*\n2026-01-05T10:00:00Z",
    ]
    assert notice.summary in blocks[2]["text"]["text"]
    assert blocks[3]["elements"][0]["url"] == notice.url
    assert "checkout p99 above 2s" in body["text"]


def test_resolved_and_updated_messages_say_so(http_server: HttpRecorder, context: DeliveryContext) -> None:
    resolved = check_block_kit(_send(http_server, context, resolved_notice()))
    assert resolved[0]["text"]["text"].startswith("[RESOLVED]")
    assert "Incident resolved" in resolved[2]["text"]["text"]
    assert "*Resolved*\n2026-01-05T10:40:00Z" in [item["text"] for item in resolved[1]["fields"]]
    updated = check_block_kit(_send(http_server, context, make_notice(kind="updated", alert_count=9)))
    assert updated[0]["text"]["text"].startswith("[UPDATED]")
    assert "*Alerts*\n9" in [item["text"] for item in updated[1]["fields"]]


def test_long_texts_are_cut_to_the_limits(http_server: HttpRecorder, context: DeliveryContext) -> None:
    notice = make_notice(title="t" * 500, summary="s" * 5000, services=tuple(f"svc-{i}" for i in range(400)))
    blocks = check_block_kit(_send(http_server, context, notice))
    assert len(blocks[0]["text"]["text"]) == 150
    assert blocks[0]["text"]["text"].endswith("…")
    assert len(blocks[2]["text"]["text"]) == 3000


def test_markup_in_incident_text_is_escaped(http_server: HttpRecorder, context: DeliveryContext) -> None:
    notice = make_notice(summary="<!channel> look at <http://evil|this> & that", environment="<prod>")
    blocks = check_block_kit(_send(http_server, context, notice))
    assert "&lt;!channel&gt; look at &lt;http://evil|this&gt; &amp; that" in blocks[2]["text"]["text"]
    assert "*Environment*\n&lt;prod&gt;" in [item["text"] for item in blocks[1]["fields"]]


def test_slack_error_word_is_reported(
    http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice
) -> None:
    config = parse_config("slack", {"webhook_url": f"{http_server.url}/services/T000/B000/XXXXXXXX"})
    for status, answer, retryable in [
        (400, "invalid_payload", False),
        (404, "channel_not_found", False),
        (410, "channel_is_archived", False),
        (500, "rollup_error", True),
    ]:
        http_server.reply(status, answer)
        with pytest.raises(DeliveryError) as caught:
            slack.deliver(notice, config=config, context=context)  # type: ignore[arg-type]
        assert str(caught.value) == f"Slack webhook: HTTP {status} ({answer})"
        assert caught.value.retryable is retryable


def test_rate_limit_passes_retry_after_on(
    http_server: HttpRecorder, context: DeliveryContext, notice: IncidentNotice
) -> None:
    config = parse_config("slack", {"webhook_url": f"{http_server.url}/services/T000/B000/XXXXXXXX"})
    http_server.reply(429, "rate_limited", headers={"Retry-After": "1"})
    with pytest.raises(DeliveryError) as caught:
        slack.deliver(notice, config=config, context=context)  # type: ignore[arg-type]
    assert caught.value.retryable
    assert caught.value.retry_after_seconds == 1
