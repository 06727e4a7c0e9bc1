"""With `api_token` set, every API call but ingest and health needs it; ingest keeps its own tokens."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from openconductor.api.app import create_app
from openconductor.bootstrap import create_platform

API_TOKEN = "api-token-for-tests-0123456789"
MANAGED = [
    ("GET", "/api/v1/incidents"),
    ("GET", "/api/v1/alerts"),
    ("GET", "/api/v1/silences"),
    ("GET", "/api/v1/topology"),
    ("GET", "/api/v1/integrations"),
    ("POST", "/api/v1/integrations/alertmanager/tokens"),
    ("GET", "/api/v1/notifications/targets"),
]


@pytest.fixture
def guarded(settings):  # type: ignore[no-untyped-def]
    platform = create_platform(settings.model_copy(update={"api_token": SecretStr(API_TOKEN)}))
    try:
        with TestClient(create_app(platform, run_sweeper=False)) as client:
            yield client
    finally:
        platform.store.close()


@pytest.mark.parametrize(("method", "path"), MANAGED)
def test_managed_calls_need_the_api_token(guarded: TestClient, method: str, path: str) -> None:
    refused = guarded.request(method, path, json={"name": "x"})
    assert refused.status_code == 401
    assert refused.json()["problems"][0]["field"] == "Authorization"
    wrong = guarded.request(method, path, json={"name": "x"}, headers={"Authorization": "Bearer not-it"})
    assert wrong.status_code == 401 and "not-it" not in wrong.text
    allowed = guarded.request(method, path, json={"name": "x"}, headers={"Authorization": f"Bearer {API_TOKEN}"})
    assert allowed.status_code in (200, 201), allowed.text


def test_ingest_and_health_do_not_need_it(guarded: TestClient) -> None:
    assert guarded.post("/api/v1/alerts", json={"title": "Disk full"}).status_code == 202
    assert guarded.get("/healthz").status_code == 200
    assert guarded.get("/readyz").status_code == 200


def test_without_an_api_token_the_api_is_open(client: TestClient) -> None:
    assert client.get("/api/v1/incidents").status_code == 200
