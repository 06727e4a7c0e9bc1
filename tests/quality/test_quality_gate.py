"""The CI quality gate: the current correlator must not score below the figures in quality/gate.json."""

from __future__ import annotations

from pathlib import Path

from openconductor.evaluation.correlation.gate import run_gate

GATE = Path(__file__).resolve().parents[2] / "quality" / "gate.json"


def test_current_correlator_meets_recorded_figures(tmp_path: Path) -> None:
    findings, measured = run_gate(GATE, workdir=tmp_path)
    assert measured, "the gate file lists no runs"
    assert findings == [], "\n".join(str(finding) for finding in findings)


def test_gate_fails_when_a_figure_is_raised_beyond_reach(tmp_path: Path) -> None:
    import orjson

    gate = orjson.loads(GATE.read_bytes())
    gate["runs"] = gate["runs"][:1]
    gate["runs"][0]["recorded"]["pairwise_f1"] = 1.01
    strict = tmp_path / "gate.json"
    strict.write_bytes(orjson.dumps(gate))
    findings, _ = run_gate(strict, workdir=tmp_path)
    assert [finding.metric for finding in findings] == ["pairwise_f1"]
