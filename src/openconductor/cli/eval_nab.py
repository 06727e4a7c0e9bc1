"""`openconductor eval-nab`: score an anomaly detector on the Numenta Anomaly Benchmark, beside published scores."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from openconductor.evaluation.nab import (
    DETECTORS,
    PUBLISHED_SCORES,
    NabEvaluation,
    NabFormatError,
    detector_scores,
    evaluate_scores,
    load_corpus,
)

PUBLISHED_SOURCE = "NAB v1.1 scoreboard, github.com/numenta/NAB (Lavin & Ahmad 2015)"
PROFILE_LABELS = {
    "standard": "Standard",
    "reward_low_FP_rate": "Low FP",
    "reward_low_FN_rate": "Low FN",
}


def _scores_table(evaluation: NabEvaluation) -> Table:
    table = Table(title=f"eval-nab: {evaluation.detector}")
    for column in ("profile", "score", "published", "threshold", "windows hit", "FP rows"):
        table.add_column(column, justify="left" if column == "profile" else "right")
    published = PUBLISHED_SCORES.get(evaluation.detector, {})
    for result in evaluation.profiles:
        known = published.get(result.profile)
        table.add_row(
            PROFILE_LABELS.get(result.profile, result.profile),
            f"{result.normalised_score:.1f}",
            "-" if known is None else f"{known:.1f}",
            f"{result.threshold:.6g}",
            f"{sum(one.windows_detected for one in result.series)}"
            f"/{sum(one.windows_detected + one.windows_missed for one in result.series)}",
            str(sum(one.fp_rows for one in result.series)),
        )
    return table


def eval_nab(
    path: Annotated[
        Path, typer.Argument(help="NAB v1.1 folder: data/, labels/combined_windows.json, config/profiles.json")
    ],
    detector: Annotated[
        str, typer.Option("--detector", "-d", help=f"Detector to score: {', '.join(sorted(DETECTORS))}.")
    ] = "windowed_gaussian",
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Also write per-profile scores, thresholds and per-series counts here."),
    ] = None,
) -> None:
    """Run DETECTOR over every NAB series, optimise its threshold per profile and print the NAB scores."""
    if detector not in DETECTORS:
        raise typer.BadParameter(
            f"unknown detector '{detector}'; expected one of: {', '.join(sorted(DETECTORS))}",
            param_hint="--detector",
        )
    try:
        corpus = load_corpus(path)
    except NabFormatError as error:
        raise typer.BadParameter(str(error), param_hint="PATH") from error

    started = time.perf_counter()
    scores = detector_scores(corpus, detector_name=detector)
    detected = time.perf_counter()
    evaluation = evaluate_scores(corpus, scores_per_series=scores, detector_name=detector)
    scored = time.perf_counter()

    console = Console()
    console.print(_scores_table(evaluation))
    console.print(
        f"{len(corpus.series)} series, {corpus.window_count} windows; detector {detected - started:.1f} s, "
        f"scoring {scored - detected:.1f} s. Published: {PUBLISHED_SOURCE}."
    )
    if report is not None:
        document = evaluation.to_report()
        document["dataset"] = str(path)
        document["published"] = PUBLISHED_SCORES.get(detector)
        document["published_source"] = PUBLISHED_SOURCE
        report.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
        console.print(f"Report written to {report}")


def register(app: typer.Typer) -> None:
    """Add the `eval-nab` command to the given Typer app."""
    app.command("eval-nab")(eval_nab)
