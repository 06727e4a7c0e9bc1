"""The NAB v1.1 scoring rules, with the corpus-wide threshold sweep done in a few numpy passes.

Source of the rules: Lavin & Ahmad 2015 ("Evaluating Real-time Anomaly Detection Algorithms") and the scorer
of github.com/numenta/NAB v1.1, whose edge cases (position offsets, probation cap) are followed here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from openconductor.evaluation.nab.corpus import CostProfile, LabelledSeries

PROBATION_FRACTION = 0.15
# NAB caps the probation period at 15% of 5,000 rows, so long series are not ignored for weeks.
PROBATION_ROW_CAP = PROBATION_FRACTION * 5000
# A false positive this many window-widths after the preceding window already costs the full FP weight.
FULL_PENALTY_DISTANCE = 3.0
NO_DETECTION_THRESHOLD = 1.1
OUTSIDE_WINDOWS = -1


def probation_length(row_count: int) -> int:
    """Rows at the start of a series where the detector is still learning; detections there are ignored."""
    return int(min(math.floor(PROBATION_FRACTION * row_count), PROBATION_ROW_CAP))


def scaled_sigmoid(relative_position: np.ndarray | float) -> np.ndarray:
    """2*sigmoid(-5x) - 1: about +0.987 at a window's left edge (x=-1), 0 at its right edge, negative after it."""
    position = np.asarray(relative_position, dtype=np.float64)
    value = 2.0 / (1.0 + np.exp(5.0 * position)) - 1.0
    return np.where(position >= FULL_PENALTY_DISTANCE, -1.0, value)


MAX_TP_CREDIT = float(scaled_sigmoid(-1.0))


@dataclass(frozen=True)
class CorpusGeometry:
    """Profile-independent facts about every scored (post-probation) row of the corpus, concatenated.

    `credit` is the unweighted value of detecting the row: inside a window it is the TP credit scaled so the
    window's first row earns exactly 1; outside windows it is the (negative) FP penalty factor.
    """

    series_of_row: np.ndarray
    row_in_series: np.ndarray
    window_of_row: np.ndarray
    credit: np.ndarray
    window_count: int
    series_names: tuple[str, ...]

    def select_scored(self, scores_per_series: Sequence[np.ndarray]) -> np.ndarray:
        """The detector scores of the scored rows, in the geometry's row order."""
        if len(scores_per_series) != len(self.series_names):
            raise ValueError(f"expected scores for {len(self.series_names)} series, got {len(scores_per_series)}")
        pieces = []
        for index, (name, scores) in enumerate(zip(self.series_names, scores_per_series, strict=True)):
            scores = np.asarray(scores, dtype=np.float64)
            rows = self.row_in_series[self.series_of_row == index]
            if rows.size and scores.shape[0] <= rows[-1]:
                raise ValueError(f"{name}: {scores.shape[0]} anomaly scores for a longer series")
            if not np.all(np.isfinite(scores)):
                raise ValueError(f"{name}: anomaly scores must be finite numbers in [0, 1]")
            pieces.append(scores[rows])
        return np.concatenate(pieces) if pieces else np.zeros(0)


def corpus_geometry(series: Sequence[LabelledSeries]) -> CorpusGeometry:
    series_of_row, row_in_series, window_of_row, credit = [], [], [], []
    next_window_id = 0
    for index, one in enumerate(series):
        rows, windows, values, next_window_id = _series_geometry(one, first_window_id=next_window_id)
        series_of_row.append(np.full(rows.size, index, dtype=np.int64))
        row_in_series.append(rows)
        window_of_row.append(windows)
        credit.append(values)
    window_of_row_all = np.concatenate(window_of_row) if window_of_row else np.zeros(0, dtype=np.int64)
    return CorpusGeometry(
        series_of_row=np.concatenate(series_of_row) if series_of_row else np.zeros(0, dtype=np.int64),
        row_in_series=np.concatenate(row_in_series) if row_in_series else np.zeros(0, dtype=np.int64),
        window_of_row=window_of_row_all,
        credit=np.concatenate(credit) if credit else np.zeros(0),
        # A window lying wholly inside the probation period cannot be scored, so NAB does not count it.
        window_count=int(np.unique(window_of_row_all[window_of_row_all >= 0]).size),
        series_names=tuple(one.name for one in series),
    )


