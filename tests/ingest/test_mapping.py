"""The mapping engine: expressions of each kind, batches, status and severity maps, and the errors a mapping
or a payload can cause, each naming where."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openconductor.config.mappings import MappingFileError, load_mappings_file, mappings_from_document
from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertStatus, Severity
from openconductor.ingest.mapping import MappingParser, load_mapping_parsers

RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
EXAMPLES = Path(__file__).parents[2] / "examples" / "mappings"


def parser(mapping: dict[str, Any]) -> MappingParser:
    return MappingParser(mappings_from_document({"mappings": [{"name": "tool", **mapping}]}).mappings[0])


def refusal(mapping: dict[str, Any], payload: Any) -> list[str]:
    with pytest.raises(InvalidPayload) as caught:
        parser(mapping).parse(payload, received_at=RECEIVED)
    return [problem.message() for problem in caught.value.problems]


def config_problems(document: Any) -> list[str]:
    with pytest.raises(MappingFileError) as caught:
        mappings_from_document(document)
    return [problem.message() for problem in caught.value.problems]


def test_jsonpath_and_template_fields_fill_the_alert() -> None:
    mapping = {
        "fields": {
            "title": "{{ alert.check.name }} failed on {{ alert.host }}",
            "description": "$.details.text",
            "service": "$.check.service",
            "resource": "$.host",
            "environment": "prod",
            "fingerprint": "$.check.id",
            "starts_at": "$.started",
            "labels": {"team": "$.owner.team", "region": "{{ alert.region | upper }}", "absent": "$.nothing"},
            "annotations": "$.extra",
            "links": {"runbook_url": "https://runbooks.example/{{ alert.check.id }}"},
        }
    }
    payload = {
        "check": {"name": "HTTP probe", "service": "checkout", "id": 42},
        "host": "web-1",
        "details": {"text": "timeout after 10s"},
        "started": "2026-01-05T10:00:00Z",
        "owner": {"team": "payments"},
        "region": "eu-west-1",
        "extra": {"attempts": 3, "note": "second failure"},
    }
    [event] = parser(mapping).parse(payload, received_at=RECEIVED)
    assert event.title == "HTTP probe failed on web-1"
    assert event.description == "timeout after 10s"
    assert (event.service, event.resource, event.environment) == ("checkout", "web-1", "prod")
    assert event.fingerprint == "mapping:tool:42"
    assert event.source == "mapping:tool"
    assert event.starts_at == datetime(2026, 1, 5, 10, tzinfo=UTC)
    assert event.labels == {"team": "payments", "region": "EU-WEST-1"}
    assert event.annotations == {
        "attempts": "3",
        "note": "second failure",
        "runbook_url": "https://runbooks.example/42",
    }
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.UNKNOWN
    assert event.raw == payload


def test_batch_items_are_evaluated_relative_to_each_item_with_the_body_reachable() -> None:
    mapping = {
        "alerts": "$.results",
        "fields": {
            "title": "$.name",
            "environment": "$$.env",
            "service": "{{ body.team }}-{{ alert.kind }}",
            "status": "$.state",
        },
    }
    payload = {
        "env": "staging",
        "team": "search",
        "results": [
            {"name": "index lag", "kind": "indexer", "state": "resolved"},
            {"name": "query p99", "kind": "api"},
        ],
    }
    first, second = parser(mapping).parse(payload, received_at=RECEIVED)
    assert (first.title, first.environment, first.service, first.status) == (
        "index lag",
        "staging",
        "search-indexer",
        AlertStatus.RESOLVED,
    )
    assert (second.title, second.service, second.status) == ("query p99", "search-api", AlertStatus.FIRING)
    assert first.raw == payload["results"][0]


def test_a_batch_selection_by_wildcard_and_an_empty_array() -> None:
    wildcard = parser({"alerts": "$.groups[*].alerts[*]", "fields": {"title": "$.t"}})
    events = wildcard.parse(
        {"groups": [{"alerts": [{"t": "a"}, {"t": "b"}]}, {"alerts": [{"t": "c"}]}]}, received_at=RECEIVED
    )
    assert [event.title for event in events] == ["a", "b", "c"]
    assert parser({"alerts": "$.items", "fields": {"title": "$.t"}}).parse({"items": []}, received_at=RECEIVED) == []
    assert refusal({"alerts": "$.items", "fields": {"title": "$.t"}}, {"other": 1}) == [
        "alerts: expected an array of alert objects from the expression $.items, which found nothing"
    ]


def test_problems_in_a_batch_name_the_alert() -> None:
    problems = refusal({"alerts": "$.items", "fields": {"title": "$.t"}}, {"items": [{"t": "ok"}, {"x": 1}, 7]})
    assert problems == [
        "alerts[1].title: expected a non-empty string from the expression $.t, which found nothing",
        "alerts[2].title: expected a non-empty string from the expression $.t, which found nothing",
    ]


def test_status_map_translates_the_tools_words_case_insensitively() -> None:
    mapping = {
        "fields": {"title": "x", "status": "$.state"},
        "status_map": {"DOWN": "firing", "up": "resolved", True: "firing"},
    }
    status_of = lambda state: parser(mapping).parse({"state": state}, received_at=RECEIVED)[0].status  # noqa: E731
    assert status_of("down") is AlertStatus.FIRING
    assert status_of(" UP ") is AlertStatus.RESOLVED
    assert status_of("resolved") is AlertStatus.RESOLVED  # the canonical words always work
    assert status_of(True) is AlertStatus.FIRING
    assert status_of(None) is AlertStatus.FIRING
    assert refusal(mapping, {"state": "flapping"}) == [
        "status: expected one of down, firing, resolved, true, up from the expression $.state, got the string 'flapping'"
    ]


def test_severity_map_first_then_the_shared_table() -> None:
    mapping = {"fields": {"title": "x", "severity": "$.level"}, "severity_map": {"P0": "critical", 2: "warning"}}
    severity_of = lambda level: parser(mapping).parse({"level": level}, received_at=RECEIVED)[0].severity  # noqa: E731
    assert severity_of("p0") is Severity.CRITICAL
    assert severity_of(2) is Severity.WARNING
    assert severity_of("error") is Severity.HIGH  # shared table
    assert severity_of(3) is Severity.HIGH  # syslog number, shared table
    assert severity_of("whatever") is Severity.UNKNOWN
    assert severity_of({"nested": 1}) is Severity.UNKNOWN


def test_first_of_a_list_takes_the_first_value_found() -> None:
    mapping = {"fields": {"title": ["$.incident.name", "{{ alert.component.name }} degraded", "fallback"]}}
    parse = parser(mapping).parse
    assert parse({"incident": {"name": "outage"}}, received_at=RECEIVED)[0].title == "outage"
    assert parse({"component": {"name": "API"}}, received_at=RECEIVED)[0].title == "API degraded"
    assert parse({"incident": {"name": ""}, "component": None}, received_at=RECEIVED)[0].title == "degraded"


def test_missing_values_give_nothing_and_a_missing_title_is_refused_by_name() -> None:
    mapping = {
        "fields": {
            "title": "$.alert.name",
            "service": "$.svc",
            "description": "{{ alert.a.b.c }}",
            "labels": "$.tags",
            "starts_at": "$.when",
        }
    }
    assert refusal(mapping, {"svc": "x"}) == [
        "title: expected a non-empty string from the expression $.alert.name, which found nothing"
    ]
    [event] = parser({**mapping, "fields": {**mapping["fields"], "title": "t"}}).parse({}, received_at=RECEIVED)
    assert (event.service, event.description, event.labels, event.starts_at) == (None, "", {}, RECEIVED)


def test_a_template_that_renders_empty_is_no_title() -> None:
    assert refusal({"fields": {"title": "{{ alert.name }}"}}, {"name": "  "}) == [
        "title: expected a non-empty string from the template '{{ alert.name }}', got the string ''"
    ]


def test_wrong_types_are_named() -> None:
    mapping = {
        "fields": {
            "title": "$.title",
            "labels": "$.tags",
            "annotations": {"detail": "$.detail"},
            "starts_at": "$.when",
            "service": "$.svc",
        }
    }
    problems = refusal(
        mapping, {"title": ["a", "b"], "tags": ["x"], "detail": {"k": 1}, "when": "soon", "svc": "s" * 301}
    )
    assert problems == [
        "title: expected a string, number or boolean from the expression $.title, got an array",
        "service: expected a string of at most 300 characters, got 301 characters",
        "labels: expected an object from the expression $.tags, got an array",
        "annotations.detail: expected a string, number or boolean, got an object",
        "starts_at: expected an RFC 3339 timestamp or epoch seconds or milliseconds from the expression $.when, "
        "got the string 'soon'",
    ]


def test_a_template_failing_on_the_data_is_a_payload_problem() -> None:
    [problem] = refusal({"fields": {"title": "{{ alert.n + 1 }}"}}, {"n": "text"})
    assert problem.startswith("title: expected a value that the template '{{ alert.n + 1 }}' can compute")
    assert "TypeError" in problem


def test_templates_are_sandboxed() -> None:
    [problem] = refusal({"fields": {"title": "{{ alert.__class__.__mro__ }}"}}, {})
    assert problem.startswith("title:")
    payload = {"d": {"k": "v"}}
    [problem] = refusal({"fields": {"title": "{{ alert.d.update({'k': 'w'}) }}"}}, payload)
    assert "SecurityError" in problem
    assert payload == {"d": {"k": "v"}}


def test_timestamps_from_epoch_seconds_and_milliseconds() -> None:
    mapping = {"fields": {"title": "t", "starts_at": "$.s", "ends_at": "$.e", "status": "$.st"}}
    [event] = parser(mapping).parse({"s": 1767607200, "e": 1767609000000, "st": "resolved"}, received_at=RECEIVED)
    assert event.starts_at == datetime(2026, 1, 5, 10, tzinfo=UTC)
    assert event.ends_at == datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
    [firing] = parser(mapping).parse({"s": 1767607200, "e": 1767609000000}, received_at=RECEIVED)
    assert firing.ends_at is None  # a firing alert has not ended
    assert refusal(mapping, {"s": 10**30})[0].startswith("starts_at: expected an RFC 3339 timestamp")


def test_a_literal_dollar_needs_a_template() -> None:
    [event] = parser({"fields": {"title": "{{ '$5 charge failed' }}"}}).parse({}, received_at=RECEIVED)
    assert event.title == "$5 charge failed"


def test_the_same_fingerprint_for_firing_and_resolved() -> None:
    mapping = {"fields": {"title": "$.name", "status": "$.status", "fingerprint": "$.id"}}
    firing = parser(mapping).parse({"name": "a", "status": "firing", "id": "x1"}, received_at=RECEIVED)[0]
    resolved = parser(mapping).parse({"name": "a", "status": "resolved", "id": "x1"}, received_at=RECEIVED)[0]
    assert firing.fingerprint == resolved.fingerprint == "mapping:tool:x1"
    without = parser({"fields": {"title": "$.name"}}).parse({"name": "a"}, received_at=RECEIVED)[0]
    assert len(without.fingerprint) >= 16  # the computed fingerprint


def test_bad_config_reports_every_problem_with_its_location() -> None:
    document = {
        "mappings": [
            {"name": "fine", "fields": {"title": "$.t"}},
            {
                "name": "Not URL safe!",
                "alerts": "{{ body.items }}",
                "fields": {"title": "$.[", "labels": {"team": "{{ unclosed"}, "colour": "$.c"},
                "status_map": {"down": "broken"},
                "severity_map": {"p1": "sev1"},
            },
            {"name": "fine", "fields": {}},
            {"fields": {"title": ["$.a", {"nested": 1}]}, "unknown": True},
        ]
    }
    assert config_problems(document) == [
        "mappings[1].name: expected 1 to 63 of a-z, 0-9, _ and -, starting with a letter or digit, got 'Not URL safe!'",
        "mappings[2].name: expected a name not already used by mappings[0], got 'fine'",
        "mappings[1].alerts: expected a JSONPath ($...) selecting the alert objects in the body",
        "mappings[1].fields.title: expected a valid RFC 9535 JSONPath (expected a shorthand selector)",
        "mappings[1].fields.labels.team: expected a valid Jinja template (unexpected end of template, expected "
        "'end of print statement', line 1)",
        "mappings[1].fields.colour: expected one of the known keys (title, description, status, severity, "
        "fingerprint, service, resource, environment, starts_at, ends_at, labels, annotations, links), "
        "got an unknown key",
        "mappings[1].status_map.down: expected 'firing' or 'resolved'",
        "mappings[1].severity_map.p1: expected 'critical', 'high', 'warning', 'info' or 'unknown'",
        "mappings[2].fields.title: expected a value (this key is required)",
        "mappings[3].name: expected a value (this key is required)",
        "mappings[3].fields.title: expected a JSONPath ($...), a Jinja template ({{ ... }}), a literal, "
        "or a list of those",
        "mappings[3].unknown: expected one of the known keys (name, alerts, fields, status_map, severity_map), "
        "got an unknown key",
    ]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([], "file: expected a valid dictionary or instance of MappingsFile"),
        ({}, "mappings: expected a value (this key is required)"),
        ({"mappings": [{"name": "a", "fields": {"title": "$.t"}, "alerts": "$..["}]}, "mappings[0].alerts:"),
    ],
)
def test_bad_documents(document: Any, expected: str) -> None:
    assert config_problems(document)[0].startswith(expected)


def test_a_file_that_is_not_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mappings.yaml"
    path.write_text("mappings: [unclosed\n")
    with pytest.raises(MappingFileError) as caught:
        load_mappings_file(path)
    assert str(path) in str(caught.value)
    assert caught.value.problems[0].field == "file"


def test_a_json_file_loads_and_is_compiled_once(tmp_path: Path) -> None:
    path = tmp_path / "mappings.json"
    path.write_text(json.dumps({"mappings": [{"name": "json-tool", "fields": {"title": "$.t"}}]}))
    parsers = load_mapping_parsers(path)
    assert list(parsers) == ["json-tool"]
    assert load_mapping_parsers(path) is parsers
    assert load_mapping_parsers(None) == {}


# -- the examples in docs/integrations/mapping.md -------------------------------------------------


def example(name: str) -> MappingParser:
    return load_mapping_parsers(EXAMPLES / f"{name}.yaml")[name]


def body(file: str) -> Any:
    return json.loads((EXAMPLES / file).read_text())


def test_graylog_example() -> None:
    [event] = example("graylog").parse(body("graylog-notification.json"), received_at=RECEIVED)
    assert event.title == "Checkout: too many failed payments"
    assert event.description == "Checkout: too many failed payments: count()=37.0"
    assert event.severity is Severity.HIGH  # priority 3
    assert event.status is AlertStatus.FIRING
    assert (event.service, event.environment, event.resource) == ("checkout", "prod", "checkout-api-2")
    assert event.fingerprint == "mapping:graylog:65a8f0c2e3b4a51d2c7e9f10/checkout-api-2"
    assert event.starts_at == datetime(2026, 1, 5, 10, tzinfo=UTC)
    assert event.labels["event_definition_type"] == "aggregation-v1"
    assert event.annotations["graylog_event_id"] == "01HMZ4K7Q8R2T5V9X3B6N1C4D7"


def test_statuspage_examples() -> None:
    statuspage = example("statuspage")
    [component] = statuspage.parse(body("statuspage-component.json"), received_at=RECEIVED)
    assert component.title == "Card Payments API is partial outage"
    assert (component.status, component.severity) == (AlertStatus.FIRING, Severity.HIGH)
    assert component.fingerprint == "mapping:statuspage:component/c3m8d2f6h4jl"
    assert component.service == "Card Payments API"
    recovered = body("statuspage-component.json")
    recovered["component_update"]["new_status"] = recovered["component"]["status"] = "operational"
    [resolve] = statuspage.parse(recovered, received_at=RECEIVED)
    assert resolve.status is AlertStatus.RESOLVED
    assert resolve.fingerprint == component.fingerprint
    assert resolve.ends_at == datetime(2026, 1, 5, 10, 2, 11, 311000, tzinfo=UTC)
    [incident] = statuspage.parse(body("statuspage-incident.json"), received_at=RECEIVED)
    assert incident.title == "Elevated card authorisation errors"
    assert incident.description == "Card authorisations are succeeding normally again."
    assert (incident.status, incident.severity) == (AlertStatus.RESOLVED, Severity.HIGH)  # impact major
    assert incident.fingerprint == "mapping:statuspage:incident/i7r2w9k5p3ds"
    assert incident.annotations == {"incident_url": "https://stspg.io/v4k8m2q"}


# -- any JSON at all: a refusal names a field, never anything else -------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@st.composite
def near_examples(draw: st.DrawFn) -> Any:
    """An example body with one value replaced by random JSON."""
    payload = body(
        draw(st.sampled_from(["graylog-notification.json", "statuspage-component.json", "statuspage-incident.json"]))
    )
    node = payload
    while isinstance(node, dict) and node and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(node)))
        if not isinstance(node[key], dict) or draw(st.booleans()):
            node[key] = draw(json_values)
            break
        node = node[key]
    return payload


@settings(max_examples=200, deadline=None)
@given(payload=json_values | near_examples(), name=st.sampled_from(["graylog", "statuspage"]))
def test_any_json_parses_or_is_refused_by_field(payload: Any, name: str) -> None:
    try:
        events = example(name).parse(payload, received_at=RECEIVED)
    except InvalidPayload as refusal:
        events, problems = [], refusal.problems
    else:
        problems = []
    assert events or problems
    assert all(problem.field and problem.expected for problem in problems)
    for event in events:
        assert event.title.strip()
        assert all(isinstance(value, str) for value in event.labels.values())
