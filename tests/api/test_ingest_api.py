"""Ingest over HTTP on both databases: generic, Alertmanager, PagerDuty, and every refusal named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

PAYLOADS = Path(__file__).parent.parent / "ingest" / "payloads"


def recorded(tool: str, name: str) -> object:
    return json.loads((PAYLOADS / tool / f"{name}.json").read_text())


def test_generic_single_object(client: TestClient) -> None:
    response = client.post("/api/v1/alerts", json=recorded("generic", "firing"))
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["accepted"] == 1
    [outcome] = body["alerts"]
    assert outcome["change"] == "new"
    assert outcome["alert_id"].startswith("alr_") and outcome["incident_id"].startswith("inc_")
    alert = client.get(f"/api/v1/alerts/{outcome['alert_id']}").json()
    assert (alert["title"], alert["severity"], alert["service"], alert["source"]) == (
        "Disk usage above 90% on db-1",
        "critical",
        "postgres",
        "nagios",
    )
    assert alert["labels"] == {"team": "storage", "mount": "/var", "value": "93"}
    assert alert["raw"]["ticket"] == "OPS-1234"
    assert alert["starts_at"].startswith("2026-01-05T10:00:00")


def test_generic_array_and_repeat(client: TestClient) -> None:
    response = client.post("/api/v1/alerts", json=recorded("generic", "batch"))
    assert response.status_code == 202, response.text
    outcomes = response.json()["alerts"]
    assert [o["change"] for o in outcomes] == ["new", "new", "new"]
    # Same service and environment: the first two share an incident; the worker alert has its own.
    assert outcomes[0]["incident_id"] == outcomes[1]["incident_id"] != outcomes[2]["incident_id"]
    again = client.post("/api/v1/alerts", json=recorded("generic", "batch")).json()["alerts"]
    assert [o["change"] for o in again] == ["repeat", "repeat", "repeat"]
    assert [o["alert_id"] for o in again] == [o["alert_id"] for o in outcomes]
    assert client.get(f"/api/v1/alerts/{outcomes[0]['alert_id']}").json()["occurrences"] == 2


def test_firing_and_resolve_in_one_request_are_stored_resolved(client: TestClient) -> None:
    response = client.post("/api/v1/alerts", json=[recorded("generic", "firing"), recorded("generic", "resolved")])
    assert response.status_code == 202, response.text
    first, second = response.json()["alerts"]
    assert (first["change"], second["change"]) == ("new", "resolve")
    assert first["alert_id"] == second["alert_id"]
    alert = client.get(f"/api/v1/alerts/{first['alert_id']}").json()
    assert alert["status"] == "resolved"
    assert alert["ends_at"].startswith("2026-01-05T10:20:00")
    incident = client.get(f"/api/v1/incidents/{first['incident_id']}").json()
    assert (incident["status"], incident["resolution"], incident["firing_count"]) == (
        "resolved",
        "all_alerts_resolved",
        0,
    )


def test_alertmanager_webhook_firing_then_resolved(client: TestClient) -> None:
    response = client.post("/api/v1/integrations/alertmanager", json=recorded("alertmanager", "firing"))
    assert response.status_code == 202, response.text
    [outcome] = response.json()["alerts"]
    alert = client.get(f"/api/v1/alerts/{outcome['alert_id']}").json()
    assert alert["fingerprint"] == "alertmanager:5f8d3c2a1b0e9f47"
    assert (alert["service"], alert["resource"], alert["environment"]) == (
        "checkout-api",
        "checkout-api-7d9f8b6c5-x2x7q",
        "prod",
    )
    resolved = client.post("/api/v1/integrations/alertmanager", json=recorded("alertmanager", "resolved"))
    assert resolved.json()["alerts"][0] == {**outcome, "change": "resolve"}
    assert client.get(f"/api/v1/incidents/{outcome['incident_id']}").json()["status"] == "resolved"


def test_alertmanager_batch_counts(client: TestClient) -> None:
    response = client.post("/api/v1/integrations/alertmanager", json=recorded("alertmanager", "batch"))
    assert response.status_code == 202, response.text
    outcomes = response.json()["alerts"]
    # The already resolved third alert was never seen firing: kept, not correlated.
    assert [o["change"] for o in outcomes] == ["new", "new", "unmatched"]
    assert outcomes[2]["incident_id"] is None
    assert client.get(f"/api/v1/alerts/{outcomes[2]['alert_id']}").json()["status"] == "resolved"


def test_pagerduty_trigger_acknowledge_resolve(client: TestClient) -> None:
    url = "/api/v1/integrations/pagerduty/v2/enqueue"
    trigger = client.post(url, json=recorded("pagerduty", "firing"))
    assert trigger.status_code == 202, trigger.text
    assert trigger.json() == {"status": "success", "message": "Event processed", "dedup_key": "samplekeyhere"}
    [alert] = client.get("/api/v1/alerts", params={"source": "pagerduty"}).json()["items"]
    incident_id = alert["incident_id"]
    assert (alert["resource"], alert["service"], alert["environment"]) == (
        "prod-datapipe03.example.com",
        "prod-datapipe",
        "production",
    )

    acknowledge = client.post(url, json=recorded("pagerduty", "acknowledge"))
    assert acknowledge.status_code == 202
    assert acknowledge.json()["dedup_key"] == "samplekeyhere"
    assert client.get(f"/api/v1/incidents/{incident_id}").json()["status"] == "acknowledged"
    assert client.get(f"/api/v1/alerts/{alert['id']}").json()["status"] == "firing"

    resolve = client.post(url, json=recorded("pagerduty", "resolved"))
    assert resolve.status_code == 202
    assert client.get(f"/api/v1/alerts/{alert['id']}").json()["status"] == "resolved"
    incident = client.get(f"/api/v1/incidents/{incident_id}").json()
    assert (incident["status"], incident["resolution"]) == ("resolved", "all_alerts_resolved")


def test_pagerduty_trigger_without_dedup_key_answers_a_new_one(client: TestClient) -> None:
    url = "/api/v1/integrations/pagerduty/v2/enqueue"
    first = client.post(url, json=recorded("pagerduty", "minimal")).json()["dedup_key"]
    second = client.post(url, json=recorded("pagerduty", "minimal")).json()["dedup_key"]
    assert len(first) == 32 and first != second


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            {"event_action": "trigger", "payload": {"summary": "s", "source": "h", "severity": "info"}},
            "routing_key: expected a non-empty string",
        ),
        (
            {"routing_key": "k", "event_action": "explode", "dedup_key": "d"},
            "event_action: expected one of trigger, acknowledge, resolve, got the string 'explode'",
        ),
        (
            {
                "routing_key": "k",
                "event_action": "trigger",
                "payload": {"summary": "s", "source": "h", "severity": "high"},
            },
            "payload.severity: expected one of critical, error, warning, info, got the string 'high'",
        ),
    ],
)
def test_pagerduty_refusal_in_pagerduty_shape(client: TestClient, payload: dict, message: str) -> None:  # type: ignore[type-arg]
    response = client.post("/api/v1/integrations/pagerduty/v2/enqueue", json=payload)
    assert response.status_code == 400
    assert response.json() == {"status": "invalid event", "message": "Event object is invalid", "errors": [message]}
    assert client.get("/api/v1/alerts").json()["items"] == []


def test_pagerduty_malformed_json_is_400_in_its_shape(client: TestClient) -> None:
    response = client.post("/api/v1/integrations/pagerduty/v2/enqueue", content=b"{nope")
    assert response.status_code == 400
    assert response.json()["status"] == "invalid event"
    assert response.json()["errors"] == ["body: expected valid JSON"]


def test_unknown_integration_is_404_naming_it(client: TestClient) -> None:
    response = client.post("/api/v1/integrations/no-such-tool", json={"title": "x"})
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "unknown_integration"
    assert "'no-such-tool'" in body["message"]
    assert "alertmanager" in body["message"] and "pagerduty" in body["message"]


@pytest.mark.parametrize("url", ["/api/v1/alerts", "/api/v1/integrations/alertmanager"])
def test_malformed_json_is_400(client: TestClient, url: str) -> None:
    response = client.post(url, content=b'{"title": "x",', headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"
    assert response.json()["message"].startswith("body: expected valid JSON")


@pytest.mark.parametrize("body", [b"", b"   \n"])
def test_empty_body_is_400(client: TestClient, body: bytes) -> None:
    response = client.post("/api/v1/alerts", content=body)
    assert response.status_code == 400
    assert response.json()["error"] == "empty_body"


def test_wrong_types_are_422_naming_the_field(client: TestClient) -> None:
    response = client.post("/api/v1/alerts", json=[{"title": "ok"}, {"title": "x", "labels": {"x": [1]}, "status": 3}])
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_payload"
    assert {p["field"] for p in body["problems"]} == {"[1].labels.x", "[1].status"}
    assert "[1].labels.x: expected a string, number or boolean, got an array" in body["message"]
    # Nothing of a refused request is stored, not even its valid elements.
    assert client.get("/api/v1/alerts").json()["items"] == []


@pytest.fixture
def small_body_client(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    from openconductor.api.app import create_app
    from openconductor.bootstrap import create_platform
    from openconductor.config.settings import Settings

    platform = create_platform(Settings(database_url=database_url, data_dir=tmp_path, max_body_bytes=1024))
    with TestClient(create_app(platform, run_sweeper=False)) as test_client:
        yield test_client
    platform.store.close()


def test_oversized_body_is_413(small_body_client: TestClient) -> None:
    big = {"title": "x", "description": "y" * 2000}
    response = small_body_client.post("/api/v1/alerts", json=big)
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"
    assert "1024 bytes" in response.json()["message"]
    pagerduty = small_body_client.post("/api/v1/integrations/pagerduty/v2/enqueue", json=big)
    assert pagerduty.status_code == 413
    assert pagerduty.json()["status"] == "invalid event"
    fits = small_body_client.post("/api/v1/alerts", json={"title": "x", "description": "y" * 900})
    assert fits.status_code == 202


def test_oversized_streamed_body_without_length_is_413(small_body_client: TestClient) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"title": "x", "description": "'
        for _ in range(10):
            yield b"y" * 200
        yield b'"}'

    response = small_body_client.post("/api/v1/alerts", content=chunks())
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"


@pytest.mark.parametrize(
    ("url", "payload", "field"),
    [
        ("/api/v1/alerts", {"title": "disk\u0000full"}, "title"),
        ("/api/v1/alerts", [{"title": "ok"}, {"title": "x", "labels": {"k": "v\u0000"}}], "[1].labels.k"),
        ("/api/v1/alerts", {"title": "x", "extra": {"note\u0000": 1}}, "extra.note\u0000"),
        (
            "/api/v1/integrations/alertmanager",
            {"alerts": [{"labels": {"alertname": "\u0000"}}]},
            "alerts[0].labels.alertname",
        ),
    ],
)
def test_nul_characters_are_refused_on_every_database(
    client: TestClient, url: str, payload: object, field: str
) -> None:
    # PostgreSQL cannot store U+0000; SQLite could, but both backends must answer alike.
    response = client.post(url, json=payload)
    assert response.status_code == 422, response.text
    assert response.json()["problems"] == [
        {"field": field, "expected": "text without NUL (\\u0000) characters", "got": None}
    ]
    assert client.get("/api/v1/alerts").json()["items"] == []


def test_deeply_nested_payloads_are_refused(client: TestClient) -> None:
    deep = "[" * 1000 + "]" * 1000
    response = client.post("/api/v1/alerts", content=f'{{"title": "x", "extra": {deep}}}'.encode())
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["expected"] == "JSON nested at most 64 levels deep"
    fine = client.post("/api/v1/alerts", json={"title": "x", "extra": [[[[{"a": [1]}]]]]})
    assert fine.status_code == 202


def test_overlong_identity_fields_are_422_on_every_database(client: TestClient) -> None:
    # PostgreSQL enforces the column widths that SQLite ignores; both must refuse alike, by name.
    response = client.post("/api/v1/alerts", json={"title": "x", "source": "s" * 101})
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["field"] == "source"
    fits = client.post("/api/v1/alerts", json={"title": "x", "source": "s" * 100, "service": "v" * 300})
    assert fits.status_code == 202, fits.text


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_bodies_are_accepted(client: TestClient, encoding: str) -> None:
    import gzip
    import zlib

    body = json.dumps({"title": "Compressed alert", "service": "api"}).encode()
    packed = gzip.compress(body) if encoding == "gzip" else zlib.compress(body)
    response = client.post(
        "/api/v1/alerts", content=packed, headers={"content-type": "application/json", "content-encoding": encoding}
    )
    assert response.status_code == 202, response.text


def test_compressed_bombs_and_garbage_are_refused(client: TestClient) -> None:
    import gzip

    bomb = gzip.compress(b'{"title": "' + b"a" * (6 * 1024 * 1024) + b'"}')
    assert len(bomb) < 100_000
    headers = {"content-type": "application/json", "content-encoding": "gzip"}
    response = client.post("/api/v1/alerts", content=bomb, headers=headers)
    assert response.status_code == 413 and response.json()["error"] == "body_too_large"
    response = client.post("/api/v1/alerts", content=b"not gzip at all", headers=headers)
    assert response.status_code == 400 and response.json()["problems"][0]["field"] == "body"
    response = client.post("/api/v1/alerts", content=b"{}", headers={"content-encoding": "br"})
    assert response.status_code == 415 and response.json()["problems"][0]["field"] == "Content-Encoding"
