"""Root-cause methods behind one contract, found by name: N-Sigma, BARO and a random floor.

A method sees only `IncidentMetrics`, never the answer, and returns every candidate service, best first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from openconductor.evaluation.rca.cases import IncidentMetrics


class RootCauseMethod(Protocol):
    """Ranks the services of one incident, most likely root cause first."""

    name: str

    def rank(self, metrics: IncidentMetrics) -> list[str]: ...


MethodFactory = Callable[..., RootCauseMethod]
_REGISTRY: dict[str, MethodFactory] = {}


def register_method(name: str) -> Callable[[MethodFactory], MethodFactory]:
    """Make a method available by name; a factory takes the keyword `seed` and may ignore it."""

    def decorator(factory: MethodFactory) -> MethodFactory:
        if name in _REGISTRY:
            raise ValueError(f"root-cause method '{name}' is already registered")
        _REGISTRY[name] = factory
        return factory

    return decorator


def available_methods() -> list[str]:
    return sorted(_REGISTRY)


def create_method(name: str, *, seed: int = 0) -> RootCauseMethod:
    try:
        factory = _REGISTRY[name]
    except KeyError:
        known = ", ".join(available_methods())
        raise ValueError(f"unknown root-cause method '{name}'; expected one of: {known}") from None
    return factory(seed=seed)


def rank_services_by_metric_scores(metrics: IncidentMetrics, scores: np.ndarray) -> list[str]:
    """Rank services by their best-scoring metric; services with no finite score go last.

    Every candidate appears once, so AC@k never fails merely because a service was left out.
    """
    finite_scores = np.where(np.isfinite(scores), scores, -np.inf)
    # A stable sort keeps column order among equal scores, so rankings are reproducible.
    order = np.argsort(-finite_scores, kind="stable")
    ranked = dict.fromkeys(metrics.metric_services[index] for index in order)
    return list(ranked)


def max_deviation_scores(after: np.ndarray, *, centre: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Per metric, the largest (after - centre) / spread; NaN where the metric has no spread to scale by.

    Signed on purpose: the faults studied here push resource use and latency up, not down.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        deviations = (after - centre) / np.where(spread > 0, spread, np.nan)
    all_missing = np.all(np.isnan(deviations), axis=0)
    filled = np.where(np.isnan(deviations), -np.inf, deviations)
    return np.where(all_missing, np.nan, filled.max(axis=0))


class NSigma:
    """Scores each metric by its largest z-score after the failure, against the normal mean and std."""

    name = "nsigma"

    def rank(self, metrics: IncidentMetrics) -> list[str]:
        centre = np.nanmean(metrics.before, axis=0)
        spread = np.nanstd(metrics.before, axis=0)
        scores = max_deviation_scores(metrics.after, centre=centre, spread=spread)
        return rank_services_by_metric_scores(metrics, scores)


class Baro:
    """N-Sigma made robust: median and inter-quartile range of the normal period instead of mean and std.

    A failure that began before the declared time leaks into the normal period; the median and IQR barely
    move, where the mean and std are dragged towards the fault (Pham et al., FSE 2024).
    A metric whose normal IQR is zero gets no score: any movement would be an infinite deviation, and
    falling back to raw units would make the ranking depend on whether memory is counted in bytes or MB.
    """

    name = "baro"

    def rank(self, metrics: IncidentMetrics) -> list[str]:
        centre = np.nanmedian(metrics.before, axis=0)
        upper, lower = np.nanpercentile(metrics.before, [75, 25], axis=0)
        scores = max_deviation_scores(metrics.after, centre=centre, spread=upper - lower)
        return rank_services_by_metric_scores(metrics, scores)


class RandomRanking:
    """A seeded random order of the services: the floor any real method must clear."""

    name = "dummy"

    def __init__(self, *, seed: int = 0) -> None:
        self._random = np.random.default_rng(seed)

    def rank(self, metrics: IncidentMetrics) -> list[str]:
        services = list(metrics.services)
        return [services[index] for index in self._random.permutation(len(services))]


@register_method("nsigma")
def _create_nsigma(*, seed: int = 0) -> RootCauseMethod:
    return NSigma()


@register_method("baro")
def _create_baro(*, seed: int = 0) -> RootCauseMethod:
    return Baro()


@register_method("dummy")
def _create_dummy(*, seed: int = 0) -> RootCauseMethod:
    return RandomRanking(seed=seed)
