"""Generic webhook: the notice as JSON (schema version "1") in a POST, HMAC-SHA256 signed when a secret is set.

Body: {"version": "1", "kind", "sent_at", "incident": {id, title, status, severity, environment, services,
alert_count, started_at, resolved_at, summary, url, labels}}. With a secret, `X-OpenConductor-Timestamp`
holds Unix seconds and `X-OpenConductor-Signature` is `sha256=` + hex HMAC-SHA256 of `f"{timestamp}.{body}"`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from pydantic import SecretStr, field_validator

from openconductor.core.timeutil import format_rfc3339, utcnow
from openconductor.notify.contract import Delivered, DeliveryContext, IncidentNotice, TargetInfo, send_json
from openconductor.notify.targets._common import SecretUrl, TargetConfig

INFO = TargetInfo(slug="webhook", name="Generic webhook", docs="docs/notifications/webhook.md")

SCHEMA_VERSION = "1"
SIGNATURE_HEADER = "X-OpenConductor-Signature"
TIMESTAMP_HEADER = "X-OpenConductor-Timestamp"
_RESERVED_HEADERS = {SIGNATURE_HEADER.lower(), TIMESTAMP_HEADER.lower(), "content-type", "content-length", "host"}
_TOKEN_CHARACTERS = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


class Config(TargetConfig):
    url: SecretUrl  # may carry a token in its path or query, so it is treated as a secret
    secret: SecretStr | None = None  # signs every request when set
    headers: dict[str, SecretStr] = {}  # for example {"Authorization": "Bearer ..."}

    @field_validator("headers")
    @classmethod
    def _header_names(cls, headers: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for name in headers:
            if not name or not set(name) <= _TOKEN_CHARACTERS:
                raise ValueError("header names made of letters, digits and -_.!#$%&'*+^`|~")
            if name.lower() in _RESERVED_HEADERS:
                raise ValueError(f"header names other than {', '.join(sorted(_RESERVED_HEADERS))}")
        return headers


def body(notice: IncidentNotice) -> dict[str, Any]:
    """The documented body (docs/notifications/webhook.md); new fields may be added within a version."""
    return {
        "version": SCHEMA_VERSION,
        "kind": notice.kind,
        "sent_at": format_rfc3339(notice.sent_at or utcnow()),
        "incident": {
            "id": notice.incident_id,
            "title": notice.title,
            "status": notice.status,
            "severity": notice.severity,
            "environment": notice.environment,
            "services": list(notice.services),
            "alert_count": notice.alert_count,
            "started_at": format_rfc3339(notice.started_at),
            "resolved_at": format_rfc3339(notice.resolved_at) if notice.resolved_at else None,
            "summary": notice.summary,
            "url": notice.url,
            "labels": dict(notice.labels),
        },
    }


def sign(secret: str, *, timestamp: str, content: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + content, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def deliver(notice: IncidentNotice, *, config: Config, context: DeliveryContext) -> Delivered:
    content = json.dumps(body(notice), ensure_ascii=False, separators=(",", ":")).encode()
    headers = {name: value.get_secret_value() for name, value in config.headers.items()}
    headers["User-Agent"] = "OpenConductor"
    if config.secret is not None:
        # Stamped at each attempt, so a receiver may refuse old timestamps without refusing our retries.
        timestamp = str(int(time.time()))
        headers[TIMESTAMP_HEADER] = timestamp
        headers[SIGNATURE_HEADER] = sign(config.secret.get_secret_value(), timestamp=timestamp, content=content)
    response = send_json(
        context, method="POST", url=config.url.get_secret_value(), content=content, headers=headers, what="webhook"
    )
    return Delivered(detail=f"HTTP {response.status_code}")
