"""A real Prometheus Alertmanager notifies OpenConductor; its alerts arrive as one incident, then resolve."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from e2e_support import free_port, wait_for

from support import require_external

ALERTMANAGER = "prometheus-alertmanager"

CONFIG = """
route:
  receiver: openconductor
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: openconductor
    webhook_configs:
      - url: {url}/api/v1/integrations/alertmanager
        send_resolved: true
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


def test_alertmanager_notifications_become_one_incident(server_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    binary = shutil.which(ALERTMANAGER)
    if binary is None:
        require_external(f"{ALERTMANAGER} is not installed (Debian package prometheus-alertmanager)")
    with server_factory(f"sqlite:///{tmp_path / 'oc.db'}") as server:
        config = tmp_path / "alertmanager.yml"
        config.write_text(CONFIG.format(url=server.url))
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
        try:
            am = f"http://127.0.0.1:{port}"
            wait_for(lambda: httpx.get(f"{am}/-/ready", timeout=1).status_code == 200, timeout=30)
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
