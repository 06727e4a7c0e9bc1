"""HTTP ingest throughput and latency of a real `openconductor serve` process, driven by a pool of httpx clients.

POST /api/v1/alerts answers 202 only once the alerts are deduplicated, correlated into an incident and
committed, so the latency measured here (request sent -> 202 read) is "alert sent -> alert in an incident".
Two modes: `single` (one alert object per request) and `batch` (an array of --batch-size alerts). Each mode
and repeat gets a fresh server and a fresh database; warm-up requests are sent first and not counted.

    .venv/bin/python benchmarks/http_ingest.py --out benchmarks/out/http-sqlite.json
    .venv/bin/python benchmarks/http_ingest.py --database-url postgresql://postgres@127.0.0.1:5432/test \
        --out benchmarks/out/http-postgresql.json

See benchmarks/README.md for what the figures mean and today's numbers. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness
import httpx
import orjson

MODES = ("single", "batch")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(slots=True)
class Answer:
    """One request's fate, as the client saw it."""

    latency: float
    status: int
    alerts_sent: int
    accepted: int = 0
    with_incident: int = 0
    changes: dict[str, int] | None = None
    error: str | None = None


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    modes = [name.strip() for name in args.modes.split(",") if name.strip()]
    unknown = sorted(set(modes) - set(MODES))
    if unknown:
        raise SystemExit(f"--modes: expected some of {', '.join(MODES)}, got {', '.join(unknown)}")
    per_request = {"single": 1, "batch": args.batch_size}
    measured_requests = {"single": args.single_requests, "batch": args.batch_requests}
    needed = max((args.warmup_requests + measured_requests[mode]) * per_request[mode] for mode in modes)
    path = args.input.resolve() if args.input else harness.simulator_file(
        profile=args.profile, alerts=args.file_alerts, seed=args.seed, cache_dir=args.cache_dir
    )
    alerts = _load_alerts(path, needed)
    backend = harness.backend_of(args.database_url)
    report: dict[str, Any] = {
        "benchmark": "http_ingest",
        "date": harness.now_iso(),
        "machine": harness.machine(),
        "settings": {
            "backend": backend,
            "database": _database_description(args.database_url),
            "input": str(path.relative_to(harness.REPO_ROOT)) if path.is_relative_to(harness.REPO_ROOT) else str(path),
            "concurrency": args.concurrency,
            "batch_size": args.batch_size,
            "warmup_requests": args.warmup_requests,
            "single_requests": args.single_requests,
            "batch_requests": args.batch_requests,
            "repeat": args.repeat,
            "client": f"httpx {httpx.__version__}, {args.concurrency} threads in one process, keep-alive",
        },
        "modes": {},
    }
    for mode in modes:
        size = per_request[mode]
        bodies = [_body(alerts[start : start + size], as_array=mode == "batch") for start in range(0, needed, size)]
        warmup, measured = bodies[: args.warmup_requests], bodies[args.warmup_requests :][: measured_requests[mode]]
        runs = []
        for attempt in range(1, args.repeat + 1):
            print(f"{mode} ({backend}), run {attempt}/{args.repeat}: {len(measured)} requests", file=sys.stderr)
            run = _run_once(warmup, measured, alerts_per_request=size, args=args)
            print(f"  {_headline(run)}", file=sys.stderr)
            runs.append(run)
        report["modes"][mode] = _summary(runs, alerts_per_request=size)
    report["load_average_at_end"] = harness.load_average()
    harness.write_json(args.out or harness.DEFAULT_CACHE_DIR / f"http-{backend}.json", report)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, help="JSONL of generic alerts; default: a simulator file.")
    parser.add_argument("--profile", default="enterprise", help="Simulator profile for the default input.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--file-alerts", type=int, default=1_000_000, help="Size of the simulator file to read from.")
    parser.add_argument("--cache-dir", type=Path, default=harness.DEFAULT_CACHE_DIR, help="Where simulator files live.")
    parser.add_argument(
        "--database-url",
        help="Serve from PostgreSQL: this server's admin URL; a fresh database is created and dropped per run.",
    )
    parser.add_argument("--modes", default=",".join(MODES), help="single, batch, or both (default).")
    parser.add_argument("--concurrency", type=int, default=8, help="Requests in flight at once.")
    parser.add_argument("--batch-size", type=int, default=100, help="Alerts per request in batch mode.")
    parser.add_argument("--single-requests", type=int, default=5000, help="Measured requests in single mode.")
    parser.add_argument("--batch-requests", type=int, default=1000, help="Measured requests in batch mode.")
    parser.add_argument("--warmup-requests", type=int, default=100, help="Requests sent first and not counted.")
    parser.add_argument("--repeat", type=int, default=3, help="Runs per mode, each on a fresh server; medians kept.")
    parser.add_argument("--out", type=Path, help="JSON report; default benchmarks/out/http-<backend>.json.")
    return parser


