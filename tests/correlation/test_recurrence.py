"""Recurring alerts: the same alert at about the same time of day on several earlier days."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from openconductor.correlation import recurrence as recurrence_module
from openconductor.correlation.recurrence import Recurrence

NIGHT = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def test_an_alert_recurs_once_it_started_near_this_time_of_day_on_three_earlier_days() -> None:
    recurrence = Recurrence()
    jitter = [timedelta(minutes=m) for m in (0, 7, -5, 12)]
    seen = [recurrence.note("backup-disk", NIGHT + timedelta(days=day) + jitter[day]) for day in range(4)]
    assert seen == [False, False, False, True]


def test_another_time_of_day_or_many_onsets_within_one_day_do_not_recur() -> None:
    recurrence = Recurrence()
    for day in range(3):
        recurrence.note("backup-disk", NIGHT + timedelta(days=day))
    assert not recurrence.note("backup-disk", NIGHT + timedelta(days=3, hours=5))

    hourly = Recurrence()
    for hour in range(20):
        assert not hourly.note("cpu-high", NIGHT + timedelta(hours=hour))


def test_onsets_older_than_the_lookback_do_not_count() -> None:
    recurrence = Recurrence(lookback=timedelta(days=8))
    for day in range(3):
        recurrence.note("backup-disk", NIGHT + timedelta(days=day))
    assert not recurrence.note("backup-disk", NIGHT + timedelta(days=12))


def test_what_was_learned_survives_a_restart() -> None:
    recurrence = Recurrence()
    for day in range(3):
        recurrence.note("backup-disk", NIGHT + timedelta(days=day))
    restored = Recurrence()
    restored.load_document(recurrence.to_document())
    assert restored.note("backup-disk", NIGHT + timedelta(days=3))


def test_past_the_cap_the_alerts_last_started_before_the_lookback_are_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The same rule as a walk over every alert at each new one, on onsets out of order and alerts starting again.
    monkeypatch.setattr(recurrence_module, "MAX_ALERTS", 20)
    recurrence = Recurrence(lookback=timedelta(days=2))
    expected: dict[str, list[float]] = {}
    rng = random.Random(5)
    for step in range(2000):
        fingerprint = f"alert-{rng.randrange(60)}"
        onset = NIGHT + timedelta(hours=step / 4 + rng.uniform(-30, 30))
        at = onset.timestamp()
        if fingerprint not in expected and len(expected) >= 20:
            expected = {fp: onsets for fp, onsets in expected.items() if onsets[-1] >= at - 2 * 86400}
        expected.setdefault(fingerprint, []).append(at)
        del expected[fingerprint][:-16]
        recurrence.note(fingerprint, onset)
        assert recurrence._onsets == expected
        assert list(recurrence._onsets) == list(expected)
