"""The shared delivery helpers: Retry-After in both forms, explained errors, and URLs kept out of httpx logs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from notify_support import HttpRecorder

from openconductor.notify.contract import DeliveryContext, DeliveryError, retry_after, send_json


def _answer(value: str | None) -> httpx.Response:
    return httpx.Response(429, headers={} if value is None else {"Retry-After": value})


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after(_answer("120")) == 120
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 55 <= (retry_after(_answer(in_a_minute)) or 0) <= 60
    assert retry_after(_answer("Wed, 21 Oct 2015 07:28:00 GMT")) == 0
    assert retry_after(_answer("soon")) is None
    assert retry_after(_answer(None)) is None


def test_explain_adds_a_reason_and_survives_a_broken_one(http_server: HttpRecorder, context: DeliveryContext) -> None:
    http_server.reply(400, "invalid_payload")
    with pytest.raises(DeliveryError) as caught:
        send_json(context, method="POST", url=http_server.url, json={}, what="svc", explain=lambda r: r.text)
    assert str(caught.value) == "svc: HTTP 400 (invalid_payload)"

    def broken(response: httpx.Response) -> str | None:
        raise ValueError("unreadable")

    with pytest.raises(DeliveryError) as caught:
        send_json(context, method="POST", url=http_server.url, json={}, what="svc", explain=broken)
    assert str(caught.value) == "svc: HTTP 400"


def test_httpx_request_log_keeps_only_the_origin(
    http_server: HttpRecorder, context: DeliveryContext, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="httpx")
    send_json(context, method="POST", url=f"{http_server.url}/services/T0/B0/secret-path?sig=s3", json={}, what="svc")
    messages = [record.getMessage() for record in caplog.records if record.name == "httpx"]
    assert messages, "httpx logs each request at INFO"
    assert all("secret-path" not in message and "s3" not in message for message in messages)
    assert any(f"{http_server.url}/..." in message for message in messages)