def _load_alerts(path: Path, count: int) -> list[dict[str, Any]]:
    """The first `count` alerts, without the simulator's answer key and arrival time (the server stamps its own)."""
    alerts = []
    for line in harness.take_lines(path, count):
        record = orjson.loads(line)
        record.pop("_truth", None)
        record.pop("received_at", None)
        alerts.append(record)
    if len(alerts) < count:
        raise SystemExit(f"{path} holds {len(alerts)} alerts; this run needs {count} (use a larger --file-alerts)")
    return alerts


def _body(alerts: list[dict[str, Any]], *, as_array: bool) -> bytes:
    return orjson.dumps(alerts if as_array else alerts[0])


def _database_description(database_url: str | None) -> str:
    if database_url is None:
        return "SQLite in a temporary directory, WAL, synchronous=FULL (the server's default)"
    return f"PostgreSQL {harness.postgres_version(database_url)}, a fresh database per run"


# -- one run: a fresh server, warm-up, measured requests ---------------------------------------------


def _run_once(
    warmup: list[bytes], measured: list[bytes], *, alerts_per_request: int, args: argparse.Namespace
) -> dict[str, Any]:
    database: AbstractContextManager[str | None] = nullcontext(None)
    if args.database_url:
        database = harness.fresh_postgres_database(args.database_url, label="http")
    with database as database_url, _server(database_url) as (url, server_pid):
        _drive(url, warmup, alerts_per_request=alerts_per_request, concurrency=args.concurrency)
        load_before = harness.load_average()
        server_cpu_before = _process_cpu_seconds(server_pid)
        client_cpu_before = _own_cpu_seconds()
        started = time.perf_counter()
        answers = _drive(url, measured, alerts_per_request=alerts_per_request, concurrency=args.concurrency)
        elapsed = time.perf_counter() - started
        server_cpu = _process_cpu_seconds(server_pid) - server_cpu_before
        client_cpu = _own_cpu_seconds() - client_cpu_before
    latencies_ms = [answer.latency * 1000 for answer in answers]
    alerts_sent = sum(answer.alerts_sent for answer in answers)
    errors = [answer.error for answer in answers if answer.error]
    return {
        "requests_sent": len(answers),
        "requests_accepted": sum(1 for answer in answers if answer.status == 202),
        "alerts_sent": alerts_sent,
        "alerts_accepted": sum(answer.accepted for answer in answers),
        "alerts_with_incident": sum(answer.with_incident for answer in answers),
        # What deduplication decided per alert; resolves of alerts never seen firing have no incident.
        "changes": dict(_changes(answers)),
        "errors": len(errors),
        "first_errors": errors[:5],
        "seconds": round(elapsed, 3),
        "alerts_per_second": round(alerts_sent / elapsed, 1),
        "requests_per_second": round(len(answers) / elapsed, 1),
        "latency_ms": {
            "p50": round(harness.percentile(latencies_ms, 0.50), 3),
            "p90": round(harness.percentile(latencies_ms, 0.90), 3),
            "p99": round(harness.percentile(latencies_ms, 0.99), 3),
            "max": round(max(latencies_ms), 3),
            "mean": round(sum(latencies_ms) / len(latencies_ms), 3),
        },
        "server_cpu_seconds": round(server_cpu, 3),
        "client_cpu_seconds": round(client_cpu, 3),
        "load_average_before": load_before,
    }


