"""`openconductor simulate`: write a seeded, labelled alert stream (and its topology) for replay and evaluation."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from openconductor.simulate import ProfileError, Simulation, load_profile
from openconductor.simulate.writer import write_lines


class OutputFormat(StrEnum):
    generic = "generic"
    alertmanager = "alertmanager"


def register(app: typer.Typer) -> None:
    """Add the `simulate` command to `app`."""

    @app.command("simulate")
    def simulate(
        profile: str = typer.Option(
            ..., "--profile", help="Built-in profile (small, midsize, enterprise) or a YAML path."
        ),
        alerts: int = typer.Option(..., "--alerts", min=1, help="How many alerts to write; the time span follows."),
        seed: int = typer.Option(0, "--seed", help="Same seed and arguments give a byte-identical file."),
        out: Path = typer.Option(..., "--out", help="Output JSON Lines file, or - for standard output."),
        output_format: OutputFormat = typer.Option(OutputFormat.generic, "--format", help="generic or alertmanager."),
        topology_out: Path | None = typer.Option(None, "--topology-out", help="Also write the service topology JSON."),
    ) -> None:
        """Simulate alert storms: failures spreading through a service graph, plus realistic noise."""
        try:
            chosen = load_profile(profile)
        except ProfileError as error:
            raise typer.BadParameter(str(error), param_hint="--profile") from error
        simulation = Simulation(chosen, seed=seed)
        if topology_out is not None:
            topology_out.write_bytes(orjson.dumps(simulation.topology.to_json(), option=orjson.OPT_INDENT_2))
        records = simulation.records()
        if str(out) == "-":
            written = write_lines(records, sys.stdout.buffer, fmt=output_format.value, limit=alerts)
            sys.stdout.buffer.flush()
            return
        columns = (
            TextColumn("[bold]simulate[/] {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with out.open("wb", buffering=1 << 20) as handle, Progress(*columns, transient=False) as progress:
            task = progress.add_task(f"{chosen.name} seed={seed}", total=alerts)
            written = write_lines(
                records,
                handle,
                fmt=output_format.value,
                limit=alerts,
                progress=lambda done: progress.update(task, completed=done),
            )
        unit = "lines" if output_format is OutputFormat.generic else "webhook bodies"
        typer.echo(f"wrote {written} {unit} to {out}")
