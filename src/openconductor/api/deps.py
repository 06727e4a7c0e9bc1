"""Access to the platform from request handlers."""

from __future__ import annotations

from fastapi import Request

from openconductor.service import Platform


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform
