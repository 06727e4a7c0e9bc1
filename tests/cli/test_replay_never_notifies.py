"""`openconductor replay` re-lives past alerts: it must never queue a notification, even when a
notifications file routes everything to a target."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openconductor.bootstrap import create_platform
from openconductor.cli.main import app
from openconductor.config.settings import Settings


def test_replay_queues_no_notification(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tmp_path / "notifications.yaml"
    rules.write_text(
        "targets:\n  - name: hook\n    type: webhook\n    config: {url: 'http://127.0.0.1:9/never'}\n"
        "routes:\n  - match: {}\n    targets: [hook]\n"
    )
    monkeypatch.setenv("OPENCONDUCTOR_NOTIFICATIONS_FILE", str(rules))
    alerts = tmp_path / "alerts.jsonl"
    lines = [
        {
            "title": f"Disk full on db-{n}",
            "service": "db",
            "resource": f"db-{n}",
            "severity": "critical",
            "starts_at": f"2026-01-05T10:0{n}:00Z",
        }
        for n in range(4)
    ]
    alerts.write_text("".join(json.dumps(line) + "\n" for line in lines))
    database = f"sqlite:///{tmp_path / 'kept.db'}"

    result = CliRunner().invoke(app, ["replay", str(alerts), "--database-url", database])
    assert result.exit_code == 0, result.output

    platform = create_platform(Settings(database_url=database, data_dir=tmp_path, notifications_file=None))
    try:
        assert platform.store.counts()["incidents"] >= 1
        assert platform.store.list_notifications(incident_id=None, status=None, after_id=None, limit=100) == []
    finally:
        platform.store.close()
