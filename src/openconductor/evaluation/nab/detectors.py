"""Streaming anomaly detectors for the NAB evaluation, and the registry that names them.

A detector sees one (timestamp, value) at a time and answers an anomaly score in [0, 1] before it sees the next,
so it cannot look at the future. Another detector plugs in by adding a factory to `DETECTORS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

import numpy as np


class StreamingDetector(Protocol):
    def score_next(self, timestamp: np.datetime64, value: float) -> float:
        """The anomaly score of this record, in [0, 1], given only the records before it."""
        ...


DetectorFactory = Callable[[], StreamingDetector]


def score_series(detector: StreamingDetector, *, timestamps: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Feed a series record by record and collect the anomaly score of each row."""
    scores = np.empty(len(values), dtype=np.float64)
    for row, (timestamp, value) in enumerate(zip(timestamps, values.tolist(), strict=True)):
        scores[row] = detector.score_next(timestamp, value)
    return scores


class NullDetector:
    """Never raises an alarm; it scores 0 on NAB by construction and anchors the normalisation."""

    def score_next(self, timestamp: np.datetime64, value: float) -> float:
        return 0.0


class WindowedGaussianDetector:
    """NAB's reference "windowed Gaussian" baseline: how far a value lies in the tails of recent history.

    The score is 1 - Q(|z|), Q being the Gaussian tail probability, z the distance of the value from the mean
    of the last `window_size` values in standard deviations. The window fills one value at a time, then slides
    forward `step_size` values at once. The parameters (6400 and 100) are those NAB tuned for this detector.

    NAB's published results for it were written at 12 significant digits (Python 2's float formatting), so
    its optimised threshold of 1.0 selects every value more than about 7.1 standard deviations out, not only
    those whose score is 1.0 in full precision. `significant_digits=12` rounds the same way and reproduces the
    published scores series by series; `None` keeps full precision.
    """

    def __init__(self, *, window_size: int = 6400, step_size: int = 100, significant_digits: int | None = 12) -> None:
        self.window_size = window_size
        self.step_size = step_size
        self._score_format = None if significant_digits is None else f".{significant_digits}g"
        self._window: list[float] = []
        self._pending_step: list[float] = []
        self._mean = 0.0
        self._std = 1.0
        # Running mean and sum of squared deviations (Welford) while the window is still filling,
        # so each of the first `window_size` records costs O(1) rather than a full pass.
        self._filling_mean = 0.0
        self._filling_squares = 0.0

    def score_next(self, timestamp: np.datetime64, value: float) -> float:
        score = self._tail_score(value) if self._window else 0.0
        if self._score_format is not None:
            score = float(format(score, self._score_format))
        if len(self._window) < self.window_size:
            self._window.append(value)
            count = len(self._window)
            delta = value - self._filling_mean
            self._filling_mean += delta / count
            self._filling_squares += delta * (value - self._filling_mean)
            self._set_distribution(mean=self._filling_mean, variance=self._filling_squares / count)
        else:
            self._pending_step.append(value)
            if len(self._pending_step) == self.step_size:
                self._window = self._window[self.step_size :] + self._pending_step
                self._pending_step = []
                recent = np.asarray(self._window)
                self._set_distribution(mean=float(recent.mean()), variance=float(recent.var()))
        return score

    def _set_distribution(self, *, mean: float, variance: float) -> None:
        self._mean = mean
        std = math.sqrt(max(variance, 0.0))
        # A constant window would make every new value infinitely unlikely; NAB uses a tiny floor instead.
        self._std = std if std > 0.0 else 0.000001

    def _tail_score(self, value: float) -> float:
        # Mirror a value below the mean to the upper tail, in the same arithmetic as NAB, so that the scores
        # that round to exactly 1.0 (where NAB's optimised threshold sits) are the same ones.
        upper = 2 * self._mean - value if value < self._mean else value
        z = (upper - self._mean) / self._std
        return 1.0 - 0.5 * math.erfc(z / math.sqrt(2))


DETECTORS: dict[str, DetectorFactory] = {
    "windowed_gaussian": WindowedGaussianDetector,
    "null": NullDetector,
}

# Published NAB v1.1 scoreboard values (standard, reward_low_FP_rate, reward_low_FN_rate), github.com/numenta/NAB.
PUBLISHED_SCORES: dict[str, dict[str, float]] = {
    "windowed_gaussian": {"standard": 39.6, "reward_low_FP_rate": 20.9, "reward_low_FN_rate": 47.4},
    "null": {"standard": 0.0, "reward_low_FP_rate": 0.0, "reward_low_FN_rate": 0.0},
}


def make_detector(name: str) -> StreamingDetector:
    try:
        return DETECTORS[name]()
    except KeyError:
        known = ", ".join(sorted(DETECTORS))
        raise ValueError(f"unknown detector {name!r}; expected one of: {known}") from None
