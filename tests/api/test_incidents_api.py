"""Reading incidents with their alerts and reasons, and the acknowledge / resolve / reopen actions."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def open_incident(client: TestClient, *titles: str) -> tuple[str, list[str]]:
    payload = [{"title": t, "service": "checkout", "environment": "prod", "severity": "high"} for t in titles]
    outcomes = client.post("/api/v1/alerts", json=payload).json()["alerts"]
    incident_ids = {o["incident_id"] for o in outcomes}
    assert len(incident_ids) == 1
    return incident_ids.pop(), [o["alert_id"] for o in outcomes]


def test_incident_detail_lists_alerts_with_reasons(client: TestClient) -> None:
    incident_id, alert_ids = open_incident(client, "checkout 5xx", "checkout latency")
    detail = client.get(f"/api/v1/incidents/{incident_id}")
    assert detail.status_code == 200
    body = detail.json()
    assert (body["id"], body["title"], body["status"], body["severity"]) == (
        incident_id,
        "checkout 5xx",
        "open",
        "high",
    )
    assert (body["alert_count"], body["firing_count"], body["services"], body["environment"]) == (
        2,
        2,
        ["checkout"],
        "prod",
    )
    # Both joined in one request, so their join times tie; look them up by id.
    reasons = {member["alert"]["id"]: member["reason"] for member in body["alerts"]}
    assert set(reasons) == set(alert_ids)
    opened, joined = reasons[alert_ids[0]], reasons[alert_ids[1]]
    assert (opened["rule"], opened["score"]) == ("opened", 1.0)
    assert opened["evidence"] == {"keys": {"environment": "prod", "service": "checkout"}}
    assert joined["rule"] == "group_by"
    assert joined["evidence"]["keys"] == {"environment": "prod", "service": "checkout"}
    assert joined["evidence"]["window_seconds"] == 900.0

    members = client.get(f"/api/v1/incidents/{incident_id}/alerts")
    assert members.status_code == 200
    assert members.json() == body["alerts"]


def test_acknowledge_resolve_reopen(client: TestClient) -> None:
    incident_id, _ = open_incident(client, "checkout down")
    base = f"/api/v1/incidents/{incident_id}"

    acknowledged = client.post(f"{base}/acknowledge")
    assert acknowledged.status_code == 200
    assert acknowledged.json()["status"] == "acknowledged"
    assert client.post(f"{base}/acknowledge").json()["status"] == "acknowledged"
    assert client.get(base).json()["status"] == "acknowledged"

    resolved = client.post(f"{base}/resolve")
    assert resolved.status_code == 200
    assert (resolved.json()["status"], resolved.json()["resolution"]) == ("resolved", "manual")
    assert resolved.json()["resolved_at"] is not None
    assert client.post(f"{base}/resolve").status_code == 200

    conflict = client.post(f"{base}/acknowledge")
    assert conflict.status_code == 409
    assert conflict.json()["error"] == "invalid_transition"
    assert "reopen" in conflict.json()["message"]

    reopened = client.post(f"{base}/reopen")
    assert reopened.status_code == 200
    assert (reopened.json()["status"], reopened.json()["resolution"], reopened.json()["resolved_at"]) == (
        "open",
        None,
        None,
    )
    again = client.post(f"{base}/reopen")
    assert again.status_code == 409
    assert "only a resolved incident can be reopened" in again.json()["message"]
    assert client.get(base).json()["status"] == "open"


def test_a_reopened_incident_takes_new_alerts_again(client: TestClient) -> None:
    incident_id, _ = open_incident(client, "checkout down")
    client.post(f"/api/v1/incidents/{incident_id}/resolve")
    after_resolve, _ = open_incident(client, "checkout slow")
    assert after_resolve != incident_id
    client.post(f"/api/v1/incidents/{after_resolve}/resolve")
    client.post(f"/api/v1/incidents/{incident_id}/reopen")
    joined, _ = open_incident(client, "checkout errors")
    assert joined == incident_id
    assert client.get(f"/api/v1/incidents/{incident_id}").json()["alert_count"] == 2


def test_an_acknowledged_incident_still_gathers_its_alerts(client: TestClient) -> None:
    incident_id, _ = open_incident(client, "checkout down")
    client.post(f"/api/v1/incidents/{incident_id}/acknowledge")
    joined, _ = open_incident(client, "checkout timeouts")
    assert joined == incident_id
    detail = client.get(f"/api/v1/incidents/{incident_id}").json()
    assert (detail["status"], detail["alert_count"]) == ("acknowledged", 2)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/incidents/inc_DOESNOTEXIST"),
        ("get", "/api/v1/incidents/inc_DOESNOTEXIST/alerts"),
        ("post", "/api/v1/incidents/inc_DOESNOTEXIST/acknowledge"),
        ("post", "/api/v1/incidents/inc_DOESNOTEXIST/resolve"),
        ("post", "/api/v1/incidents/inc_DOESNOTEXIST/reopen"),
        ("get", "/api/v1/alerts/alr_DOESNOTEXIST"),
    ],
)
def test_unknown_ids_are_404(client: TestClient, method: str, url: str) -> None:
    response = getattr(client, method)(url)
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "not_found"
    assert "DOESNOTEXIST" in body["message"]


def test_actions_survive_a_restart_of_the_platform(client: TestClient, platform) -> None:  # type: ignore[no-untyped-def]
    incident_id, _ = open_incident(client, "checkout down")
    client.post(f"/api/v1/incidents/{incident_id}/acknowledge")
    platform.start()  # rebuild the working set from the database
    assert client.get(f"/api/v1/incidents/{incident_id}").json()["status"] == "acknowledged"
    joined, _ = open_incident(client, "checkout slow")
    assert joined == incident_id
