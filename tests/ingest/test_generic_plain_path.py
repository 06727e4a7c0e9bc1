"""The generic parser's short cut for plain items builds exactly the event the checked path builds, and
leaves everything else (every item with a problem among them) to the checked path."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.ingest.integrations.generic import _checked_event, _plain_event, parse_one

RECEIVED = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)

# Per field: plain values, then the ones the checked path coerces or refuses.
CHOICES: dict[str, tuple[list[Any], list[Any]]] = {
    "title": (["Disk full"], ["  ", "", 42, 4.5, None, True, ["x"]]),
    "status": ([None, "firing", "RESOLVED ", "resolved"], ["acked", 1, False]),
    "severity": ([None, "critical", "P2", " High", 3], [True, 2.5, {"x": 1}]),
    "source": ([None, "", "zabbix", "s" * 100], ["s" * 101, 7]),
    "service": ([None, "", "billing-db", "s" * 300], ["s" * 301, 1.5]),
    "resource": ([None, "db-1"], ["r" * 301, False]),
    "environment": ([None, "", "prod", "e" * 200], ["e" * 201, 0]),
    "fingerprint": ([None, "", "fp-1", "f" * 300], ["f" * 301, 123]),
    "description": ([None, "", "text"], [5, ["x"]]),
    "labels": ([None, {}, {"a": "b"}], [{"a": 1}, {"a": None}, {"a": True}, {"a": {"b": "c"}}, [], "x"]),
    "annotations": ([None, {}, {"url": "https://x"}], [{"n": 2.5}, "x"]),
    "starts_at": (
        [None, "", "2026-01-05T09:00:00Z", "2026-01-05T11:00:00+02:00", "2026-01-05"],
        ["yesterday", 5],
    ),
    "ends_at": ([None, "", "2026-01-05T09:30:00.5Z"], ["not a time", 0]),
}


def random_item(rng: random.Random) -> dict[str, Any]:
    item = {}
    for key, (plain, other) in CHOICES.items():
        if rng.random() < 0.9:
            item[key] = rng.choice(plain if rng.random() < 0.93 else other)
    return {key: value for key, value in item.items() if value is not None or rng.random() < 0.5}


def outcome(build: Any, item: dict[str, Any]) -> Any:
    try:
        return build()
    except InvalidPayload as error:
        return ("refused", [str(problem) for problem in error.problems])


@pytest.mark.parametrize("seed", range(4))
def test_the_short_cut_agrees_with_the_checks(seed: int) -> None:
    rng = random.Random(seed)
    taken = 0
    for _ in range(1500):
        item = random_item(rng)
        checked = outcome(lambda item=item: _checked_event(item, RECEIVED, ""), item)
        plain = _plain_event(item, RECEIVED)
        if plain is not None:
            taken += 1
            assert plain == checked, item
        assert outcome(lambda item=item: parse_one(item, received_at=RECEIVED), item) == checked
    assert 100 < taken < 1400  # both ways were exercised


def test_a_typical_item_takes_the_short_cut() -> None:
    item = {
        "title": "High CPU",
        "severity": "P2",
        "status": "firing",
        "source": "zabbix",
        "service": "",
        "labels": {"host": "db-1"},
        "annotations": {},
        "starts_at": "2026-01-05T09:00:00Z",
        "ends_at": None,
    }
    event = _plain_event(item, RECEIVED)
    assert event is not None
    assert event == _checked_event(item, RECEIVED, "")
    assert event.labels == {"host": "db-1"} and event.labels is not item["labels"]
