"""Zabbix: the media type's script (run under node against a local server) and the parser of what it posts."""

from __future__ import annotations

import copy
import ctypes
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.ingest.integrations import zabbix

PAYLOADS = Path(__file__).parent / "payloads" / "zabbix"
CONTRIB = Path(__file__).parents[2] / "contrib" / "zabbix"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
NODE = shutil.which("node")

# The media type's parameters as Zabbix expands them for a problem: every value is text, and macros that
# mean nothing yet (the recovery's, the update's) stay unexpanded.
PROBLEM = {
    "alert_message": "Problem started at 10:00:00 on 2026.01.05\nProblem name: High CPU utilization\nHost: checkout-web-3",
    "alert_subject": "Problem: High CPU utilization (over 90% for 5m)",
    "event_ack_status": "No",
    "event_date": "2026.01.05",
    "event_id": "48213",
    "event_name": "High CPU utilization (over 90% for 5m)",
    "event_nseverity": "3",
    "event_opdata": "Current utilization: 96.41 %",
    "event_recovery_date": "{EVENT.RECOVERY.DATE}",
    "event_recovery_id": "{EVENT.RECOVERY.ID}",
    "event_recovery_time": "{EVENT.RECOVERY.TIME}",
    "event_recovery_timestamp": "{EVENT.RECOVERY.TIMESTAMP}",
    "event_severity": "Average",
    "event_source": "0",
    "event_status": "PROBLEM",
    "event_tags_json": json.dumps(
        [
            {"tag": "class", "value": "os"},
            {"tag": "component", "value": "cpu"},
            {"tag": "scope", "value": "performance"},
            {"tag": "service", "value": "checkout"},
            {"tag": "env", "value": "prod"},
        ]
    ),
    "event_time": "10:00:00",
    "event_timestamp": "1767607200",
    "event_update_action": "{EVENT.UPDATE.ACTION}",
    "event_update_status": "0",
    "event_value": "1",
    "host_host": "checkout-web-3",
    "host_ip": "10.0.3.17",
    "host_name": "checkout-web-3 (eu-west-1a)",
    "openconductor_token": "oc_zbx_6b1d0c9e2f4a4e7f8a1b3c5d7e9f0a2b",
    "openconductor_url": "http://placeholder",
    "trigger_description": "CPU utilization is too high. The system might be slow to respond.",
    "trigger_id": "23817",
    "zabbix_url": "https://zabbix.example.com/",
}
RECOVERY = PROBLEM | {
    "event_recovery_date": "2026.01.05",
    "event_recovery_id": "48290",
    "event_recovery_time": "10:23:10",
    "event_recovery_timestamp": "1767608590",
    "event_status": "RESOLVED",
    "event_value": "0",
}


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse_one(payload: object) -> AlertEvent:
    [event] = zabbix.parse(payload, received_at=RECEIVED)
    return event


def test_problem() -> None:
    event = parse_one(load("firing"))
    assert event.source == "zabbix"
    assert event.status is AlertStatus.FIRING and not event.acknowledge
    assert event.severity is Severity.WARNING  # 3, Average
    assert event.title == "High CPU utilization (over 90% for 5m)"
    assert event.description == "CPU utilization is too high. The system might be slow to respond."
    assert event.fingerprint == "zabbix:event:48213"
    assert (event.service, event.resource, event.environment) == ("checkout", "checkout-web-3 (eu-west-1a)", "prod")
    assert event.labels == {
        "class": "os",
        "component": "cpu",
        "scope": "performance",
        "service": "checkout",
        "env": "prod",
        "severity": "Average",
        "host": "checkout-web-3",
        "host_ip": "10.0.3.17",
        "trigger_id": "23817",
    }
    assert event.annotations == {
        "zabbix_url": "https://zabbix.example.com",
        "url": "https://zabbix.example.com/tr_events.php?triggerid=23817&eventid=48213",
        "operational_data": "Current utilization: 96.41 %",
        "acknowledged": "No",
    }
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert event.ends_at is None


def test_recovery_resolves_the_problem() -> None:
    problem, recovery = parse_one(load("firing")), parse_one(load("resolved"))
    assert recovery.status is AlertStatus.RESOLVED
    # {EVENT.ID} in a recovery is the problem's id: one alert.
    assert recovery.fingerprint == problem.fingerprint
    assert recovery.ends_at == datetime(2026, 1, 5, 10, 23, 10, tzinfo=UTC)
    assert recovery.annotations["recovery_event_id"] == "48290"


def test_minimal_problem() -> None:
    event = parse_one(load("minimal"))
    assert event.severity is Severity.CRITICAL  # 5, Disaster
    assert (event.service, event.resource, event.environment) == (None, "db-orders-2", None)
    assert "url" not in event.annotations
    assert event.fingerprint == "zabbix:event:51877"


