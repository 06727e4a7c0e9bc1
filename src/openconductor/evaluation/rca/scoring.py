"""Scoring root-cause rankings: AC@k and Avg@5, per fault type and overall.

AC@k is the share of cases whose true root cause is among the first k services; Avg@5 is the mean of
AC@1..AC@5 (the definitions used by RCAEval, Pham et al., WWW 2025).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openconductor.evaluation.rca.cases import FailureCase
from openconductor.evaluation.rca.methods import RootCauseMethod

TOP_K = (1, 2, 3, 4, 5)
OVERALL = "overall"


@dataclass(frozen=True)
class CaseResult:
    case_id: str
    fault_type: str
    root_cause: str
    ranking: tuple[str, ...]

    @property
    def rank_of_root_cause(self) -> int | None:
        """1-based position of the true root cause, or None when the method did not name it."""
        try:
            return self.ranking.index(self.root_cause) + 1
        except ValueError:
            return None


@dataclass(frozen=True)
class RcaScores:
    cases: int
    accuracy: dict[int, float]

    @property
    def avg_at_5(self) -> float:
        return sum(self.accuracy[k] for k in TOP_K) / len(TOP_K)

    def as_dict(self) -> dict[str, float | int]:
        return {
            "cases": self.cases,
            **{f"ac@{k}": value for k, value in self.accuracy.items()},
            "avg@5": self.avg_at_5,
        }


def accuracy_at_k(results: Sequence[CaseResult], k: int) -> float:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if not results:
        raise ValueError("cannot score an empty set of cases")
    hits = sum(1 for result in results if (rank := result.rank_of_root_cause) is not None and rank <= k)
    return hits / len(results)


def score_results(results: Sequence[CaseResult]) -> dict[str, RcaScores]:
    """Scores per fault type (sorted), then `overall` over every case."""
    groups: dict[str, list[CaseResult]] = {}
    for result in results:
        groups.setdefault(result.fault_type, []).append(result)
    groups = dict(sorted(groups.items()))
    groups[OVERALL] = list(results)
    return {
        name: RcaScores(cases=len(group), accuracy={k: accuracy_at_k(group, k) for k in TOP_K})
        for name, group in groups.items()
        if group
    }


def evaluate_method(method: RootCauseMethod, cases: Iterable[FailureCase]) -> list[CaseResult]:
    return [
        CaseResult(
            case_id=case.case_id,
            fault_type=case.fault_type,
            root_cause=case.root_cause,
            ranking=tuple(method.rank(case.metrics)),
        )
        for case in cases
    ]
