"""`openconductor eval-templates`: score a template miner on Loghub-2k, beside the published mean GA."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from openconductor.evaluation.templates import (
    MINERS,
    PUBLISHED_MEAN_GA,
    LabelSet,
    SystemScore,
    evaluate,
    mean_score,
    report_dict,
)

PUBLISHED_SOURCE = "Zhu et al., ICSE-SEIP 2019 (Drain); Yu et al., IEEE TSC 2023 (Brain); original labels"


class LabelChoice(StrEnum):
    original = "original"
    corrected = "corrected"
    both = "both"


def _scores_table(*, miner_name: str, labels: LabelSet, scores: list[SystemScore]) -> Table:
    table = Table(title=f"eval-templates: {miner_name}, {labels} labels")
    for column in ("system", "messages", "true groups", "found groups", "GA", "pairwise F1", "seconds"):
        table.add_column(column, justify="left" if column == "system" else "right", no_wrap=column == "system")
    for score in scores:
        table.add_row(
            score.system,
            str(score.messages),
            str(score.true_groups),
            str(score.predicted_groups),
            f"{score.grouping_accuracy:.4f}",
            f"{score.f1:.4f}",
            f"{score.seconds:.2f}",
        )
    mean = mean_score(scores)
    table.add_section()
    table.add_row("mean", "", "", "", f"{mean['grouping_accuracy']:.4f}", f"{mean['f1']:.4f}", "")
    for published_name, published_ga in PUBLISHED_MEAN_GA.items():
        table.add_row(f"{published_name} (published)", "", "", "", f"{published_ga:.4f}", "", "")
    return table


def eval_templates(
    path: Annotated[Path, typer.Argument(help="The loghub-2k folder: <System>/<System>_2k.log_structured*.csv")],
    miner: Annotated[str, typer.Option("--miner", help=f"One of: {', '.join(sorted(MINERS))}")] = "openconductor",
    labels: Annotated[LabelChoice, typer.Option("--labels", help="Ground truth to score against")] = (
        LabelChoice.original
    ),
    report: Annotated[Path | None, typer.Option("--report", help="Write the scores as JSON here")] = None,
) -> None:
    """Group each system's messages with a miner and score GA and pairwise F1 against Loghub-2k labels."""
    if miner not in MINERS:
        raise typer.BadParameter(f"expected one of {sorted(MINERS)}, got {miner!r}", param_hint="--miner")
    if not path.is_dir():
        raise typer.BadParameter(f"{path} is not a folder", param_hint="PATH")
    both: list[LabelSet] = ["original", "corrected"]
    label_sets: list[LabelSet] = (
        both if labels is LabelChoice.both else ["original" if labels is LabelChoice.original else "corrected"]
    )
    console = Console()
    reports: list[dict[str, object]] = []
    for label_set in label_sets:
        try:
            scores = evaluate(path, miner_name=miner, labels=label_set)
        except FileNotFoundError as error:
            raise typer.BadParameter(str(error), param_hint="PATH") from error
        console.print(_scores_table(miner_name=miner, labels=label_set, scores=scores))
        reports.append(report_dict(scores, miner_name=miner, labels=label_set))
    console.print(f"Published means: {PUBLISHED_SOURCE}.")
    if report is not None:
        payload = {"dataset": str(path), "published_mean_ga": PUBLISHED_MEAN_GA, "runs": reports}
        report.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2))
        console.print(f"Report written to {report}")


def register(app: typer.Typer) -> None:
    app.command("eval-templates")(eval_templates)
