"""Clustering quality of an alert-to-incident assignment against truth groups.

Units are the stream's firing records: every firing line counts once, so a correlator is judged on
what people would see, and a duplicate split from its twin costs as much as any other split.
Pair counts come from the contingency table, never from an O(n^2) loop.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sklearn.metrics import adjusted_mutual_info_score

# AMI's expected-information term grows with clusters x clusters; above this many units we sample.
AMI_SAMPLE_LIMIT = 200_000


@dataclass(slots=True)
class QualityScores:
    alerts_in: int
    incidents: int
    truth_groups: int
    noise_reduction: float
    ideal_noise_reduction: float
    incidents_per_truth_group: float
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    adjusted_rand_index: float
    adjusted_mutual_info: float
    split_share: float
    mixed_share: float
    detected_share: float
    detection_delay_median_s: float
    detection_delay_p90_s: float

    def as_dict(self) -> dict[str, Any]:
        return {key: round(value, 6) if isinstance(value, float) else value for key, value in asdict(self).items()}


def _comb2(counts: np.ndarray) -> float:
    counts = counts.astype(np.float64)
    return float(np.sum(counts * (counts - 1) / 2))


def pair_scores(truth: np.ndarray, predicted: np.ndarray) -> tuple[float, float, float, float]:
    """Pairwise precision, recall, F1 and the adjusted Rand index of integer label arrays."""
    n = truth.size
    if n < 2:
        return 1.0, 1.0, 1.0, 1.0
    cell_codes = truth.astype(np.int64) * (int(predicted.max()) + 1) + predicted.astype(np.int64)
    together_both = _comb2(np.unique(cell_codes, return_counts=True)[1])
    together_truth = _comb2(np.bincount(truth))
    together_predicted = _comb2(np.bincount(predicted))
    precision = together_both / together_predicted if together_predicted else 1.0
    recall = together_both / together_truth if together_truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    total_pairs = n * (n - 1) / 2
    expected = together_truth * together_predicted / total_pairs
    maximum = (together_truth + together_predicted) / 2
    ari = (together_both - expected) / (maximum - expected) if maximum != expected else 1.0
    return precision, recall, f1, ari


def adjusted_mutual_info(truth: np.ndarray, predicted: np.ndarray, *, seed: int = 0) -> float:
    if truth.size > AMI_SAMPLE_LIMIT:
        chosen = np.random.default_rng(seed).choice(truth.size, AMI_SAMPLE_LIMIT, replace=False)
        truth, predicted = truth[chosen], predicted[chosen]
    return float(adjusted_mutual_info_score(truth, predicted))


def encode(labels: list[str]) -> np.ndarray:
    index: dict[str, int] = {}
    return np.fromiter((index.setdefault(label, len(index)) for label in labels), dtype=np.int64, count=len(labels))


def score_assignment(
    *,
    truth_groups: list[str],
    truth_kinds: list[str],
    predicted: list[str | None],
    firing: list[bool],
    times: list[float],
    raised_at: dict[str, float],
) -> QualityScores:
    """`predicted[i]` is the incident of line i (None: in no incident, e.g. a resolve never seen firing);
    `raised_at` says when each incident was raised, in epoch seconds. Only raised incidents count
    as incidents people see; a pending one still groups its records for the pair metrics."""
    alerts_in = len(predicted)
    units = [i for i in range(alerts_in) if firing[i]]
    # A firing line that no incident holds is shown to people on its own: a singleton.
    unit_incidents = [predicted[i] or f"unassigned-{i}" for i in units]
    truth_units = encode([truth_groups[i] for i in units])
    predicted_units = encode(unit_incidents)
    precision, recall, f1, ari = pair_scores(truth_units, predicted_units)
    ami = adjusted_mutual_info(truth_units, predicted_units) if len(units) > 1 else 1.0

    incidents_of_group: dict[str, set[str]] = defaultdict(set)
    groups_of_incident: dict[str, set[str]] = defaultdict(set)
    first_line_of_group: dict[str, int] = {}
    incident_of_line = dict(zip(units, unit_incidents, strict=True))
    for i in units:
        group, incident = truth_groups[i], incident_of_line[i]
        incidents_of_group[group].add(incident)
        groups_of_incident[incident].add(group)
        first_line_of_group.setdefault(group, i)
    incident_groups = [g for g in incidents_of_group if truth_kinds[first_line_of_group[g]] == "incident"]
    split = sum(1 for g in incident_groups if len(incidents_of_group[g]) > 1)
    mixed = sum(1 for groups in groups_of_incident.values() if len(groups) > 1)
    delays = [
        max(0.0, raised_at[incident_of_line[first]] - times[first])
        for first in (first_line_of_group[g] for g in incident_groups)
        if incident_of_line[first] in raised_at
    ]
    incidents = len({incident for incident in predicted if incident is not None and incident in raised_at})
    truth_count = len(set(truth_groups))
    return QualityScores(
        alerts_in=alerts_in,
        incidents=incidents,
        truth_groups=truth_count,
        noise_reduction=1 - incidents / alerts_in if alerts_in else 0.0,
        ideal_noise_reduction=1 - truth_count / alerts_in if alerts_in else 0.0,
        incidents_per_truth_group=incidents / truth_count if truth_count else 0.0,
        pairwise_precision=precision,
        pairwise_recall=recall,
        pairwise_f1=f1,
        adjusted_rand_index=ari,
        adjusted_mutual_info=ami,
        split_share=split / len(incident_groups) if incident_groups else 0.0,
        detected_share=(
            sum(1 for g in incident_groups if any(i in raised_at for i in incidents_of_group[g])) / len(incident_groups)
            if incident_groups
            else 1.0
        ),
        mixed_share=mixed / len(groups_of_incident) if groups_of_incident else 0.0,
        detection_delay_median_s=float(np.median(delays)) if delays else 0.0,
        detection_delay_p90_s=float(np.percentile(delays, 90)) if delays else 0.0,
    )
