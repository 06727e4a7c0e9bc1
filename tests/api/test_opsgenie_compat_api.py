"""The Opsgenie-compatible paths: tools configured for Opsgenie create, close and acknowledge alerts
here with `Authorization: GenieKey <token>`, exactly as they would at Opsgenie."""

from __future__ import annotations

from fastapi.testclient import TestClient

BASE = "/api/v1/integrations/opsgenie/v2/alerts"
CREATE = {
    "message": "Backup job nightly-db failed",
    "alias": "backup-nightly-db",
    "description": "pg_dump exited with status 1",
    "priority": "P2",
    "tags": ["env:prod", "service:backup"],
    "details": {"host": "db-1"},
}


def genie(client: TestClient) -> dict[str, str]:
    token = client.post("/api/v1/integrations/opsgenie/tokens", json={"name": "alertmanager"}).json()["token"]
    return {"Authorization": f"GenieKey {token}"}


def test_create_then_close_by_alias(client: TestClient) -> None:
    headers = genie(client)
    created = client.post(BASE, json=CREATE, headers=headers)
    assert created.status_code == 202, created.text
    assert created.json()["result"] == "Request will be processed" and created.json()["requestId"]

    alerts = client.get("/api/v1/alerts", params={"source": "opsgenie"}).json()["items"]
    assert [(a["title"], a["status"]) for a in alerts] == [("Backup job nightly-db failed", "firing")]

    closed = client.post(f"{BASE}/backup-nightly-db/close", params={"identifierType": "alias"}, headers=headers)
    assert closed.status_code == 202, closed.text
    alert = client.get(f"/api/v1/alerts/{alerts[0]['id']}").json()
    assert alert["status"] == "resolved"


def test_close_with_a_body_and_acknowledge(client: TestClient) -> None:
    headers = genie(client)
    client.post(BASE, json=CREATE, headers=headers)
    acked = client.post(
        f"{BASE}/backup-nightly-db/acknowledge?identifierType=alias", json={"user": "ana"}, headers=headers
    )
    assert acked.status_code == 202, acked.text
    closed = client.post(
        f"{BASE}/backup-nightly-db/close?identifierType=alias", json={"note": "fixed", "source": "am"}, headers=headers
    )
    assert closed.status_code == 202
    alert = client.get("/api/v1/alerts", params={"source": "opsgenie"}).json()["items"][0]
    assert alert["status"] == "resolved"


def test_only_aliases_are_understood(client: TestClient) -> None:
    headers = genie(client)
    response = client.post(f"{BASE}/70413a06-38d6-4c85-92b8-5ebc900d42e2/close", headers=headers)
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "identifierType"


def test_updates_are_answered_and_ignored_but_authenticated(client: TestClient) -> None:
    headers = genie(client)
    client.post(BASE, json=CREATE, headers=headers)
    before = client.get("/api/v1/alerts", params={"source": "opsgenie"}).json()["items"]
    ignored = client.post(f"{BASE}/backup-nightly-db/notes?identifierType=alias", json={"note": "hi"}, headers=headers)
    assert ignored.status_code == 202 and ignored.json()["result"]
    assert client.get("/api/v1/alerts", params={"source": "opsgenie"}).json()["items"] == before
    refused = client.post(f"{BASE}/backup-nightly-db/notes?identifierType=alias", json={"note": "hi"})
    assert refused.status_code == 401


def test_a_wrong_genie_key_is_refused(client: TestClient) -> None:
    genie(client)
    response = client.post(BASE, json=CREATE, headers={"Authorization": "GenieKey not-a-token"})
    assert response.status_code == 401
