"""The NAB scorer on hand-computed cases, the detectors, the eval-nab command, and the published NAB scores."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from openconductor.cli.eval_nab import register
from openconductor.evaluation.nab import (
    PUBLISHED_SCORES,
    CostProfile,
    LabelledSeries,
    NabCorpus,
    detector_scores,
    evaluate_scores,
    load_corpus,
    score_series,
)
from openconductor.evaluation.nab.detectors import NullDetector, WindowedGaussianDetector
from openconductor.evaluation.nab.scoring import (
    corpus_geometry,
    outcomes_at_threshold,
    probation_length,
    sweep_thresholds,
)

STANDARD = CostProfile(name="standard", tp_weight=1.0, fp_weight=0.11, fn_weight=1.0)
LOW_FP = CostProfile(name="reward_low_FP_rate", tp_weight=1.0, fp_weight=0.22, fn_weight=1.0)
LOW_FN = CostProfile(name="reward_low_FN_rate", tp_weight=1.0, fp_weight=0.11, fn_weight=2.0)
PROFILES = (STANDARD, LOW_FP, LOW_FN)

# 100 rows: probation is rows 0-14, one window on rows 40-49 (width 10).
ROWS = 100
WINDOW = (40, 49)
# 2*sigmoid(-5x) - 1 equals tanh(-5x/2); a detection at a window's first row (x = -1) earns tanh(2.5).
MAX_TP = math.tanh(2.5)


def one_window_series(*, rows: int = ROWS, windows: tuple[tuple[int, int], ...] = (WINDOW,)) -> LabelledSeries:
    timestamps = np.datetime64("2024-01-01T00:00:00") + np.arange(rows).astype("timedelta64[m]") * 5
    return LabelledSeries(name="synthetic/one.csv", timestamps=timestamps, values=np.zeros(rows), windows=windows)


def alarms_at(*rows: int, length: int = ROWS) -> np.ndarray:
    scores = np.zeros(length)
    scores[list(rows)] = 1.0
    return scores


def raw_score_at(scores: np.ndarray, *, profile: CostProfile = STANDARD, threshold: float = 1.0) -> float:
    geometry = corpus_geometry([one_window_series()])
    outcomes = outcomes_at_threshold(
        geometry=geometry, scored=geometry.select_scored([scores]), profile=profile, threshold=threshold
    )
    return outcomes[0].raw_score


def test_probation_is_15_percent_capped_at_750_rows() -> None:
    assert probation_length(100) == 15
    assert probation_length(4032) == 604
    assert probation_length(22695) == 750


def test_one_detection_at_window_start_earns_the_full_tp_weight() -> None:
    assert raw_score_at(alarms_at(40)) == pytest.approx(1.0)


def test_detection_at_window_end_earns_little() -> None:
    # NAB's position of the last row is -1/width, never 0: credit tanh(5 * 0.1 / 2) / tanh(2.5).
    assert raw_score_at(alarms_at(49)) == pytest.approx(math.tanh(0.25) / MAX_TP)


def test_only_the_first_detection_in_a_window_counts() -> None:
    expected_from_row_45 = math.tanh(2.5 * 5 / 10) / MAX_TP
    assert raw_score_at(alarms_at(45, 46, 49)) == pytest.approx(expected_from_row_45)
    assert raw_score_at(alarms_at(40, 45)) == pytest.approx(1.0)


def test_missed_window_costs_the_fn_weight() -> None:
    assert raw_score_at(np.zeros(ROWS)) == pytest.approx(-1.0)
    assert raw_score_at(np.zeros(ROWS), profile=LOW_FN) == pytest.approx(-2.0)


def test_false_positive_is_weighted_by_distance_after_the_window() -> None:
    # Row 59 is 10 rows past the window's last row; NAB divides by width - 1 = 9.
    penalty_near = math.tanh(-2.5 * 10 / 9)
    assert raw_score_at(alarms_at(40, 59)) == pytest.approx(1.0 + 0.11 * penalty_near)
    assert raw_score_at(alarms_at(40, 59), profile=LOW_FP) == pytest.approx(1.0 + 0.22 * penalty_near)
    # Three widths or more after the window the penalty is the full FP weight.
    assert raw_score_at(alarms_at(40, 76)) == pytest.approx(1.0 - 0.11)
    # Right after the window the penalty is small.
    assert raw_score_at(alarms_at(40, 50)) == pytest.approx(1.0 + 0.11 * math.tanh(-2.5 / 9))


def test_false_positive_before_any_window_costs_the_full_fp_weight() -> None:
    assert raw_score_at(alarms_at(20)) == pytest.approx(-1.0 - 0.11)


def test_detections_in_the_probation_period_are_ignored() -> None:
    geometry = corpus_geometry([one_window_series()])
    scored = geometry.select_scored([alarms_at(3, 14)])
    [outcome] = outcomes_at_threshold(geometry=geometry, scored=scored, profile=STANDARD, threshold=1.0)
    assert outcome.raw_score == pytest.approx(-1.0)
    assert (outcome.fp_rows, outcome.tp_rows, outcome.windows_missed) == (0, 0, 1)
    assert outcome.tn_rows + outcome.fn_rows == ROWS - 15


def test_sweep_picks_the_best_threshold_over_all_rows() -> None:
    scores = np.zeros(ROWS)
    scores[20] = 0.95  # a false positive before the window
    scores[40] = 0.9  # the window's first row
    geometry = corpus_geometry([one_window_series()])
    sweep = sweep_thresholds(geometry=geometry, scored=geometry.select_scored([scores]), profile=STANDARD)
    assert sweep.thresholds[:3].tolist() == [1.1, 0.95, 0.9]
    assert sweep.raw_scores[:3] == pytest.approx([-1.0, -1.11, 0.89])
    assert sweep.best_threshold == 0.9
    assert sweep.best_raw_score == pytest.approx(0.89)


def test_sweep_prefers_the_highest_threshold_among_equal_scores() -> None:
    scores = np.zeros(ROWS)
    scores[40], scores[41] = 0.8, 0.7  # lowering to 0.7 adds a later detection that changes nothing
    geometry = corpus_geometry([one_window_series()])
    sweep = sweep_thresholds(geometry=geometry, scored=geometry.select_scored([scores]), profile=STANDARD)
    assert sweep.best_threshold == 0.8


def straightforward_raw_score(
    *, series: list[LabelledSeries], scores: list[np.ndarray], profile: CostProfile, threshold: float
) -> float:
    """NAB's rules written row by row, to check the vectorised sweep against."""
    total = 0.0
    for one, one_scores in zip(series, scores, strict=True):
        probation = probation_length(len(one))
        previous_window: tuple[int, int] | None = None
        windows = list(one.windows)
        for first, last in windows:
            hits = [row for row in range(first, last + 1) if row >= probation and one_scores[row] >= threshold]
            if hits:
                position = -(last - hits[0] + 1) / (last - first + 1)
                total += profile.tp_weight * math.tanh(-2.5 * position) / MAX_TP
            else:
                total -= profile.fn_weight
        for row in range(probation, len(one)):
            if one_scores[row] < threshold or any(first <= row <= last for first, last in windows):
                continue
            preceding = [window for window in windows if window[1] < row]
            previous_window = preceding[-1] if preceding else None
            if previous_window is None:
                total -= profile.fp_weight
                continue
            first, last = previous_window
            position = (row - last) / (last - first)
            total += profile.fp_weight * (-1.0 if position >= 3 else math.tanh(-2.5 * position))
    return total


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vectorised_sweep_matches_the_rules_row_by_row(seed: int) -> None:
    generator = np.random.default_rng(seed)
    series = [
        one_window_series(rows=120, windows=((30, 39), (70, 84))),
        one_window_series(rows=90, windows=((50, 60),)),
        one_window_series(rows=60, windows=()),
    ]
    # Coarse scores so that many rows tie, as real detectors' do.
    scores = [np.round(generator.random(len(one)), 1) for one in series]
    geometry = corpus_geometry(series)
    scored = geometry.select_scored(scores)
    for profile in PROFILES:
        sweep = sweep_thresholds(geometry=geometry, scored=scored, profile=profile)
        for threshold, raw in zip(sweep.thresholds[1:], sweep.raw_scores[1:], strict=True):
            expected = straightforward_raw_score(series=series, scores=scores, profile=profile, threshold=threshold)
            assert raw == pytest.approx(expected)
            outcomes = outcomes_at_threshold(geometry=geometry, scored=scored, profile=profile, threshold=threshold)
            assert sum(outcome.raw_score for outcome in outcomes) == pytest.approx(expected)


