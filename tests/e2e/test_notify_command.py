"""contrib's openconductor-notify as Nagios and Icinga 2 run it: the body it builds, its token, retries and exits."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from e2e_support import free_port

from openconductor.core.models import AlertStatus
from openconductor.ingest.integrations import icinga2, nagios

SCRIPT = Path(__file__).parents[2] / "contrib" / "nagios" / "openconductor-notify"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


class Receiver:
    """Answers each POST with the next status of `answers` (the last one repeats) and keeps what came."""

    def __init__(self, answers: list[int]) -> None:
        self.answers = answers
        self.requests: list[tuple[str, dict[str, str], Any]] = []


@contextmanager
def receiving(answers: list[int]) -> Iterator[tuple[str, Receiver]]:
    receiver = Receiver(answers)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            receiver.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status = receiver.answers[min(len(receiver.requests), len(receiver.answers)) - 1]
            answer = json.dumps({"error": "invalid_payload"} if status == 422 else {"accepted": 1}).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", receiver
    finally:
        server.shutdown()
        server.server_close()


def notify(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60, env=env or {}
    )


SERVICE_PROBLEM = [
    "--notification-type", "PROBLEM", "--host-name", "db-02", "--host-address", "10.20.4.12",
    "--service-description", "PostgreSQL connections", "--state", "CRITICAL", "--state-type", "HARD",
    "--attempt", "3", "--max-attempts", "3", "--output", "CRITICAL - 198 of 200 connections",
    "--long-output", "orders: 181\\nreporting: 17", "--timestamp", "1767607320",
    "--last-state-change", "1767607200", "--problem-id", "4187", "--last-problem-id", "0",
    "--service", "$", "--environment", "$_HOSTOC_ENVIRONMENT$", "--label", "team=dba",
]  # fmt: skip


def test_a_service_problem_becomes_the_body_the_parser_reads(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("oc_tok_123\n")
    with receiving([202]) as (url, receiver):
        done = notify("--url", url, "--token-file", str(token_file), *SERVICE_PROBLEM)
    assert done.returncode == 0, done.stderr
    [(path, headers, body)] = receiver.requests
    assert path == "/api/v1/integrations/nagios"
    assert headers["authorization"] == "Bearer oc_tok_123"
    assert headers["content-type"] == "application/json"
    assert body == {
        "version": "1",
        "object_type": "service",
        "notification_type": "PROBLEM",
        "host_name": "db-02",
        "host_address": "10.20.4.12",
        "service_description": "PostgreSQL connections",
        "state": "CRITICAL",
        "state_type": "HARD",
        "attempt": 3,
        "max_attempts": 3,
        "output": "CRITICAL - 198 of 200 connections",
        # Nagios escapes line breaks in long output; the script restores them.
        "long_output": "orders: 181\nreporting: 17",
        "timestamp": "2026-01-05T10:02:00Z",
        "last_state_change": "2026-01-05T10:00:00Z",
        "problem_id": "4187",
        "labels": {"team": "dba"},
        # A problem id of 0 and macros Nagios could not expand ("$", "$_HOSTOC_ENVIRONMENT$") are left out.
    }
    [event] = nagios.parse(body, received_at=RECEIVED)
    assert (event.fingerprint, event.status) == ("nagios:db-02!PostgreSQL connections", AlertStatus.FIRING)


def test_nagios_environment_macros_fill_what_the_arguments_leave_out() -> None:
    macros = {
        "NAGIOS_NOTIFICATIONTYPE": "RECOVERY",
        "NAGIOS_HOSTNAME": "db-02",
        "NAGIOS_SERVICEDESC": "PostgreSQL connections",
        "NAGIOS_SERVICESTATE": "OK",
        "NAGIOS_LASTSERVICESTATE": "CRITICAL",
        "NAGIOS_HOSTSTATE": "UP",
        "NAGIOS_LASTSERVICEPROBLEMID": "4187",
        "NAGIOS__SERVICEOC_SERVICE": "orders",
        "OPENCONDUCTOR_TOKEN": "from-env",
    }
    with receiving([202]) as (url, receiver):
        done = notify("--url", url, env=macros)
    assert done.returncode == 0, done.stderr
    [(_, headers, body)] = receiver.requests
    assert headers["authorization"] == "Bearer from-env"
    # A service notification (SERVICEDESC is set), so the service's state, not the host's.
    assert (body["object_type"], body["state"], body["last_state"]) == ("service", "OK", "CRITICAL")
    assert (body["last_problem_id"], body["service"]) == ("4187", "orders")
    [event] = nagios.parse(body, received_at=RECEIVED)
    assert event.status is AlertStatus.RESOLVED


def test_icinga2_names_and_endpoint() -> None:
    with receiving([202]) as (url, receiver):
        done = notify(
            "--url", url, "--integration", "icinga2", "--object", "host", "--notification-type", "PROBLEM",
            "--host-name", "k8s-node-09", "--state", "DOWN", "--last-state-change", "1767607355.700000",
            "--icingaweb2-url", "https://icinga.example.com/icingaweb2",
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    [(path, headers, body)] = receiver.requests
    assert path == "/api/v1/integrations/icinga2"
    assert "authorization" not in headers  # no token configured: none sent
    assert body["icingaweb2_url"] == "https://icinga.example.com/icingaweb2"
    assert body["last_state_change"] == "2026-01-05T10:02:35.700000Z"
    [event] = icinga2.parse(body, received_at=RECEIVED)
    assert event.fingerprint == "icinga2:k8s-node-09"


def test_server_errors_are_retried_until_stored() -> None:
    with receiving([503, 502, 202]) as (url, receiver):
        done = notify("--url", url, *SERVICE_PROBLEM)
    assert done.returncode == 0, done.stderr
    assert len(receiver.requests) == 3
    assert receiver.requests[0][2] == receiver.requests[2][2]


def test_a_refusal_is_not_retried_and_exits_non_zero() -> None:
    with receiving([422]) as (url, receiver):
        done = notify("--url", url, *SERVICE_PROBLEM)
    assert done.returncode == 1
    assert len(receiver.requests) == 1
    assert done.stderr.startswith("openconductor-notify: HTTP 422 from ")
    assert "invalid_payload" in done.stderr


def test_an_unreachable_server_fails_after_the_retries() -> None:
    done = notify("--url", f"http://127.0.0.1:{free_port()}", "--retries", "2", "--timeout", "1", *SERVICE_PROBLEM)
    assert done.returncode == 1
    assert "cannot reach" in done.stderr and "gave up after 2 attempts" in done.stderr


def test_missing_notification_fields_are_named() -> None:
    done = notify("--url", "http://127.0.0.1:1", "--host-name", "db-02", "--state", "CRITICAL")
    assert done.returncode == 1
    assert "missing notification_type: pass --notification-type" in done.stderr
