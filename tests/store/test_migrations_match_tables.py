"""The Alembic migrations create exactly the tables in store/sql/tables.py, on both databases, and
downgrade cleanly: several migrations are written side by side, and drift would only show in production."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from openconductor.store.sql.migrate import alembic_config, upgrade
from openconductor.store.sql.tables import metadata


def test_upgrade_to_head_matches_the_table_definitions(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), metadata)
        assert differences == []
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_every_table(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        upgrade(engine)
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
