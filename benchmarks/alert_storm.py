"""How fast the pipeline takes one huge alert storm, and how much memory the storm holds.

One kind of alert ("Unavailable by ICMP ping", as Zabbix words it) starts on N hosts within two minutes,
after an hour of ordinary traffic so the engine is past its cold start. With `--background B`, that hour
also holds B alerts of the same kind on other hosts, one host at a time (a kind that fires all day in a
large estate), each left pending in an incident of its own when the storm begins. Every host is its own distinct
alert, so deduplication folds nothing and the correlation engine's storm handling does all the work.
The storm is built in memory (no parsing) and fed through `build_pipeline(Settings())` in batches of 2,000,
or with `--stored` through the platform as the server takes requests (`Platform.ingest`, one transaction per
request of 100 alerts, on SQLite in a temporary directory with the server's settings); each size runs in a
child process of its own so its peak RSS is its own.

    .venv/bin/python benchmarks/alert_storm.py --sizes 20000,200000 --out benchmarks/out/storm.json
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import harness
import orjson

BATCH = 2000
REQUEST = 100
STORM_SPAN = timedelta(minutes=2)


def ping_lost(host: str, at: datetime) -> Any:
    """The storm's kind of alert, as Zabbix words it, on `host` from `at`."""
    from openconductor.core.models import AlertStatus, Severity
    from openconductor.ingest.base import build_event

    return build_event(
        source="zabbix",
        status=AlertStatus.FIRING,
        severity=Severity.CRITICAL,
        title="Unavailable by ICMP ping",
        resource=host,
        labels={"host": host},
        received_at=at,
        starts_at=at,
    )


def run_storm(size: int, background_of_kind: int, *, stored: bool) -> dict[str, object]:
    from openconductor.config.settings import Settings
    from openconductor.core.models import AlertStatus, Severity
    from openconductor.ingest.base import build_event
    from openconductor.pipeline.builder import build_pipeline

    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    if stored:
        from openconductor.bootstrap import create_platform

        data_dir = Path(tempfile.mkdtemp(prefix="openconductor-storm-"))
        platform = create_platform(Settings(database_url=f"sqlite:///{data_dir / 'storm.db'}", data_dir=data_dir))

        def feed(events: list[Any]) -> list[str | None]:
            return [outcome.incident_id for outcome in platform.ingest(events, integration="generic")]

        step_size = REQUEST
    else:
        pipeline = build_pipeline(Settings())

        def feed(events: list[Any]) -> list[str | None]:
            items = pipeline.run(events).items
            return [item.alert.incident_id if item.alert is not None else None for item in items]

        step_size = BATCH
    background = [
        build_event(
            source="prometheus",
            status=AlertStatus.FIRING,
            severity=Severity.HIGH,
            title=f"HighLatency on svc-{n % 50}",
            service=f"svc-{n % 50}",
            environment="prod",
            received_at=start + timedelta(seconds=30 * n),
            starts_at=start + timedelta(seconds=30 * n),
            fingerprint=f"background-{n}",
        )
        for n in range(150)
    ]
    background += [
        ping_lost(f"quiet-{n:07d}", start + timedelta(hours=1) * n / background_of_kind)
        for n in range(background_of_kind)
    ]
    background.sort(key=lambda event: event.received_at)
    for first in range(0, len(background), step_size):
        feed(background[first : first + step_size])
    storm_start = start + timedelta(hours=1, minutes=20)
    step = STORM_SPAN / size
    storm = [ping_lost(f"host-{n:07d}", storm_start + step * n) for n in range(size)]
    incidents: set[str] = set()
    began = time.perf_counter()
    cpu_began = time.process_time()
    for first in range(0, size, step_size):
        incidents.update(incident for incident in feed(storm[first : first + step_size]) if incident)
    seconds = time.perf_counter() - began
    if stored:
        platform.store.close()
        shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "alerts": size,
        "stored": stored,
        "background_of_kind": background_of_kind,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(time.process_time() - cpu_began, 3),
        "alerts_per_second": round(size / seconds),
        "incidents": len(incidents),
        "peak_rss_mib": harness.kib_to_mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="20000,200000", help="storm sizes, comma-separated")
    parser.add_argument("--out", type=Path, default=harness.DEFAULT_CACHE_DIR / "storm.json")
    parser.add_argument("--background", type=int, default=0, help="alerts of the storm's kind in the hour before")
    parser.add_argument("--stored", action="store_true", help="through Platform.ingest on SQLite, 100 alerts a request")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child is not None:
        result = run_storm(arguments.child, arguments.background, stored=arguments.stored)
        sys.stdout.buffer.write(orjson.dumps(result))
        return
    results = []
    for size in (int(value) for value in arguments.sizes.split(",")):
        command = [sys.executable, __file__, "--child", str(size), "--background", str(arguments.background)]
        if arguments.stored:
            command.append("--stored")
        child = subprocess.run(command, check=True, capture_output=True)
        result = orjson.loads(child.stdout)
        print(f"storm of {size:,}: {result}", file=sys.stderr)
        results.append(result)
    harness.write_json(
        arguments.out,
        {
            "benchmark": "alert_storm",
            "date": harness.now_iso(),
            "machine": harness.machine(),
            "settings": {
                "batch_size": BATCH,
                "storm_span_seconds": STORM_SPAN.total_seconds(),
                "background_of_kind": arguments.background,
                "stored": arguments.stored,
                "request_size": REQUEST if arguments.stored else None,
            },
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
