"""Offline throughput of OpenConductor's pipeline: alerts per second and peak memory on simulator files.

Two variants, each run in its own child process so its peak RSS is its own:
  stored    the offline replay (`openconductor replay`): parse + dedup + correlate + commit every batch
            to a throwaway database, exactly the route the server takes without HTTP;
  pipeline  the pipeline alone (build_pipeline(Settings()) fed parsed events in batches), with the
            parse time measured apart from the pipeline time; nothing is stored.

    .venv/bin/python benchmarks/pipeline_throughput.py --sizes 100000,1000000 --out benchmarks/out/pipeline.json

See benchmarks/README.md for what the figures mean and today's numbers. A benchmark, not a test: it
asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import harness
import orjson

VARIANTS = ("stored", "pipeline")


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.child:
        _run_child(args)
        return
    variants = [name.strip() for name in args.variants.split(",") if name.strip()]
    unknown = sorted(set(variants) - set(VARIANTS))
    if unknown:
        raise SystemExit(f"--variants: expected some of {', '.join(VARIANTS)}, got {', '.join(unknown)}")
    backend = harness.backend_of(args.database_url)
    report: dict[str, Any] = {
        "benchmark": "pipeline_throughput",
        "date": harness.now_iso(),
        "machine": harness.machine(),
        "settings": {
            "profile": None if args.input else args.profile,
            "seed": None if args.input else args.seed,
            "batch_size": args.batch_size,
            "write_every": args.write_every,
            "repeat": args.repeat,
            "variants": variants,
            "backend": backend,
            "database": _database_description(args.database_url),
        },
        "results": [],
    }
    for path in _inputs(args):
        alerts = harness.count_lines(path)
        print(f"{path.name}: {alerts:,} alerts", file=sys.stderr)
        result: dict[str, Any] = {"alerts": alerts, "input": _shown(path)}
        if "stored" in variants:
            runs = [_measure(path, "stored", args=args) for _ in range(args.repeat)]
            result["stored"] = _summary(runs, rates=["alerts_per_second"], seconds=["seconds", "setup_seconds"])
        if "pipeline" in variants:
            runs = [_measure(path, "pipeline", args=args) for _ in range(args.repeat)]
            result["pipeline_only"] = _summary(
                runs,
                rates=["alerts_per_second", "parse_alerts_per_second", "parse_and_pipeline_alerts_per_second"],
                seconds=["pipeline_seconds", "parse_seconds"],
            )
        report["results"].append(result)
    report["load_average_at_end"] = harness.load_average()
    harness.write_json(args.out or harness.DEFAULT_CACHE_DIR / f"pipeline-{backend}.json", report)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="Alerts per simulator file, comma-separated.")
    parser.add_argument("--profile", default="enterprise", help="Simulator profile (small, midsize, enterprise).")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--input", type=Path, action="append", help="Use this JSONL file instead (repeatable).")
    parser.add_argument("--cache-dir", type=Path, default=harness.DEFAULT_CACHE_DIR, help="Where simulator files live.")
    parser.add_argument(
        "--database-url",
        help="Run the stored variant on PostgreSQL: this server's admin URL; a fresh database is created and dropped.",
    )
    parser.add_argument("--variants", default=",".join(VARIANTS), help="stored, pipeline, or both (default).")
    parser.add_argument("--repeat", type=int, default=3, help="Runs per size and variant; the JSON gives medians.")
    parser.add_argument("--batch-size", type=int, default=2000, help="Events per pipeline batch (replay's default).")
    parser.add_argument(
        "--write-every",
        type=int,
        help="stored: alerts per transaction; default: the replay's own (replay.REPLAY_WRITE_EVERY).",
    )
    parser.add_argument("--out", type=Path, help="JSON report; default benchmarks/out/pipeline-<backend>.json.")
    # Internal: one measured run inside a child process.
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--child-result", type=Path, help=argparse.SUPPRESS)
    return parser


def _inputs(args: argparse.Namespace) -> list[Path]:
    if args.input:
        return [path.resolve() for path in args.input]
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    return [
        harness.simulator_file(profile=args.profile, alerts=size, seed=args.seed, cache_dir=args.cache_dir)
        for size in sizes
    ]


def _database_description(database_url: str | None) -> str:
    if database_url is None:
        return "SQLite in a temporary directory, WAL, synchronous=NORMAL (what `openconductor replay` uses)"
    return f"PostgreSQL {harness.postgres_version(database_url)}, a fresh database per run"


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(harness.REPO_ROOT))
    except ValueError:
        return str(path)


# -- the parent: one child process per run --------------------------------------------------------


def _measure(path: Path, variant: str, *, args: argparse.Namespace) -> dict[str, Any]:
    database: AbstractContextManager[str | None] = nullcontext(None)
    if variant == "stored" and args.database_url:
        database = harness.fresh_postgres_database(args.database_url, label="pipeline")
    load_before = harness.load_average()
    with database as database_url, tempfile.TemporaryDirectory(prefix="openconductor-bench-") as scratch:
        result_path = Path(scratch) / "result.json"
        command = [
            sys.executable, __file__, "--child", variant, "--input", str(path),
            "--batch-size", str(args.batch_size), "--child-result", str(result_path),
        ]
        if args.write_every is not None:
            command += ["--write-every", str(args.write_every)]
        if database_url:
            command += ["--database-url", database_url]
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=scratch)
        # wait4 gives this child's own rusage, so each run's peak RSS is its own, not the largest so far.
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if process.returncode != 0:
            raise SystemExit(f"{variant} run on {path.name} failed with exit code {process.returncode}")
        run: dict[str, Any] = orjson.loads(result_path.read_bytes())
    run["peak_rss_mib"] = harness.kib_to_mib(usage.ru_maxrss)
    run["process_seconds"] = round(wall, 3)
    run["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 3)
    run["load_average_before"] = load_before
    shown = {key: run[key] for key in ("alerts_per_second", "peak_rss_mib", "incidents_out")}
    print(f"  {variant}: {shown}", file=sys.stderr)
    return run


def _summary(runs: list[dict[str, Any]], *, rates: list[str], seconds: list[str]) -> dict[str, Any]:
    """Medians over the runs; the counts come from the first run (every run reads the same file in order)."""
    first = runs[0]
    summary: dict[str, Any] = {key: round(harness.median_of(runs, key)) for key in rates}
    summary |= {key: round(harness.median_of(runs, key), 3) for key in seconds}
    summary["peak_rss_mib"] = round(harness.median_of(runs, "peak_rss_mib"), 1)
    for key in ("alerts_in", "distinct_alerts", "incidents_out", "noise_reduction", "invalid_lines"):
        summary[key] = first[key]
    summary["runs_agree"] = all(run["incidents_out"] == first["incidents_out"] for run in runs)
    summary["runs"] = runs
    return summary


# -- the child: one measured run ----------------------------------------------------------------


def _run_child(args: argparse.Namespace) -> None:
    (path,) = args.input
    if args.child == "stored":
        result = _stored_run(
            path, database_url=args.database_url, batch_size=args.batch_size, write_every=args.write_every
        )
    else:
        result = _pipeline_run(path, batch_size=args.batch_size)
    args.child_result.write_bytes(orjson.dumps(result))


def _stored_run(path: Path, *, database_url: str | None, batch_size: int, write_every: int | None) -> dict[str, Any]:
    from openconductor.bootstrap import create_platform
    from openconductor.config.settings import Settings
    from openconductor.replay import replay

    with tempfile.TemporaryDirectory(prefix="openconductor-bench-db-") as scratch:
        # Same settings as `openconductor replay`: a throwaway SQLite file needs no per-commit fsync.
        settings = Settings(
            data_dir=Path(scratch),
            database_url=database_url,
            sqlite_synchronous="FULL" if database_url else "NORMAL",
        )
        started = time.perf_counter()
        platform = create_platform(settings)
        setup = time.perf_counter() - started
        try:
            started = time.perf_counter()
            # Without --write-every the replay's own default, so an export of an older commit runs too.
            options = {} if write_every is None else {"write_every": write_every}
            report = replay(platform, path, batch_size=batch_size, **options)
            elapsed = time.perf_counter() - started
        finally:
            platform.store.close()
    return {
        **{key: value for key, value in report.as_dict().items() if key != "problems"},
        "setup_seconds": round(setup, 3),
        "seconds": round(elapsed, 3),
        "alerts_per_second": report.alerts_in / elapsed,
    }


def _pipeline_run(path: Path, *, batch_size: int) -> dict[str, Any]:
    from openconductor.config.settings import Settings
    from openconductor.core.errors import InvalidPayload
    from openconductor.pipeline.builder import build_pipeline
    from openconductor.replay import parse_record

    pipeline = build_pipeline(Settings())
    parse_seconds = pipeline_seconds = 0.0
    alerts_in = invalid = 0
    alert_ids: set[str] = set()
    incident_ids: set[str] = set()
    previous = None
    for lines in harness.chunks(path, batch_size):
        started = time.perf_counter()
        events = []
        for line in lines:
            try:
                event = parse_record(line, previous=previous)
            except InvalidPayload:
                invalid += 1
                continue
            previous = event.received_at
            events.append(event)
        parsed = time.perf_counter()
        batch = pipeline.run(events)
        pipeline_seconds += time.perf_counter() - parsed
        parse_seconds += parsed - started
        alerts_in += len(events)
        for item in batch.items:
            if item.alert is not None:
                alert_ids.add(item.alert.id)
                if item.alert.incident_id:
                    incident_ids.add(item.alert.incident_id)
    return {
        "alerts_in": alerts_in,
        "invalid_lines": invalid,
        "distinct_alerts": len(alert_ids),
        "incidents_out": len(incident_ids),
        "noise_reduction": round(1 - len(incident_ids) / alerts_in, 6) if alerts_in else 0.0,
        "parse_seconds": round(parse_seconds, 3),
        "pipeline_seconds": round(pipeline_seconds, 3),
        "alerts_per_second": alerts_in / pipeline_seconds,
        "parse_alerts_per_second": alerts_in / parse_seconds,
        "parse_and_pipeline_alerts_per_second": alerts_in / (parse_seconds + pipeline_seconds),
    }


if __name__ == "__main__":
    main()
