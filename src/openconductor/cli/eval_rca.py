"""`openconductor eval-rca`: score a root-cause method on the Sock Shop cases, beside published figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from openconductor.evaluation.rca import (
    CaseResult,
    RcaScores,
    available_methods,
    create_method,
    evaluate_method,
    load_sockshop_cases,
    score_results,
)
from openconductor.evaluation.rca.published import published_avg_at_5

PUBLISHED_SOURCE = "RCAEval (Pham et al., WWW 2025), Table 5, Sock Shop 1"


def _format_published(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _scores_table(*, method: str, time_offset: float, scores: dict[str, RcaScores]) -> Table:
    table = Table(title=f"eval-rca: {method}, failure time offset {time_offset:g} s")
    for column in ("fault type", "cases", "AC@1", "AC@3", "Avg@5", "published Avg@5"):
        table.add_column(column, justify="left" if column == "fault type" else "right")
    for fault_type, group_scores in scores.items():
        published = published_avg_at_5(method=method, time_offset_seconds=time_offset, fault_type=fault_type)
        table.add_row(
            fault_type,
            str(group_scores.cases),
            f"{group_scores.accuracy[1]:.2f}",
            f"{group_scores.accuracy[3]:.2f}",
            f"{group_scores.avg_at_5:.3f}",
            _format_published(published),
        )
    return table


def _report(
    *,
    dataset: Path,
    method: str,
    time_offset: float,
    seed: int,
    scores: dict[str, RcaScores],
    results: list[CaseResult],
) -> dict[str, object]:
    return {
        "dataset": str(dataset),
        "method": method,
        "time_offset_seconds": time_offset,
        "seed": seed,
        "failure_time": "first row of anomalous.csv, plus the time offset",
        "scores": {name: group.as_dict() for name, group in scores.items()},
        "published_avg@5": {
            name: published_avg_at_5(method=method, time_offset_seconds=time_offset, fault_type=name) for name in scores
        },
        "published_source": PUBLISHED_SOURCE,
        "cases": [
            {
                "case": result.case_id,
                "root_cause": result.root_cause,
                "rank_of_root_cause": result.rank_of_root_cause,
                "ranking": list(result.ranking),
            }
            for result in results
        ],
    }


def eval_rca(
    path: Annotated[Path, typer.Argument(help="Sock Shop data: <service>-<cpu|mem>/<n>/{normal,anomalous}.csv")],
    method: Annotated[str, typer.Option("--method", "-m", help="Root-cause method to score.")],
    time_offset: Annotated[
        float,
        typer.Option("--time-offset", help="Declare the failure this many seconds late (negative: early)."),
    ] = 0.0,
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write scores and every ranking to this JSON file.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for methods that draw random numbers.")] = 0,
) -> None:
    """Rank the root-cause service of every case with METHOD and print AC@1, AC@3 and Avg@5."""
    if method not in available_methods():
        raise typer.BadParameter(
            f"unknown method '{method}'; expected one of: {', '.join(available_methods())}",
            param_hint="--method",
        )
    try:
        cases = load_sockshop_cases(path, time_offset_seconds=time_offset)
    except (FileNotFoundError, ValueError) as error:
        raise typer.BadParameter(str(error), param_hint="PATH") from error

    results = evaluate_method(create_method(method, seed=seed), cases)
    scores = score_results(results)

    console = Console()
    console.print(_scores_table(method=method, time_offset=time_offset, scores=scores))
    console.print(f"Published: {PUBLISHED_SOURCE}. Avg@5 = mean of AC@1..AC@5.")
    if report is not None:
        document = _report(
            dataset=path, method=method, time_offset=time_offset, seed=seed, scores=scores, results=results
        )
        report.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
        console.print(f"Report written to {report}")


def register(app: typer.Typer) -> None:
    """Add `eval-rca` to the given Typer application."""
    app.command("eval-rca")(eval_rca)
