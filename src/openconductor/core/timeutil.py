"""Parsing and formatting of RFC 3339 timestamps; every datetime inside OpenConductor is UTC-aware."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache


def utcnow() -> datetime:
    return datetime.now(UTC)


# Timestamps repeat: the 100,000 alerts of the enterprise simulation carry about 7,400 distinct ones
# (a second of arrivals, a long-firing alert's start), and the alerts of one request usually share
# theirs. A datetime is immutable, so every caller of the same text may share one parsed value.
@lru_cache(maxsize=4096)
def parse_rfc3339(value: str) -> datetime:
    """Parse RFC 3339 (also with a trailing Z and fractional seconds); naive input is taken as UTC."""
    text = value.strip()
    if not text:
        raise ValueError("empty timestamp")
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError as error:
        # A valid offset can move year 1 or year 9999 out of range; callers only expect ValueError.
        raise ValueError(f"timestamp out of range in UTC: {value!r}") from error


def format_rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
