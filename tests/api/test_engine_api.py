"""The correlation engine through the HTTP API: reasons, raised incidents, topology; on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openconductor.api.app import create_app
from openconductor.bootstrap import create_platform
from openconductor.config.settings import Settings
from openconductor.core.timeutil import utcnow
from openconductor.pipeline.correlate import CorrelationEngine
from openconductor.service import Platform

TOPOLOGY = {
    "services": [
        {"name": "web", "environment": "prod", "layer": "edge"},
        {"name": "checkout", "environment": "prod", "team": "payments"},
        {"name": "web", "environment": "staging"},
        {"name": "checkout", "environment": "staging"},
    ],
    "dependencies": [{"from": "web", "to": "checkout"}],
}


@pytest.fixture
def engine_settings(database_url: str, tmp_path: Path) -> Settings:
    settings = Settings(database_url=database_url, data_dir=tmp_path)
    assert settings.correlator == "engine"
    return settings


@pytest.fixture
def engine_platform(engine_settings: Settings) -> Iterator[Platform]:
    platform = create_platform(engine_settings)
    yield platform
    platform.store.close()


@pytest.fixture
def api(engine_platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(engine_platform, run_sweeper=False)) as client:
        yield client


def send(client: TestClient, *, title: str, service: str, ago: float, **fields: Any) -> dict[str, Any]:
    body = {
        "title": title,
        "service": service,
        "environment": "prod",
        "starts_at": (utcnow() - timedelta(seconds=ago)).isoformat(),
        **fields,
    }
    answer = client.post("/api/v1/alerts", json=body)
    assert answer.status_code == 202, answer.text
    outcome: dict[str, Any] = answer.json()["alerts"][0]
    return outcome


def test_each_alert_of_an_incident_shows_the_rule_and_evidence_that_put_it_there(api: TestClient) -> None:
    first = send(api, title="checkout p99 above 2s", service="checkout", ago=60)
    second = send(api, title="checkout error rate 5%", service="checkout", ago=30)
    assert first["incident_id"] == second["incident_id"]

    members = api.get(f"/api/v1/incidents/{first['incident_id']}/alerts").json()
    assert [m["alert"]["id"] for m in members] == [first["alert_id"], second["alert_id"]]
    opened, joined = (m["reason"] for m in members)
    assert opened["rule"] == "opened"
    assert opened["evidence"]["signal"] == "opened"
    assert opened["evidence"]["component"] == "prod/checkout"
    assert joined["rule"] == "same_component"
    assert joined["evidence"]["signal"] == "same_component"
    assert joined["evidence"]["component"] == "prod/checkout"
    assert joined["evidence"]["neighbour_alert_id"] == first["alert_id"]
    assert 25 <= joined["evidence"]["gap_seconds"] <= 35
    assert 0.4 <= joined["score"] <= 1.0


def test_raised_at_is_shown_and_incidents_filter_on_it(api: TestClient) -> None:
    pair = send(api, title="checkout p99 above 2s", service="checkout", ago=60)
    send(api, title="checkout error rate 5%", service="checkout", ago=30)
    lone = send(api, title="search index lagging", service="search", ago=10)

    raised = api.get(f"/api/v1/incidents/{pair['incident_id']}").json()
    assert raised["raised_at"] is not None
    assert api.get(f"/api/v1/incidents/{lone['incident_id']}").json()["raised_at"] is None

    only_raised = api.get("/api/v1/incidents", params={"raised": "true"}).json()["items"]
    assert [i["id"] for i in only_raised] == [pair["incident_id"]]
    pending = api.get("/api/v1/incidents", params={"raised": "false"}).json()["items"]
    assert [i["id"] for i in pending] == [lone["incident_id"]]
    assert len(api.get("/api/v1/incidents").json()["items"]) == 2

    refused = api.get("/api/v1/incidents", params={"raised": "maybe"})
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["field"] == "raised"


def test_put_then_get_the_topology_and_the_engine_uses_it(api: TestClient, engine_platform: Platform) -> None:
    answer = api.put("/api/v1/topology", json=TOPOLOGY)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"services": 4, "dependencies": 2, "environments": ["prod", "staging"]}
    assert api.get("/api/v1/topology").json() == TOPOLOGY

    callee = send(api, title="checkout error rate 5%", service="checkout", ago=60)
    caller = send(api, title="web 5xx above 1%", service="web", ago=40)
    assert caller["incident_id"] == callee["incident_id"]
    reason = api.get(f"/api/v1/incidents/{callee['incident_id']}/alerts").json()[1]["reason"]
    assert reason["rule"] == "topology"
    assert reason["evidence"]["neighbour_component"] == "prod/checkout"
    assert reason["evidence"]["hops"] == 1


def test_a_bad_topology_is_refused_with_every_field_named_and_nothing_changes(api: TestClient) -> None:
    assert api.put("/api/v1/topology", json=TOPOLOGY).status_code == 200
    answer = api.put(
        "/api/v1/topology",
        json={
            "services": [{"name": "web", "environment": "prod"}, {"environment": "prod"}],
            "dependencies": [{"from": "web"}, {"from": "web", "to": "payments", "environment": "prod"}],
        },
    )
    assert answer.status_code == 422
    fields = [problem["field"] for problem in answer.json()["problems"]]
    assert fields == ["services[1].name", "dependencies[0]", "dependencies[1]"]
    assert api.get("/api/v1/topology").json() == TOPOLOGY

    for body in ([1, 2], {"services": "web"}):
        refused = api.put("/api/v1/topology", json=body)
        assert refused.status_code == 422
        assert refused.json()["problems"][0]["field"] in ("body", "services")
    assert api.put("/api/v1/topology", content=b"{not json").status_code == 400


def test_before_any_topology_get_answers_an_empty_one(api: TestClient) -> None:
    assert api.get("/api/v1/topology").json() == {"services": [], "dependencies": []}


def test_a_restart_keeps_the_topology(api: TestClient, engine_settings: Settings) -> None:
    assert api.put("/api/v1/topology", json=TOPOLOGY).status_code == 200

    restarted = create_platform(engine_settings)
    try:
        engine = restarted.pipeline.correlator
        assert isinstance(engine, CorrelationEngine)
        assert engine.topology is not None
        assert engine.topology.callees[("prod", "web")] == {("prod", "checkout")}
        assert restarted.get_topology() == TOPOLOGY
    finally:
        restarted.store.close()


def test_the_stored_topology_overrides_the_settings_file(engine_settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "topology.yaml"
    path.write_text("services:\n  - {name: mail, environment: prod}\n")
    settings = engine_settings.model_copy(
        update={"engine": engine_settings.engine.model_copy(update={"topology_file": path})}
    )
    platform = create_platform(settings)
    try:
        assert platform.get_topology() == {"services": [{"name": "mail", "environment": "prod"}], "dependencies": []}
        platform.set_topology(TOPOLOGY)
    finally:
        platform.store.close()

    restarted = create_platform(settings)
    try:
        engine = restarted.pipeline.correlator
        assert isinstance(engine, CorrelationEngine) and engine.topology is not None
        assert engine.topology.knows("web") and not engine.topology.knows("mail")
    finally:
        restarted.store.close()


def test_the_group_by_baseline_stores_the_topology_too(engine_settings: Settings) -> None:
    platform = create_platform(engine_settings.model_copy(update={"correlator": "group_by"}))
    try:
        with TestClient(create_app(platform, run_sweeper=False)) as client:
            assert client.put("/api/v1/topology", json=TOPOLOGY).status_code == 200
            assert client.get("/api/v1/topology").json() == TOPOLOGY
    finally:
        platform.store.close()


def test_a_bridge_and_what_it_moved_are_explained_and_stored(api: TestClient) -> None:
    shop = {
        "services": [{"name": name, "environment": "prod"} for name in ("web", "checkout", "cart")],
        "dependencies": [{"from": "web", "to": "checkout"}, {"from": "web", "to": "cart"}],
    }
    assert api.put("/api/v1/topology", json=shop).status_code == 200
    checkout = send(api, title="checkout error rate 5%", service="checkout", ago=60)
    cart = send(api, title="cart error rate 4%", service="cart", ago=55)
    assert checkout["incident_id"] != cart["incident_id"]  # siblings: nothing links them yet

    web = send(api, title="web 5xx above 1%", service="web", ago=45)
    # web joins the nearer of the two (cart's) and brings checkout's pending incident in.
    assert web["incident_id"] == cart["incident_id"]
    members = {m["alert"]["id"]: m["reason"] for m in api.get(f"/api/v1/incidents/{cart['incident_id']}/alerts").json()}
    assert set(members) == {checkout["alert_id"], cart["alert_id"], web["alert_id"]}
    moved = members[checkout["alert_id"]]
    assert moved["rule"] == "bridged"
    assert moved["evidence"]["bridge_alert_id"] == web["alert_id"]
    assert moved["evidence"]["bridge_signal"] == "topology"
    assert moved["evidence"]["gathered_from_incident_id"] == checkout["incident_id"]
    emptied = api.get(f"/api/v1/incidents/{checkout['incident_id']}").json()
    assert emptied["status"] == "resolved"
    assert emptied["alert_count"] == 0
