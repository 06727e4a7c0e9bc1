"""Fixtures for the notification target tests: the recording servers and an HTTP client per test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from notify_support import HttpRecorder, make_notice
from smtp_recorder import SmtpRecorder

from openconductor.notify.contract import DeliveryContext, IncidentNotice


@pytest.fixture
def http_server() -> Iterator[HttpRecorder]:
    recorder = HttpRecorder()
    recorder.thread.start()
    yield recorder
    recorder.server.shutdown()
    recorder.server.server_close()


@pytest.fixture
def smtp_server() -> Iterator[SmtpRecorder]:
    recorder = SmtpRecorder()
    recorder.start()
    yield recorder
    recorder.stop()


@pytest.fixture
def http_client() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


@pytest.fixture
def context(http_client: httpx.Client) -> DeliveryContext:
    return DeliveryContext(http=http_client, timeout_seconds=2.0)


@pytest.fixture
def notice() -> IncidentNotice:
    return make_notice()
