"""eval-rca: synthetic known-answer cases, AC@k arithmetic, the CLI, and the published Sock Shop figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import orjson
import pytest
import typer
from typer.testing import CliRunner

from openconductor.cli.eval_rca import register
from openconductor.evaluation.rca import (
    CaseResult,
    IncidentMetrics,
    accuracy_at_k,
    available_methods,
    create_method,
    evaluate_method,
    load_sockshop_case,
    load_sockshop_cases,
    register_method,
    score_results,
    service_of_metric,
)
from openconductor.evaluation.rca import methods as rca_methods

METRIC_NAMES = ("carts_cpu", "carts-db_mem", "orders_cpu", "orders_mem", "user_cpu", "user_lat_90")
PUBLISHED_TOLERANCE = 0.03


def _incident(*, culprit_column: int, jump: float, rows: int = 120, leaked_rows: int = 0) -> IncidentMetrics:
    """Gaussian noise on every metric; after the failure one column jumps by `jump`.

    `leaked_rows` of the jump are put at the end of the normal period, as when the failure time is late.
    """
    random = np.random.default_rng(7)
    before = random.normal(loc=10.0, scale=1.0, size=(rows, len(METRIC_NAMES)))
    after = random.normal(loc=10.0, scale=1.0, size=(rows, len(METRIC_NAMES)))
    after[:, culprit_column] += jump
    if leaked_rows:
        before[-leaked_rows:, culprit_column] += jump
    return IncidentMetrics(
        metric_names=METRIC_NAMES,
        metric_services=tuple(service_of_metric(name) for name in METRIC_NAMES),
        before=before,
        after=after,
    )


def _write_case(case_dir: Path, *, names: tuple[str, ...], normal: np.ndarray, anomalous: np.ndarray) -> None:
    case_dir.mkdir(parents=True)
    for file_name, values, first_second in (("normal.csv", normal, 1000), ("anomalous.csv", anomalous, 5000)):
        lines = [",".join(("time", *names))]
        for offset, row in enumerate(values):
            lines.append(",".join([str(first_second + offset), *(f"{value:.6f}" for value in row)]))
        (case_dir / file_name).write_text("\n".join(lines) + "\n")


def _write_dataset(root: Path) -> Path:
    """Two cases: carts' CPU and orders' memory jump after the failure."""
    random = np.random.default_rng(3)
    for folder, culprit_column in (("carts-cpu", 0), ("orders-mem", 3)):
        normal = random.normal(10.0, 1.0, size=(90, len(METRIC_NAMES)))
        anomalous = random.normal(10.0, 1.0, size=(90, len(METRIC_NAMES)))
        anomalous[:, culprit_column] += 40.0
        _write_case(root / folder / "1", names=METRIC_NAMES, normal=normal, anomalous=anomalous)
    return root


# --- methods on known answers -------------------------------------------------------------------


@pytest.mark.parametrize("method_name", ["nsigma", "baro"])
@pytest.mark.parametrize(
    ("culprit_column", "expected"), [(0, "carts"), (1, "carts"), (3, "orders"), (5, "user")]
)
def test_a_service_whose_metric_jumps_ranks_first(
    method_name: str, culprit_column: int, expected: str
) -> None:
    ranking = create_method(method_name).rank(_incident(culprit_column=culprit_column, jump=15.0))
    assert ranking[0] == expected
    assert sorted(ranking) == ["carts", "orders", "user"]


def test_baro_survives_a_late_failure_time_that_misleads_nsigma() -> None:
    # The fault leaks into the last 15% of the normal period: the mean and std chase it, the median
    # and inter-quartile range do not.
    incident = _incident(culprit_column=2, jump=50.0, leaked_rows=18)
    assert create_method("baro").rank(incident)[0] == "orders"
    assert create_method("nsigma").rank(incident)[0] != "orders"


def test_a_metric_without_normal_spread_is_not_scored_but_its_service_still_ranked() -> None:
    incident = _incident(culprit_column=0, jump=15.0)
    incident.before[:, 4] = 3.0  # user_cpu flat before the failure ...
    incident.after[:, 4] = 300.0  # ... then huge: no spread to scale by, so no score
    incident.before[:, 5] = 3.0
    for method_name in ("nsigma", "baro"):
        ranking = create_method(method_name).rank(incident)
        assert ranking[0] == "carts"
        assert ranking[-1] == "user"


def test_dummy_is_a_seeded_permutation_of_every_service() -> None:
    incident = _incident(culprit_column=0, jump=15.0)
    first = [create_method("dummy", seed=11).rank(incident) for _ in range(2)]
    assert first[0] == first[1]
    assert sorted(first[0]) == ["carts", "orders", "user"]
    rankings = {tuple(create_method("dummy", seed=seed).rank(incident)) for seed in range(30)}
    assert len(rankings) > 1


def test_registry_names_the_builtin_methods_and_rejects_unknown_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    assert {"nsigma", "baro", "dummy"} <= set(available_methods())
    with pytest.raises(ValueError, match="unknown root-cause method 'sage'"):
        create_method("sage")
    with pytest.raises(ValueError, match="already registered"):
        register_method("baro")(lambda *, seed=0: create_method("baro"))

    class AlwaysUser:
        name = "always-user"

        def rank(self, metrics: IncidentMetrics) -> list[str]:
            return ["user", *(service for service in metrics.services if service != "user")]

    monkeypatch.setitem(rca_methods._REGISTRY, "always-user", lambda *, seed=0: AlwaysUser())
    assert create_method("always-user").rank(_incident(culprit_column=0, jump=1.0))[0] == "user"


# --- AC@k arithmetic ----------------------------------------------------------------------------


def _result(case_id: str, fault_type: str, ranking: tuple[str, ...]) -> CaseResult:
    return CaseResult(case_id=case_id, fault_type=fault_type, root_cause="a", ranking=ranking)


def test_accuracy_at_k_counts_cases_with_the_answer_in_the_top_k() -> None:
    results = [
        _result("1", "cpu", ("a", "b", "c", "d", "e")),  # rank 1
        _result("2", "cpu", ("b", "a", "c", "d", "e")),  # rank 2
        _result("3", "mem", ("b", "c", "d", "a", "e")),  # rank 4
        _result("4", "mem", ("b", "c", "d", "e")),  # never named
    ]
    assert [accuracy_at_k(results, k) for k in range(1, 6)] == [0.25, 0.5, 0.5, 0.75, 0.75]

    scores = score_results(results)
    assert list(scores) == ["cpu", "mem", "overall"]
    assert scores["overall"].avg_at_5 == pytest.approx((0.25 + 0.5 + 0.5 + 0.75 + 0.75) / 5)
    assert scores["cpu"].accuracy == {1: 0.5, 2: 1.0, 3: 1.0, 4: 1.0, 5: 1.0}
    assert scores["cpu"].avg_at_5 == pytest.approx(0.9)
    assert scores["mem"].accuracy == {1: 0.0, 2: 0.0, 3: 0.0, 4: 0.5, 5: 0.5}
    assert scores["mem"].cases == 2
    assert scores["mem"].as_dict()["avg@5"] == pytest.approx(0.2)


def test_accuracy_at_k_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="k must be at least 1"):
        accuracy_at_k([_result("1", "cpu", ("a",))], 0)
    with pytest.raises(ValueError, match="empty"):
        accuracy_at_k([], 1)


# --- loading cases ------------------------------------------------------------------------------


def test_service_of_metric_folds_a_database_into_its_service() -> None:
    assert service_of_metric("carts-db_mem") == "carts"
    assert service_of_metric("front-end_cpu") == "front-end"
    assert service_of_metric("shipping_lat_90") == "shipping"


def test_failure_time_is_the_first_anomalous_row_and_the_offset_moves_it(tmp_path: Path) -> None:
    names = ("carts_cpu",)
    normal = np.arange(10, dtype=float).reshape(-1, 1)
    anomalous = 100 + np.arange(8, dtype=float).reshape(-1, 1)
    _write_case(tmp_path / "carts-cpu" / "2", names=names, normal=normal, anomalous=anomalous)
    case_dir = tmp_path / "carts-cpu" / "2"

    exact = load_sockshop_case(case_dir)
    assert (exact.case_id, exact.root_cause, exact.fault_type) == ("carts-cpu/2", "carts", "cpu")
    assert exact.metrics.before[:, 0].tolist() == normal[:, 0].tolist()
    assert exact.metrics.after[:, 0].tolist() == anomalous[:, 0].tolist()

    late = load_sockshop_case(case_dir, time_offset_seconds=3)
    assert late.metrics.before[-3:, 0].tolist() == [100.0, 101.0, 102.0]
    assert late.metrics.after[0, 0] == 103.0

    early = load_sockshop_case(case_dir, time_offset_seconds=-2)
    assert early.metrics.before[-1, 0] == 7.0
    assert early.metrics.after[:3, 0].tolist() == [8.0, 9.0, 100.0]

    with pytest.raises(ValueError, match="no rows on one side"):
        load_sockshop_case(case_dir, time_offset_seconds=60)


def test_loader_rejects_mismatched_columns_and_unlabelled_folders(tmp_path: Path) -> None:
    values = np.ones((3, 1))
    mismatched = tmp_path / "carts-cpu" / "1"
    _write_case(mismatched, names=("carts_cpu",), normal=values, anomalous=values)
    (mismatched / "anomalous.csv").write_text("time,orders_cpu\n1,2\n")
    with pytest.raises(ValueError, match="different metric columns"):
        load_sockshop_case(mismatched)

    unlabelled = tmp_path / "carts" / "1"
    _write_case(unlabelled, names=("carts_cpu",), normal=values, anomalous=values)
    with pytest.raises(ValueError, match="not named <service>-<fault type>"):
        load_sockshop_case(unlabelled)

    with pytest.raises(FileNotFoundError):
        load_sockshop_cases(tmp_path / "absent")


def test_synthetic_dataset_scores_perfectly(tmp_path: Path) -> None:
    cases = load_sockshop_cases(_write_dataset(tmp_path))
    assert [case.case_id for case in cases] == ["carts-cpu/1", "orders-mem/1"]
    for method_name in ("nsigma", "baro"):
        scores = score_results(evaluate_method(create_method(method_name), cases))
        assert scores["overall"].avg_at_5 == 1.0


# --- the command --------------------------------------------------------------------------------


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Keeps eval-rca a named sub-command, as in the real application."""

    register(app)
    return app


