"""Shared test fixtures: where the public datasets live, and how external dependencies skip.

A test that needs a system package or service calls `require_external(reason)` when it is missing.
On a laptop that is a skip; in CI (`OPENCONDUCTOR_REQUIRE_EXTERNAL=1`, set by `.ci/run`) it is a
failure, so the suite can never pass by skipping.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import require_external

__all__ = ["require_external"]

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """The public evaluation datasets (NAB, Loghub-2k, Sock Shop); skips cleanly when absent."""
    path = Path(os.environ.get("OPENCONDUCTOR_DATASETS", REPO_ROOT.parent / "shared" / "datasets"))
    if not path.is_dir():
        pytest.skip(f"public datasets not found at {path} (set OPENCONDUCTOR_DATASETS)")
    return path


# -- databases: every storage-facing test runs on SQLite and on PostgreSQL ------------------------

POSTGRES_ADMIN_URL = os.environ.get("OPENCONDUCTOR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_database(name: str) -> str:
    """Create a fresh PostgreSQL database for this test session; returns its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(POSTGRES_ADMIN_URL)
    try:
        with psycopg.connect(
            host=admin.host,
            port=admin.port or 5432,
            user=admin.username,
            dbname=admin.database,
            autocommit=True,
            connect_timeout=3,
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        require_external(f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable: {error}")
    return admin.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    name = f"openconductor_test_{os.getpid()}"
    url = _postgres_database(name)
    yield url
    _drop_postgres_database(name)


def _drop_postgres_database(name: str) -> None:
    """Leave the server as we found it: one database per test session, dropped at its end."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(POSTGRES_ADMIN_URL)
    with psycopg.connect(
        host=admin.host,
        port=admin.port or 5432,
        user=admin.username,
        dbname=admin.database,
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'openconductor.db'}"
    url: str = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


def _empty_postgres(url: str) -> None:
    from sqlalchemy import create_engine, inspect, text

    from openconductor.store.sql.engine import normalize_url

    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        tables = [name for name in inspect(conn).get_table_names() if name != "alembic_version"]
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
    engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    from openconductor.config.settings import Settings

    # API and storage tests check the mechanics (filters, pages, actions) with the predictable
    # group_by baseline; the correlation engine has its own tests, through the API too.
    return Settings(database_url=database_url, data_dir=tmp_path, correlator="group_by")


@pytest.fixture
def platform(settings):  # type: ignore[no-untyped-def]
    from openconductor.bootstrap import create_platform

    created = create_platform(settings)
    yield created
    created.store.close()


@pytest.fixture
def client(platform):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from openconductor.api.app import create_app

    with TestClient(create_app(platform, run_sweeper=False)) as test_client:
        yield test_client