def test_null_detector_scores_zero_and_perfect_detector_scores_100() -> None:
    series = (one_window_series(), one_window_series(windows=((30, 39), (70, 79))))
    corpus = NabCorpus(series=series, profiles=PROFILES)
    null = evaluate_scores(corpus, scores_per_series=[np.zeros(ROWS)] * 2, detector_name="null")
    assert null.scores() == {profile.name: 0.0 for profile in PROFILES}
    perfect_scores = [alarms_at(40), alarms_at(30, 70)]
    perfect = evaluate_scores(corpus, scores_per_series=perfect_scores, detector_name="perfect")
    assert perfect.scores() == pytest.approx({profile.name: 100.0 for profile in PROFILES})


def test_scores_outside_zero_to_one_are_refused() -> None:
    corpus = NabCorpus(series=(one_window_series(),), profiles=PROFILES)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        evaluate_scores(corpus, scores_per_series=[np.full(ROWS, 2.0)], detector_name="broken")


def test_detectors_are_streaming_and_never_look_ahead() -> None:
    values = np.sin(np.arange(300) / 7.0) + np.random.default_rng(3).normal(0.0, 0.1, 300)
    values[250] = 9.0
    timestamps = one_window_series(rows=300).timestamps
    full = score_series(WindowedGaussianDetector(), timestamps=timestamps, values=values)
    prefix = score_series(WindowedGaussianDetector(), timestamps=timestamps[:200], values=values[:200])
    np.testing.assert_array_equal(full[:200], prefix)
    assert full[0] == 0.0
    assert full[250] == 1.0
    assert np.all((full >= 0.0) & (full <= 1.0))
    assert not score_series(NullDetector(), timestamps=timestamps, values=values).any()


