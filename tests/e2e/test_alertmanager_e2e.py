"""A real Prometheus Alertmanager notifies OpenConductor; its alerts arrive as one incident, then resolve.
Without resolved notifications, a firing that starts afresh ends the one OpenConductor knew."""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from e2e_support import free_port, wait_for

from support import require_external

ALERTMANAGER = "prometheus-alertmanager"

CONFIG = """
route:
  receiver: openconductor
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: {repeat_interval}
receivers:
  - name: openconductor
    webhook_configs:
      - url: {url}/api/v1/integrations/alertmanager
        send_resolved: {send_resolved}
"""


def _alert(name: str, *, ends_at: datetime | None = None) -> dict[str, object]:
    alert: dict[str, object] = {
        "labels": {
            "alertname": name,
            "service": "checkout",
            "env": "prod",
            "severity": "critical",
            "instance": "checkout-7f9c6d-x2k4p",
        },
        "annotations": {"summary": f"{name} on checkout"},
        "generatorURL": "http://prometheus.local/graph",
    }
    if ends_at is not None:
        alert["endsAt"] = ends_at.isoformat().replace("+00:00", "Z")
    return alert


def _start_alertmanager(binary: str, config: Path, tmp_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    manager = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'am'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=(tmp_path / "am.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    am = f"http://127.0.0.1:{port}"
    wait_for(lambda: httpx.get(f"{am}/-/ready", timeout=1).status_code == 200, timeout=30)
    return manager, am


def test_alertmanager_notifications_become_one_incident(server_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    binary = shutil.which(ALERTMANAGER)
    if binary is None:
        require_external(f"{ALERTMANAGER} is not installed (Debian package prometheus-alertmanager)")
    with server_factory(f"sqlite:///{tmp_path / 'oc.db'}") as server:
        config = tmp_path / "alertmanager.yml"
        config.write_text(CONFIG.format(url=server.url, repeat_interval="1h", send_resolved="true"))
        manager, am = _start_alertmanager(binary, config, tmp_path)
        try:
            posted = httpx.post(f"{am}/api/v2/alerts", json=[_alert("HighLatency"), _alert("HighErrorRate")])
            assert posted.status_code == 200, posted.text

            def one_incident_with_both() -> bool:
                items = httpx.get(f"{server.url}/api/v1/incidents").json()["items"]
                return len(items) == 1 and items[0]["alert_count"] == 2

            wait_for(one_incident_with_both, timeout=30)
            incident = httpx.get(f"{server.url}/api/v1/incidents").json()["items"][0]
            assert incident["services"] == ["checkout"]
            assert incident["severity"] == "critical"
            members = httpx.get(f"{server.url}/api/v1/incidents/{incident['id']}/alerts").json()
            assert sorted(m["alert"]["labels"]["alertname"] for m in members) == ["HighErrorRate", "HighLatency"]
            # The second alert is on the same component (service checkout, same pod): the engine says so.
            assert {m["reason"]["rule"] for m in members} == {"opened", "same_component"}
            joined = next(m for m in members if m["reason"]["rule"] == "same_component")
            assert joined["reason"]["evidence"]["component"] == "prod/checkout"
            assert all(m["alert"]["source"] == "alertmanager" for m in members)

            ended = datetime.now(UTC) - timedelta(seconds=1)
            httpx.post(
                f"{am}/api/v2/alerts",
                json=[_alert("HighLatency", ends_at=ended), _alert("HighErrorRate", ends_at=ended)],
            )
            wait_for(
                lambda: httpx.get(f"{server.url}/api/v1/incidents/{incident['id']}").json()["status"] == "resolved",
                timeout=30,
            )
        finally:
            manager.terminate()
            manager.wait(timeout=10)


def test_without_resolved_notifications_a_fresh_firing_ends_the_one_we_knew(  # type: ignore[no-untyped-def]
    server_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    binary = shutil.which(ALERTMANAGER)
    if binary is None:
        require_external(f"{ALERTMANAGER} is not installed (Debian package prometheus-alertmanager)")
    # A refire window of two seconds stands in for the default 30 minutes, so the next firing is a new alert.
    monkeypatch.setenv("OPENCONDUCTOR_DEDUP__REFIRE_WINDOW", "PT2S")
    with server_factory(f"sqlite:///{tmp_path / 'oc.db'}") as server:
        config = tmp_path / "alertmanager.yml"
        config.write_text(CONFIG.format(url=server.url, repeat_interval="2s", send_resolved="false"))
        manager, am = _start_alertmanager(binary, config, tmp_path)
        try:

            def alerts() -> list[dict[str, object]]:
                found: list[dict[str, object]] = httpx.get(
                    f"{server.url}/api/v1/alerts", params={"source": "alertmanager", "sort": "received_at"}
                ).json()["items"]
                return found

            assert httpx.post(f"{am}/api/v2/alerts", json=[_alert("DiskFull")]).status_code == 200
            wait_for(lambda: len(alerts()) == 1, timeout=30)
            [first] = alerts()
            # It resolves in Alertmanager, which tells nobody (send_resolved: false)...
            ended = datetime.now(UTC) - timedelta(seconds=1)
            assert httpx.post(f"{am}/api/v2/alerts", json=[_alert("DiskFull", ends_at=ended)]).status_code == 200
            wait_for(lambda: not httpx.get(f"{am}/api/v2/alerts", params={"active": "true"}).json(), timeout=30)
            # ...past its last re-send and OpenConductor's refire window, and then fires again: a new startsAt.
            time.sleep(5)
            assert httpx.post(f"{am}/api/v2/alerts", json=[_alert("DiskFull")]).status_code == 200
            wait_for(lambda: len(alerts()) == 2, timeout=30)
            earlier, fresh = alerts()
            assert earlier["id"] == first["id"] and fresh["id"] != first["id"]
            assert fresh["fingerprint"] == first["fingerprint"]
            assert earlier["status"] == "resolved" and earlier["ends_at"] == earlier["last_seen_at"]
            assert fresh["status"] == "firing" and str(fresh["starts_at"]) > str(first["starts_at"])
            # Seconds apart on one component, the new firing takes its incident back: the same problem again.
            assert fresh["incident_id"] == first["incident_id"]
        finally:
            manager.terminate()
            manager.wait(timeout=10)
