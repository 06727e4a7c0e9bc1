"""Keyset cursors: opaque, round-trip their sort value and id, and refuse a cursor from another sort."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.queries import ListQuery, decode_cursor, encode_cursor


def test_round_trip_datetime_value() -> None:
    moment = datetime(2026, 1, 5, 10, 0, 0, 123000, tzinfo=UTC)
    cursor = encode_cursor("-last_seen_at", moment, "alr_01ABC")
    assert "=" not in cursor
    value, identifier = decode_cursor(cursor, "-last_seen_at")
    assert value == "2026-01-05T10:00:00.123000+00:00"
    assert identifier == "alr_01ABC"


@pytest.mark.parametrize("value", [3, 0, "text", None])
def test_round_trip_plain_values(value: object) -> None:
    assert decode_cursor(encode_cursor("severity", value, "inc_1"), "severity") == (value, "inc_1")


@pytest.mark.parametrize(("made_for", "used_for"), [("-last_seen_at", "last_seen_at"), ("severity", "-alert_count")])
def test_cursor_from_another_sort_is_rejected(made_for: str, used_for: str) -> None:
    cursor = encode_cursor(made_for, 1, "alr_1")
    with pytest.raises(InvalidPayload) as caught:
        decode_cursor(cursor, used_for)
    assert caught.value.problems[0].field == "cursor"
    assert used_for in caught.value.problems[0].expected


@pytest.mark.parametrize("cursor", ["", "not a cursor", "!!!!", "WzEsMl0", "eyJhIjoxfQ", "WyJzZXZlcml0eSIsMSwyXQ"])
def test_garbage_cursor_is_rejected_as_invalid_payload(cursor: str) -> None:
    # WzEsMl0 is [1,2]; eyJhIjoxfQ is {"a":1}; the last is ["severity",1,2] with a non-string id.
    with pytest.raises(InvalidPayload) as caught:
        decode_cursor(cursor, "severity")
    assert caught.value.problems[0].field == "cursor"


def test_list_query_reads_its_sort() -> None:
    assert (ListQuery(sort="-severity").sort_field, ListQuery(sort="-severity").descending) == ("severity", True)
    assert (ListQuery(sort="starts_at").sort_field, ListQuery(sort="starts_at").descending) == ("starts_at", False)
