"""Shared test fixtures: where the public datasets live, and how external dependencies skip.

A test that needs a system package or service calls `require_external(reason)` when it is missing.
On a laptop that is a skip; in CI (`OPENCONDUCTOR_REQUIRE_EXTERNAL=1`, set by `.ci/run`) it is a
failure, so the suite can never pass by skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def require_external(reason: str) -> None:
    if os.environ.get("OPENCONDUCTOR_REQUIRE_EXTERNAL") == "1":
        pytest.fail(f"required in CI but missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """The public evaluation datasets (NAB, Loghub-2k, Sock Shop); skips cleanly when absent."""
    path = Path(os.environ.get("OPENCONDUCTOR_DATASETS", REPO_ROOT.parent / "shared" / "datasets"))
    if not path.is_dir():
        pytest.skip(f"public datasets not found at {path} (set OPENCONDUCTOR_DATASETS)")
    return path
