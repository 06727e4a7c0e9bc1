"""`openconductor eval`: replay a labelled stream through the product and the baselines, score each."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openconductor.config.settings import Settings
from openconductor.evaluation.correlation.correlators import BASELINES, Assignment, run_pipeline
from openconductor.evaluation.correlation.labelled import LabelledStream, load_labelled
from openconductor.evaluation.correlation.links import score_links
from openconductor.evaluation.correlation.metrics import QualityScores, score_assignment

PRODUCT = "openconductor (current)"
DEDUP_ONLY = "dedup only"


@dataclass(slots=True)
class CorrelatorResult:
    name: str
    scores: QualityScores
    seconds: float
    assignment: Assignment


def evaluate_stream(stream: LabelledStream, *, settings: Settings | None = None) -> list[CorrelatorResult]:
    firing = stream.firing_mask
    times = [moment.timestamp() for moment in stream.times()]

    def scored(name: str, assignment: Assignment, seconds: float) -> CorrelatorResult:
        scores = score_assignment(
            truth_groups=stream.truth_groups,
            truth_kinds=stream.truth_kinds,
            predicted=assignment.predicted,
            firing=firing,
            times=times,
            raised_at=assignment.raised_at,
        )
        return CorrelatorResult(name, scores, seconds, assignment)

    started = time.perf_counter()
    product, dedup = run_pipeline(stream.events, settings)
    elapsed = time.perf_counter() - started
    results = [scored(PRODUCT, product, elapsed), scored(DEDUP_ONLY, dedup, elapsed)]
    for name, correlator in BASELINES.items():
        started = time.perf_counter()
        assignment = correlator(stream.events)
        results.append(scored(name, assignment, time.perf_counter() - started))
    return results


def build_report(path: Path, stream: LabelledStream, results: list[CorrelatorResult]) -> dict[str, Any]:
    kinds = Counter(stream.truth_kinds)
    product = next((result for result in results if result.name == PRODUCT), None)
    return {
        "file": path.name,
        "alerts_in": len(stream),
        "invalid_lines": stream.invalid_lines,
        "truth_groups": len(set(stream.truth_groups)),
        "records_by_kind": dict(kinds),
        "correlators": {
            result.name: {**result.scores.as_dict(), "seconds": round(result.seconds, 3)} for result in results
        },
        # Which evidence joined which alerts, and how often rightly (the product's joins only).
        "links": score_links(stream.truth_groups, product.assignment.joins) if product is not None else {},
    }


def run_eval(
    path: Path, *, settings: Settings | None = None
) -> tuple[dict[str, Any], LabelledStream, list[CorrelatorResult]]:
    stream = load_labelled(path)
    results = evaluate_stream(stream, settings=settings)
    return build_report(path, stream, results), stream, results
