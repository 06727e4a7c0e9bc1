"""How each source's severity words map onto OpenConductor's five levels.

One table for every integration, so the mapping is documented in one place (docs/alerts.md shows it).
Matching is case-insensitive and ignores surrounding whitespace; anything unrecognised is `unknown`,
never an error, because a new word from a tool must not cost the alert.
"""

from __future__ import annotations

from .models import Severity

SEVERITY_WORDS: dict[Severity, tuple[str, ...]] = {
    Severity.CRITICAL: (
        "critical",
        "crit",
        "fatal",
        "emergency",
        "emerg",
        "disaster",
        "p1",
        "sev1",
        "sev-1",
        "sev0",
        "page",
        "alert",
    ),
    Severity.HIGH: ("high", "error", "err", "major", "p2", "sev2", "sev-2", "severe", "alarm", "down"),
    Severity.WARNING: (
        "warning",
        "warn",
        "average",
        "minor",
        "medium",
        "moderate",
        "p3",
        "sev3",
        "sev-3",
        "degraded",
    ),
    Severity.INFO: (
        "info",
        "information",
        "informational",
        "low",
        "notice",
        "debug",
        "ok",
        "p4",
        "p5",
        "sev4",
        "sev5",
        "not classified",
        "none",
        "verbose",
    ),
}

_LOOKUP: dict[str, Severity] = {word: level for level, words in SEVERITY_WORDS.items() for word in words}
_LOOKUP.update({level.value: level for level in Severity})

# Numeric scales: syslog (0 = emergency .. 7 = debug) is the common one tools send as integers.
_SYSLOG = {
    0: Severity.CRITICAL,
    1: Severity.CRITICAL,
    2: Severity.CRITICAL,
    3: Severity.HIGH,
    4: Severity.WARNING,
    5: Severity.INFO,
    6: Severity.INFO,
    7: Severity.INFO,
}


def map_severity(value: object) -> Severity:
    """Map a source's severity (word or syslog number) to a Severity; unknown words give UNKNOWN."""
    if value is None:
        return Severity.UNKNOWN
    if isinstance(value, bool):
        return Severity.UNKNOWN
    if isinstance(value, int):
        return _SYSLOG.get(value, Severity.UNKNOWN)
    if isinstance(value, str):
        return _LOOKUP.get(value.strip().lower(), Severity.UNKNOWN)
    return Severity.UNKNOWN
