"""The whole Prometheus chain, every part real: an exporter, Prometheus, Alertmanager, OpenConductor.

The test's exporter serves a gauge; Prometheus scrapes it every second and evaluates an alerting rule on
it; Alertmanager sends the alert to OpenConductor's webhook. Raising the gauge must open an incident,
lowering it must resolve the alert and then the incident.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_support import free_port, wait_for
from external_tools import MetricsExporter, binary, ready, running, tail

PROMETHEUS_CONFIG = """
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [{rules}]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:{alertmanager_port}"]
scrape_configs:
  - job_name: demo
    static_configs:
      - targets: ["127.0.0.1:{exporter_port}"]
"""

RULES = """
groups:
  - name: demo
    rules:
      - alert: DemoQueueBacklog
        expr: demo_queue_depth > 10
        for: 0s
        labels:
          severity: critical
          service: orders
          env: prod
        annotations:
          summary: "Queue {{ $labels.queue }} holds {{ $value }} messages"
"""

ALERTMANAGER_CONFIG = """
global:
  resolve_timeout: 5s
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


def test_a_metric_over_its_threshold_opens_an_incident_that_resolves_with_it(
    server_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prometheus = binary("prometheus", package="prometheus")
    alertmanager = binary("prometheus-alertmanager", package="prometheus-alertmanager")
    # One alert is the whole story here, and by default the engine raises an incident only once it has two
    # alerts or one has fired for 15 minutes (docs/correlation.md). Raising at the first alert keeps the
    # test to seconds; the server process reads the setting from its environment.
    monkeypatch.setenv("OPENCONDUCTOR_ENGINE__MIN_ALERTS_TO_RAISE", "1")
    with (
        server_factory(f"sqlite:///{tmp_path / 'oc.db'}") as server,
        MetricsExporter("demo_queue_depth", labels={"queue": "orders"}, value=3) as exporter,
    ):
        am_port, prom_port = free_port(), free_port()
        (tmp_path / "alertmanager.yml").write_text(ALERTMANAGER_CONFIG.format(url=server.url))
        (tmp_path / "rules.yml").write_text(RULES)
        (tmp_path / "prometheus.yml").write_text(
            PROMETHEUS_CONFIG.format(
                rules=tmp_path / "rules.yml", alertmanager_port=am_port, exporter_port=exporter.port
            )
        )
        am_log, prom_log = tmp_path / "alertmanager.log", tmp_path / "prometheus.log"
        am_args = [
            alertmanager,
            f"--config.file={tmp_path / 'alertmanager.yml'}",
            f"--storage.path={tmp_path / 'am'}",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",
        ]
        prom_args = [
            prometheus,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
            # Prometheus re-sends a firing alert only this often; the default minute is longer than the test.
            "--rules.alert.resend-delay=1s",
        ]
        with running(am_args, log_path=am_log), running(prom_args, log_path=prom_log):
            try:
                wait_for(lambda: ready(f"http://127.0.0.1:{am_port}/-/ready"), timeout=20)
                wait_for(lambda: ready(f"http://127.0.0.1:{prom_port}/-/ready"), timeout=20)
                _scenario(server.url, exporter)
            except AssertionError as failure:
                raise AssertionError(
                    f"{failure}\nprometheus:\n{tail(prom_log)}\nalertmanager:\n{tail(am_log)}"
                ) from None


def _scenario(url: str, exporter: MetricsExporter) -> None:
    def our_alerts() -> list[dict[str, Any]]:
        return httpx.get(f"{url}/api/v1/alerts", params={"source": "alertmanager"}).json()["items"]

    # Below the threshold nothing fires: Prometheus scrapes (and evaluates the rule) a few times first.
    wait_for(lambda: exporter.scrapes >= 3, timeout=15)
    assert our_alerts() == []

    exporter.value = 42
    wait_for(lambda: len(our_alerts()) == 1, timeout=20)
    [alert] = our_alerts()
    assert alert["status"] == "firing"
    assert alert["labels"]["alertname"] == "DemoQueueBacklog"
    assert alert["title"] == "Queue orders holds 42 messages"
    assert (alert["service"], alert["environment"], alert["severity"]) == ("orders", "prod", "critical")
    assert alert["annotations"]["generator_url"].startswith("http://")

    def raised() -> list[dict[str, Any]]:
        return httpx.get(f"{url}/api/v1/incidents", params={"raised": "true"}).json()["items"]

    wait_for(lambda: len(raised()) == 1, timeout=10)
    [incident] = raised()
    assert incident["id"] == alert["incident_id"]
    assert (incident["services"], incident["severity"], incident["status"]) == (["orders"], "critical", "open")

    exporter.value = 3
    wait_for(lambda: httpx.get(f"{url}/api/v1/alerts/{alert['id']}").json()["status"] == "resolved", timeout=20)
    wait_for(lambda: httpx.get(f"{url}/api/v1/incidents/{incident['id']}").json()["status"] == "resolved", timeout=10)
    resolved = httpx.get(f"{url}/api/v1/incidents/{incident['id']}").json()
    assert resolved["resolution"] == "all_alerts_resolved"
    # The firing and the resolve folded into one alert, through Alertmanager's fingerprint.
    assert len(our_alerts()) == 1
