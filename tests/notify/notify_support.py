"""A recording HTTP server and sample notices for the notification target tests (fixtures in conftest.py).

The server listens on a free loopback port in a thread, records every request, and answers as the test
scripts it (a status, a body, headers, a delay), so each target is tested against a real socket.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from openconductor.notify.contract import IncidentNotice


@dataclass
class Recorded:
    method: str
    path: str  # without the query
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict[str, Any] | list[Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering, to make the client time out


class HttpRecorder:
    """Answers each request with the next queued Reply, else with `default`; records every request."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.queued: list[Reply] = []
        self.default = Reply()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                recorder.requests.append(
                    Recorded(
                        method=self.command,
                        path=parts.path,
                        query=parse_qs(parts.query),
                        headers={name.lower(): value for name, value in self.headers.items()},
                        body=self.rfile.read(length),
                    )
                )
                reply = recorder.queued.pop(0) if recorder.queued else recorder.default
                if reply.delay:
                    time.sleep(reply.delay)
                content = reply.body
                if isinstance(content, dict | list):
                    content = json.dumps(content).encode()
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                else:
                    content = content.encode() if isinstance(content, str) else content
                    self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the client gave up waiting (the timeout tests)
                    self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def reply(self, status: int = 200, body: Any = b"", **options: Any) -> None:
        """Set the answer to every request that has no queued reply."""
        self.default = Reply(status, body, **options)

    def queue(self, status: int = 200, body: Any = b"", **options: Any) -> None:
        self.queued.append(Reply(status, body, **options))

    @property
    def last(self) -> Recorded:
        assert self.requests, "no request reached the server"
        return self.requests[-1]


STARTED = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def make_notice(**changes: Any) -> IncidentNotice:
    """A realistic opened incident; `changes` override any field."""
    values: dict[str, Any] = {
        "kind": "opened",
        "incident_id": "inc_01M8FB29F0V5EQXQ01A3TXSX74",
        "title": "checkout p99 above 2s",
        "status": "open",
        "severity": "critical",
        "environment": "prod",
        "services": ("checkout", "payments"),
        "alert_count": 3,
        "started_at": STARTED,
        "resolved_at": None,
        "summary": "3 alerts on checkout and payments within 2 minutes; payments calls checkout.",
        "url": "http://openconductor.example:8080/incidents/inc_01M8FB29F0V5EQXQ01A3TXSX74",
        "labels": {"team": "payments", "region": "eu-west-1"},
        "sent_at": datetime(2026, 1, 5, 10, 2, tzinfo=UTC),
    }
    values.update(changes)
    return IncidentNotice(**values)


def resolved_notice(**changes: Any) -> IncidentNotice:
    return make_notice(
        kind="resolved", status="resolved", resolved_at=datetime(2026, 1, 5, 10, 40, tzinfo=UTC), **changes
    )
