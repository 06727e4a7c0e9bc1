"""Profiles load strictly, report every problem, and have the documented scale."""

from __future__ import annotations

import calendar
import itertools
import time

import pytest
import yaml

from openconductor.simulate import Simulation, available_profiles, load_profile
from openconductor.simulate.profiles import PROFILE_DIR, ProfileError, parse_profile


@pytest.mark.parametrize(
    ("name", "low", "high"), [("small", 25, 40), ("midsize", 250, 350), ("enterprise", 2700, 3300)]
)
def test_built_in_profiles_have_their_documented_size(name: str, low: int, high: int) -> None:
    assert name in available_profiles()
    simulation = Simulation(load_profile(name), seed=1)
    assert low <= len(simulation.topology.components) <= high
    assert len(simulation.topology.by_environment) >= 2


def test_every_problem_is_reported_with_its_field() -> None:
    raw = yaml.safe_load((PROFILE_DIR / "small.yaml").read_text())
    raw["topology"]["colour"] = "blue"
    raw["failures"]["propagation_probability"] = 1.5
    del raw["noise"]["blips_per_day"]
    with pytest.raises(ProfileError) as error:
        parse_profile(raw)
    message = str(error.value)
    assert "topology.colour: unknown key" in message
    assert "failures.propagation_probability" in message
    assert "noise.blips_per_day: missing" in message


def test_enterprise_rate_exceeds_a_million_alerts_a_day() -> None:
    """Measured after the first hour, once flapping and failure processes have filled up."""
    profile = load_profile("enterprise")
    records = list(itertools.islice(Simulation(profile, seed=3).records(), 100_000))

    def moment(index: int) -> int:
        return calendar.timegm(time.strptime(records[index]["received_at"], "%Y-%m-%dT%H:%M:%SZ"))

    per_day = 50_000 / ((moment(99_999) - moment(50_000)) / 86400)
    assert per_day > 1_000_000
