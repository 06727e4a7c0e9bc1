"""Health, readiness, Prometheus metrics and the published API documentation."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz(client: TestClient) -> None:
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


def test_readyz_is_503_when_the_database_is_gone(client: TestClient, platform) -> None:  # type: ignore[no-untyped-def]
    def broken() -> None:
        raise ConnectionError("database unreachable")

    platform.store.ping = broken
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ConnectionError"}


def metric(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", text, re.MULTILINE)
    assert match, f"{name} not in metrics"
    return float(match.group(1))


def test_metrics_count_received_alerts_and_latency(client: TestClient) -> None:
    web = [{"title": t, "service": "web", "environment": "prod"} for t in ("a", "b", "a")]
    client.post("/api/v1/alerts", json=web)
    client.post("/api/v1/integrations/alertmanager", json={"alerts": [{"labels": {"alertname": "X", "job": "db"}}]})
    client.post("/api/v1/alerts", json={"severity": "critical"})
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert metric(text, 'openconductor_alerts_received_total{integration="generic"}') == 3.0
    assert metric(text, 'openconductor_alerts_received_total{integration="alertmanager"}') == 1.0
    assert metric(text, "openconductor_alerts_deduplicated_total") == 1.0
    # One incident for the web alerts, one for the Alertmanager alert of the db job.
    assert metric(text, "openconductor_incidents_opened_total") == 2.0
    assert metric(text, 'openconductor_requests_rejected_total{reason="invalid_payload"}') == 1.0
    assert metric(text, "openconductor_ingest_latency_seconds_count") == 2.0
    assert metric(text, 'openconductor_ingest_latency_seconds_bucket{le="+Inf"}') == 2.0


def test_docs_and_openapi_are_served(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text.lower()
    schema = client.get("/openapi.json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["info"]["title"] == "OpenConductor"
    alert_create = document["components"]["schemas"]["AlertCreate"]
    assert alert_create["required"] == ["title"]
    assert {"title", "severity", "labels", "starts_at", "fingerprint"} <= set(alert_create["properties"])
    body = document["paths"]["/api/v1/alerts"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/AlertCreate"} in body["oneOf"]
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert {
        "create_alerts",
        "pagerduty_enqueue",
        "integration_webhook",
        "list_alerts",
        "list_incidents",
        "get_incident",
        "acknowledge_incident",
        "resolve_incident",
        "reopen_incident",
    } <= operations
