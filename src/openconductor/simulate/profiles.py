"""Simulation profiles: typed, strictly validated settings loaded from profiles/<name>.yaml."""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PROFILE_DIR = Path(__file__).with_name("profiles")
LAYERS = ("edge", "frontend", "api", "worker", "queue", "database", "cache", "host", "k8s_node", "network")


class ProfileError(ValueError):
    """A profile file is missing, malformed, or has fields of the wrong shape; lists every problem."""


@dataclass(frozen=True, slots=True)
class TopologySpec:
    services: int
    environments: dict[str, float]
    regions: list[str]
    teams: int
    layers: dict[str, float]
    datadog_team_share: float
    label_hygiene: float


@dataclass(frozen=True, slots=True)
class FailureSpec:
    per_day: dict[str, float]
    root_layers: dict[str, float]
    propagation_probability: float
    propagation_decay: float
    max_depth: int
    max_affected: int
    detection_probability: float
    duration_median_minutes: float
    duration_sigma: float
    neighbour_failure_probability: float


@dataclass(frozen=True, slots=True)
class NoiseSpec:
    blips_per_day: float
    flapping_per_day: float
    chronic_alerts: int
    periodic_jobs: int
    maintenance_per_week: float
    late_resolve_probability: float
    missing_resolve_probability: float


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    description: str
    start: float
    topology: TopologySpec
    failures: FailureSpec
    noise: NoiseSpec


_SECTIONS: dict[str, tuple[type, dict[str, type]]] = {
    "topology": (
        TopologySpec,
        {
            "services": int,
            "environments": dict,
            "regions": list,
            "teams": int,
            "layers": dict,
            "datadog_team_share": float,
            "label_hygiene": float,
        },
    ),
    "failures": (
        FailureSpec,
        {
            "per_day": dict,
            "root_layers": dict,
            "propagation_probability": float,
            "propagation_decay": float,
            "max_depth": int,
            "max_affected": int,
            "detection_probability": float,
            "duration_median_minutes": float,
            "duration_sigma": float,
            "neighbour_failure_probability": float,
        },
    ),
    "noise": (
        NoiseSpec,
        {
            "blips_per_day": float,
            "flapping_per_day": float,
            "chronic_alerts": int,
            "periodic_jobs": int,
            "maintenance_per_week": float,
            "late_resolve_probability": float,
            "missing_resolve_probability": float,
        },
    ),
}
_PROBABILITIES = {
    "datadog_team_share",
    "label_hygiene",
    "propagation_probability",
    "propagation_decay",
    "detection_probability",
    "neighbour_failure_probability",
    "late_resolve_probability",
    "missing_resolve_probability",
}


def available_profiles() -> list[str]:
    return sorted(path.stem for path in PROFILE_DIR.glob("*.yaml"))


def load_profile(name_or_path: str) -> Profile:
    """Load a built-in profile by name, or any profile file by path; raise ProfileError listing all problems."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILE_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        raise ProfileError(f"profile {name_or_path!r} not found; built-in profiles: {', '.join(available_profiles())}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return parse_profile(raw, origin=str(path))


def parse_profile(raw: Any, *, origin: str = "<profile>") -> Profile:
    errors: list[str] = []
    if not isinstance(raw, dict):
        raise ProfileError(f"{origin}: expected a mapping at the top level")
    unknown = set(raw) - {"name", "description", "start", *_SECTIONS}
    errors += [f"{origin}: unknown key {key!r}" for key in sorted(unknown)]
    sections: dict[str, Any] = {}
    for section, (model, schema) in _SECTIONS.items():
        values = _check_section(raw.get(section), section=section, schema=schema, errors=errors, origin=origin)
        sections[section] = model(**values) if values is not None else None
    start = _parse_start(raw.get("start", "2026-01-05T00:00:00Z"), errors=errors, origin=origin)
    topology = sections["topology"]
    if topology is not None:
        _check_topology(topology, errors=errors, origin=origin)
    failures = sections["failures"]
    if failures is not None and topology is not None:
        for env in failures.per_day:
            if env not in topology.environments:
                errors.append(f"{origin}: failures.per_day.{env}: not one of topology.environments")
        for layer in failures.root_layers:
            if layer not in LAYERS:
                errors.append(f"{origin}: failures.root_layers.{layer}: expected one of {', '.join(LAYERS)}")
    if errors:
        raise ProfileError("\n".join(errors))
    return Profile(
        name=str(raw.get("name", Path(origin).stem)),
        description=str(raw.get("description", "")),
        start=start,
        topology=topology,
        failures=failures,
        noise=sections["noise"],
    )


def _check_section(
    values: Any, *, section: str, schema: dict[str, type], errors: list[str], origin: str
) -> dict[str, Any] | None:
    if not isinstance(values, dict):
        errors.append(f"{origin}: {section}: expected a mapping with keys {', '.join(schema)}")
        return None
    checked: dict[str, Any] = {}
    for key in sorted(set(values) - set(schema)):
        errors.append(f"{origin}: {section}.{key}: unknown key")
    for key, expected in schema.items():
        if key not in values:
            errors.append(f"{origin}: {section}.{key}: missing, expected {expected.__name__}")
            continue
        value: Any = values[key]
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not _has_type(value, expected):
            errors.append(f"{origin}: {section}.{key}: expected {expected.__name__}, got {value!r}")
            continue
        if key in _PROBABILITIES and not 0.0 <= value <= 1.0:
            errors.append(f"{origin}: {section}.{key}: expected a probability in [0, 1], got {value}")
        if expected in (int, float) and value < 0:
            errors.append(f"{origin}: {section}.{key}: expected a non-negative number, got {value}")
        if expected is dict:
            bad = [k for k, v in value.items() if isinstance(v, bool) or not isinstance(v, int | float) or v < 0]
            errors += [f"{origin}: {section}.{key}.{k}: expected a non-negative number" for k in bad]
        checked[key] = value
    return checked if len(checked) == len(schema) else None


def _has_type(value: Any, expected: type) -> bool:
    """isinstance, except that YAML booleans never count as numbers."""
    return isinstance(value, expected) and not isinstance(value, bool)


def _check_topology(topology: TopologySpec, *, errors: list[str], origin: str) -> None:
    if "prod" not in topology.environments:
        errors.append(f"{origin}: topology.environments: expected a 'prod' environment (others copy from it)")
    for layer in topology.layers:
        if layer not in LAYERS:
            errors.append(f"{origin}: topology.layers.{layer}: expected one of {', '.join(LAYERS)}")
    if not topology.regions or not all(isinstance(region, str) for region in topology.regions):
        errors.append(f"{origin}: topology.regions: expected a non-empty list of region names")
    if topology.services < 10:
        errors.append(f"{origin}: topology.services: expected at least 10, got {topology.services}")
    if topology.teams < 1:
        errors.append(f"{origin}: topology.teams: expected at least 1")


def _parse_start(value: Any, *, errors: list[str], origin: str) -> float:
    try:
        return float(calendar.timegm(time.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ")))
    except ValueError:
        errors.append(f"{origin}: start: expected RFC3339 UTC like 2026-01-05T00:00:00Z, got {value!r}")
        return 0.0
