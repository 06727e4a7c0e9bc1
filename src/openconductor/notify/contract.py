"""The contract every notification target follows, and the helpers they share.

A target module in `notify/targets/<slug>.py` defines:
- `INFO: TargetInfo`;
- `Config`: a Pydantic model of its settings; secrets are `SecretStr` (never shown, never logged);
- `deliver(notice: IncidentNotice, *, config: Config, context: DeliveryContext) -> Delivered`, which
  sends one notice and raises `DeliveryError` when it could not. `retryable` says whether trying again
  later may succeed (timeouts, connection errors, 5xx, 429) or not (other 4xx, refused recipients).

Targets never import the web framework or the SQL layer. The outbox (notify/outbox.py) owns retries,
backoff, throttling, the dead-letter list and the delivery log; a target only makes one attempt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import httpx

NoticeKind = Literal["opened", "updated", "resolved"]


@dataclass(frozen=True, slots=True)
class TargetInfo:
    slug: str
    name: str
    docs: str  # docs/notifications/<slug>.md


@dataclass(frozen=True, slots=True)
class IncidentNotice:
    """What a target is told about an incident: enough for a useful message without another lookup."""

    kind: NoticeKind
    incident_id: str
    title: str
    status: str  # open | acknowledged | resolved
    severity: str  # critical | high | medium | low | info | unknown
    environment: str | None
    services: tuple[str, ...]
    alert_count: int
    started_at: datetime
    resolved_at: datetime | None
    summary: str  # why these alerts were grouped, in one or two sentences
    url: str  # where a person opens the incident (the UI, else the API)
    labels: dict[str, str] = field(default_factory=dict)
    sent_at: datetime | None = None


@dataclass(slots=True)
class DeliveryContext:
    """What a single attempt may use. `reference` is what this target returned for this incident at an
    earlier delivery (a Jira issue key, a ServiceNow sys_id), so updates land on the same ticket."""

    http: httpx.Client
    reference: str | None = None
    timeout_seconds: float = 10.0


@dataclass(frozen=True, slots=True)
class Delivered:
    reference: str | None = None  # kept and handed back as context.reference next time
    detail: str = ""  # short, secret-free, for the delivery log (e.g. "HTTP 200", "issue OPS-12")


class DeliveryError(Exception):
    """One attempt failed. The message must never contain a secret (URLs of webhooks are secrets too)."""

    def __init__(self, message: str, *, retryable: bool, retry_after_seconds: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        # What the service asked for (a Retry-After header on 429 or 503); the outbox waits at least this long.
        self.retry_after_seconds = retry_after_seconds


def is_retryable_status(status: int) -> bool:
    return status >= 500 or status in (408, 429)


def send_json(
    context: DeliveryContext,
    *,
    method: str,
    url: str,
    json: Any = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    what: str,
    explain: Callable[[httpx.Response], str | None] | None = None,
) -> httpx.Response:
    """One HTTP request with a JSON body (`json`, or `content` already encoded, for signed bodies); any
    failure becomes a DeliveryError that names `what` (for example "Slack webhook") and the status, but
    never the URL, the headers or the body. `explain` may pick a secret-free reason out of an error
    answer (a vendor's error code), which is added in parentheses."""
    if content is not None:
        headers = {"Content-Type": "application/json", **(headers or {})}
    try:
        response = context.http.request(
            method, url, json=json, content=content, headers=headers, auth=auth, timeout=context.timeout_seconds
        )
    except httpx.TimeoutException:
        raise DeliveryError(f"{what}: timed out after {context.timeout_seconds:g} s", retryable=True) from None
    except httpx.HTTPError as error:
        raise DeliveryError(f"{what}: {type(error).__name__}", retryable=True) from None
    if response.status_code >= 400:
        reason = _explained(explain, response)
        raise DeliveryError(
            f"{what}: HTTP {response.status_code}{f' ({reason})' if reason else ''}",
            retryable=is_retryable_status(response.status_code),
            retry_after_seconds=retry_after(response),
        )
    return response


def _explained(explain: Callable[[httpx.Response], str | None] | None, response: httpx.Response) -> str | None:
    if explain is None:
        return None
    try:
        return explain(response)
    except Exception:  # an answer that cannot be read is explained by its status alone
        return None


def retry_after(response: httpx.Response) -> float | None:
    """The Retry-After header in seconds (it may be a number of seconds or an HTTP date), else None."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class _RedactRequestUrls(logging.Filter):
    """httpx logs every request's full URL at INFO; for webhooks the path or query is the secret, so only
    the scheme, host and port are kept in those records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(arg, httpx.URL) for arg in record.args):
            record.args = tuple(
                f"{arg.scheme}://{arg.host}{'' if arg.port is None else f':{arg.port}'}/..."
                if isinstance(arg, httpx.URL)
                else arg
                for arg in record.args
            )
        return True


if not any(isinstance(existing, _RedactRequestUrls) for existing in logging.getLogger("httpx").filters):
    logging.getLogger("httpx").addFilter(_RedactRequestUrls())
