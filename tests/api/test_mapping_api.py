"""POST /api/v1/integrations/mapping/<name> through the real app, on SQLite and PostgreSQL: the worked
examples of docs/integrations/mapping.md end to end, unknown names, refusals naming the field, and random
bodies that never cause a 5xx."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openconductor.api.app import create_app
from openconductor.bootstrap import create_platform
from openconductor.config.mappings import MappingFileError
from openconductor.config.settings import Settings
from openconductor.service import Platform

REPO = Path(__file__).parents[2]
EXAMPLES = REPO / "examples" / "mappings"
DOCS = REPO / "docs" / "integrations" / "mapping.md"
JSON = {"content-type": "application/json"}


def example_body(file: str) -> Any:
    return json.loads((EXAMPLES / file).read_text())


@pytest.fixture
def mappings_file(tmp_path: Path) -> Path:
    """Both documented example mappings in one file, as a user would combine them."""
    entries = [
        entry
        for name in ("graylog", "statuspage")
        for entry in yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())["mappings"]
    ]
    path = tmp_path / "mappings.yaml"
    path.write_text(yaml.safe_dump({"mappings": entries}))
    return path


@pytest.fixture
def platform(database_url: str, tmp_path: Path, mappings_file: Path) -> Iterator[Platform]:
    created = create_platform(
        Settings(database_url=database_url, data_dir=tmp_path, correlator="group_by", mappings_file=mappings_file)
    )
    yield created
    created.store.close()


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform, run_sweeper=False)) as test_client:
        yield test_client


def post(client: TestClient, name: str, payload: Any) -> Any:
    return client.post(f"/api/v1/integrations/mapping/{name}", content=json.dumps(payload), headers=JSON)


def test_graylog_notification_end_to_end(client: TestClient, platform: Platform) -> None:
    notification = example_body("graylog-notification.json")
    first = post(client, "graylog", notification)
    assert first.status_code == 202, first.text
    [outcome] = first.json()["alerts"]
    assert outcome["change"] == "new"
    alert = client.get(f"/api/v1/alerts/{outcome['alert_id']}").json()
    assert alert["source"] == "mapping:graylog"
    assert alert["title"] == "Checkout: too many failed payments"
    assert (alert["severity"], alert["status"]) == ("high", "firing")
    assert (alert["service"], alert["environment"], alert["resource"]) == ("checkout", "prod", "checkout-api-2")
    assert alert["fingerprint"] == "mapping:graylog:65a8f0c2e3b4a51d2c7e9f10/checkout-api-2"
    # Graylog notifies again while the condition holds: the same alert, repeating.
    again = post(client, "graylog", notification).json()["alerts"][0]
    assert (again["alert_id"], again["change"]) == (outcome["alert_id"], "repeat")
    received = platform.metrics.registry.get_sample_value(
        "openconductor_alerts_received_total", {"integration": "mapping:graylog"}
    )
    assert received == 2


def test_statuspage_component_outage_and_recovery_end_to_end(client: TestClient) -> None:
    outage = example_body("statuspage-component.json")
    fired = post(client, "statuspage", outage)
    assert fired.status_code == 202, fired.text
    [outcome] = fired.json()["alerts"]
    alert = client.get(f"/api/v1/alerts/{outcome['alert_id']}").json()
    assert (alert["title"], alert["severity"], alert["service"]) == (
        "Card Payments API is partial outage",
        "high",
        "Card Payments API",
    )
    recovered = example_body("statuspage-component.json")
    recovered["component_update"].update(old_status="partial_outage", new_status="operational")
    recovered["component_update"]["created_at"] = "2026-01-05T10:40:00Z"
    recovered["component"]["status"] = "operational"
    [resolve] = post(client, "statuspage", recovered).json()["alerts"]
    assert (resolve["alert_id"], resolve["change"]) == (outcome["alert_id"], "resolve")
    assert client.get(f"/api/v1/alerts/{outcome['alert_id']}").json()["status"] == "resolved"


def test_statuspage_incident_shape_is_accepted(client: TestClient) -> None:
    investigating = example_body("statuspage-incident.json")
    investigating["incident"].update(status="investigating", resolved_at=None)
    [fired] = post(client, "statuspage", investigating).json()["alerts"]
    assert fired["change"] == "new"
    [resolved] = post(client, "statuspage", example_body("statuspage-incident.json")).json()["alerts"]
    assert (resolved["alert_id"], resolved["change"]) == (fired["alert_id"], "resolve")


def test_unknown_mapping_is_404_naming_the_known_ones(client: TestClient) -> None:
    response = post(client, "nagios", {"x": 1})
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "unknown_mapping"
    assert body["message"] == "mapping: expected one of graylog, statuspage, got 'nagios'"


def test_a_payload_without_the_mapped_title_is_422_naming_the_field(client: TestClient) -> None:
    notification = example_body("graylog-notification.json")
    del notification["event_definition_title"]
    notification["event"]["timestamp"] = "yesterday"
    response = post(client, "graylog", notification)
    assert response.status_code == 422
    problems = {problem["field"]: problem for problem in response.json()["problems"]}
    assert set(problems) == {"title", "starts_at"}
    assert problems["title"]["expected"] == (
        "a non-empty string from the expression $.event_definition_title, which found nothing"
    )
    assert problems["starts_at"]["got"] == "the string 'yesterday'"


def test_malformed_json_and_oversized_bodies_take_the_usual_route(client: TestClient) -> None:
    bad = client.post("/api/v1/integrations/mapping/graylog", content=b"{not json", headers=JSON)
    assert (bad.status_code, bad.json()["error"]) == (400, "malformed_json")


def test_the_token_may_be_in_the_path(client: TestClient, platform: Platform) -> None:
    issued = platform.tokens.create("mapping:graylog", name="graylog-prod")
    notification = example_body("graylog-notification.json")
    with_token = client.post(
        f"/api/v1/integrations/mapping/graylog/{issued.value}", content=json.dumps(notification), headers=JSON
    )
    assert with_token.status_code == 202, with_token.text
    assert post(client, "graylog", notification).status_code == 401  # the mapping now takes only its tokens


def test_a_bad_mappings_file_stops_the_start(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("mappings:\n  - name: broken\n    fields: {title: '$.['}\n")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", data_dir=tmp_path, mappings_file=path)
    with pytest.raises(
        MappingFileError, match=re.escape("mappings[0].fields.title: expected a valid RFC 9535 JSONPath")
    ):
        create_platform(settings)


def test_the_docs_show_the_example_bodies_and_mappings() -> None:
    text = DOCS.read_text()
    bodies = [json.loads(body) for body in re.findall(r"-d '(\{.*?\})'", text, flags=re.DOTALL)]
    for file in ("graylog-notification.json", "statuspage-component.json"):
        assert example_body(file) in bodies, f"{file} is not the body of a curl command in {DOCS.name}"
    for name in ("graylog", "statuspage"):
        assert (EXAMPLES / f"{name}.yaml").read_text().strip() in text, f"{name}.yaml is not shown in {DOCS.name}"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=16,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=json_values, name=st.sampled_from(["graylog", "statuspage"]))
def test_random_json_never_causes_a_5xx(client: TestClient, payload: Any, name: str) -> None:
    response = post(client, name, payload)
    assert response.status_code < 500, response.text
    if response.status_code != 202:
        body = response.json()
        assert body["error"] and body["message"]
        assert all(problem["field"] and problem["expected"] for problem in body["problems"])