@pytest.mark.parametrize(
    ("number", "severity"),
    [
        (0, Severity.INFO),
        (1, Severity.INFO),
        (2, Severity.WARNING),
        (3, Severity.WARNING),
        (4, Severity.HIGH),
        (5, Severity.CRITICAL),
        ("4", Severity.HIGH),
    ],
)
def test_severity_numbers(number: object, severity: Severity) -> None:
    payload = load("minimal")
    payload["event_nseverity"] = number
    assert parse_one(payload).severity is severity


def test_severity_name_when_the_number_is_missing() -> None:
    payload = load("minimal")
    del payload["event_nseverity"]
    payload["event_severity"] = "High"
    assert parse_one(payload).severity is Severity.HIGH
    payload["event_severity"] = "Renamed by an admin"
    assert parse_one(payload).severity is Severity.UNKNOWN


@pytest.mark.parametrize(
    ("action", "status", "acknowledge"),
    [
        ("acknowledged", AlertStatus.FIRING, True),
        ("changed severity and acknowledged", AlertStatus.FIRING, True),
        ("unacknowledged", AlertStatus.FIRING, False),
        ("commented", AlertStatus.FIRING, False),
        ("closed", AlertStatus.RESOLVED, False),
    ],
)
def test_update_operations(action: str, status: AlertStatus, acknowledge: bool) -> None:
    payload = load("firing") | {"event_update_status": 1, "event_update_action": action}
    event = parse_one(payload)
    assert (event.status, event.acknowledge) == (status, acknowledge)


def test_date_and_time_without_timestamps_and_text_numbers() -> None:
    payload = load("resolved")
    for key in ("event_timestamp", "event_recovery_timestamp"):
        del payload[key]
    payload.update(event_id="48213", event_value="0", event_recovery_time="10:25:00")
    event = parse_one(payload)
    assert event.starts_at == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2026, 1, 5, 10, 25, tzinfo=UTC)
    assert event.fingerprint == "zabbix:event:48213"


def test_status_word_when_the_value_is_missing_and_unknown_keys() -> None:
    payload = load("resolved")
    del payload["event_value"]
    payload["new_field"] = {"x": 1}
    assert parse_one(payload).status is AlertStatus.RESOLVED


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        (lambda p: p.pop("event_id"), "event_id", "a number ({EVENT.ID})"),
        (lambda p: p.update(event_id="{EVENT.ID}"), "event_id", "a number ({EVENT.ID})"),
        (lambda p: p.update(event_id=-3), "event_id", "a non-negative integer"),
        (
            lambda p: p.update(event_value=7, event_status="weird"),
            "event_value",
            "1 (problem) or 0 (recovery), or event_status PROBLEM or RESOLVED",
        ),
        (lambda p: p.update(event_nseverity=9), "event_nseverity", "0 (not classified) to 5 (disaster)"),
        (lambda p: p.update(event_tags="a:b"), "event_tags", "an array of {tag, value} objects ({EVENT.TAGSJSON})"),
        (lambda p: p.update(event_tags=[{"tag": 1}]), "event_tags[0]", "a {tag, value} object of strings"),
        (lambda p: p.update(event_timestamp=10**13), "event_timestamp", "epoch seconds between the years 1 and 9999"),
        (
            lambda p: (p.pop("event_timestamp"), p.update(event_date="05/01/2026", event_time="10:00:00")),
            "event_date",
            "a date and time as Zabbix writes them (2026.01.05 and 10:00:00)",
        ),
        (lambda p: p.update(host_name="h" * 301), "host_name", "a string of at most 300 characters"),
    ],
)
def test_wrong_fields_are_named(change: Any, field: str, expected: str) -> None:
    payload = copy.deepcopy(load("minimal"))
    change(payload)
    with pytest.raises(InvalidPayload) as caught:
        zabbix.parse(payload, received_at=RECEIVED)
    assert [(p.field, p.expected) for p in caught.value.problems] == [(field, expected)]


def test_the_media_type_export_holds_the_script_and_the_parameters() -> None:
    export = yaml.safe_load((CONTRIB / "openconductor_mediatype.yaml").read_text())["zabbix_export"]
    assert export["version"] == "6.0"  # importable into Zabbix 6.0 and every later version
    [media] = export["media_types"]
    assert media["type"] == "WEBHOOK"
    assert media["script"] == (CONTRIB / "openconductor.js").read_text()
    assert {parameter["name"] for parameter in media["parameters"]} == set(PROBLEM)


