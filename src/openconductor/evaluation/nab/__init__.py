"""The Numenta Anomaly Benchmark (NAB v1.1) for OpenConductor: corpus, scorer, detectors and runner."""

from openconductor.evaluation.nab.corpus import CostProfile, LabelledSeries, NabCorpus, NabFormatError, load_corpus
from openconductor.evaluation.nab.detectors import (
    DETECTORS,
    PUBLISHED_SCORES,
    StreamingDetector,
    make_detector,
    score_series,
)
from openconductor.evaluation.nab.evaluate import (
    NabEvaluation,
    ProfileResult,
    detector_scores,
    evaluate_detector,
    evaluate_scores,
)

__all__ = [
    "DETECTORS",
    "PUBLISHED_SCORES",
    "CostProfile",
    "LabelledSeries",
    "NabCorpus",
    "NabEvaluation",
    "NabFormatError",
    "ProfileResult",
    "StreamingDetector",
    "detector_scores",
    "evaluate_detector",
    "evaluate_scores",
    "load_corpus",
    "make_detector",
    "score_series",
]
