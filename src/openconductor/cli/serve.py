"""`openconductor serve`: the platform (API and pipeline) in one process."""

from __future__ import annotations

from pathlib import Path

import typer
import uvicorn
from rich.console import Console

from openconductor.cli.options import DatabaseUrl, DataDir, settings_for


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", envvar="OPENCONDUCTOR_HOST"),
        port: int = typer.Option(8080, "--port", envvar="OPENCONDUCTOR_PORT"),
        database_url: str | None = DatabaseUrl,
        data_dir: Path = DataDir,
    ) -> None:
        """Run the API and the pipeline; migrates the database first."""
        from openconductor.api.app import create_app
        from openconductor.bootstrap import create_platform

        settings = settings_for(database_url, data_dir, host=host, port=port)
        platform = create_platform(settings)
        Console(stderr=True).print(
            f"OpenConductor on http://{host}:{port}  (docs at /docs, database {_shown(settings.resolved_database_url())})"
        )
        uvicorn.run(create_app(platform), host=host, port=port, log_level="info", access_log=False)


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
