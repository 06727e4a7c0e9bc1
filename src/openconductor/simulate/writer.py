"""Serialise the record stream: one generic record per line, or Alertmanager webhook bodies per line."""

from __future__ import annotations

import calendar
import heapq
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

import orjson

from openconductor.simulate.engine import TimestampFormatter
from openconductor.simulate.rules import ALERTMANAGER_SOURCES

FORMATS = ("generic", "alertmanager")
GROUP_WAIT_SECONDS = 30
GROUP_INTERVAL_SECONDS = 300
MAX_ALERTS_PER_BODY = 10
FIRING_ENDS_AT = "0001-01-01T00:00:00Z"
Progress = Callable[[int], None]


def write_lines(
    records: Iterable[dict[str, Any]], out: BinaryIO, *, fmt: str, limit: int, progress: Progress | None = None
) -> int:
    """Write `limit` alerts (generic records, or alert elements inside webhook bodies); return lines written."""
    if fmt not in FORMATS:
        raise ValueError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    lines = iter(records) if fmt == "generic" else alertmanager_bodies(records, limit=limit, progress=progress)
    dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    buffer: list[bytes] = []
    written = 0
    for line in lines:
        buffer.append(dumps(line, option=newline))
        written += 1
        if len(buffer) >= 4096:
            out.write(b"".join(buffer))
            buffer.clear()
            if progress is not None and fmt == "generic":
                progress(written)
        if fmt == "generic" and written >= limit:
            break
    out.write(b"".join(buffer))
    if progress is not None and fmt == "generic":
        progress(written)
    return written


class _Group:
    __slots__ = ("alerts", "deadline", "environment", "name", "team")

    def __init__(self, *, environment: str, team: str, name: str, deadline: float) -> None:
        self.environment, self.team, self.name, self.deadline = environment, team, name, deadline
        self.alerts: dict[str, dict[str, Any]] = {}


def alertmanager_bodies(
    records: Iterable[dict[str, Any]], *, limit: int, progress: Progress | None = None
) -> Iterator[dict[str, Any]]:
    """Batch Prometheus-like records as Alertmanager would, per receiver and alertname.

    A new group waits group_wait (30s); a group notified less than group_interval (5 min) ago waits for
    the next interval, so busy groups carry several alerts per body.
    """
    parse = _EpochParser()
    fmt = TimestampFormatter()
    pending: dict[tuple[str, str, str], _Group] = {}
    last_flush: dict[tuple[str, str, str], float] = {}
    due: list[tuple[float, int, tuple[str, str, str], _Group]] = []
    sequence = emitted = 0
    for record in records:
        if record["source"] not in ALERTMANAGER_SOURCES:
            continue
        now = parse(record["received_at"])
        while due and due[0][0] <= now:
            _, _, key, group = heapq.heappop(due)
            if pending.get(key) is group:
                del pending[key]
            last_flush[key] = group.deadline
            yield _body(group, fmt=fmt)
        labels = record["labels"]
        team = labels.get("team") or labels.get("grafana_folder", "default").lower()
        key = (record["_truth"]["environment"], team, labels["alertname"])
        existing = pending.get(key)
        if existing is not None:
            group = existing
        else:
            previous = last_flush.get(key, -GROUP_INTERVAL_SECONDS)
            deadline = (
                previous + GROUP_INTERVAL_SECONDS
                if now - previous < GROUP_INTERVAL_SECONDS
                else now + GROUP_WAIT_SECONDS
            )
            group = _Group(environment=key[0], team=team, name=key[2], deadline=deadline)
            pending[key] = group
            sequence += 1
            heapq.heappush(due, (deadline, sequence, key, group))
        if record["fingerprint"] not in group.alerts:
            emitted += 1
            if progress is not None and emitted % 4096 == 0:
                progress(emitted)
        group.alerts[record["fingerprint"]] = _alert(record)
        if len(group.alerts) >= MAX_ALERTS_PER_BODY:
            del pending[key]  # full: later alerts of this group start the next body
        if emitted >= limit:
            break
    while due:
        yield _body(heapq.heappop(due)[3], fmt=fmt)
    if progress is not None:
        progress(emitted)


def _alert(record: dict[str, Any]) -> dict[str, Any]:
    labels = record["labels"]
    if record["source"] == "grafana":
        url = f"https://grafana.example.com/alerting/grafana/{labels.get('__alert_rule_uid__', '')}/view"
    else:
        url = (
            f"http://prometheus.{labels.get('cluster', 'default')}.example.com:9090/graph?g0.expr={labels['alertname']}"
        )
    return {
        "status": record["status"],
        "labels": labels,
        "annotations": record["annotations"],
        "startsAt": record["starts_at"],
        "endsAt": record["ends_at"] or FIRING_ENDS_AT,
        "generatorURL": url,
        "fingerprint": record["fingerprint"],
        "_truth": record["_truth"],
    }


def _body(group: _Group, *, fmt: TimestampFormatter) -> dict[str, Any]:
    alerts = list(group.alerts.values())
    common_labels = dict(alerts[0]["labels"])
    common_annotations = dict(alerts[0]["annotations"])
    for alert in alerts[1:]:
        common_labels = {k: v for k, v in common_labels.items() if alert["labels"].get(k) == v}
        common_annotations = {k: v for k, v in common_annotations.items() if alert["annotations"].get(k) == v}
    receiver = f"team-{group.team}"
    return {
        "version": "4",
        "groupKey": f'{{}}/{{team="{group.team}"}}:{{alertname="{group.name}"}}',
        "truncatedAlerts": 0,
        "status": "firing" if any(a["status"] == "firing" for a in alerts) else "resolved",
        "receiver": receiver,
        "groupLabels": {"alertname": group.name},
        "commonLabels": common_labels,
        "commonAnnotations": common_annotations,
        "externalURL": f"http://alertmanager.{group.environment}.example.com:9093",
        "alerts": alerts,
        "_received_at": fmt(group.deadline),
    }


class _EpochParser:
    """received_at back to seconds; the stream repeats each second many times, so remember the last one."""

    def __init__(self) -> None:
        self._text = ""
        self._value = 0.0

    def __call__(self, text: str) -> float:
        if text != self._text:
            self._text = text
            self._value = float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")))
        return self._value
