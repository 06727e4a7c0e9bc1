"""RFC 3339 parsing: every timestamp becomes a UTC-aware datetime; nonsense raises ValueError only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from openconductor.core.timeutil import format_rfc3339, parse_rfc3339


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-05T10:00:00Z", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
        ("2026-01-05T10:00:00z", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
        ("2026-01-05T10:00:00+00:00", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
        ("2026-01-05T12:30:00+02:30", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
        ("2026-01-05T05:00:00-05:00", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
        ("2026-01-05T10:00:00.25Z", datetime(2026, 1, 5, 10, 0, 0, 250000, tzinfo=UTC)),
        # Go (Alertmanager) writes nanoseconds; digits beyond microseconds are dropped.
        ("2026-01-05T10:00:00.123456789Z", datetime(2026, 1, 5, 10, 0, 0, 123456, tzinfo=UTC)),
        ("  2026-01-05T10:00:00Z \n", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
        ("2026-01-05T10:00:00", datetime(2026, 1, 5, 10, 0, tzinfo=UTC)),
    ],
)
def test_parses_to_utc(text: str, expected: datetime) -> None:
    parsed = parse_rfc3339(text)
    assert parsed == expected
    assert parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "yesterday",
        "2026-13-01T00:00:00Z",
        "2026-02-30T00:00:00Z",
        "2026-01-05T25:00:00Z",
        "2026-01-05T10:00:00+25:00",
        "1736071200",
        # Valid offsets whose UTC instant falls outside the representable years.
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
    ],
)
def test_nonsense_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies with the input
        parse_rfc3339(text)


def test_format_round_trips_and_uses_z() -> None:
    moment = datetime(2026, 1, 5, 10, 0, 0, 500000, tzinfo=UTC)
    text = format_rfc3339(moment)
    assert text == "2026-01-05T10:00:00.500000Z"
    assert parse_rfc3339(text) == moment
