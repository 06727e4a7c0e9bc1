"""Tests for template-mining scores: GA and pairwise F1 by hand, the CLI, and both miners on Loghub-2k."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from openconductor.cli.eval_templates import register
from openconductor.evaluation.templates import (
    SYSTEMS,
    evaluate,
    grouping_accuracy,
    mean_score,
    pairwise_score,
)

# Floor for OpenConductor's miner, a little under today's 0.917 mean GA (original labels), to catch regressions.
OPENCONDUCTOR_MEAN_GA_FLOOR = 0.90
PUBLISHED_DRAIN_MEAN_GA = 0.865


def test_perfect_grouping_scores_one() -> None:
    truth = ["a", "a", "b", "c", "c", "c"]
    predicted = [7, 7, 1, 2, 2, 2]
    assert grouping_accuracy(truth, predicted) == 1.0
    assert pairwise_score(truth, predicted).f1 == 1.0


def test_over_merged_group_loses_all_its_messages() -> None:
    # True groups {0,1} {2} {3,4,5}; predicted {0,1,2} {3,4,5}: only the last group is exactly right.
    truth = ["a", "a", "b", "c", "c", "c"]
    predicted = ["x", "x", "x", "y", "y", "y"]
    assert grouping_accuracy(truth, predicted) == pytest.approx(3 / 6)
    score = pairwise_score(truth, predicted)
    # Predicted pairs: 3 + 3 = 6, true pairs: 1 + 3 = 4, shared: 1 + 3 = 4.
    assert score.precision == pytest.approx(4 / 6)
    assert score.recall == pytest.approx(1.0)
    assert score.f1 == pytest.approx(2 * (4 / 6) / (4 / 6 + 1))


def test_split_group_loses_all_its_messages() -> None:
    # True {0,1,2,3}; predicted {0,1} {2,3}; plus a correct singleton.
    truth = ["a", "a", "a", "a", "b"]
    predicted = [1, 1, 2, 2, 3]
    assert grouping_accuracy(truth, predicted) == pytest.approx(1 / 5)
    score = pairwise_score(truth, predicted)
    assert score.precision == pytest.approx(1.0)
    assert score.recall == pytest.approx(2 / 6)


def test_lengths_must_agree() -> None:
    with pytest.raises(ValueError, match="predicted_groups"):
        grouping_accuracy(["a"], [])


def _write_tiny_loghub(root: Path) -> None:
    for system in SYSTEMS:
        folder = root / system
        folder.mkdir(parents=True)
        rows = "LineId,Content,EventId,EventTemplate\n"
        rows += "1,Disk full on db-1,E1,Disk full on <*>\n2,Disk full on db-2,E1,Disk full on <*>\n"
        rows += "3,Service started,E2,Service started\n"
        for suffix in ("_2k.log_structured.csv", "_2k.log_structured_corrected.csv"):
            (folder / f"{system}{suffix}").write_text(rows, encoding="utf-8")


def test_cli_prints_tables_and_writes_a_report(tmp_path: Path) -> None:
    _write_tiny_loghub(tmp_path / "loghub")
    app = typer.Typer()
    register(app)

    @app.callback()
    def main() -> None:
        """Test application."""

    report = tmp_path / "report.json"
    result = CliRunner().invoke(
        app,
        ["eval-templates", str(tmp_path / "loghub"), "--miner", "openconductor", "--labels", "both",
         "--report", str(report)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "mean" in result.output
    assert "0.8654" in result.output
    payload = orjson.loads(report.read_bytes())
    assert [run["labels"] for run in payload["runs"]] == ["original", "corrected"]
    assert payload["runs"][0]["mean"]["grouping_accuracy"] == 1.0


def test_cli_rejects_an_unknown_miner(tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)

    @app.callback()
    def main() -> None:
        """Test application."""

    result = CliRunner().invoke(app, ["eval-templates", str(tmp_path), "--miner", "nope"])
    assert result.exit_code != 0
    assert "--miner" in result.output


@pytest.mark.dataset
def test_both_miners_on_loghub_2k(datasets_dir: Path) -> None:
    loghub = datasets_dir / "loghub-2k"
    if not loghub.is_dir():
        pytest.skip(f"Loghub-2k not found at {loghub}")
    ours = mean_score(evaluate(loghub, miner_name="openconductor", labels="original"))
    drain = mean_score(evaluate(loghub, miner_name="drain", labels="original"))
    assert ours["grouping_accuracy"] >= OPENCONDUCTOR_MEAN_GA_FLOOR
    assert drain["grouping_accuracy"] == pytest.approx(PUBLISHED_DRAIN_MEAN_GA, abs=0.03)
