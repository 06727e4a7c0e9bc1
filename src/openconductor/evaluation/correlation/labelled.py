"""Reading a labelled JSONL alert stream: each line's event (as replay parses it) and its `_truth`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import orjson

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus
from openconductor.replay import parse_record, read_records


@dataclass(slots=True)
class LabelledStream:
    events: list[AlertEvent]
    lines: list[int]
    truth_groups: list[str]
    truth_kinds: list[str]
    root_causes: list[bool]
    invalid_lines: int

    def __len__(self) -> int:
        return len(self.events)

    @property
    def firing_mask(self) -> list[bool]:
        return [event.status is AlertStatus.FIRING and not event.acknowledge for event in self.events]

    def times(self) -> list[datetime]:
        return [event.received_at for event in self.events]


def load_labelled(path: Path) -> LabelledStream:
    """Every valid line becomes an event; a line without `_truth` is its own truth group."""
    stream = LabelledStream([], [], [], [], [], 0)
    previous: datetime | None = None
    for number, line in read_records(path):
        try:
            truth = orjson.loads(line).get("_truth") or {}
            event = parse_record(line, previous=previous)
        except (InvalidPayload, orjson.JSONDecodeError, AttributeError):
            stream.invalid_lines += 1
            continue
        previous = event.received_at
        stream.events.append(event)
        stream.lines.append(number)
        stream.truth_groups.append(str(truth.get("group", f"unlabelled-line-{number}")))
        stream.truth_kinds.append(str(truth.get("kind", "incident")))
        stream.root_causes.append(bool(truth.get("root_cause", False)))
    return stream
