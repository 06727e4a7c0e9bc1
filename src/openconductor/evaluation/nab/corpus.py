"""Reading a Numenta Anomaly Benchmark folder: the series, their labelled anomaly windows and the cost profiles.

The folder layout is NAB v1.1's: `data/<category>/<series>.csv`, `labels/combined_windows.json`,
`config/profiles.json`. Nothing is copied; the files are read where they are.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WINDOWS_FILE = Path("labels") / "combined_windows.json"
PROFILES_FILE = Path("config") / "profiles.json"
DATA_DIR = Path("data")


@dataclass(frozen=True)
class CostProfile:
    """One NAB application profile: how much a hit, a false alarm and a miss weigh."""

    name: str
    tp_weight: float
    fp_weight: float
    fn_weight: float


@dataclass(frozen=True)
class LabelledSeries:
    """One NAB series with its anomaly windows as inclusive row ranges (first_row, last_row)."""

    name: str
    timestamps: np.ndarray
    values: np.ndarray
    windows: tuple[tuple[int, int], ...]

    def __len__(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class NabCorpus:
    series: tuple[LabelledSeries, ...]
    profiles: tuple[CostProfile, ...]

    @property
    def window_count(self) -> int:
        return sum(len(one.windows) for one in self.series)


class NabFormatError(ValueError):
    """The folder does not look like a NAB corpus; the message names the file and what was expected."""


def load_corpus(root: Path) -> NabCorpus:
    """Read every series listed in the window labels, in the order of the labels file."""
    root = Path(root)
    windows_path = root / WINDOWS_FILE
    profiles_path = root / PROFILES_FILE
    for required in (windows_path, profiles_path):
        if not required.is_file():
            raise NabFormatError(f"{required}: file not found; expected a NAB v1.1 folder")
    window_labels = json.loads(windows_path.read_text())
    series = tuple(_load_series(root=root, name=name, window_limits=limits) for name, limits in window_labels.items())
    return NabCorpus(series=series, profiles=load_profiles(profiles_path))


def load_profiles(path: Path) -> tuple[CostProfile, ...]:
    raw = json.loads(Path(path).read_text())
    profiles = []
    for name, body in raw.items():
        try:
            matrix = body["CostMatrix"]
            profiles.append(
                CostProfile(
                    name=name,
                    tp_weight=float(matrix["tpWeight"]),
                    fp_weight=float(matrix["fpWeight"]),
                    fn_weight=float(matrix["fnWeight"]),
                )
            )
        except (KeyError, TypeError) as missing:
            raise NabFormatError(
                f"{path}: profile {name!r} needs CostMatrix with tpWeight, fpWeight, fnWeight"
            ) from missing
    return tuple(profiles)


def _load_series(*, root: Path, name: str, window_limits: list[list[str]]) -> LabelledSeries:
    path = root / DATA_DIR / name
    if not path.is_file():
        raise NabFormatError(f"{path}: series named in {WINDOWS_FILE} is missing")
    stamps: list[str] = []
    values: list[float] = []
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [column.strip() for column in header[:2]] != ["timestamp", "value"]:
            raise NabFormatError(f"{path}: expected the header 'timestamp,value'")
        for row in reader:
            stamps.append(row[0])
            values.append(float(row[1]))
    timestamps = np.array(stamps, dtype="datetime64[s]")
    return LabelledSeries(
        name=name,
        timestamps=timestamps,
        values=np.array(values, dtype=np.float64),
        windows=tuple(_window_rows(timestamps=timestamps, limits=limits, source=path) for limits in window_limits),
    )


def _window_rows(*, timestamps: np.ndarray, limits: list[str], source: Path) -> tuple[int, int]:
    """A window runs from the row stamped with its start to the row stamped with its end, both included.

    A few NAB series repeat or step back an hour (daylight saving), so the rows are found by their first
    exact match, as NAB's own scorer does, rather than by a search that assumes sorted timestamps.
    """
    start, end = np.array(limits, dtype="datetime64[s]")
    first = _first_row(timestamps=timestamps, stamp=start, fallback_side="left")
    last = _first_row(timestamps=timestamps, stamp=end, fallback_side="right")
    if last < first:
        raise NabFormatError(f"{source}: window {limits} covers no rows")
    return first, last


def _first_row(*, timestamps: np.ndarray, stamp: np.datetime64, fallback_side: str) -> int:
    exact = np.flatnonzero(timestamps == stamp)
    if exact.size:
        return int(exact[0])
    # A limit between two rows: take the nearest row inside the window.
    if fallback_side == "left":
        return int(np.argmax(timestamps >= stamp)) if np.any(timestamps >= stamp) else len(timestamps)
    inside = np.flatnonzero(timestamps <= stamp)
    return int(inside[-1]) if inside.size else -1
