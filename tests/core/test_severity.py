"""The shared severity table: each source tool's words and numbers land on the documented level."""

from __future__ import annotations

import pytest

from openconductor.core.models import Severity, worst
from openconductor.core.severity import map_severity

# (source tool, its word, our level) — the words each tool really sends.
SOURCE_WORDS = [
    ("alertmanager", "critical", Severity.CRITICAL),
    ("alertmanager", "warning", Severity.WARNING),
    ("alertmanager", "info", Severity.INFO),
    ("alertmanager", "page", Severity.CRITICAL),
    ("pagerduty", "critical", Severity.CRITICAL),
    ("pagerduty", "error", Severity.HIGH),
    ("pagerduty", "warning", Severity.WARNING),
    ("pagerduty", "info", Severity.INFO),
    ("zabbix", "Disaster", Severity.CRITICAL),
    ("zabbix", "High", Severity.HIGH),
    ("zabbix", "Average", Severity.WARNING),
    ("zabbix", "Warning", Severity.WARNING),
    ("zabbix", "Information", Severity.INFO),
    ("zabbix", "Not classified", Severity.INFO),
    ("opsgenie", "P1", Severity.CRITICAL),
    ("opsgenie", "P2", Severity.HIGH),
    ("opsgenie", "P3", Severity.WARNING),
    ("opsgenie", "P4", Severity.INFO),
    ("opsgenie", "P5", Severity.INFO),
    ("nagios", "CRITICAL", Severity.CRITICAL),
    ("nagios", "WARNING", Severity.WARNING),
    ("nagios", "OK", Severity.INFO),
    ("nagios", "UNKNOWN", Severity.UNKNOWN),
    ("syslog words", "emerg", Severity.CRITICAL),
    ("syslog words", "err", Severity.HIGH),
    ("syslog words", "notice", Severity.INFO),
    ("syslog words", "debug", Severity.INFO),
    ("incident tools", "SEV-1", Severity.CRITICAL),
    ("incident tools", "sev2", Severity.HIGH),
    ("incident tools", "sev3", Severity.WARNING),
    ("our own", "high", Severity.HIGH),
    ("our own", "unknown", Severity.UNKNOWN),
]


@pytest.mark.parametrize(("tool", "word", "expected"), SOURCE_WORDS, ids=[f"{t}:{w}" for t, w, _ in SOURCE_WORDS])
def test_source_words_map_to_documented_level(tool: str, word: str, expected: Severity) -> None:
    assert map_severity(word) is expected


@pytest.mark.parametrize("word", ["  Critical  ", "CRITICAL", "critical\n", "\tcrit"])
def test_case_and_surrounding_whitespace_are_ignored(word: str) -> None:
    assert map_severity(word) is Severity.CRITICAL


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (0, Severity.CRITICAL),
        (1, Severity.CRITICAL),
        (2, Severity.CRITICAL),
        (3, Severity.HIGH),
        (4, Severity.WARNING),
        (5, Severity.INFO),
        (6, Severity.INFO),
        (7, Severity.INFO),
    ],
)
def test_syslog_numbers(number: int, expected: Severity) -> None:
    assert map_severity(number) is expected


@pytest.mark.parametrize(
    "value",
    [
        "bananas",
        "",
        "   ",
        "p9",
        "critical!",
        "crit ical",
        8,
        -1,
        10**40,
        3.0,
        float("nan"),
        True,
        False,
        None,
        [],
        {},
        ["critical"],
        {"severity": "critical"},
        b"critical",
    ],
)
def test_anything_unrecognised_is_unknown_and_never_raises(value: object) -> None:
    assert map_severity(value) is Severity.UNKNOWN


def test_worst_picks_the_higher_rank_in_either_order() -> None:
    assert worst(Severity.INFO, Severity.CRITICAL) is Severity.CRITICAL
    assert worst(Severity.CRITICAL, Severity.INFO) is Severity.CRITICAL
    assert worst(Severity.UNKNOWN, Severity.INFO) is Severity.INFO
    ranks = [
        level.rank for level in (Severity.UNKNOWN, Severity.INFO, Severity.WARNING, Severity.HIGH, Severity.CRITICAL)
    ]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == 5
