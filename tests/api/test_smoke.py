"""The API stores an alert and shows it in an incident, on both databases."""


def test_alert_becomes_incident(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/alerts", json={"title": "disk full", "service": "db", "environment": "prod"})
    assert response.status_code == 202, response.text
    incident_id = response.json()["alerts"][0]["incident_id"]
    detail = client.get(f"/api/v1/incidents/{incident_id}").json()
    assert detail["alert_count"] == 1
    assert detail["alerts"][0]["reason"]["rule"] == "opened"