def test_windowed_gaussian_fills_then_slides_its_window_by_steps() -> None:
    values = [1.0, 3.0, 2.0, 10.0, 4.0, 7.0, 5.0]
    detector = WindowedGaussianDetector(window_size=3, step_size=2, significant_digits=None)
    scores = [detector.score_next(np.datetime64("2024-01-01"), value) for value in values]
    # The history each value is judged against: growing to 3 values, then replaced two at a time.
    histories = [[1.0], [1.0, 3.0], [1.0, 3.0, 2.0], [1.0, 3.0, 2.0], [2.0, 10.0, 4.0], [2.0, 10.0, 4.0]]
    for value, history, score in zip(values[1:], histories, scores[1:], strict=True):
        mean, std = float(np.mean(history)), float(np.std(history)) or 0.000001
        expected = 1.0 - 0.5 * math.erfc(abs(value - mean) / std / math.sqrt(2))
        assert score == pytest.approx(expected, abs=1e-12)


def write_tiny_nab(root: Path) -> None:
    (root / "data" / "synthetic").mkdir(parents=True)
    (root / "labels").mkdir()
    (root / "config").mkdir()
    series = one_window_series()
    values = np.sin(np.arange(ROWS) / 5.0)
    values[42] = 25.0
    lines = ["timestamp,value"] + [
        f"{str(stamp).replace('T', ' ')},{value}" for stamp, value in zip(series.timestamps, values, strict=True)
    ]
    (root / "data" / "synthetic" / "one.csv").write_text("\n".join(lines) + "\n")
    window = [f"{str(series.timestamps[row]).replace('T', ' ')}.000000" for row in WINDOW]
    (root / "labels" / "combined_windows.json").write_text(json.dumps({"synthetic/one.csv": [window]}))
    profiles = {
        profile.name: {
            "CostMatrix": {"tpWeight": profile.tp_weight, "fpWeight": profile.fp_weight, "fnWeight": profile.fn_weight}
        }
        for profile in PROFILES
    }
    (root / "config" / "profiles.json").write_text(json.dumps(profiles))


