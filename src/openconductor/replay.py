"""Offline replay: feed a JSONL file of generic alerts through the same platform, in file order.

Each line's `_truth` key is removed before the pipeline sees it. A line's `received_at`, when
present, is used as its arrival time, so last week's alerts are grouped as they were grouped live.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

from openconductor.core.changes import ChangeSet
from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import AlertEvent
from openconductor.core.timeutil import parse_rfc3339
from openconductor.ingest.base import MAX_NESTING, describe, reject_unstorable
from openconductor.ingest.integrations import generic
from openconductor.service import Platform


@dataclass(slots=True)
class ReplayReport:
    lines: int = 0
    alerts_in: int = 0
    invalid_lines: int = 0
    incidents_out: int = 0
    distinct_alerts: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def noise_reduction(self) -> float:
        return 1.0 - self.incidents_out / self.alerts_in if self.alerts_in else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "alerts_in": self.alerts_in,
            "invalid_lines": self.invalid_lines,
            "distinct_alerts": self.distinct_alerts,
            "incidents_out": self.incidents_out,
            "noise_reduction": round(self.noise_reduction, 6),
            "problems": self.problems[:50],
        }


def read_records(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.isspace():  # the same lines as `line.strip()`, without copying each one
                yield number, line


def parse_record(line: bytes, *, previous: datetime | None) -> AlertEvent:
    """One line to one event; the arrival time is `received_at`, else the alert's own times."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise InvalidPayload([]) from error
    if isinstance(record, dict):
        record.pop("_truth", None)
        arrival = record.pop("received_at", None)
    else:
        arrival = None
    received_at = _arrival(record, arrival, previous)
    if _may_be_unstorable(line):
        reject_unstorable(record)
    return generic.parse_one(record, received_at=received_at)


def _may_be_unstorable(line: bytes) -> bool:
    """False when the raw line proves `reject_unstorable` would find nothing, without walking the document.

    JSON text can only hold U+0000 written as the escape \\u0000 (the decoder refuses a raw control
    character), and a container nested MAX_NESTING deep needs more than MAX_NESTING opening brackets.
    Brackets inside strings only make this count larger, so a False is always right; a True walks.
    """
    return b"\\u0000" in line or line.count(b"{") + line.count(b"[") > MAX_NESTING


# Arrival times a replay takes: the pipeline keeps alerts and incidents for a day past their last news, so an
# arrival dated at the end of the calendar (or before the epoch, which no monitoring sent) cannot be one.
_EARLIEST_ARRIVAL = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST_ARRIVAL = datetime(9000, 1, 1, tzinfo=UTC)


def _arrival(record: Any, arrival: Any, previous: datetime | None) -> datetime:
    for key, candidate in (
        ("received_at", arrival),
        ("ends_at", _get(record, "ends_at") if _get(record, "status") == "resolved" else None),
        ("starts_at", _get(record, "starts_at")),
    ):
        if isinstance(candidate, str):
            try:
                moment = parse_rfc3339(candidate)
            except ValueError:
                continue
            if not _EARLIEST_ARRIVAL <= moment < _LATEST_ARRIVAL:
                raise InvalidPayload([FieldProblem(key, "a time from 1970 to 8999 to arrive at", describe(candidate))])
            return moment
    if previous is not None:
        return previous
    return parse_rfc3339("1970-01-01T00:00:00Z")


def _get(record: Any, key: str) -> Any:
    return record.get(key) if isinstance(record, dict) else None


# Allocations between two young-generation collections of the garbage collector during a replay
# (Python's default is 700). Each collection also ages the survivors, and the replay keeps a large
# working set alive, so with the default about a quarter of a replay's time went to the collector
# re-examining it; 50,000 keeps the collector on while it stops dominating. Replay only; restored after.
REPLAY_GC_THRESHOLD = 50_000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], REPLAY_GC_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        # What `_set_aside_survivors` froze becomes collectable again (in the oldest generation).
        gc.unfreeze()
        gc.set_threshold(*before)


def _set_aside_survivors() -> None:
    """After a batch: what it left alive is mostly the working set, which lives on for many batches,
    so the collector's older generations need not re-examine it at every pass (they spent about a
    tenth of a stored replay doing so). Cyclic garbage among it (under a thousand objects per 100,000
    alerts) waits for the end of the replay instead. Reference counting frees everything else as before."""
    gc.freeze()


# Alerts per transaction. The pipeline still runs batches of `batch_size` and answers for each (the
# report and the assignments are the same whatever this is), but their changes are gathered and written
# together: an alert or incident touched in several of those batches is written once, in its final
# state. On the 100k-alert enterprise simulation, one write per 2,000 alerts stored 235,788 rows;
# per 20,000, 148,566; per 50,000, 119,575 (the store's CPU time fell by a quarter from 20,000 to
# 50,000). The price: rows appear in the database in steps of this size, and memory holds the
# gathered changes (about 25 MiB more peak RSS at 50,000 than at 20,000).
REPLAY_WRITE_EVERY = 50_000


def replay(
    platform: Platform,
    path: Path,
    *,
    batch_size: int = 2000,
    write_every: int = REPLAY_WRITE_EVERY,
    assignments: IO[bytes] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReplayReport:
    report = ReplayReport()
    alert_ids: set[str] = set()
    incident_ids: set[str] = set()
    numbers: list[int] = []
    events: list[AlertEvent] = []
    unwritten = ChangeSet()
    gathered = 0
    previous: datetime | None = None

    def write() -> None:
        nonlocal unwritten, gathered
        platform.write(unwritten)
        unwritten, gathered = ChangeSet(), 0

    def flush() -> None:
        nonlocal gathered
        outcomes = platform.ingest_unwritten(events, integration="replay", into=unwritten)
        for outcome in outcomes:
            if outcome.alert_id:
                alert_ids.add(outcome.alert_id)
            if outcome.incident_id:
                incident_ids.add(outcome.incident_id)
        if assignments is not None:
            for number, outcome in zip(numbers, outcomes, strict=True):
                assignments.write(
                    orjson.dumps({"line": number, "alert_id": outcome.alert_id, "incident_id": outcome.incident_id})
                    + b"\n"
                )
        gathered += len(events)
        if gathered >= write_every:
            write()
        if progress:
            progress(len(events))
        numbers.clear()
        events.clear()
        _set_aside_survivors()

    with _fewer_collections(), platform.store.bulk_writes():
        for number, line in read_records(path):
            report.lines += 1
            try:
                event = parse_record(line, previous=previous)
            except InvalidPayload as error:
                report.invalid_lines += 1
                report.problems.append(f"line {number}: {error or 'expected one JSON object'}")
                if assignments is not None:
                    assignments.write(orjson.dumps({"line": number, "alert_id": None, "incident_id": None}) + b"\n")
                continue
            previous = event.received_at
            report.alerts_in += 1
            numbers.append(number)
            events.append(event)
            if len(events) >= batch_size:
                flush()
        if events:
            flush()
        write()
        platform.save_learned_state()
    report.distinct_alerts = len(alert_ids)
    report.incidents_out = len(incident_ids)
    return report
