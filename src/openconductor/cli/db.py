"""`openconductor db upgrade`: apply the database migrations."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from openconductor.cli.options import DatabaseUrl, DataDir, settings_for


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)

    @db_app.command()
    def upgrade(database_url: str | None = DatabaseUrl, data_dir: Path = DataDir) -> None:
        """Migrate the database to the latest schema."""
        from openconductor.store.sql.engine import make_engine
        from openconductor.store.sql.migrate import upgrade as run_upgrade

        settings = settings_for(database_url, data_dir)
        engine = make_engine(settings.resolved_database_url())
        run_upgrade(engine)
        engine.dispose()
        Console().print("[green]database is at the latest schema[/green]")

    app.add_typer(db_app, name="db")
