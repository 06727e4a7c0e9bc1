"""Failure cases for root-cause evaluation: the metrics around a failure and the known answer.

Loads the Sock Shop cases of Ikram et al. (NeurIPS 2022), one `<service>-<fault>/<n>/` folder per case.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

TIME_COLUMN = "time"
NORMAL_FILE = "normal.csv"
ANOMALOUS_FILE = "anomalous.csv"


@dataclass(frozen=True)
class IncidentMetrics:
    """What a method may see: every metric before and after the failure time, and whose metric it is.

    `before` and `after` are (rows, metrics) arrays whose columns follow `metric_names`.
    """

    metric_names: tuple[str, ...]
    metric_services: tuple[str, ...]
    before: np.ndarray
    after: np.ndarray

    @property
    def services(self) -> tuple[str, ...]:
        """Every candidate service once, in first-seen column order."""
        return tuple(dict.fromkeys(self.metric_services))


@dataclass(frozen=True)
class FailureCase:
    """One labelled failure: the metrics a method sees, and the answer it must not see."""

    case_id: str
    root_cause: str
    fault_type: str
    metrics: IncidentMetrics


def service_of_metric(metric_name: str) -> str:
    """`carts-db_mem` -> `carts`: a service owns its database, so a database fault counts as the service's."""
    service = metric_name.split("_", 1)[0]
    return service.removesuffix("-db")


def _read_metrics_csv(path: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Return (metric names, time column, values); an empty cell becomes NaN rather than an error."""
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header or header[0] != TIME_COLUMN:
            raise ValueError(f"{path}: expected a header starting with '{TIME_COLUMN}', got {header!r}")
        rows = [[float(cell) if cell.strip() else math.nan for cell in row] for row in reader if row]
    if not rows:
        raise ValueError(f"{path}: no data rows")
    table = np.asarray(rows, dtype=float)
    return header[1:], table[:, 0], table[:, 1:]


def _seconds_from_failure(normal_times: np.ndarray, anomalous_times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Place both files on one timeline whose zero is the first row of anomalous.csv.

    The two files were recorded at different moments (in one case normal.csv is even the later one), so
    their clocks cannot be compared directly: normal.csv is laid immediately before anomalous.csv, its last
    row one second before the failure, keeping each file's own spacing between rows.
    """
    after = anomalous_times - anomalous_times[0]
    before = normal_times - normal_times[-1] - 1.0
    return before, after


def load_sockshop_case(case_dir: Path, *, time_offset_seconds: float = 0.0) -> FailureCase:
    """Load one `<service>-<cpu|mem>/<n>/` folder; the failure time is the first row of anomalous.csv.

    A positive `time_offset_seconds` declares the failure that much later than it was (the first rows of
    the fault then count as normal), a negative one earlier.
    """
    case_dir = Path(case_dir)
    folder = case_dir.parent.name
    root_cause, separator, fault_type = folder.rpartition("-")
    if not separator or not root_cause:
        raise ValueError(f"{case_dir}: folder '{folder}' is not named <service>-<fault type>")

    normal_names, normal_times, normal_values = _read_metrics_csv(case_dir / NORMAL_FILE)
    anomalous_names, anomalous_times, anomalous_values = _read_metrics_csv(case_dir / ANOMALOUS_FILE)
    if normal_names != anomalous_names:
        raise ValueError(f"{case_dir}: normal.csv and anomalous.csv have different metric columns")

    before_seconds, after_seconds = _seconds_from_failure(normal_times, anomalous_times)
    seconds = np.concatenate([before_seconds, after_seconds])
    values = np.vstack([normal_values, anomalous_values])
    is_after = seconds >= time_offset_seconds
    if is_after.all() or not is_after.any():
        raise ValueError(
            f"{case_dir}: a time offset of {time_offset_seconds} s leaves no rows on one side of the failure"
        )

    metrics = IncidentMetrics(
        metric_names=tuple(normal_names),
        metric_services=tuple(service_of_metric(name) for name in normal_names),
        before=values[~is_after],
        after=values[is_after],
    )
    return FailureCase(
        case_id=f"{folder}/{case_dir.name}",
        root_cause=root_cause,
        fault_type=fault_type,
        metrics=metrics,
    )


def load_sockshop_cases(dataset_dir: Path, *, time_offset_seconds: float = 0.0) -> list[FailureCase]:
    """Load every case under `dataset_dir`, sorted by case id so runs are reproducible."""
    dataset_dir = Path(dataset_dir)
    if not dataset_dir.is_dir():
        raise FileNotFoundError(f"dataset folder not found: {dataset_dir}")
    case_dirs = sorted(path.parent for path in dataset_dir.glob(f"*/*/{ANOMALOUS_FILE}"))
    if not case_dirs:
        raise FileNotFoundError(f"{dataset_dir}: no <service>-<fault>/<n>/{ANOMALOUS_FILE} found")
    return [load_sockshop_case(case_dir, time_offset_seconds=time_offset_seconds) for case_dir in case_dirs]