def cli_app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("unused")
    def _unused() -> None:  # a second command keeps Typer from collapsing the app into eval-nab itself
        pass

    return app


def test_eval_nab_command_prints_scores_and_writes_the_report(tmp_path: Path) -> None:
    write_tiny_nab(tmp_path / "nab")
    report = tmp_path / "report.json"
    result = CliRunner().invoke(
        cli_app(),
        ["eval-nab", str(tmp_path / "nab"), "--detector", "windowed_gaussian", "--report", str(report)],
    )
    assert result.exit_code == 0, result.output
    assert "Standard" in result.output
    assert "39.6" in result.output  # the published score sits beside ours
    document = json.loads(report.read_text())
    standard = document["profiles"]["standard"]
    assert set(document["profiles"]) == {"standard", "reward_low_FP_rate", "reward_low_FN_rate"}
    counts = standard["series"]["synthetic/one.csv"]
    assert counts["windows_detected"] == 1
    assert standard["threshold"] <= 1.0
    assert {"tp_rows", "fp_rows", "fn_rows", "tn_rows", "windows_missed"} <= set(counts)


def test_eval_nab_command_rejects_unknown_detector_and_bad_folder(tmp_path: Path) -> None:
    write_tiny_nab(tmp_path / "nab")
    unknown = CliRunner().invoke(cli_app(), ["eval-nab", str(tmp_path / "nab"), "--detector", "nope"])
    assert unknown.exit_code != 0
    assert "Invalid value for --detector" in unknown.output
    missing = CliRunner().invoke(cli_app(), ["eval-nab", str(tmp_path / "empty"), "--detector", "null"])
    assert missing.exit_code != 0
    assert "Invalid value for PATH" in missing.output


@pytest.fixture(scope="session")
def nab_corpus(datasets_dir: Path) -> NabCorpus:
    return load_corpus(datasets_dir / "nab")


@pytest.fixture(scope="session")
def windowed_gaussian_scores(nab_corpus: NabCorpus) -> list[np.ndarray]:
    """Computed once per test session (about a second on the full corpus)."""
    return detector_scores(nab_corpus, detector_name="windowed_gaussian")


@pytest.mark.dataset
def test_windowed_gaussian_reproduces_the_published_nab_scores(
    nab_corpus: NabCorpus, windowed_gaussian_scores: list[np.ndarray]
) -> None:
    evaluation = evaluate_scores(
        nab_corpus, scores_per_series=windowed_gaussian_scores, detector_name="windowed_gaussian"
    )
    published = PUBLISHED_SCORES["windowed_gaussian"]
    for profile, score in evaluation.scores().items():
        assert score == pytest.approx(published[profile], abs=1.0), profile
    assert {result.threshold for result in evaluation.profiles} == {1.0}


@pytest.mark.dataset
def test_null_and_perfect_detectors_on_the_nab_corpus(nab_corpus: NabCorpus) -> None:
    assert nab_corpus.window_count == 116
    null = evaluate_scores(
        nab_corpus, scores_per_series=[np.zeros(len(one)) for one in nab_corpus.series], detector_name="null"
    )
    assert null.scores() == {profile.name: 0.0 for profile in nab_corpus.profiles}
    perfect_scores = [alarms_at(*(first for first, _ in one.windows), length=len(one)) for one in nab_corpus.series]
    perfect = evaluate_scores(nab_corpus, scores_per_series=perfect_scores, detector_name="perfect")
    assert perfect.scores() == pytest.approx({profile.name: 100.0 for profile in nab_corpus.profiles})
