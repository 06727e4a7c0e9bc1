"""Shared simulated streams for the simulator tests, generated once per session and kept small."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from openconductor.simulate import Simulation, load_profile


def simulate(profile: str, *, alerts: int, seed: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    simulation = Simulation(load_profile(profile), seed=seed)
    records = list(itertools.islice(simulation.records(), alerts))
    return records, simulation.topology.to_json()


@pytest.fixture(scope="session")
def midsize_stream() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    return simulate("midsize", alerts=20_000, seed=11)


@pytest.fixture(scope="session")
def small_stream() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    return simulate("small", alerts=6_000, seed=5)
