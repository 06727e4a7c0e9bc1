"""Helpers for end-to-end tests: free ports and polling."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], *, timeout: float, interval: float = 0.2) -> None:
    """Poll until `condition` holds; connection errors count as "not yet"."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception as error:  # the peer may still be starting
            last_error = error
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last error: {last_error})")
