"""Template-mining accuracy on the Loghub-2k ground truth: grouping accuracy and pairwise F1 per system.

Sources: Zhu et al., "Tools and Benchmarks for Automated Log Parsing", ICSE-SEIP 2019 (loghub);
corrected labels from Khan et al., "Guidelines for Assessing the Accuracy of Log Message Template
Identification Techniques", ICSE 2022.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from openconductor.correlation.templates import TemplateMiner
from openconductor.evaluation.drain_reference import drain_groups

LabelSet = Literal["original", "corrected"]
LABEL_FILE_SUFFIX: dict[str, str] = {
    "original": "_2k.log_structured.csv",
    "corrected": "_2k.log_structured_corrected.csv",
}
SYSTEMS: tuple[str, ...] = (
    "HDFS", "Hadoop", "Spark", "Zookeeper", "BGL", "HPC", "Thunderbird", "Windows",
    "Linux", "Android", "HealthApp", "Apache", "Proxifier", "OpenSSH", "OpenStack", "Mac",
)  # fmt: skip
# Mean GA over the 16 systems on original labels, as published (Zhu et al. 2019; Yu et al. 2023 for Brain).
PUBLISHED_MEAN_GA: dict[str, float] = {"Drain": 0.8654, "Brain": 0.9831}

# A miner takes the system name and its messages in order and returns one group label per message.
GroupingMiner = Callable[[str, Sequence[str]], Sequence[Hashable]]


def openconductor_groups(system: str, contents: Sequence[str]) -> list[str]:
    """OpenConductor's miner with its one generic configuration; the system name is deliberately unused."""
    del system
    miner = TemplateMiner()
    assigned = [miner.learn(content).template_id for content in contents]
    # Clusters can merge later in the stream; score the group each message ends up in.
    return [miner.resolve_id(template_id) for template_id in assigned]


MINERS: dict[str, GroupingMiner] = {"openconductor": openconductor_groups, "drain": drain_groups}


@dataclass(frozen=True)
class LabelledLog:
    system: str
    contents: list[str]
    event_ids: list[str]


@dataclass(frozen=True)
class PairwiseScore:
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class SystemScore:
    system: str
    grouping_accuracy: float
    precision: float
    recall: float
    f1: float
    messages: int
    true_groups: int
    predicted_groups: int
    seconds: float


def load_labelled_log(dataset_dir: Path, *, system: str, labels: LabelSet) -> LabelledLog:
    """Read one system's `Content` and `EventId` columns in file order, skipping unlabelled rows."""
    path = Path(dataset_dir) / system / f"{system}{LABEL_FILE_SUFFIX[labels]}"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: expected the Loghub-2k {labels} labels for {system}")
    contents: list[str] = []
    event_ids: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            # The benchmark scores only rows with a ground-truth event id; groups are keyed by EventId.
            if row["EventId"].strip():
                contents.append(row["Content"])
                event_ids.append(row["EventId"])
    return LabelledLog(system=system, contents=contents, event_ids=event_ids)


def grouping_accuracy(true_groups: Sequence[Hashable], predicted_groups: Sequence[Hashable]) -> float:
    """Share of messages whose predicted group holds exactly the messages of their true group."""
    _check_same_length(true_groups, predicted_groups)
    if not true_groups:
        return 1.0
    joint = Counter(zip(predicted_groups, true_groups, strict=True))
    true_sizes = Counter(true_groups)
    predicted_sizes = Counter(predicted_groups)
    correct = sum(
        count for (predicted, true), count in joint.items() if count == predicted_sizes[predicted] == true_sizes[true]
    )
    return correct / len(true_groups)


def pairwise_score(true_groups: Sequence[Hashable], predicted_groups: Sequence[Hashable]) -> PairwiseScore:
    """Precision and recall over message pairs that share a group, from contingency counts."""
    _check_same_length(true_groups, predicted_groups)
    true_pairs = _pairs(Counter(true_groups).values())
    predicted_pairs = _pairs(Counter(predicted_groups).values())
    shared_pairs = _pairs(Counter(zip(predicted_groups, true_groups, strict=True)).values())
    # With no pairs on a side there is nothing to get wrong on that side.
    precision = shared_pairs / predicted_pairs if predicted_pairs else 1.0
    recall = shared_pairs / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairwiseScore(precision=precision, recall=recall, f1=f1)


def score_system(log: LabelledLog, *, miner: GroupingMiner) -> SystemScore:
    started = time.perf_counter()
    predicted = miner(log.system, log.contents)
    seconds = time.perf_counter() - started
    pairwise = pairwise_score(log.event_ids, predicted)
    return SystemScore(
        system=log.system,
        grouping_accuracy=grouping_accuracy(log.event_ids, predicted),
        precision=pairwise.precision,
        recall=pairwise.recall,
        f1=pairwise.f1,
        messages=len(log.contents),
        true_groups=len(set(log.event_ids)),
        predicted_groups=len(set(predicted)),
        seconds=seconds,
    )


def evaluate(
    dataset_dir: Path, *, miner_name: str, labels: LabelSet, systems: Sequence[str] = SYSTEMS
) -> list[SystemScore]:
    """Score one miner on every system of Loghub-2k for one label set."""
    miner = MINERS.get(miner_name)
    if miner is None:
        raise ValueError(f"miner {miner_name!r}: expected one of {sorted(MINERS)}")
    return [
        score_system(load_labelled_log(dataset_dir, system=system, labels=labels), miner=miner) for system in systems
    ]


def mean_score(scores: Sequence[SystemScore]) -> dict[str, float]:
    count = len(scores) or 1
    return {
        "grouping_accuracy": sum(score.grouping_accuracy for score in scores) / count,
        "f1": sum(score.f1 for score in scores) / count,
    }


def report_dict(scores: Sequence[SystemScore], *, miner_name: str, labels: LabelSet) -> dict[str, object]:
    return {
        "miner": miner_name,
        "labels": labels,
        "systems": [asdict(score) for score in scores],
        "mean": mean_score(scores),
    }


def _pairs(group_sizes: Iterable[int]) -> int:
    return sum(size * (size - 1) // 2 for size in group_sizes)


def _check_same_length(true_groups: Sequence[Hashable], predicted_groups: Sequence[Hashable]) -> None:
    if len(true_groups) != len(predicted_groups):
        raise ValueError(
            f"predicted_groups: expected {len(true_groups)} labels (one per message), got {len(predicted_groups)}"
        )
