"""`openconductor quality-gate`: fail when the current correlator scores below the recorded figures."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer
from rich.console import Console

DEFAULT_GATE = Path("quality/gate.json")


def register(app: typer.Typer) -> None:
    @app.command(name="quality-gate")
    def quality_gate(
        gate: Path = typer.Option(
            DEFAULT_GATE, "--gate", exists=True, dir_okay=False, help="Recorded runs and figures."
        ),
        record: bool = typer.Option(False, "--record", help="Rewrite the recorded figures with today's scores."),
    ) -> None:
        """Regenerate the fixed simulator runs, score the current correlator, compare with the record."""
        from openconductor.evaluation.correlation.gate import run_gate

        console = Console()
        with tempfile.TemporaryDirectory(prefix="openconductor-gate-") as workdir:
            findings, measured = run_gate(gate, workdir=Path(workdir), record=record)
        for name, scores in measured.items():
            console.print(f"{name}: " + ", ".join(f"{metric} {value:.4f}" for metric, value in scores.items()))
        if record:
            console.print(f"[green]recorded today's figures in {gate}[/green]")
            return
        for finding in findings:
            console.print(f"[red]{finding}[/red]")
        if findings:
            raise typer.Exit(1)
        console.print("[green]quality gate passed[/green]")
