"""Helpers importable from any test (the tests folder is on pytest's python path)."""

from __future__ import annotations

import os

import pytest


def require_external(reason: str) -> None:
    """Skip on a laptop without the package or service; fail in CI, where it must be present."""
    if os.environ.get("OPENCONDUCTOR_REQUIRE_EXTERNAL") == "1":
        pytest.fail(f"required in CI but missing: {reason}")
    pytest.skip(reason)
