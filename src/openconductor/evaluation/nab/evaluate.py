"""Running a detector over the NAB corpus and scoring it under every cost profile."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from openconductor.evaluation.nab.corpus import NabCorpus
from openconductor.evaluation.nab.detectors import make_detector, score_series
from openconductor.evaluation.nab.scoring import (
    SeriesOutcome,
    corpus_geometry,
    normalised_score,
    outcomes_at_threshold,
    sweep_thresholds,
)


@dataclass(frozen=True)
class ProfileResult:
    profile: str
    normalised_score: float
    raw_score: float
    null_raw_score: float
    perfect_raw_score: float
    threshold: float
    series: tuple[SeriesOutcome, ...]


@dataclass(frozen=True)
class NabEvaluation:
    detector: str
    profiles: tuple[ProfileResult, ...]

    def scores(self) -> dict[str, float]:
        return {result.profile: result.normalised_score for result in self.profiles}

    def to_report(self) -> dict[str, Any]:
        """A JSON-ready report: per-profile scores, the chosen thresholds and per-series counts."""
        return {
            "detector": self.detector,
            "benchmark": "NAB v1.1",
            "profiles": {
                result.profile: {
                    "score": result.normalised_score,
                    "threshold": result.threshold,
                    "raw_score": result.raw_score,
                    "null_raw_score": result.null_raw_score,
                    "perfect_raw_score": result.perfect_raw_score,
                    "series": {outcome.name: _series_counts(outcome) for outcome in result.series},
                }
                for result in self.profiles
            },
        }


def _series_counts(outcome: SeriesOutcome) -> dict[str, Any]:
    counts = asdict(outcome)
    counts.pop("name")
    return counts


def detector_scores(corpus: NabCorpus, *, detector_name: str) -> list[np.ndarray]:
    """Anomaly scores per row for every series, each series seen by a fresh detector."""
    return [
        score_series(make_detector(detector_name), timestamps=one.timestamps, values=one.values)
        for one in corpus.series
    ]


def evaluate_scores(corpus: NabCorpus, *, scores_per_series: Sequence[np.ndarray], detector_name: str) -> NabEvaluation:
    """Optimise the threshold per profile over the whole corpus, then normalise against null and perfect."""
    geometry = corpus_geometry(corpus.series)
    scored = geometry.select_scored(scores_per_series)
    if scored.size and (scored.min() < 0.0 or scored.max() > 1.0):
        raise ValueError(f"{detector_name}: anomaly scores must lie in [0, 1]")
    null_scored = np.zeros_like(scored)
    results = []
    for profile in corpus.profiles:
        sweep = sweep_thresholds(geometry=geometry, scored=scored, profile=profile)
        # The null detector goes through the same optimiser, as in NAB, rather than being assumed.
        null_raw = sweep_thresholds(geometry=geometry, scored=null_scored, profile=profile).best_raw_score
        perfect_raw = corpus.window_count * profile.tp_weight
        outcomes = outcomes_at_threshold(
            geometry=geometry, scored=scored, profile=profile, threshold=sweep.best_threshold
        )
        results.append(
            ProfileResult(
                profile=profile.name,
                normalised_score=normalised_score(raw=sweep.best_raw_score, null_raw=null_raw, perfect_raw=perfect_raw),
                raw_score=sweep.best_raw_score,
                null_raw_score=null_raw,
                perfect_raw_score=perfect_raw,
                threshold=sweep.best_threshold,
                series=tuple(outcomes),
            )
        )
    return NabEvaluation(detector=detector_name, profiles=tuple(results))


def evaluate_detector(corpus: NabCorpus, *, detector_name: str) -> NabEvaluation:
    scores = detector_scores(corpus, detector_name=detector_name)
    return evaluate_scores(corpus, scores_per_series=scores, detector_name=detector_name)
