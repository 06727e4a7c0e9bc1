"""Similarity of label sets: two alerts that share rare labels are likely about the same thing.

A label pair (`node=ip-10-1-2-3`, `deployment=checkout-v2`, `db=orders`) says more the rarer it is, so each
pair is weighed by its inverse frequency among alert onsets (as words are in text search). An alert's
similarity to an incident is the share of its own label weight that the incident's alerts also carry.
Labels that say nothing about *what* is failing (severity, the alert's name, its environment or place) are
left out; the environment and the place keep their own rules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from openconductor.correlation.places import CLUSTER_KEYS, REGION_KEYS

LabelPair = tuple[str, str]

IGNORED_KEYS = frozenset(
    {
        "alertname",
        "severity",
        "priority",
        "status",
        "env",
        "environment",
        "stage",
        "monitor",
        "prometheus",
        "prometheus_replica",
        "receiver",
        # What is measured, not where: shared by every alert of a kind on any host, which is the storm
        # signal's question (weighed against the kind's usual rate), not a sign of one problem.
        "job",
        "metricname",
        "device",
        "mountpoint",
        "fstype",
        "service_description",
        "state_type",
        "statistic",
        "comparisonoperator",
        "unit",
        "quantile",
        "le",
        *REGION_KEYS,
        *CLUSTER_KEYS,
    }
)
MAX_VALUE_LENGTH = 200
# Pairs seen this often or more are too common to find candidates by (a shared `job="node-exporter"`
# would offer every open incident); they still count in the similarity once a candidate is found.
MAX_CANDIDATE_COUNT = 200
# The table of counts keeps this many pairs; past it, those seen once are dropped (pod names, ids).
MAX_PAIRS = 200_000
# Inverse frequencies mean little on a short history: no label evidence before this many onsets.
WARM_UP_ONSETS = 2_000
# A link needs one shared pair seen on at most 1 onset in 100.
MIN_RARE_WEIGHT = math.log(100)


def label_pairs(labels: Mapping[str, str]) -> tuple[LabelPair, ...]:
    return tuple(
        sorted(
            (key.lower(), value)
            for key, value in labels.items()
            if value and len(value) <= MAX_VALUE_LENGTH and key.lower() not in IGNORED_KEYS
        )
    )


class LabelRarity:
    """How often each label pair has been seen on an alert onset, for its weight."""

    def __init__(self) -> None:
        self.counts: dict[LabelPair, int] = {}
        self.total = 0

    def observe(self, pairs: tuple[LabelPair, ...]) -> None:
        self.total += 1
        counts = self.counts
        for pair in pairs:
            counts[pair] = counts.get(pair, 0) + 1
        if len(counts) > MAX_PAIRS:
            self.counts = {pair: count for pair, count in counts.items() if count > 1}

    def weight(self, pair: LabelPair) -> float:
        return math.log((self.total + 1) / (self.counts.get(pair, 0) + 1))

    def candidate(self, pair: LabelPair) -> bool:
        return self.total >= WARM_UP_ONSETS and self.counts.get(pair, 0) < MAX_CANDIDATE_COUNT

    def to_document(self) -> dict[str, Any]:
        return {"total": self.total, "pairs": [[k, v, n] for (k, v), n in self.counts.items() if n > 1]}

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> LabelRarity:
        rarity = cls()
        rarity.total = int(document.get("total", 0))
        rarity.counts = {(k, v): int(n) for k, v, n in document.get("pairs", [])}
        return rarity
