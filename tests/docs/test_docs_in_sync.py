"""The documentation stays in step with the code it describes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openconductor.core.models import Severity
from openconductor.core.severity import SEVERITY_WORDS

ALERTS_DOC = Path(__file__).resolve().parents[2] / "docs" / "alerts.md"


def _severity_rows() -> dict[str, str]:
    """The rows of the severity table in docs/alerts.md, keyed by their level."""
    rows: dict[str, str] = {}
    for line in ALERTS_DOC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*`([a-z]+)`\s*\|(.*)", line)
        if match and match.group(1) in {level.value for level in Severity}:
            rows.setdefault(match.group(1), match.group(2))
    return rows


@pytest.mark.parametrize(
    ("level", "word"), [(level.value, word) for level, words in SEVERITY_WORDS.items() for word in words]
)
def test_every_severity_word_is_in_the_docs_under_its_level(level: str, word: str) -> None:
    text = ALERTS_DOC.read_text(encoding="utf-8")
    assert f"`{word}`" in text, f"docs/alerts.md does not mention the severity word {word!r}"
    row = _severity_rows().get(level)
    assert row is not None, f"docs/alerts.md has no severity table row for {level!r}"
    assert f"`{word}`" in row, f"docs/alerts.md lists {word!r} outside the {level!r} row of the severity table"


def test_every_level_has_a_row() -> None:
    assert set(_severity_rows()) == {level.value for level in Severity}
