"""`openconductor replay FILE`: feed a JSONL file through the pipeline offline and report the reduction."""

from __future__ import annotations

import tempfile
from pathlib import Path

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from openconductor.cli.options import settings_for


def register(app: typer.Typer) -> None:
    @app.command()
    def replay(
        file: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSONL of generic alerts, in order."),
        report: Path | None = typer.Option(None, "--report", help="Write the figures as JSON here."),
        assignments: Path | None = typer.Option(None, "--assignments", help="Write line -> alert, incident (JSONL)."),
        database_url: str | None = typer.Option(
            None, "--database-url", help="Keep the result in this database; default: a throwaway SQLite file."
        ),
        batch_size: int = typer.Option(2000, "--batch-size", min=1),
        write_every: int | None = typer.Option(
            None, "--write-every", min=1, help="Alerts per transaction; default 50,000 (REPLAY_WRITE_EVERY)."
        ),
    ) -> None:
        """Replay alerts through the same pipeline the server runs, on a throwaway database."""
        from openconductor.bootstrap import create_platform
        from openconductor.replay import replay as run_replay

        console = Console(stderr=True)
        total = sum(1 for line in file.open("rb") if line.strip())
        with tempfile.TemporaryDirectory(prefix="openconductor-replay-") as scratch:
            # Throwaway data: losing it on power failure costs nothing, so skip the per-commit fsync.
            # The URL is always explicit, so OPENCONDUCTOR_DATABASE_URL never sends a replay into a live database.
            scratch_url = f"sqlite:///{Path(scratch) / 'replay.db'}"
            # A replay re-lives past alerts: it must never page anyone, so no notification targets.
            settings = settings_for(
                database_url or scratch_url,
                Path(scratch),
                sqlite_synchronous="FULL" if database_url else "NORMAL",
                notifications_file=None,
            )
            platform = create_platform(settings)
            out = assignments.open("wb") if assignments else None
            try:
                with Progress(
                    TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
                ) as bar:
                    task = bar.add_task("replay", total=total)
                    options = {} if write_every is None else {"write_every": write_every}
                    result = run_replay(
                        platform,
                        file,
                        batch_size=batch_size,
                        **options,
                        assignments=out,
                        progress=lambda n: bar.advance(task, n),
                    )
            finally:
                if out:
                    out.close()
                platform.store.close()
        table = Table(title=f"replay of {file.name}")
        table.add_column("figure")
        table.add_column("value", justify="right")
        table.add_row("alerts in", f"{result.alerts_in:,}")
        table.add_row("distinct alerts after dedup", f"{result.distinct_alerts:,}")
        table.add_row("incidents out", f"{result.incidents_out:,}")
        table.add_row("noise reduction", f"{result.noise_reduction:.2%}")
        if result.invalid_lines:
            table.add_row("invalid lines (skipped)", f"{result.invalid_lines:,}")
        Console().print(table)
        for problem in result.problems[:10]:
            console.print(f"[yellow]{problem}[/yellow]")
        if report:
            report.write_bytes(orjson.dumps(result.as_dict(), option=orjson.OPT_INDENT_2))
