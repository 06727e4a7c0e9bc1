"""The replay gathers several pipeline batches into one transaction and tunes SQLite while it runs: the
rows it stores, its report and its assignments must be those of one transaction per batch."""

from __future__ import annotations

import io
import itertools
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from typer.testing import CliRunner

from openconductor.bootstrap import create_platform
from openconductor.cli.main import app
from openconductor.config.settings import Settings
from openconductor.core import ids
from openconductor.core.changes import ChangeSet
from openconductor.replay import replay
from openconductor.service import _absorb
from openconductor.store.sql.engine import SQLITE_BULK_PRAGMAS, bulk_connections, make_engine
from openconductor.store.sql.tables import alerts, documents, incidents, memberships


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("replay") / "small.jsonl"
    result = CliRunner().invoke(
        app, ["simulate", "--profile", "small", "--alerts", "1500", "--seed", "5", "--out", str(path)]
    )
    assert result.exit_code == 0, result.output
    return path


def predictable_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids from a counter: two replays that decide alike then store identical rows, ids included
    (the engine breaks ties between equally scored incidents by id)."""
    counter = itertools.count()
    monkeypatch.setattr(ids.time, "time_ns", lambda: 1_700_000_000_000_000_000)
    monkeypatch.setattr(ids._random, "getrandbits", lambda bits: next(counter))


def stored_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            table.name: sorted(tuple(row) for row in conn.execute(select(table)))
            for table in (alerts, incidents, memberships)
        } | {"documents": [tuple(conn.execute(select(documents.c.name, documents.c.document)).one())]}


def replayed(
    path: Path, database_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch, **options: int
) -> tuple[dict[str, Any], bytes, dict[str, list[tuple[Any, ...]]]]:
    predictable_ids(monkeypatch)
    platform = create_platform(Settings(database_url=database_url, data_dir=data_dir))
    out = io.BytesIO()
    try:
        report = replay(platform, path, assignments=out, **options)
        rows = stored_rows(platform.store.engine)  # type: ignore[attr-defined]
    finally:
        platform.store.close()
    return report.as_dict(), out.getvalue(), rows


def test_gathered_batches_store_what_one_transaction_per_batch_stores(
    simulated: Path, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One transaction per batch of 100 on SQLite is the reference; then 9 batches per transaction
    # (the last one short) on each database.
    reference = replayed(simulated, f"sqlite:///{tmp_path / 'each.db'}", tmp_path, monkeypatch, batch_size=100)
    gathered = replayed(simulated, database_url, tmp_path, monkeypatch, batch_size=100, write_every=900)
    assert reference[0]["alerts_in"] == 1500
    assert len(reference[2]["incident_alerts"]) > 0
    assert gathered[0] == reference[0]
    assert gathered[1] == reference[1]
    assert gathered[2] == reference[2]


def test_bulk_settings_hold_only_inside(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bulk.db'}")

    def settings() -> tuple[int, int]:
        with engine.connect() as conn:
            cache = conn.execute(text("PRAGMA cache_size")).scalar_one()
            checkpoint = conn.execute(text("PRAGMA wal_autocheckpoint")).scalar_one()
        return cache, checkpoint

    before = settings()
    with bulk_connections(engine):
        inside = settings()
    assert f"PRAGMA cache_size={inside[0]}" in SQLITE_BULK_PRAGMAS
    assert f"PRAGMA wal_autocheckpoint={inside[1]}" in SQLITE_BULK_PRAGMAS
    assert settings() == before != inside
    with pytest.raises(RuntimeError), bulk_connections(engine):
        raise RuntimeError("a failed batch")
    assert settings() == before
    engine.dispose()


def test_an_in_memory_database_is_left_alone() -> None:
    engine = make_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE kept (x INTEGER)"))
    with bulk_connections(engine), engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM kept"))  # the table survived: no dispose
    engine.dispose()


def test_changes_that_replace_memberships_are_not_gathered() -> None:
    later = ChangeSet()
    later.replaced_memberships.append(("inc_1", "alr_1"))
    with pytest.raises(ValueError, match="replace memberships"):
        _absorb(ChangeSet(), later)


def test_nothing_to_replay_writes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    platform = create_platform(Settings(data_dir=tmp_path))
    try:
        report = replay(platform, empty)
        assert report.alerts_in == 0
        assert platform.store.counts() == {"alerts": 0, "incidents": 0}
    finally:
        platform.store.close()
