"""`openconductor eval`: metrics with hand-computed answers, baseline semantics, the report and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import orjson
import pytest
import typer
from typer.testing import CliRunner

from openconductor.cli import eval_cmd
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.evaluation.correlation.correlators import run_alertmanager, run_time_window
from openconductor.evaluation.correlation.metrics import pair_scores, score_assignment
from openconductor.ingest.base import build_event

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def test_pair_scores_by_hand() -> None:
    # truth {0,1,2} {3,4}; predicted {0,1} {2,3,4}
    truth = np.array([0, 0, 0, 1, 1])
    predicted = np.array([0, 0, 1, 1, 1])
    precision, recall, f1, ari = pair_scores(truth, predicted)
    # predicted pairs: (0,1) (2,3) (2,4) (3,4) -> correct: (0,1) (3,4) -> 2/4
    assert precision == pytest.approx(0.5)
    # truth pairs: (0,1) (0,2) (1,2) (3,4) -> found 2/4
    assert recall == pytest.approx(0.5)
    assert f1 == pytest.approx(0.5)
    # ARI from the pair counts: index 2, expected 4*4/10 = 1.6, max 4 -> (2-1.6)/(4-1.6)
    assert ari == pytest.approx((2 - 1.6) / (4 - 1.6))


def test_perfect_and_all_in_one() -> None:
    truth = np.array([0, 0, 1, 1, 2])
    assert pair_scores(truth, truth)[:3] == (1.0, 1.0, 1.0)
    precision, recall, _, _ = pair_scores(truth, np.zeros(5, dtype=np.int64))
    assert recall == 1.0
    assert precision == pytest.approx(2 / 10)


def test_score_assignment_shares_noise_reduction_and_delay() -> None:
    scores = score_assignment(
        truth_groups=["a", "a", "a", "b", "n"],
        truth_kinds=["incident", "incident", "incident", "incident", "noise"],
        predicted=["i1", "i1", "i2", "i2", None],
        firing=[True, True, True, True, True],
        times=[0.0, 10.0, 20.0, 30.0, 40.0],
        raised_at={"i1": 5.0, "i2": 20.0},
    )
    assert scores.incidents == 2
    assert scores.noise_reduction == pytest.approx(1 - 2 / 5)
    assert scores.truth_groups == 3
    assert scores.split_share == pytest.approx(1 / 2)  # a is split, b is not; noise is not counted
    assert scores.mixed_share == pytest.approx(1 / 3)  # i2 mixes a and b; the unassigned line is its own
    assert scores.detection_delay_median_s == pytest.approx((5.0 + 0.0) / 2)


def _event(
    title: str,
    at: timedelta,
    *,
    status: AlertStatus = AlertStatus.FIRING,
    service: str = "api",
    fingerprint: str | None = None,
) -> object:
    moment = T0 + at
    return build_event(
        source="test",
        status=status,
        severity=Severity.WARNING,
        title=title,
        service=service,
        environment="prod",
        labels={"alertname": title},
        received_at=moment,
        starts_at=moment,
        ends_at=moment if status is AlertStatus.RESOLVED else None,
        fingerprint=fingerprint or title,
    )


def test_alertmanager_group_lives_while_it_holds_alerts() -> None:
    events = [
        _event("Latency", timedelta(0)),
        _event("Latency", timedelta(minutes=1), status=AlertStatus.RESOLVED),
        # group is empty but group_interval (5m) has not passed: same group
        _event("Latency", timedelta(minutes=3)),
        _event("Latency", timedelta(minutes=4), status=AlertStatus.RESOLVED),
        # empty for more than 5 minutes: a new group
        _event("Latency", timedelta(minutes=20)),
    ]
    result = run_alertmanager(events, ["alertname"])  # type: ignore[arg-type]
    assert result.predicted[0] == result.predicted[2]
    assert result.predicted[4] != result.predicted[0]
    # notifications wait group_wait (30 s) after the first alert of a group
    assert result.raised_at[result.predicted[0]] == pytest.approx(T0.timestamp() + 30)


def test_alertmanager_unrefreshed_alerts_time_out() -> None:
    events = [_event("Disk", timedelta(0)), _event("Disk", timedelta(minutes=11))]
    result = run_alertmanager(events, ["alertname"])  # type: ignore[arg-type]
    assert result.predicted[0] != result.predicted[1]


def test_time_window_buckets() -> None:
    events = [_event("a", timedelta(minutes=1)), _event("b", timedelta(minutes=4)), _event("c", timedelta(minutes=6))]
    predicted = run_time_window(events).predicted  # type: ignore[arg-type]
    assert predicted[0] == predicted[1] != predicted[2]


def _labelled_file(path: Path) -> Path:
    records = []
    for group in range(6):
        start = T0 + timedelta(hours=group)
        for index in range(4):
            moment = (start + timedelta(seconds=30 * index)).isoformat().replace("+00:00", "Z")
            records.append(
                {
                    "title": f"symptom {index} of failure {group}",
                    "service": f"svc-{group}",
                    "environment": "prod",
                    "starts_at": moment,
                    "received_at": moment,
                    "_truth": {"group": f"g{group}", "kind": "incident", "root_cause": index == 0},
                }
            )
    path.write_bytes(b"\n".join(orjson.dumps(record) for record in records) + b"\n")
    return path


def test_eval_cli_writes_report_and_html(tmp_path: Path) -> None:
    app = typer.Typer()
    eval_cmd.register(app)
    app.command("noop")(lambda: None)
    stream = _labelled_file(tmp_path / "stream.jsonl")
    result = CliRunner().invoke(
        app, ["eval", str(stream), "--report", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 0, result.output
    report = orjson.loads((tmp_path / "r.json").read_bytes())
    assert report["alerts_in"] == 24
    assert report["truth_groups"] == 6
    product = report["correlators"]["openconductor (current)"]
    # one service per failure, an hour apart: the group-by correlator finds each exactly
    assert product["incidents"] == 6
    assert product["pairwise_f1"] == pytest.approx(1.0)
    assert report["correlators"]["dedup only"]["incidents"] == 24
    assert set(report["correlators"]) >= {
        "alertmanager [alertname]",
        "alertmanager [service]",
        "alertmanager [environment, service]",
        "time window 5m",
    }
    page = (tmp_path / "r.html").read_text()
    assert page.count("<svg") == 2
    assert "openconductor (current)" in page


def test_eval_cli_markdown_prints_the_table_alone(tmp_path: Path) -> None:
    app = typer.Typer()
    eval_cmd.register(app)
    app.command("noop")(lambda: None)
    stream = _labelled_file(tmp_path / "stream.jsonl")
    result = CliRunner().invoke(app, ["eval", str(stream), "--markdown"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("stream.jsonl: 24 alerts, 6 truth groups")
    assert lines[1].startswith("| correlator |")
    assert all(line.startswith("|") for line in lines[1:] if line)
    assert not any(character in result.output for character in "┏━┃")  # no Rich table as well


def test_lines_of_an_incident_the_engine_merged_away_count_where_its_alerts_went() -> None:
    from openconductor.evaluation.correlation.correlators import run_pipeline

    def crash(service: str, at: timedelta) -> AlertEvent:
        return build_event(
            source="prometheus",
            status=AlertStatus.FIRING,
            severity=Severity.HIGH,
            title=f"Pod {service}-7f9c6 is restarting over and over in namespace shop",
            service=service,
            environment="prod",
            received_at=T0 + at,
            fingerprint=f"crash-{service}",
        )

    # Three quiet hours (the kind fires once an hour), then a storm: its first alert opened an incident
    # of its own before the storm was recognised, and was gathered into the storm's incident later.
    history = [crash(f"old-{n}", timedelta(hours=n)) for n in range(3)]
    burst = [crash(s, timedelta(hours=3, seconds=40 * n)) for n, s in enumerate(["ledger", "orders", "email"])]
    product, _ = run_pipeline(history + burst)
    ledger, orders, email = product.predicted[3:]
    assert ledger == orders == email


def test_score_links_counts_joins_between_lines_of_one_truth_group_per_rule() -> None:
    from openconductor.evaluation.correlation.links import score_links

    truth = ["a", "a", "b", "b", "c"]
    joins = [(1, 0, "same_component"), (2, 1, "same_component"), (3, 2, "cooccurrence"), (4, 3, "same_component")]
    links = score_links(truth, joins)
    assert list(links) == ["same_component", "cooccurrence"]  # the rule with most joins first
    assert links["same_component"] == {"joins": 3, "right": 1, "link_precision": pytest.approx(1 / 3, abs=1e-6)}
    assert links["cooccurrence"] == {"joins": 1, "right": 1, "link_precision": 1.0}


def test_eval_cli_links_scores_every_join_of_the_engine(tmp_path: Path) -> None:
    app = typer.Typer()
    eval_cmd.register(app)
    app.command("noop")(lambda: None)
    stream = _labelled_file(tmp_path / "stream.jsonl")
    result = CliRunner().invoke(
        app, ["eval", str(stream), "--markdown", "--links", "--report", str(tmp_path / "r.json")]
    )
    assert result.exit_code == 0, result.output
    # Four symptoms of each failure on one service: three joins each, every one between lines of one group.
    assert "| same_component | 18 | 18 | 1.000 |" in result.output.splitlines()
    report = orjson.loads((tmp_path / "r.json").read_bytes())
    assert report["links"] == {"same_component": {"joins": 18, "right": 18, "link_precision": 1.0}}
