"""docs/integrations.md carries the table generated from the registry; a stale table fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from openconductor.ingest.catalog import END, START, integrations_table, with_current_table
from openconductor.ingest.registry import INTEGRATIONS

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrations.md"


def test_the_committed_table_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert with_current_table(text) == text, "run: openconductor integrations docs --write"


def test_every_integration_has_a_row_linking_its_page() -> None:
    table = integrations_table()
    for slug, module in INTEGRATIONS.items():
        row = next(line for line in table.splitlines() if f"`POST /api/v1/integrations/{slug}`" in line)
        assert f"]({module.INFO.docs.removeprefix('docs/')})" in row
        assert f"| {module.INFO.quality} |" in row
        assert module.INFO.maps and module.INFO.maps in row


def test_the_markers_are_required() -> None:
    with pytest.raises(ValueError, match="markers"):
        with_current_table("# no markers here")
    regenerated = with_current_table(f"intro\n{START}\nold\n{END}\noutro")
    assert regenerated.startswith("intro\n") and regenerated.endswith("\noutro") and "\nold\n" not in regenerated
