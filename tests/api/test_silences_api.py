"""The silences API on both databases: create, list, read, expire, validation, and marked alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openconductor.api.app import create_app
from openconductor.bootstrap import create_platform
from openconductor.config.settings import Settings
from openconductor.service import Platform

CHECKOUT = [{"name": "service", "value": "checkout"}]


def create(client: TestClient, **fields: Any) -> dict[str, Any]:
    body = {"matchers": CHECKOUT, "duration": "2h", "comment": "deploy", "created_by": "ana", **fields}
    response = client.post("/api/v1/silences", json=body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_create_get_list_and_expire(client: TestClient) -> None:
    before = datetime.now(UTC)
    created = create(client, matchers=[{"name": "labels.alertname", "value": "Disk.*", "op": "=~"}], kind="maintenance")
    assert created["id"].startswith("sil_")
    assert (created["kind"], created["state"], created["comment"], created["created_by"]) == (
        "maintenance",
        "active",
        "deploy",
        "ana",
    )
    assert created["matchers"] == [{"name": "labels.alertname", "value": "Disk.*", "op": "=~"}]
    starts = datetime.fromisoformat(created["starts_at"])
    assert before <= starts <= datetime.now(UTC)
    assert datetime.fromisoformat(created["ends_at"]) - starts == timedelta(hours=2)

    assert client.get(f"/api/v1/silences/{created['id']}").json() == created
    pending = create(
        client,
        starts_at=(before + timedelta(days=1)).isoformat(),
        duration=None,
        ends_at=(before + timedelta(days=1, hours=1)).isoformat(),
    )
    assert pending["state"] == "pending"
    listed = client.get("/api/v1/silences").json()["items"]
    assert [s["id"] for s in listed] == [created["id"], pending["id"]]

    expired = client.delete(f"/api/v1/silences/{created['id']}")
    assert expired.status_code == 200
    assert expired.json()["state"] == "expired"
    assert datetime.fromisoformat(expired.json()["ends_at"]) <= datetime.now(UTC)
    assert [s["id"] for s in client.get("/api/v1/silences").json()["items"]] == [pending["id"]]
    everything = client.get("/api/v1/silences", params={"include_expired": "true"}).json()["items"]
    assert {s["id"]: s["state"] for s in everything} == {created["id"]: "expired", pending["id"]: "pending"}
    # Expiring twice keeps the first end.
    assert client.delete(f"/api/v1/silences/{created['id']}").json()["ends_at"] == expired.json()["ends_at"]


def test_unknown_silences_are_404(client: TestClient) -> None:
    for response in (client.get("/api/v1/silences/sil_nope"), client.delete("/api/v1/silences/sil_nope")):
        assert response.status_code == 404
        assert response.json()["message"] == "silence 'sil_nope' not found"


@pytest.mark.parametrize(
    ("body", "messages"),
    [
        (
            {"matchers": [{"name": "title", "value": "Disk[", "op": "=~"}]},
            ["matchers[0].value: expected a valid regular expression"],
        ),
        (
            {"matchers": [{"name": "service", "value": "a"}, {"name": "service", "value": "b", "op": "=="}]},
            ["matchers[1].op: expected one of =, !=, =~, !~"],
        ),
        ({"matchers": []}, ["matchers: expected at least one matcher"]),
        (
            {"ends_at": "2026-01-01T00:00:00Z", "starts_at": "2026-01-02T00:00:00Z", "duration": None},
            ["ends_at: expected a time after starts_at"],
        ),
        ({"duration": None}, ["ends_at: expected ends_at or duration"]),
        ({"duration": "soon"}, ["duration: expected a positive duration"]),
        ({"ends_at": "2030-01-01T00:00:00Z"}, ["duration: expected either ends_at or duration, not both"]),
        (
            {"kind": "nap", "comment": "", "created_by": ""},
            [
                "kind: expected silence or maintenance",
                "comment: expected a non-empty string",
                "created_by: expected a non-empty string",
            ],
        ),
        ({"starts_at": "yesterday"}, ["starts_at"]),
        ({"colour": "red"}, ["colour"]),
    ],
)
def test_validation_errors_name_the_field(client: TestClient, body: dict[str, Any], messages: list[str]) -> None:
    full = {"matchers": CHECKOUT, "duration": "2h", "comment": "deploy", "created_by": "ana", **body}
    response = client.post("/api/v1/silences", json=full)
    assert response.status_code == 422, response.text
    message = response.json()["message"]
    for expected in messages:
        assert expected in message
    assert client.get("/api/v1/silences").json()["items"] == []


def test_a_silenced_alert_is_marked_grouped_and_survives_a_restart(client: TestClient, settings: Settings) -> None:
    silence = create(client)
    outcomes = client.post(
        "/api/v1/alerts",
        json=[
            {"title": "checkout 5xx", "service": "checkout", "environment": "prod", "severity": "high"},
            {"title": "payments slow", "service": "payments", "environment": "prod", "severity": "high"},
        ],
    ).json()["alerts"]
    silenced, other = (client.get(f"/api/v1/alerts/{o['alert_id']}").json() for o in outcomes)
    assert (silenced["suppressed_by"], other["suppressed_by"]) == (silence["id"], None)
    assert silenced["incident_id"] is not None  # kept and correlated, not dropped

    restarted: Platform = create_platform(settings)
    try:
        assert restarted.get_alert(silenced["id"]).suppressed_by == silence["id"]
        # The silence is back in the working set: the next event is still covered.
        assert [s.id for s in restarted.pipeline.state.silences] == [silence["id"]]
        with TestClient(create_app(restarted, run_sweeper=False)) as again:
            again.delete(f"/api/v1/silences/{silence['id']}")
            again.post("/api/v1/alerts", json={"title": "checkout 5xx", "service": "checkout", "environment": "prod"})
            assert again.get(f"/api/v1/alerts/{silenced['id']}").json()["suppressed_by"] is None
    finally:
        restarted.store.close()
