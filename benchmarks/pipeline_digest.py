"""A digest of everything the pipeline decides for a JSONL file, to prove that a speed-up changed no result.

Runs `build_pipeline` over each input in batches (as the replay does) and hashes, batch by batch, every
item's change and incident, every membership with its rule, score and evidence, departures, counters, the
state of every alert and incident the batch touched, and at the end the correlator's learned document.
Ids carry random bits, so each is replaced by the order it was first seen in.

    .venv/bin/python benchmarks/pipeline_digest.py FILE.jsonl [FILE.jsonl:TOPOLOGY.json ...] --out digest.json

Two checkouts agree when their digests are equal; a change meant only to be faster must keep them equal.
Runs with a topology compare across processes too: `Topology.reach` walks dependencies in sorted order.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import harness
import orjson


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", help="FILE.jsonl, or FILE.jsonl:TOPOLOGY.json to run with a topology.")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--out", type=Path, help="Write the digests as JSON here too.")
    args = parser.parse_args(argv)
    results = {}
    for spec in args.inputs:
        path, _, topology = spec.partition(":")
        results[spec] = digest_of(Path(path), topology=Path(topology) if topology else None, batch_size=args.batch_size)
        print(f"{spec}: {results[spec]}", file=sys.stderr)
    if args.out:
        args.out.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))


def digest_of(path: Path, *, topology: Path | None, batch_size: int) -> dict[str, Any]:
    from openconductor.config.settings import EngineSettings, Settings
    from openconductor.pipeline.builder import build_pipeline
    from openconductor.replay import parse_record

    settings = Settings(engine=EngineSettings(topology_file=topology)) if topology else Settings()
    pipeline = build_pipeline(settings)
    canon = _Canon()
    hasher = hashlib.sha256()
    previous = None
    alerts_in = 0
    incidents: set[int] = set()
    for lines in harness.chunks(path, batch_size):
        events = []
        for line in lines:
            event = parse_record(line, previous=previous)
            previous = event.received_at
            events.append(event)
        alerts_in += len(events)
        batch = pipeline.run(events)
        for item in batch.items:
            alert = item.alert
            incident = canon(alert.incident_id) if alert is not None else None
            if incident is not None:
                incidents.add(incident)
            hasher.update(repr((canon(alert.id) if alert else None, item.change, incident)).encode())
        hasher.update(repr(_changes(batch.changes, canon)).encode())
    document = pipeline.correlator.document()
    hasher.update(orjson.dumps(document))
    return {"alerts_in": alerts_in, "incidents_out": len(incidents), "sha256": hasher.hexdigest()}


class _Canon:
    """Ids by order of first sight, so two runs of the same input compare equal."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, value: str | None) -> int | None:
        if value is None:
            return None
        return self.seen.setdefault(value, len(self.seen))


def _changes(changes: Any, canon: _Canon) -> tuple[Any, ...]:
    def evidence(doc: dict[str, Any]) -> list[tuple[str, Any]]:
        # Alert and incident ids carry random bits wherever they appear (`neighbour_alert_id`,
        # `gathered_from_incident_id`...), so they are compared by order of first sight too.
        return [(key, canon(value) if key.endswith(("alert_id", "incident_id")) else value) for key, value in doc.items()]

    def when(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    def alert(a: Any) -> tuple[Any, ...]:
        return (
            canon(a.id),
            a.status,
            a.severity,
            when(a.starts_at),
            when(a.ends_at),
            when(a.last_seen_at),
            a.occurrences,
            a.flapping,
            canon(a.incident_id),
            a.suppressed_by,
        )

    def incident(i: Any) -> tuple[Any, ...]:
        return (
            canon(i.id),
            i.title,
            i.status,
            i.severity,
            sorted(i.services),
            i.environment,
            i.group_key,
            when(i.first_seen_at),
            when(i.last_seen_at),
            when(i.last_joined_at),
            i.alert_count,
            i.firing_count,
            when(i.resolved_at),
            i.resolution,
            when(i.raised_at),
        )

    return (
        [incident(i) for i in changes.new_incidents.values()],
        [alert(a) for a in changes.new_alerts.values()],
        [alert(a) for a in changes.dirty_alerts.values()],
        [incident(i) for i in changes.dirty_incidents.values()],
        [
            (canon(m.incident_id), canon(m.alert_id), m.rule, m.score, evidence(m.evidence), when(m.joined_at))
            for m in changes.memberships
        ],
        [(canon(d.incident_id), canon(d.alert_id), when(d.left_at)) for d in changes.departures],
        [(canon(i), canon(a)) for i, a in changes.replaced_memberships],
        sorted(changes.counters.items()),
    )


if __name__ == "__main__":
    main()
