"""Property tests: random and nearly valid JSON thrown at every parser and every HTTP ingest endpoint.

Parsers may only refuse with InvalidPayload; endpoints never answer 5xx, every 4xx explains itself,
and every 2xx means the alerts can be read back.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertEvent
from openconductor.ingest.registry import INTEGRATIONS

PAYLOADS = Path(__file__).parent.parent / "ingest" / "payloads"
# batch.json of a tool that sends one alert per request is a burst: several request bodies, each fuzzed on its
# own. Kubernetes' batch.json is one request (an array of events), as in tests/ingest/test_recorded_payloads.py.
ARRAY_BATCHES = frozenset({"kubernetes"})


def recorded_requests(tool: str) -> list[Any]:
    bodies: list[Any] = []
    for path in sorted((PAYLOADS / tool).glob("*.json")):
        payload = json.loads(path.read_text())
        one_per_request = bool(getattr(INTEGRATIONS[tool], "ONE_ALERT_PER_REQUEST", ""))
        burst = path.stem == "batch" and one_per_request and tool not in ARRAY_BATCHES
        bodies.extend(payload if burst else [payload])
    return bodies


RECORDED: dict[str, list[Any]] = {tool: recorded_requests(tool) for tool in INTEGRATIONS}
# Every integration at its own endpoint; these two also have a shorter or vendor-compatible one.
ENDPOINTS = {slug: f"/api/v1/integrations/{slug}" for slug in INTEGRATIONS} | {
    "generic": "/api/v1/alerts",
    "pagerduty": "/api/v1/integrations/pagerduty/v2/enqueue",
}
RECEIVED = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)

# Text that also reaches the edges: long values, control characters, timestamps of every shape.
texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "firing",
            "resolved",
            "trigger",
            "acknowledge",
            "resolve",
            "critical",
            "error",
            "2026-01-05T10:00:00Z",
            "0001-01-01T00:00:00Z",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-23:59",
            "2026-02-30T00:00:00Z",
            "a\x00b",
            "\u2028",
            "%_\\",
        ]
    ),
    st.builds(lambda char, count: char * count, st.characters(), st.integers(min_value=90, max_value=1100)),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
# Values that only some stores refuse: long text and text holding U+0000.
hostile_texts = st.one_of(
    st.builds(lambda char, count: char * count, st.characters(), st.integers(min_value=90, max_value=1100)),
    st.text(max_size=8).map(lambda text: f"{text}\x00"),
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=16,
)


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(paths_of(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(paths_of(item, (*prefix, index)))
    return found


@st.composite
def nearly_valid(draw: st.DrawFn, tool: str) -> Any:
    """A recorded payload of `tool` with one to three fields replaced by random values or removed."""
    payload = copy.deepcopy(draw(st.sampled_from(RECORDED[tool])))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(paths_of(payload)))
        if not path:
            return draw(json_values)
        parent = payload
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            # Mostly plain values: a payload stays close enough to valid to reach the store.
            parent[path[-1]] = draw(st.one_of(hostile_texts, scalars, json_values))
    return payload


def payloads(tool: str) -> st.SearchStrategy[Any]:
    return st.one_of(json_values, nearly_valid(tool), nearly_valid(tool))


def parse_or_refuse(tool: str, payload: Any) -> list[AlertEvent] | None:
    try:
        events = INTEGRATIONS[tool].parse(payload, received_at=RECEIVED)
    except InvalidPayload as refusal:
        events, problems = None, refusal.problems
    else:
        problems = []
    if events is None:
        assert problems
        assert all(problem.field and problem.expected for problem in problems)
        return None
    for event in events:
        assert isinstance(event, AlertEvent)
        assert isinstance(event.title, str) and event.title
        assert event.starts_at.tzinfo is not None
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in event.labels.items())
    return events


PARSER_SETTINGS = settings(max_examples=150, deadline=None)
HTTP_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("tool", sorted(INTEGRATIONS))
@PARSER_SETTINGS
@given(data=st.data())
def test_parsers_only_ever_refuse_with_invalid_payload(tool: str, data: st.DataObject) -> None:
    parse_or_refuse(tool, data.draw(payloads(tool)))


@pytest.mark.parametrize("tool", sorted(INTEGRATIONS))
def test_recorded_payloads_survive_the_fuzz_helpers(tool: str) -> None:
    for payload in RECORDED[tool]:
        assert parse_or_refuse(tool, copy.deepcopy(payload))


def check_answer(client: TestClient, tool: str, response: Any) -> None:
    assert response.status_code < 500, response.text
    body = response.json()
    if 400 <= response.status_code < 500:
        if tool == "pagerduty":
            # PagerDuty's own error shape, so its clients understand the refusal.
            assert body["status"] == "invalid event" and body["message"] and body["errors"]
        else:
            assert body["error"] and body["message"]
        return
    if hasattr(INTEGRATIONS[tool], "reply"):
        assert response.status_code < 300  # the tool's own answer (OTLP: 200 with an export response)
        return
    assert response.status_code == 202
    if tool == "pagerduty":
        assert body["dedup_key"]
        return
    for outcome in body["alerts"]:
        if outcome["alert_id"] is not None:
            stored = client.get(f"/api/v1/alerts/{outcome['alert_id']}")
            assert stored.status_code == 200, stored.text
            assert stored.json()["incident_id"] == outcome["incident_id"]


@pytest.mark.parametrize("tool", sorted(INTEGRATIONS))
@HTTP_SETTINGS
@given(data=st.data())
def test_ingest_endpoints_never_fail_and_keep_what_they_accept(
    client: TestClient, tool: str, data: st.DataObject
) -> None:
    payload = data.draw(payloads(tool))
    response = client.post(ENDPOINTS[tool], content=json.dumps(payload), headers={"content-type": "application/json"})
    check_answer(client, tool, response)


@HTTP_SETTINGS
@given(body=st.binary(max_size=64) | st.text(max_size=64).map(str.encode))
def test_arbitrary_bytes_are_refused_cleanly(client: TestClient, body: bytes) -> None:
    response = client.post("/api/v1/alerts", content=body)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["error"] in {"malformed_json", "empty_body", "invalid_payload"}
