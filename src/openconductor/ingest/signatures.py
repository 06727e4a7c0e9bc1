"""Checking HMAC signatures of tools that sign their requests with a shared secret."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

from openconductor.core.errors import Unauthenticated
from openconductor.ingest.base import HmacSignature


def sign(signature: HmacSignature, *, secret: str, body: bytes, timestamp: str | None = None) -> str:
    """The header value a tool following `signature` sends for `body` (also used by the tests)."""
    content = f"{timestamp}:".encode() + body if signature.timestamp_header and timestamp else body
    digest = hmac.new(secret.encode(), content, getattr(hashlib, signature.algorithm)).hexdigest()
    return signature.prefix + digest


def check_signature(
    signature: HmacSignature, *, secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None
) -> None:
    """Raise Unauthenticated unless the request carries a valid signature. `headers` has lower-case names."""
    sent = headers.get(signature.header.lower())
    if not sent:
        raise Unauthenticated(f"{signature.header}: expected an HMAC-{signature.algorithm.upper()} signature header")
    # Tools that may add a timestamp (Grafana's is optional in its contact point) sign "<timestamp>:<body>"
    # when they send one, and the body alone when they don't.
    timestamp = headers.get(signature.timestamp_header.lower()) if signature.timestamp_header else None
    expected = sign(signature, secret=secret, body=body, timestamp=timestamp)
    if not hmac.compare_digest(sent.strip().lower().encode(), expected.lower().encode()):
        raise Unauthenticated(f"{signature.header}: expected a signature made with this token's signing secret")
    if timestamp is not None:
        _check_fresh(signature, timestamp, now=time.time() if now is None else now)


def _check_fresh(signature: HmacSignature, timestamp: str, *, now: float) -> None:
    try:
        sent_at = float(timestamp)
    except ValueError:
        sent_at = float("nan")
    if not abs(now - sent_at) <= signature.max_age_seconds:  # also refuses NaN
        raise Unauthenticated(
            f"{signature.timestamp_header}: expected Unix seconds within {signature.max_age_seconds:g} s of now "
            "(a stale or malformed timestamp)"
        )
