"""Corrections through the API: merge, split, move; the engine learns from them. Both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from openconductor.api.app import create_app
from openconductor.bootstrap import create_platform
from openconductor.config.settings import Settings

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)


@pytest.fixture
def engine_client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    platform = create_platform(Settings(database_url=database_url, data_dir=tmp_path))
    with TestClient(create_app(platform, run_sweeper=False)) as client:
        yield client
    platform.store.close()


def post(client: TestClient, title: str, component: str, minute: float) -> str:
    stamp = (T0 + timedelta(minutes=minute)).isoformat().replace("+00:00", "Z")
    body = {"title": title, "service": component, "environment": "prod", "starts_at": stamp}
    response = client.post("/api/v1/alerts", json=body)
    assert response.status_code == 202, response.text
    incident_id: str = response.json()["alerts"][0]["incident_id"]
    return incident_id


def test_merge_moves_every_alert_and_resolves_the_source(engine_client: TestClient) -> None:
    first = post(engine_client, "db down", "orders-db", 0)
    second = post(engine_client, "api errors", "orders-api", 0.5)
    assert first != second  # no topology, no history: the engine does not link them
    merged = engine_client.post(f"/api/v1/incidents/{first}/merge", json={"incident_ids": [second], "actor": "ana"})
    assert merged.status_code == 200, merged.text
    assert merged.json()["alert_count"] == 2
    members = engine_client.get(f"/api/v1/incidents/{first}/alerts").json()
    moved = [m for m in members if m["reason"]["rule"] == "manual_merge"]
    assert len(moved) == 1
    assert moved[0]["reason"]["evidence"] == {"signal": "manual_merge", "by": "ana", "from_incident_id": second}
    source = engine_client.get(f"/api/v1/incidents/{second}").json()
    assert source["status"] == "resolved"
    assert source["resolution"] == "merged"
    assert source["alerts"] == []


def test_the_engine_learns_from_a_merge(engine_client: TestClient) -> None:
    first = post(engine_client, "db down", "orders-db", 0)
    second = post(engine_client, "api errors", "orders-api", 0.5)
    engine_client.post(f"/api/v1/incidents/{first}/merge", json={"incident_ids": [second]})
    # The same two components fail together again later: now the second joins the first's incident.
    again = post(engine_client, "db down again", "orders-db", 20)
    follower = post(engine_client, "api errors again", "orders-api", 20.5)
    assert follower == again
    reason = engine_client.get(f"/api/v1/incidents/{again}/alerts").json()[1]["reason"]
    assert reason["rule"] == "cooccurrence"


def test_split_creates_an_incident_and_vetoes_the_link(engine_client: TestClient) -> None:
    incident = post(engine_client, "latency high", "checkout", 0)
    assert post(engine_client, "error rate high", "checkout", 0.5) == incident
    members = engine_client.get(f"/api/v1/incidents/{incident}/alerts").json()
    second_alert = members[1]["alert"]["id"]
    split = engine_client.post(f"/api/v1/incidents/{incident}/split", json={"alert_ids": [second_alert]})
    assert split.status_code == 200, split.text
    created = split.json()
    assert created["id"] != incident
    assert created["alert_count"] == 1
    assert engine_client.get(f"/api/v1/incidents/{incident}").json()["alert_count"] == 1
    assert engine_client.get(f"/api/v1/alerts/{second_alert}").json()["incident_id"] == created["id"]


def test_move_and_its_errors(engine_client: TestClient) -> None:
    first = post(engine_client, "disk full", "billing-db", 0)
    second = post(engine_client, "queue lag", "billing-worker", 0.2)
    alert_id = engine_client.get(f"/api/v1/incidents/{second}/alerts").json()[0]["alert"]["id"]
    moved = engine_client.post(f"/api/v1/alerts/{alert_id}/move", json={"incident_id": first})
    assert moved.status_code == 200
    assert moved.json()["incident_id"] == first
    # and back again: the earlier membership row is replaced, not duplicated
    back = engine_client.post(f"/api/v1/alerts/{alert_id}/move", json={"incident_id": second})
    assert back.status_code == 200
    assert [m["alert"]["id"] for m in engine_client.get(f"/api/v1/incidents/{second}/alerts").json()] == [alert_id]
    assert engine_client.post("/api/v1/alerts/alr_nope/move", json={"incident_id": first}).status_code == 404
    assert engine_client.post(f"/api/v1/alerts/{alert_id}/move", json={"incident_id": "inc_nope"}).status_code == 404
    missing = engine_client.post(f"/api/v1/alerts/{alert_id}/move", json={})
    assert missing.status_code == 422
    assert "incident_id" in missing.json()["message"]
    lonely = engine_client.post(f"/api/v1/incidents/{first}/split", json={"alert_ids": ["alr_other"]})
    assert lonely.status_code == 409
    assert "alert_ids" in lonely.json()["message"]
