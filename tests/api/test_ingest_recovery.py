"""A batch that fails halfway leaves nothing behind: the working set is put back in line with the store."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_a_failure_inside_the_pipeline_leaves_no_trace(client: TestClient, platform, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    first = client.post("/api/v1/alerts", json={"title": "disk full", "service": "db"}).json()["alerts"][0]
    correlator = type(platform.pipeline.correlator)

    def broken_assign(self, alert, batch) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("correlator failed")

    monkeypatch.setattr(correlator, "_assign", broken_assign)
    with pytest.raises(RuntimeError, match="correlator failed"):
        # The repeat is folded into the working set before the new alert breaks the correlator.
        client.post("/api/v1/alerts", json=[{"title": "disk full", "service": "db"}, {"title": "new", "service": "x"}])
    monkeypatch.undo()

    again = client.post("/api/v1/alerts", json={"title": "disk full", "service": "db"}).json()["alerts"][0]
    assert (again["alert_id"], again["change"]) == (first["alert_id"], "repeat")
    assert client.get(f"/api/v1/alerts/{first['alert_id']}").json()["occurrences"] == 2
    assert [a["title"] for a in client.get("/api/v1/alerts").json()["items"]] == ["disk full"]
