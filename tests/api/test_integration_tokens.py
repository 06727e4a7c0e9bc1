"""Integration tokens through the API: creating one locks its integration; every way of presenting it
works; a revoked token or another integration's token is refused; signing secrets are checked."""

from __future__ import annotations

import base64
import json
import time

import pytest
from fastapi.testclient import TestClient

from openconductor.ingest.integrations import grafana
from openconductor.ingest.signatures import sign

ALERT = {"title": "Disk almost full", "service": "db", "resource": "db-1"}
AM_BODY = {
    "version": "4",
    "status": "firing",
    "alerts": [
        {"status": "firing", "labels": {"alertname": "Down", "service": "api"}, "startsAt": "2026-01-05T10:00:00Z"}
    ],
}


def create_token(client: TestClient, integration: str, **body: str) -> dict[str, str]:
    path = f"/api/v1/integrations/{integration.replace(':', '/')}/tokens"
    response = client.post(path, json={"name": "test sender", **body})
    assert response.status_code == 201, response.text
    return response.json()


def test_an_integration_is_open_until_its_first_token(client: TestClient) -> None:
    assert client.post("/api/v1/integrations/alertmanager", json=AM_BODY).status_code == 202
    issued = create_token(client, "alertmanager")
    assert issued["token"].startswith("oct_") and issued["hint"] == issued["token"][:10]
    assert issued["url"].endswith(f"/api/v1/integrations/alertmanager/{issued['token']}")

    refused = client.post("/api/v1/integrations/alertmanager", json=AM_BODY)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    body = refused.json()
    assert body["error"] == "unauthenticated"
    assert body["message"].startswith("token: expected a token for integration 'alertmanager'")
    assert body["problems"][0]["field"] == "token"
    # Other integrations stay open.
    assert client.post("/api/v1/alerts", json=ALERT).status_code == 202


def test_every_way_of_presenting_the_token_is_accepted(client: TestClient) -> None:
    token = create_token(client, "alertmanager")["token"]
    basic = base64.b64encode(f"openconductor:{token}".encode()).decode()
    for path, headers in [
        (f"/api/v1/integrations/alertmanager/{token}", {}),
        ("/api/v1/integrations/alertmanager", {"Authorization": f"Bearer {token}"}),
        ("/api/v1/integrations/alertmanager", {"X-OpenConductor-Token": token}),
        ("/api/v1/integrations/alertmanager", {"Authorization": f"Basic {basic}"}),
    ]:
        response = client.post(path, json=AM_BODY, headers=headers)
        assert response.status_code == 202, (path, headers, response.text)


def test_wrong_revoked_and_foreign_tokens_are_refused_without_echoing_them(client: TestClient) -> None:
    mine = create_token(client, "alertmanager")
    foreign = create_token(client, "generic")["token"]
    for presented in ("oct_not-a-real-token", foreign):
        response = client.post(
            "/api/v1/integrations/alertmanager", json=AM_BODY, headers={"X-OpenConductor-Token": presented}
        )
        assert response.status_code == 401
        assert presented not in response.text
        assert "unknown, revoked or for another integration" in response.json()["message"]

    revoked = client.delete(f"/api/v1/integrations/alertmanager/tokens/{mine['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    response = client.post(f"/api/v1/integrations/alertmanager/{mine['token']}", json=AM_BODY)
    assert response.status_code == 401

    listed = client.get("/api/v1/integrations/alertmanager/tokens", params={"include_revoked": "true"}).json()
    assert [t["id"] for t in listed] == [mine["id"]]
    assert "token" not in listed[0] and listed[0]["revoked_at"]
    assert client.get("/api/v1/integrations/alertmanager/tokens").json() == []
    # A token of one integration cannot be revoked through another.
    assert client.delete(f"/api/v1/integrations/generic/tokens/{mine['id']}").status_code == 404


def test_pagerduty_takes_the_token_as_its_routing_key(client: TestClient) -> None:
    token = create_token(client, "pagerduty")["token"]
    event = {"event_action": "trigger", "payload": {"summary": "CPU high", "source": "web-1", "severity": "error"}}
    accepted = client.post("/api/v1/integrations/pagerduty/v2/enqueue", json={**event, "routing_key": token})
    assert accepted.status_code == 202, accepted.text
    refused = client.post("/api/v1/integrations/pagerduty/v2/enqueue", json={**event, "routing_key": "R0UT1NGK3Y"})
    assert refused.status_code == 401


GRAFANA_BODY = json.dumps(
    {
        "receiver": "openconductor",
        "status": "firing",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "HighLatency", "service": "api"},
                "startsAt": "2026-01-05T10:00:00Z",
            }
        ],
        "version": "1",
    }
).encode()