def test_cli_prints_scores_and_writes_a_report(tmp_path: Path) -> None:
    dataset = _write_dataset(tmp_path / "data")
    report = tmp_path / "report.json"
    result = CliRunner().invoke(
        _app(), ["eval-rca", str(dataset), "--method", "baro", "--time-offset", "0", "--report", str(report)]
    )
    assert result.exit_code == 0, result.output
    assert "AC@1" in result.output
    assert "Avg@5" in result.output
    assert "0.99" in result.output  # the published BARO figure beside ours

    document = orjson.loads(report.read_bytes())
    assert document["method"] == "baro"
    assert document["scores"]["overall"]["avg@5"] == 1.0
    assert document["published_avg@5"] == {"cpu": 0.99, "mem": 0.99, "overall": None}
    assert [case["rank_of_root_cause"] for case in document["cases"]] == [1, 1]


def test_cli_rejects_an_unknown_method_and_a_missing_folder(tmp_path: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(_app(), ["eval-rca", str(tmp_path), "--method", "nope"])
    assert unknown.exit_code == 2
    assert "unknown method 'nope'" in unknown.output
    missing = runner.invoke(_app(), ["eval-rca", str(tmp_path / "absent"), "--method", "baro"])
    assert missing.exit_code == 2
    assert "not found" in missing.output


# --- the published figures ----------------------------------------------------------------------


@pytest.mark.dataset
@pytest.mark.parametrize(
    ("method_name", "time_offset", "published"),
    [
        ("nsigma", 0, {"cpu": 0.98, "mem": 0.99}),
        ("baro", 0, {"cpu": 0.99, "mem": 0.99}),
        ("nsigma", 60, {"cpu": 0.15, "mem": 0.33}),
        ("baro", 60, {"cpu": 0.98, "mem": 0.98}),
    ],
)
def test_sockshop_reproduces_published_avg_at_5(
    datasets_dir: Path, method_name: str, time_offset: int, published: dict[str, float]
) -> None:
    dataset = datasets_dir / "sockshop-rcd"
    if not dataset.is_dir():
        pytest.skip(f"Sock Shop data not found at {dataset}")
    cases = load_sockshop_cases(dataset, time_offset_seconds=time_offset)
    assert len(cases) == 50
    scores = score_results(evaluate_method(create_method(method_name), cases))
    for fault_type, expected in published.items():
        assert scores[fault_type].cases == 25
        assert scores[fault_type].avg_at_5 == pytest.approx(expected, abs=PUBLISHED_TOLERANCE), fault_type
