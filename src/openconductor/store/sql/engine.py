"""Engine creation: SQLite in WAL mode with the configured durability, or PostgreSQL via psycopg 3."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from openconductor.store.sql.rows import dump_json, load_json


def normalize_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, sqlite_synchronous: str = "FULL") -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            json_serializer=dump_json,
            json_deserializer=load_json,
        )

        @event.listens_for(engine, "connect")
        def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={sqlite_synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        json_serializer=dump_json,
        json_deserializer=load_json,
    )


# One long writer of large batches (the offline replay) on SQLite. The default page cache (2 MB) is far
# smaller than the indexes that every UPDATE by id walks, so pages were read back from the OS again and
# again; and with the default checkpoint every 1,000 WAL pages, every large commit also copied the WAL
# back into the database file. Neither setting changes what a commit guarantees: the cache is memory
# (up to 200 MB per connection, only as pages are used) and the WAL, now up to ~80 MB, is checkpointed later.
SQLITE_BULK_PRAGMAS = ("PRAGMA cache_size=-200000", "PRAGMA wal_autocheckpoint=20000")


@contextmanager
def bulk_connections(engine: Engine) -> Iterator[None]:
    """Inside, every new SQLite connection uses SQLITE_BULK_PRAGMAS; the pool is emptied on entry and on
    exit, so no connection outlives the mode with its settings. Other databases are left as they are."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        # An in-memory database lives only as long as its connection: it must not be disposed of.
        yield
        return

    def configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_BULK_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    engine.dispose()
    event.listen(engine, "connect", configure)
    try:
        yield
    finally:
        event.remove(engine, "connect", configure)
        engine.dispose()
