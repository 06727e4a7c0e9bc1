"""Usual rates: the Poisson tail that decides whether a burst of one kind of alert is a storm."""

from __future__ import annotations

import itertools
import math

import pytest

from openconductor.correlation.rates import poisson_tail


@pytest.mark.parametrize(
    ("expected", "count", "tail"),
    [
        (1.0, 1, 1 - math.exp(-1)),
        (1.0, 3, 1 - math.exp(-1) * (1 + 1 + 0.5)),
        (0.25, 2, 1 - math.exp(-0.25) * 1.25),
        (4.0, 0, 1.0),
        (0.0, 1, 0.0),
    ],
)
def test_poisson_tail_is_the_chance_of_at_least_count(expected: float, count: int, tail: float) -> None:
    assert poisson_tail(expected, count) == pytest.approx(tail, abs=1e-12)


def test_a_huge_storm_is_weighed_in_constant_time_without_underflow() -> None:
    # 100,000 components where 1,000 were expected: a sum of terms would start at exp(-1000) == 0.0.
    assert poisson_tail(1000.0, 100_000) == 0.0
    assert poisson_tail(1000.0, 1000) == pytest.approx(0.5, abs=0.02)
    assert poisson_tail(1000.0, 1200) < 1e-8


def test_more_of_a_rare_kind_is_ever_less_likely() -> None:
    tails = [poisson_tail(0.2, count) for count in range(1, 8)]
    assert all(later < earlier for earlier, later in itertools.pairwise(tails))
    assert tails[-1] < 1e-6


def test_each_alert_of_a_storm_window_is_handed_out_once() -> None:
    from datetime import UTC, datetime, timedelta

    from openconductor.correlation.rates import UsualRates

    rates = UsualRates(storm_window=timedelta(minutes=5), storm_min_components=3, storm_max_chance=0.001)
    kind, start = ("prod", "t1"), datetime(2026, 3, 1, tzinfo=UTC)
    for n in range(3):
        rates.storm(kind, ("prod", f"host-{n}"), start + timedelta(seconds=n), f"a{n}")
    assert rates.storm_alerts(kind) == ["a0", "a1", "a2"]
    rates.storm(kind, ("prod", "host-3"), start + timedelta(minutes=5, seconds=1.5), "a3")  # a0, a1 slide out
    assert rates.storm_alerts(kind) == ["a3"]
    assert rates.storm_alerts(kind) == []


def test_alerts_that_leave_the_storm_window_before_they_are_handed_out_are_not_handed_out_later() -> None:
    from datetime import UTC, datetime, timedelta

    from openconductor.correlation.rates import UsualRates

    rates = UsualRates(storm_window=timedelta(minutes=5), storm_min_components=3, storm_max_chance=0.001)
    kind, start = ("prod", "t1"), datetime(2026, 3, 1, tzinfo=UTC)
    for n in range(4):
        rates.storm(kind, ("prod", f"host-{n}"), start + timedelta(seconds=n), f"a{n}")
    assert rates.storm_alerts(kind) == ["a0", "a1", "a2", "a3"]
    for n in range(4, 8):
        rates.storm(kind, ("prod", f"host-{n}"), start + timedelta(minutes=1, seconds=n), f"a{n}")
    # a4..a6 leave the window unseen, a7 stays; only those still in it are handed out, each once.
    rates.storm(kind, ("prod", "host-8"), start + timedelta(minutes=6, seconds=6.5), "a8")
    assert rates.storm_alerts(kind) == ["a7", "a8"]
    rates.storm(kind, ("prod", "host-9"), start + timedelta(minutes=6, seconds=8), "a9")
    assert rates.storm_alerts(kind) == ["a9"]
    assert rates.storm_alerts(kind) == []
