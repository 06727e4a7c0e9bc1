"""The quality gate: fixed simulator runs whose scores the current correlator must not fall below.

The runs are regenerated from (profile, alerts, seed) and checked against a recorded SHA-256, so a
changed simulator cannot silently move the goalposts. Raising the recorded figures is part of
every change that improves them: `openconductor quality-gate --record`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from openconductor.evaluation.correlation.evaluate import PRODUCT, run_eval
from openconductor.simulate.engine import Simulation
from openconductor.simulate.profiles import load_profile
from openconductor.simulate.writer import write_lines

GATED_METRICS = ("noise_reduction", "pairwise_precision", "pairwise_recall", "pairwise_f1")


@dataclass(slots=True)
class GateFinding:
    run: str
    metric: str
    recorded: float
    measured: float

    def __str__(self) -> str:
        return f"{self.run}: {self.metric} fell to {self.measured:.4f} (recorded {self.recorded:.4f})"


def generate(*, profile: str, alerts: int, seed: int, out: Path) -> str:
    """Write the simulator run to `out`; return its SHA-256."""
    with out.open("wb") as handle:
        write_lines(Simulation(load_profile(profile), seed=seed).records(), handle, fmt="generic", limit=alerts)
    return hashlib.sha256(out.read_bytes()).hexdigest()


def run_gate(gate_file: Path, *, workdir: Path, record: bool = False) -> tuple[list[GateFinding], dict[str, Any]]:
    """Check (or with `record`, rewrite) every run in `gate_file`; returns findings and measured scores."""
    gate = orjson.loads(gate_file.read_bytes())
    tolerance = float(gate["tolerance"])
    findings: list[GateFinding] = []
    measured_all: dict[str, Any] = {}
    for run in gate["runs"]:
        name = f"{run['profile']}-{run['alerts']}-seed{run['seed']}"
        path = workdir / f"{name}.jsonl"
        digest = generate(profile=run["profile"], alerts=run["alerts"], seed=run["seed"], out=path)
        if not record and digest != run["sha256"]:
            raise RuntimeError(
                f"{name}: the simulator now writes a different file (sha256 {digest}, recorded {run['sha256']}). "
                "Profiles are fixed; if the change is intended, re-record with `openconductor quality-gate --record` "
                "and give the reason in the commit message."
            )
        report, _, _ = run_eval(path)
        scores = report["correlators"][PRODUCT]
        measured_all[name] = {metric: scores[metric] for metric in GATED_METRICS}
        if record:
            run["sha256"] = digest
            run["recorded"] = measured_all[name]
            continue
        for metric in GATED_METRICS:
            recorded = float(run["recorded"][metric])
            if scores[metric] < recorded - tolerance:
                findings.append(GateFinding(name, metric, recorded, scores[metric]))
    if record:
        gate_file.write_bytes(orjson.dumps(gate, option=orjson.OPT_INDENT_2) + b"\n")
    return findings, measured_all