class Receiver:
    """A local HTTP server that records each POST and answers it like OpenConductor's endpoint."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                answer = json.dumps({"accepted": 1, "alerts": []}).encode()
                self.send_response(receiver.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(202)
    threading.Thread(target=server.server.serve_forever, daemon=True).start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def run_script(params: dict[str, str], tmp_path: Path) -> dict[str, Any]:
    if NODE is None:
        pytest.skip("node is not installed; the media type script is tested where it is")
    (tmp_path / "value.json").write_text(json.dumps(params))
    done = subprocess.run(
        [NODE, str(CONTRIB / "node_shim.js"), str(CONTRIB / "openconductor.js"), str(tmp_path / "value.json")],
        capture_output=True,
        check=True,
        timeout=60,
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def test_the_script_posts_what_the_parser_reads(receiver: Receiver, tmp_path: Path) -> None:
    base = receiver.url + "/"  # a trailing slash, as people paste URLs
    assert run_script(PROBLEM | {"openconductor_url": base}, tmp_path) == {"result": "OK"}
    assert run_script(RECOVERY | {"openconductor_url": base}, tmp_path) == {"result": "OK"}
    (path, headers, problem_body), (_, _, recovery_body) = receiver.requests
    assert path == "/api/v1/integrations/zabbix"
    assert headers["authorization"] == "Bearer oc_zbx_6b1d0c9e2f4a4e7f8a1b3c5d7e9f0a2b"
    assert headers["content-type"] == "application/json"
    sent = json.loads(problem_body)
    assert "event_recovery_date" not in sent  # unexpanded macros are left out
    assert sent["event_tags"][3] == {"tag": "service", "value": "checkout"}
    # The recorded payloads are exactly what the script sends.
    assert sent == load("firing") and json.loads(recovery_body) == load("resolved")
    problem, recovery = parse_one(sent), parse_one(json.loads(recovery_body))
    assert problem.status is AlertStatus.FIRING and recovery.status is AlertStatus.RESOLVED
    assert problem.fingerprint == recovery.fingerprint == "zabbix:event:48213"


def test_the_script_fails_loudly(receiver: Receiver, tmp_path: Path) -> None:
    receiver.status = 401
    answer = run_script(PROBLEM | {"openconductor_url": receiver.url}, tmp_path)
    assert answer["error"].startswith("Sending to OpenConductor failed: OpenConductor answered 401")
    answer = run_script(PROBLEM | {"openconductor_token": "<put your OpenConductor token>"}, tmp_path)
    assert "openconductor_token" in answer["error"]
    assert len(receiver.requests) == 1


def duktape() -> ctypes.CDLL:
    """Duktape, the engine Zabbix runs webhook scripts in, when its shared library is installed."""
    try:
        lib = ctypes.CDLL("libduktape.so.207")
    except OSError:
        pytest.skip("libduktape (Duktape 2.x) is not installed")
    lib.duk_create_heap.restype = ctypes.c_void_p
    lib.duk_create_heap.argtypes = [ctypes.c_void_p] * 5
    lib.duk_eval_raw.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint]
    lib.duk_safe_to_lstring.restype = ctypes.c_char_p
    lib.duk_safe_to_lstring.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    lib.duk_destroy_heap.argtypes = [ctypes.c_void_p]
    return lib


# Stand-ins that record the request instead of sending it; Duktape itself has no network.
_DUKTAPE_HARNESS = """
var sent = [];
function HttpRequest() { this.headers = []; }
HttpRequest.prototype.addHeader = function (header) { this.headers.push(header); };
HttpRequest.prototype.setProxy = function () {};
HttpRequest.prototype.post = function (url, data) { sent.push({url: url, headers: this.headers, body: data}); return '{}'; };
HttpRequest.prototype.getStatus = function () { return 202; };
var Zabbix = {log: function () {}};
var result = (function (value) {
%s
})(%s);
JSON.stringify({result: result, sent: sent});
"""


def test_the_script_runs_in_duktape() -> None:
    """Zabbix's engine is ES5 Duktape: the script must compile and run there, not only in node."""
    lib = duktape()
    # duk_peval_string: eval code, errors caught, source given as a NUL-terminated string.
    flags = (1 << 3) | (1 << 7) | (1 << 9) | (1 << 10) | (1 << 11)
    program = _DUKTAPE_HARNESS % ((CONTRIB / "openconductor.js").read_text(), json.dumps(json.dumps(PROBLEM)))
    heap = lib.duk_create_heap(None, None, None, None, None)
    try:
        failed = lib.duk_eval_raw(heap, program.encode(), 0, flags)
        output = lib.duk_safe_to_lstring(heap, -1, None).decode()
    finally:
        lib.duk_destroy_heap(heap)
    assert not failed, output
    answer = json.loads(output)
    assert answer["result"] == "OK"
    [request] = answer["sent"]
    assert request["url"] == "http://placeholder/api/v1/integrations/zabbix"
    assert "Authorization: Bearer oc_zbx_6b1d0c9e2f4a4e7f8a1b3c5d7e9f0a2b" in request["headers"]
    assert json.loads(request["body"]) == load("firing")
