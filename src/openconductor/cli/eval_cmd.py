"""`openconductor eval FILE`: score the current correlator and the baselines on a labelled stream."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table


def register(app: typer.Typer) -> None:
    @app.command(name="eval")
    def eval_command(
        file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Labelled JSONL (records with _truth)."),
        report: Path | None = typer.Option(None, "--report", help="Write every figure as JSON here."),
        html_out: Path | None = typer.Option(None, "--html", help="Write an HTML report with plots here."),
        markdown: bool = typer.Option(False, "--markdown", help="Print the table as Markdown (for the docs)."),
        topology: Path | None = typer.Option(
            None, "--topology", exists=True, dir_okay=False, help="Give the correlation engine this topology file."
        ),
        links: bool = typer.Option(
            False, "--links", help="Also show, per rule, how many of the engine's joins linked truly related alerts."
        ),
    ) -> None:
        """Replay FILE through the current correlator and the baselines and score them side by side."""
        from openconductor.config.settings import Settings
        from openconductor.evaluation.correlation.evaluate import run_eval
        from openconductor.evaluation.correlation.html_report import markdown_table, render_html
        from openconductor.evaluation.correlation.links import links_markdown

        console = Console()
        with console.status("replaying and scoring"):
            settings = Settings.model_validate({"engine": {"topology_file": topology}}) if topology else Settings()
            result, stream, results = run_eval(file, settings=settings)
        if markdown:
            # The heading the Rich table would carry, then the Markdown alone: a Rich table squeezed into an
            # 80-column pipe is unreadable, and the Markdown is what the docs take.
            console.print(_heading(file, result), markup=False, highlight=False, soft_wrap=True)
            console.print(markdown_table(result), markup=False, highlight=False, soft_wrap=True)
        else:
            console.print(_table(file, result))
        if links and markdown:
            console.print(links_markdown(result["links"]), markup=False, highlight=False, soft_wrap=True)
        elif links:
            console.print(_links_table(result["links"]))
        if report:
            report.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
        if html_out:
            html_out.write_text(render_html(result, stream, results), encoding="utf-8")


def _heading(file: Path, result: dict[str, Any]) -> str:
    return (
        f"{file.name}: {result['alerts_in']:,} alerts, {result['truth_groups']:,} truth groups "
        f"(ideal noise reduction {1 - result['truth_groups'] / max(result['alerts_in'], 1):.2%})"
    )


def _table(file: Path, result: dict[str, Any]) -> Table:
    from openconductor.evaluation.correlation.html_report import COLUMNS

    table = Table(title=_heading(file, result))
    table.add_column("correlator", no_wrap=True)
    for _, label, _ in COLUMNS:
        table.add_column(label, justify="right")
    for name, scores in result["correlators"].items():
        table.add_row(escape(name), *(fmt.format(scores[key]) for key, _, fmt in COLUMNS))
    return table


def _links_table(links: dict[str, dict[str, Any]]) -> Table:
    from openconductor.evaluation.correlation.links import LINK_COLUMNS

    table = Table(title="joins of the engine, by rule (right: the two alerts share a truth group)")
    table.add_column("rule", no_wrap=True)
    for _, label, _ in LINK_COLUMNS:
        table.add_column(label, justify="right")
    for rule, scores in links.items():
        table.add_row(escape(rule), *(fmt.format(scores[key]) for key, _, fmt in LINK_COLUMNS))
    return table
