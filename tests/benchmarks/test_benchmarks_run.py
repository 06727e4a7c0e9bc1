"""The benchmark scripts run end to end on a tiny input and write the documented JSON.

These check the harness (counts equal what was sent, latencies ordered), never a speed: benchmarks
are not tests, and no figure here depends on how fast the machine is.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
TINY_ALERTS = 2000


@pytest.fixture(scope="module")
def tiny_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulator file, generated the way the benchmarks generate theirs (`openconductor simulate`)."""
    # Loaded from its file under its own name: benchmarks/ is a folder of scripts, not a package on the path.
    spec = importlib.util.spec_from_file_location("openconductor_benchmarks_harness", BENCHMARKS / "harness.py")
    assert spec is not None and spec.loader is not None
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)
    cache = tmp_path_factory.mktemp("bench-cache")
    return harness.simulator_file(profile="small", alerts=TINY_ALERTS, seed=7, cache_dir=cache)


def run_script(name: str, *arguments: str) -> None:
    subprocess.run([sys.executable, str(BENCHMARKS / name), *arguments], check=True, timeout=120)


def test_pipeline_throughput_reports_every_documented_figure(tiny_input: Path, tmp_path: Path) -> None:
    out = tmp_path / "pipeline.json"
    run_script("pipeline_throughput.py", "--input", str(tiny_input), "--repeat", "1", "--out", str(out))

    report = json.loads(out.read_text())
    assert report["benchmark"] == "pipeline_throughput"
    assert report["machine"]["cpus"] >= 1
    assert len(report["machine"]["load_average_at_start"]) == 3
    assert report["settings"]["backend"] == "sqlite"
    (result,) = report["results"]
    assert result["alerts"] == TINY_ALERTS
    stored, alone = result["stored"], result["pipeline_only"]
    for figures in (stored, alone):
        assert figures["alerts_in"] == TINY_ALERTS
        assert figures["invalid_lines"] == 0
        assert 0 < figures["incidents_out"] <= figures["distinct_alerts"] <= TINY_ALERTS
        assert figures["noise_reduction"] == pytest.approx(1 - figures["incidents_out"] / TINY_ALERTS, abs=1e-6)
        assert figures["alerts_per_second"] > 0
        assert figures["peak_rss_mib"] > 0
        assert len(figures["runs"]) == 1
        assert figures["runs_agree"] is True
    assert stored["seconds"] > 0
    assert alone["parse_seconds"] > 0 and alone["pipeline_seconds"] > 0
    assert alone["parse_alerts_per_second"] > 0
    assert alone["parse_and_pipeline_alerts_per_second"] <= alone["alerts_per_second"]
    # Storing changes nothing about how alerts are grouped.
    assert (stored["distinct_alerts"], stored["incidents_out"]) == (alone["distinct_alerts"], alone["incidents_out"])


def test_http_ingest_counts_every_request_and_orders_latencies(tiny_input: Path, tmp_path: Path) -> None:
    out = tmp_path / "http.json"
    run_script(
        "http_ingest.py", "--input", str(tiny_input), "--single-requests", "200", "--batch-requests", "10",
        "--warmup-requests", "5", "--concurrency", "4", "--repeat", "1", "--out", str(out),
    )

    report = json.loads(out.read_text())
    assert report["benchmark"] == "http_ingest"
    assert report["settings"]["backend"] == "sqlite"
    assert set(report["modes"]) == {"single", "batch"}
    expected = {"single": (200, 1), "batch": (10, 100)}
    for mode, (requests, per_request) in expected.items():
        summary = report["modes"][mode]
        assert summary["alerts_per_request"] == per_request
        assert summary["errors"] == 0
        (run,) = summary["runs"]
        check_counts(run, requests=requests, alerts=requests * per_request)
        check_latencies(summary["latency_ms"])
        check_latencies(run["latency_ms"])
        assert summary["alerts_per_second"] > 0
        assert summary["requests_per_second"] == pytest.approx(summary["alerts_per_second"] / per_request, rel=0.01)


def check_counts(run: dict[str, Any], *, requests: int, alerts: int) -> None:
    assert run["requests_sent"] == run["requests_accepted"] == requests
    assert run["alerts_sent"] == run["alerts_accepted"] == alerts
    assert sum(run["changes"].values()) == alerts
    # Every alert that fires is in an incident when the 202 arrives; only resolves of unknown alerts are not.
    assert 0 < run["alerts_with_incident"] <= alerts
    assert run["changes"].get("new", 0) <= run["alerts_with_incident"]
    assert run["errors"] == 0 and run["first_errors"] == []
    assert run["server_cpu_seconds"] >= 0 and run["client_cpu_seconds"] >= 0


def check_latencies(latency: dict[str, float]) -> None:
    assert 0 < latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["max"]
    assert 0 < latency["mean"] <= latency["max"]


def test_alert_storm_reports_one_incident_per_storm(tmp_path: Path) -> None:
    out = tmp_path / "storm.json"
    run_script("alert_storm.py", "--sizes", "300,1000", "--background", "200", "--out", str(out))

    report = json.loads(out.read_text())
    assert report["benchmark"] == "alert_storm"
    assert report["machine"]["cpus"] >= 1
    assert [result["alerts"] for result in report["results"]] == [300, 1000]
    assert report["settings"]["background_of_kind"] == 200
    for result in report["results"]:
        # One kind of alert on every host within two minutes is one storm: one incident, whatever its size.
        assert result["incidents"] == 1
        assert result["alerts_per_second"] > 0 and result["seconds"] > 0
        assert result["peak_rss_mib"] > 0


def test_alert_storm_through_the_platform_reports_one_incident(tmp_path: Path) -> None:
    out = tmp_path / "storm-stored.json"
    run_script("alert_storm.py", "--sizes", "500", "--stored", "--out", str(out))

    report = json.loads(out.read_text())
    assert report["settings"]["stored"] is True and report["settings"]["request_size"] == 100
    (result,) = report["results"]
    assert result["stored"] is True
    assert result["alerts"] == 500
    assert result["incidents"] == 1