def _changes(answers: list[Answer]) -> Counter[str]:
    total: Counter[str] = Counter()
    for answer in answers:
        total.update(answer.changes or {})
    return total


def _drive(url: str, bodies: list[bytes], *, alerts_per_request: int, concurrency: int) -> list[Answer]:
    """Send every body with `concurrency` requests in flight; each thread keeps one keep-alive connection."""
    next_index = itertools.count()
    answers: list[Answer | None] = [None] * len(bodies)
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(base_url=url, timeout=120, headers={"content-type": "application/json"}) as client:
            while True:
                with lock:
                    index = next(next_index)
                if index >= len(bodies):
                    return
                answers[index] = _post(client, bodies[index], alerts_per_request=alerts_per_request)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    return [answer for answer in answers if answer is not None]


def _post(client: httpx.Client, body: bytes, *, alerts_per_request: int) -> Answer:
    started = time.perf_counter()
    try:
        response = client.post("/api/v1/alerts", content=body)
    except httpx.HTTPError as error:
        return Answer(time.perf_counter() - started, 0, alerts_per_request, error=f"{type(error).__name__}: {error}")
    latency = time.perf_counter() - started
    if response.status_code != 202:
        return Answer(latency, response.status_code, alerts_per_request, error=f"{response.status_code}: {response.text[:200]}")
    outcomes = orjson.loads(response.content)["alerts"]
    return Answer(
        latency,
        202,
        alerts_per_request,
        accepted=len(outcomes),
        with_incident=sum(1 for outcome in outcomes if outcome["incident_id"]),
        changes=Counter(outcome["change"] for outcome in outcomes),
    )


@contextmanager
def _server(database_url: str | None) -> Iterator[tuple[str, int]]:
    """`openconductor serve` on a free port with its own data directory; yields its URL and process id."""
    with tempfile.TemporaryDirectory(prefix="openconductor-bench-serve-") as scratch:
        port = _free_port()
        command = [sys.executable, "-m", "openconductor.cli.main", "serve", "--port", str(port), "--data-dir", scratch]
        if database_url:
            command += ["--database-url", database_url]
        log_path = Path(scratch) / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, process, log_path)
            yield url, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited early:\n{log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"server not ready within {timeout}s:\n{log_path.read_text()[-2000:]}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _process_cpu_seconds(pid: int) -> float:
    # Fields 14 and 15 of /proc/PID/stat (user and system time); the name in field 2 may hold spaces.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- summaries ------------------------------------------------------------------------------------


def _summary(runs: list[dict[str, Any]], *, alerts_per_request: int) -> dict[str, Any]:
    """Medians over the runs (each latency percentile is the median of that percentile across runs)."""
    return {
        "alerts_per_request": alerts_per_request,
        "alerts_per_second": round(harness.median_of(runs, "alerts_per_second"), 1),
        "requests_per_second": round(harness.median_of(runs, "requests_per_second"), 1),
        "latency_ms": {
            key: round(harness.median_of([run["latency_ms"] for run in runs], key), 3)
            for key in ("p50", "p90", "p99", "max", "mean")
        },
        "errors": sum(run["errors"] for run in runs),
        "runs": runs,
    }


def _headline(run: dict[str, Any]) -> str:
    latency = run["latency_ms"]
    return (
        f"{run['alerts_per_second']:,.0f} alerts/s, {run['requests_per_second']:,.0f} requests/s, "
        f"p50 {latency['p50']:.1f} ms, p99 {latency['p99']:.1f} ms, errors {run['errors']}"
    )


if __name__ == "__main__":
    main()
