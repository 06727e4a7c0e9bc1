"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path

import typer

from openconductor.config.settings import Settings

DatabaseUrl = typer.Option(
    None,
    "--database-url",
    envvar="OPENCONDUCTOR_DATABASE_URL",
    help="SQLAlchemy URL, e.g. postgresql://user@127.0.0.1:5432/db. Default: SQLite in --data-dir.",
)
DataDir = typer.Option(Path("data"), "--data-dir", envvar="OPENCONDUCTOR_DATA_DIR", help="Where the SQLite file lives.")


def settings_for(database_url: str | None, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"data_dir": data_dir, **overrides}
    if database_url:
        values["database_url"] = database_url
    return Settings(**values)  # type: ignore[arg-type]