def _series_geometry(series: LabelledSeries, *, first_window_id: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    row_count = len(series)
    window_of_row = np.full(row_count, OUTSIDE_WINDOWS, dtype=np.int64)
    credit = np.full(row_count, -1.0)  # before any window a false positive costs the full FP weight
    positions = np.arange(row_count)
    for offset, (first, last) in enumerate(series.windows):
        width = last - first + 1
        inside = slice(first, last + 1)
        window_of_row[inside] = first_window_id + offset
        # NAB's position runs from -1 at the window's first row to -1/width at its last: never quite zero.
        credit[inside] = scaled_sigmoid(-(last - positions[inside] + 1) / width) / MAX_TP_CREDIT
        following_end = series.windows[offset + 1][0] if offset + 1 < len(series.windows) else row_count
        after = slice(last + 1, following_end)
        if width > 1:
            credit[after] = scaled_sigmoid((positions[after] - last) / (width - 1))
    scored = positions >= probation_length(row_count)
    return positions[scored], window_of_row[scored], credit[scored], first_window_id + len(series.windows)


@dataclass(frozen=True)
class ThresholdSweep:
    """The corpus score for every distinct threshold, highest threshold first (the first has no detections)."""

    thresholds: np.ndarray
    raw_scores: np.ndarray

    @property
    def best_index(self) -> int:
        # argmax keeps the first maximum, i.e. the highest threshold among equal scores, as NAB does.
        return int(np.argmax(self.raw_scores))

    @property
    def best_threshold(self) -> float:
        return float(self.thresholds[self.best_index])

    @property
    def best_raw_score(self) -> float:
        return float(self.raw_scores[self.best_index])


def sweep_thresholds(*, geometry: CorpusGeometry, scored: np.ndarray, profile: CostProfile) -> ThresholdSweep:
    """Score the corpus at every threshold at once: a row counts as a detection when its score >= threshold.

    Lowering the threshold past a row adds that row's contribution: an FP penalty outside windows, or, inside a
    window, the gain from the window's best (earliest) detection so far replacing the previous best or the miss.
    """
    order = np.argsort(-scored, kind="stable")
    sorted_scores = scored[order]
    windows = geometry.window_of_row[order]
    credit = geometry.credit[order]
    contribution = np.where(windows == OUTSIDE_WINDOWS, profile.fp_weight * credit, 0.0)

    in_window = np.flatnonzero(windows != OUTSIDE_WINDOWS)
    if in_window.size:
        # Group the in-window rows by window, keeping the descending-score order inside each group.
        by_window = in_window[np.argsort(windows[in_window], kind="stable")]
        window_ids = windows[by_window]
        tp_values = profile.tp_weight * credit[by_window]
        best_so_far = _running_max_per_group(values=tp_values, groups=window_ids)
        previous = np.empty_like(best_so_far)
        previous[1:] = best_so_far[:-1]
        starts_group = np.r_[True, window_ids[1:] != window_ids[:-1]]
        previous[starts_group] = -profile.fn_weight
        contribution[by_window] = best_so_far - previous

    missed_everything = -profile.fn_weight * geometry.window_count
    running_total = missed_everything + np.cumsum(contribution)
    # With ties, a threshold detects every row of its score, so read the total after the last tied row.
    last_of_tie = np.r_[sorted_scores[1:] != sorted_scores[:-1], True] if sorted_scores.size else np.zeros(0, bool)
    return ThresholdSweep(
        thresholds=np.r_[NO_DETECTION_THRESHOLD, sorted_scores[last_of_tie]],
        raw_scores=np.r_[missed_everything, running_total[last_of_tie]],
    )


def _running_max_per_group(*, values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Cumulative max restarting at each group; groups must be sorted ascending."""
    # Lift each group above every earlier one so one global cumulative max never crosses a group boundary.
    lift = (groups - groups[0]).astype(np.float64) * (float(values.max() - values.min()) + 1.0)
    return np.maximum.accumulate(values + lift) - lift


@dataclass(frozen=True)
class SeriesOutcome:
    """One series at a chosen threshold; row counts follow NAB's score files, windows are counted too."""

    name: str
    raw_score: float
    tp_rows: int
    fp_rows: int
    fn_rows: int
    tn_rows: int
    windows_detected: int
    windows_missed: int


def outcomes_at_threshold(
    *, geometry: CorpusGeometry, scored: np.ndarray, profile: CostProfile, threshold: float
) -> list[SeriesOutcome]:
    detected = scored >= threshold
    in_window = geometry.window_of_row != OUTSIDE_WINDOWS
    outcomes = []
    for index, name in enumerate(geometry.series_names):
        mine = geometry.series_of_row == index
        fp_mask = mine & detected & ~in_window
        score = profile.fp_weight * float(geometry.credit[fp_mask].sum())
        detected_windows = missed_windows = 0
        for window_id in np.unique(geometry.window_of_row[mine & in_window]):
            rows = geometry.window_of_row == window_id
            hits = np.flatnonzero(rows & detected)
            if hits.size:
                detected_windows += 1
                score += profile.tp_weight * float(geometry.credit[hits[0]])  # only the earliest hit counts
            else:
                missed_windows += 1
                score -= profile.fn_weight
        outcomes.append(
            SeriesOutcome(
                name=name,
                raw_score=score,
                tp_rows=int(np.sum(mine & detected & in_window)),
                fp_rows=int(np.sum(fp_mask)),
                fn_rows=int(np.sum(mine & ~detected & in_window)),
                tn_rows=int(np.sum(mine & ~detected & ~in_window)),
                windows_detected=detected_windows,
                windows_missed=missed_windows,
            )
        )
    return outcomes


def normalised_score(*, raw: float, null_raw: float, perfect_raw: float) -> float:
    """100 * (raw - null) / (perfect - null): the null detector scores 0 and a perfect one 100."""
    if perfect_raw == null_raw:
        return 0.0
    return 100.0 * (raw - null_raw) / (perfect_raw - null_raw)
