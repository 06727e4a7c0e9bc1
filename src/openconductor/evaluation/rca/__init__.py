"""Root-cause analysis evaluation: load labelled failure cases, rank services, score the rankings.

Public entry points are re-exported here so callers need one import line.
"""

from openconductor.evaluation.rca.cases import (
    FailureCase,
    IncidentMetrics,
    load_sockshop_case,
    load_sockshop_cases,
    service_of_metric,
)
from openconductor.evaluation.rca.methods import (
    RootCauseMethod,
    available_methods,
    create_method,
    register_method,
)
from openconductor.evaluation.rca.scoring import (
    CaseResult,
    RcaScores,
    accuracy_at_k,
    evaluate_method,
    score_results,
)

__all__ = [
    "CaseResult",
    "FailureCase",
    "IncidentMetrics",
    "RcaScores",
    "RootCauseMethod",
    "accuracy_at_k",
    "available_methods",
    "create_method",
    "evaluate_method",
    "load_sockshop_case",
    "load_sockshop_cases",
    "register_method",
    "score_results",
    "service_of_metric",
]