def test_a_signing_secret_makes_the_signature_required(client: TestClient) -> None:
    token = create_token(client, "grafana", signing_secret="grafana-shared-secret")["token"]
    now = str(int(time.time()))
    signed = sign(grafana.SIGNATURE, secret="grafana-shared-secret", body=GRAFANA_BODY, timestamp=now)
    headers = {
        "Authorization": f"Bearer {token}",
        "X-Grafana-Alerting-Signature": signed,
        "X-Grafana-Alerting-Timestamp": now,
        "content-type": "application/json",
    }
    assert client.post("/api/v1/integrations/grafana", content=GRAFANA_BODY, headers=headers).status_code == 202
    tampered = client.post("/api/v1/integrations/grafana", content=GRAFANA_BODY + b" ", headers=headers)
    assert tampered.status_code == 401
    assert tampered.json()["problems"][0]["field"] == "X-Grafana-Alerting-Signature"
    stale = {**headers, "X-Grafana-Alerting-Timestamp": str(int(now) - 3600)}
    stale["X-Grafana-Alerting-Signature"] = sign(
        grafana.SIGNATURE,
        secret="grafana-shared-secret",
        body=GRAFANA_BODY,
        timestamp=stale["X-Grafana-Alerting-Timestamp"],
    )
    replayed = client.post("/api/v1/integrations/grafana", content=GRAFANA_BODY, headers=stale)
    assert replayed.status_code == 401
    assert replayed.json()["problems"][0]["field"] == "X-Grafana-Alerting-Timestamp"
    unsigned = {"Authorization": f"Bearer {token}", "content-type": "application/json"}
    assert client.post("/api/v1/integrations/grafana", content=GRAFANA_BODY, headers=unsigned).status_code == 401
    listed = client.get("/api/v1/integrations/grafana/tokens").json()
    assert listed[0]["signs"] is True and "grafana-shared-secret" not in json.dumps(listed)


def test_the_integrations_listing(client: TestClient) -> None:
    create_token(client, "grafana")
    listing = {item["slug"]: item for item in client.get("/api/v1/integrations").json()}
    assert {"alertmanager", "grafana", "pagerduty", "generic"} <= set(listing)
    assert listing["grafana"]["locked"] is True and listing["alertmanager"]["locked"] is False
    assert listing["grafana"]["signs"] is True
    assert listing["grafana"]["endpoint"] == "/api/v1/integrations/grafana"


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "x", "signing_secret": "short"}, {"name": "x", "extra": 1}]
)
def test_bad_token_requests_name_the_field(client: TestClient, body: dict[str, object]) -> None:
    response = client.post("/api/v1/integrations/alertmanager/tokens", json=body)
    assert response.status_code == 422
    assert response.json()["problems"]


def test_unknown_integrations_have_no_tokens(client: TestClient) -> None:
    response = client.post("/api/v1/integrations/no-such-tool/tokens", json={"name": "x"})
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_integration"
    assert client.post("/api/v1/integrations/mapping/nothing/tokens", json={"name": "x"}).status_code == 404


def test_required_mode_needs_a_token_everywhere(settings) -> None:  # type: ignore[no-untyped-def]
    from openconductor.api.app import create_app
    from openconductor.bootstrap import create_platform

    platform = create_platform(settings.model_copy(update={"ingest_auth": "required"}))
    try:
        with TestClient(create_app(platform, run_sweeper=False)) as client:
            assert client.post("/api/v1/alerts", json=ALERT).status_code == 401
            token = create_token(client, "generic")["token"]
            assert (
                client.post("/api/v1/alerts", json=ALERT, headers={"Authorization": f"Bearer {token}"}).status_code
                == 202
            )
    finally:
        platform.store.close()
