"""Access to the platform from request handlers."""

from __future__ import annotations

import hmac

from fastapi import Request

from openconductor.core.errors import Unauthenticated
from openconductor.service import Platform


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def require_api_token(request: Request) -> None:
    """Every API call but ingest and health, when `api_token` is set: integration tokens admit tools to
    their own endpoint only, so managing tokens, incidents and silences needs this one."""
    expected = get_platform(request).settings.api_token
    if expected is None:
        return
    scheme, _, sent = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        sent.strip().encode(), expected.get_secret_value().encode()
    ):
        raise Unauthenticated("Authorization: expected `Bearer <api token>`, the server's OPENCONDUCTOR_API_TOKEN")
