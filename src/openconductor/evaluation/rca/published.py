"""Published Avg@5 on the Sock Shop cases, to print beside our own numbers.

Source: Pham et al., "RCAEval: A Benchmark for Root Cause Analysis of Microservice Systems" (WWW 2025),
Table 5, dataset "Sock Shop 1" (the data of Ikram et al., NeurIPS 2022).
"""

from __future__ import annotations

# method -> failure-time offset in seconds -> fault type -> Avg@5
PUBLISHED_AVG_AT_5: dict[str, dict[int, dict[str, float]]] = {
    "baro": {0: {"cpu": 0.99, "mem": 0.99}, 60: {"cpu": 0.98, "mem": 0.98}},
    "nsigma": {0: {"cpu": 0.98, "mem": 0.99}, 60: {"cpu": 0.15, "mem": 0.33}},
}
# A random ranking never looks at the failure time, so its one figure holds at every offset.
PUBLISHED_AVG_AT_5_ANY_OFFSET: dict[str, dict[str, float]] = {
    "dummy": {"cpu": 0.36, "mem": 0.33},
}


def published_avg_at_5(*, method: str, time_offset_seconds: float, fault_type: str) -> float | None:
    """The published figure for this setting, or None when none was published."""
    if method in PUBLISHED_AVG_AT_5_ANY_OFFSET:
        return PUBLISHED_AVG_AT_5_ANY_OFFSET[method].get(fault_type)
    if not float(time_offset_seconds).is_integer():
        return None
    return PUBLISHED_AVG_AT_5.get(method, {}).get(int(time_offset_seconds), {}).get(fault_type)
