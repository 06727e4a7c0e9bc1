"""Routing rules: which configured targets hear about an incident. Pure: facts in, target names out.

Routes are tried in order; the first that matches decides, unless it says `continue`, in which case the
routes after it are tried too. Names are returned once each, in the order the routes name them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from openconductor.core.models import Severity
from openconductor.notify.config import Route, RouteMatch


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    """What routes may look at: the incident's environment, services and severity, and the labels that every
    one of its alerts carries."""

    environment: str | None
    services: frozenset[str]
    severity: Severity
    labels: Mapping[str, str] = field(default_factory=dict)


def matches(match: RouteMatch, facts: IncidentFacts) -> bool:
    if match.environment is not None and facts.environment not in match.environment:
        return False
    if match.service is not None and not facts.services.intersection(match.service):
        return False
    if match.severity is not None and facts.severity.rank < match.severity.rank:
        return False
    return all(facts.labels.get(name) == value for name, value in match.labels.items())


def route(routes: Sequence[Route], facts: IncidentFacts) -> list[str]:
    chosen: dict[str, None] = {}
    for rule in routes:
        if not matches(rule.match, facts):
            continue
        chosen.update(dict.fromkeys(rule.targets))
        if not rule.continue_:
            break
    return list(chosen)


def common_labels(label_sets: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """The labels (name and value) that every one of `label_sets` has; empty when there are none."""
    common: dict[str, str] | None = None
    for labels in label_sets:
        if common is None:
            common = dict(labels)
        else:
            common = {name: value for name, value in common.items() if labels.get(name) == value}
        if not common:
            return {}
    return common or {}
