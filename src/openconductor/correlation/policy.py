"""Policies: per environment or component, which evidence counts and when an incident is raised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from openconductor.config.settings import EngineSettings, Evidence, Policy
from openconductor.correlation.cooccurrence import Entity


@dataclass(frozen=True, slots=True)
class EffectivePolicy:
    evidence: list[Evidence]
    join_threshold: float
    min_alerts: int
    min_duration: timedelta


# Components whose policy is remembered at most: resolving one again is a short walk over the policies, and a
# stream of one-off components (alerts that name none are each their own) must not grow the memory for ever.
_CACHE_LIMIT = 65_536


class PolicyBook:
    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings
        self.default = EffectivePolicy(
            evidence=list(settings.evidence),
            join_threshold=settings.join_threshold,
            min_alerts=settings.min_alerts_to_raise,
            min_duration=settings.min_duration_to_raise,
        )
        self._cache: dict[Entity, EffectivePolicy] = {}

    def for_component(self, entity: Entity) -> EffectivePolicy:
        if not self.settings.policies:
            return self.default
        found = self._cache.get(entity)
        if found is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            found = self._cache[entity] = self._resolve(entity)
        return found

    def clear_cache(self) -> None:
        self._cache.clear()

    def _resolve(self, entity: Entity) -> EffectivePolicy:
        for policy in self.settings.policies:
            if _matches(policy, entity):
                return EffectivePolicy(
                    evidence=list(policy.evidence) if policy.evidence is not None else self.default.evidence,
                    join_threshold=policy.join_threshold
                    if policy.join_threshold is not None
                    else self.default.join_threshold,
                    min_alerts=policy.min_alerts_to_raise
                    if policy.min_alerts_to_raise is not None
                    else self.default.min_alerts,
                    min_duration=policy.min_duration_to_raise
                    if policy.min_duration_to_raise is not None
                    else self.default.min_duration,
                )
        return self.default


def _matches(policy: Policy, entity: Entity) -> bool:
    environment, component = entity
    if policy.match.environment is not None and policy.match.environment != environment:
        return False
    wanted = policy.match.component
    if wanted is None:
        return True
    if wanted.endswith("*"):
        return component.startswith(wanted[:-1])
    return component == wanted
