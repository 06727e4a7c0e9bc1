"""Listing alerts and incidents: every filter, every sort, and cursor pages without gaps or duplicates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

SEVERITY_RANK = {"unknown": 0, "info": 1, "warning": 2, "high": 3, "critical": 4}

# (title, severity, service, environment, source, starts_at minute offset, status)
FLEET = [
    ("disk full on db-1", "critical", "db", "prod", "nagios", 0, "firing"),
    ("replication lag", "high", "db", "prod", "zabbix", 3, "firing"),
    ("api 5xx burst", "warning", "api", "prod", "prometheus", 30, "firing"),
    ("api latency", "info", "api", "staging", "prometheus", 60, "firing"),
    ("cert expires soon", "warning", "edge", "staging", "generic", 90, "resolved"),
]
START = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def stamp(offset_minutes: int) -> str:
    return (START + timedelta(minutes=offset_minutes)).isoformat().replace("+00:00", "Z")


@pytest.fixture
def fleet(client: TestClient) -> dict[str, str]:
    """Send the fleet; returns alert id by title."""
    payload = [
        {
            "title": title,
            "severity": severity,
            "service": service,
            "environment": env,
            "source": source,
            "starts_at": stamp(offset),
            "description": f"{title} described",
            "status": "firing",
        }
        for title, severity, service, env, source, offset, _ in FLEET
    ]
    outcomes = client.post("/api/v1/alerts", json=payload).json()["alerts"]
    resolves = [
        {**item, "status": "resolved", "ends_at": stamp(120)}
        for item, row in zip(payload, FLEET, strict=True)
        if row[6] == "resolved"
    ]
    assert client.post("/api/v1/alerts", json=resolves).status_code == 202
    return {row[0]: outcome["alert_id"] for row, outcome in zip(FLEET, outcomes, strict=True)}


def titles(client: TestClient, url: str, **params: object) -> set[str]:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return {item["title"] for item in response.json()["items"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {row[0] for row in FLEET}),
        ({"status": "resolved"}, {"cert expires soon"}),
        ({"status": ["firing"]}, {"disk full on db-1", "replication lag", "api 5xx burst", "api latency"}),
        ({"severity": ["critical", "info"]}, {"disk full on db-1", "api latency"}),
        ({"service": "db"}, {"disk full on db-1", "replication lag"}),
        ({"environment": "staging"}, {"api latency", "cert expires soon"}),
        ({"source": ["prometheus", "zabbix"]}, {"replication lag", "api 5xx burst", "api latency"}),
        ({"until": stamp(3)}, {"disk full on db-1", "replication lag"}),
        ({"until": "2026-01-05T11:03:00+01:00"}, {"disk full on db-1", "replication lag"}),
        ({"q": "API"}, {"api 5xx burst", "api latency"}),
        ({"q": "LAG DESCRIBED"}, {"replication lag"}),
        ({"service": "api", "environment": "prod"}, {"api 5xx burst"}),
        ({"since": "2000-01-01T00:00:00Z"}, {row[0] for row in FLEET}),
        ({"since": "2999-01-01T00:00:00Z"}, set()),
    ],
)
def test_alert_filters(client: TestClient, fleet: dict[str, str], params: dict, expected: set[str]) -> None:  # type: ignore[type-arg]
    assert titles(client, "/api/v1/alerts", **params) == expected


def test_alert_filter_by_incident(client: TestClient, fleet: dict[str, str]) -> None:
    incident_id = client.get(f"/api/v1/alerts/{fleet['disk full on db-1']}").json()["incident_id"]
    assert titles(client, "/api/v1/alerts", incident_id=incident_id) == {"disk full on db-1", "replication lag"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"disk full on db-1", "api 5xx burst", "api latency", "cert expires soon"}),
        ({"status": "resolved"}, {"cert expires soon"}),
        ({"status": "open"}, {"disk full on db-1", "api 5xx burst", "api latency"}),
        ({"severity": "critical"}, {"disk full on db-1"}),
        ({"service": ["edge", "db"]}, {"disk full on db-1", "cert expires soon"}),
        ({"environment": "prod"}, {"disk full on db-1", "api 5xx burst"}),
        ({"until": stamp(30)}, {"disk full on db-1", "api 5xx burst"}),
        ({"q": "Latency"}, {"api latency"}),
        ({"since": "2999-01-01T00:00:00Z"}, set()),
    ],
)
def test_incident_filters(client: TestClient, fleet: dict[str, str], params: dict, expected: set[str]) -> None:  # type: ignore[type-arg]
    assert titles(client, "/api/v1/incidents", **params) == expected


def test_incident_severity_and_counts(client: TestClient, fleet: dict[str, str]) -> None:
    [db] = client.get("/api/v1/incidents", params={"service": "db"}).json()["items"]
    assert (db["severity"], db["alert_count"], db["firing_count"], db["services"]) == ("critical", 2, 2, ["db"])


@pytest.mark.parametrize("sort", ["severity", "-severity", "starts_at", "-starts_at", "received_at", "-last_seen_at"])
def test_alert_sorting(client: TestClient, fleet: dict[str, str], sort: str) -> None:
    items = client.get("/api/v1/alerts", params={"sort": sort}).json()["items"]
    field = sort.lstrip("-")
    keys = [SEVERITY_RANK[i["severity"]] if field == "severity" else i[field] for i in items]
    if field.endswith("_at"):
        keys = [datetime.fromisoformat(k) for k in keys]
    assert keys == sorted(keys, reverse=sort.startswith("-"))
    if sort == "-severity":
        assert items[0]["title"] == "disk full on db-1"
    if sort == "starts_at":
        assert [i["title"] for i in items] == [row[0] for row in FLEET]


@pytest.mark.parametrize("sort", ["-alert_count", "first_seen_at", "-severity"])
def test_incident_sorting(client: TestClient, fleet: dict[str, str], sort: str) -> None:
    items = client.get("/api/v1/incidents", params={"sort": sort}).json()["items"]
    field = sort.lstrip("-")
    keys = [SEVERITY_RANK[i["severity"]] if field == "severity" else i[field] for i in items]
    assert keys == sorted(keys, reverse=sort.startswith("-"))
    assert len(items) == 4


def walk(client: TestClient, url: str, *, sort: str, limit: int) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(100):
        params = {"sort": sort, "limit": limit, **({"cursor": cursor} if cursor else {})}
        page = client.get(url, params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= limit
        seen.extend(item["id"] for item in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("pagination did not end")


@pytest.mark.parametrize(
    "sort", ["-last_seen_at", "last_seen_at", "severity", "-severity", "starts_at", "-received_at"]
)
def test_alert_cursor_pages_cover_everything_once(client: TestClient, sort: str) -> None:
    # Two batches of many alerts: ties in every time column and in severity, broken by id.
    severities = ["critical", "high", "warning", "info", "bananas"]
    for batch in range(2):
        payload = [
            {"title": f"a{batch}-{n}", "severity": severities[n % 5], "service": f"s{n % 4}", "starts_at": stamp(n % 3)}
            for n in range(13)
        ]
        assert client.post("/api/v1/alerts", json=payload).status_code == 202
    everything = [
        item["id"] for item in client.get("/api/v1/alerts", params={"sort": sort, "limit": 500}).json()["items"]
    ]
    assert len(everything) == 26
    walked = walk(client, "/api/v1/alerts", sort=sort, limit=4)
    assert walked == everything
    assert len(set(walked)) == 26


@pytest.mark.parametrize("sort", ["-last_seen_at", "alert_count", "-severity", "first_seen_at"])
def test_incident_cursor_pages_cover_everything_once(client: TestClient, sort: str) -> None:
    payload = [
        {"title": f"i{n}", "service": f"svc{n}", "environment": "prod", "severity": ["critical", "info"][n % 2],
         "starts_at": stamp(n % 2)}
        for n in range(11)
    ]
    payload += [{"title": f"extra{n}", "service": "svc0", "environment": "prod", "starts_at": stamp(0)} for n in range(3)]
    assert client.post("/api/v1/alerts", json=payload).status_code == 202
    everything = [i["id"] for i in client.get("/api/v1/incidents", params={"sort": sort, "limit": 500}).json()["items"]]
    assert len(everything) == 11
    assert walk(client, "/api/v1/incidents", sort=sort, limit=3) == everything


def test_cursor_from_another_sort_is_422(client: TestClient, fleet: dict[str, str]) -> None:
    cursor = client.get("/api/v1/alerts", params={"sort": "severity", "limit": 2}).json()["next_cursor"]
    assert cursor
    response = client.get("/api/v1/alerts", params={"sort": "-starts_at", "cursor": cursor})
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "cursor"
    garbage = client.get("/api/v1/alerts", params={"cursor": "nonsense"})
    assert garbage.status_code == 422
    assert garbage.json()["problems"][0]["field"] == "cursor"


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/alerts", {"limit": 0}, "limit"),
        ("/api/v1/alerts", {"limit": 501}, "limit"),
        ("/api/v1/alerts", {"sort": "title"}, "sort"),
        ("/api/v1/alerts", {"status": "open"}, "status.0"),
        ("/api/v1/alerts", {"since": "last week"}, "since"),
        ("/api/v1/incidents", {"severity": "fatal"}, "severity.0"),
        ("/api/v1/incidents", {"sort": "received_at"}, "sort"),
    ],
)
def test_bad_query_parameters_are_422_naming_them(client: TestClient, url: str, params: dict, field: str) -> None:  # type: ignore[type-arg]
    response = client.get(url, params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert [p["field"] for p in body["problems"]] == [field]
