"""Every generic record has the documented shape, arrives in order, and resolves only what fired before."""

from __future__ import annotations

import re
from typing import Any

import pytest

from openconductor.simulate.rules import BEHAVIOURS, SOURCES

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
REQUIRED = {
    "title": str,
    "severity": str,
    "status": str,
    "source": str,
    "service": str,
    "resource": str,
    "environment": str,
    "description": str,
    "labels": dict,
    "annotations": dict,
    "starts_at": str,
    "received_at": str,
    "_truth": dict,
}
SEVERITY_WORDS = {
    "prometheus": {"critical", "warning"},
    "grafana": {"critical", "warning"},
    "datadog": {"P1", "P2", "P3", "P4", "P5", "error"},
    "cloudwatch": {"ALARM", "OK"},
    "zabbix": {"Disaster", "High", "Average", "Warning"},
    "nagios": {"CRITICAL", "WARNING", "DOWN", "OK"},
    "synthetic": {"DOWN", "DEGRADED", "UP"},
}


def identity(record: dict[str, Any]) -> str:
    if "fingerprint" in record:
        return record["fingerprint"]
    return record["source"] + "|" + "|".join(f"{k}={v}" for k, v in sorted(record["labels"].items()))


@pytest.mark.parametrize("stream", ["small_stream", "midsize_stream"])
def test_every_record_has_the_generic_shape(stream: str, request: pytest.FixtureRequest) -> None:
    records, _ = request.getfixturevalue(stream)
    for record in records:
        for field, expected in REQUIRED.items():
            assert isinstance(record[field], expected), (field, record)
        assert set(record) <= {*REQUIRED, "ends_at", "fingerprint"}
        assert record["source"] in SOURCES
        assert record["severity"] in SEVERITY_WORDS[record["source"]], record
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in record["labels"].items())
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in record["annotations"].items())
        assert RFC3339.match(record["starts_at"]) and RFC3339.match(record["received_at"])
        assert record["starts_at"] <= record["received_at"]
        if record["status"] == "firing":
            assert record["ends_at"] is None
        else:
            assert record["status"] == "resolved"
            assert (
                RFC3339.match(record["ends_at"]) and record["starts_at"] <= record["ends_at"] <= record["received_at"]
            )
        assert ("fingerprint" in record) == BEHAVIOURS[record["source"]].sends_fingerprint
        truth = record["_truth"]
        assert truth["kind"] in ("incident", "noise") and isinstance(truth["root_cause"], bool)
        assert not (truth["kind"] == "noise" and truth["root_cause"])


def test_lines_are_sorted_by_received_at(midsize_stream: tuple[list[dict[str, Any]], dict[str, Any]]) -> None:
    received = [record["received_at"] for record in midsize_stream[0]]
    assert received == sorted(received)


def test_resolves_match_an_earlier_firing_with_the_same_identity(
    midsize_stream: tuple[list[dict[str, Any]], dict[str, Any]],
) -> None:
    fired: dict[str, set[str]] = {}
    resolves = 0
    for record in midsize_stream[0]:
        key = identity(record)
        if record["status"] == "firing":
            fired.setdefault(key, set()).add(record["starts_at"])
        elif record["starts_at"] >= "2026-01-05T00:00:00Z":
            resolves += 1
            assert record["starts_at"] in fired.get(key, set()), record
    assert resolves > 1000


def test_resends_repeat_the_same_identity_and_start(
    midsize_stream: tuple[list[dict[str, Any]], dict[str, Any]],
) -> None:
    seen: dict[tuple[str, str], int] = {}
    for record in midsize_stream[0]:
        if record["status"] == "firing":
            seen[(identity(record), record["starts_at"])] = seen.get((identity(record), record["starts_at"]), 0) + 1
    assert sum(count > 1 for count in seen.values()) > 100


def test_some_records_carry_sparse_labels(midsize_stream: tuple[list[dict[str, Any]], dict[str, Any]]) -> None:
    records = midsize_stream[0]
    host_only = [r for r in records if not r["service"] and not r["environment"] and "host" in r["labels"]]
    tidy = [r for r in records if r["service"] and r["environment"]]
    assert len(host_only) > 100 and len(tidy) > 1000


def test_titles_have_variable_parts(midsize_stream: tuple[list[dict[str, Any]], dict[str, Any]]) -> None:
    records = midsize_stream[0]
    pods = {r["labels"]["pod"] for r in records if "pod" in r["labels"]}
    assert any(
        re.fullmatch(r"[a-z0-9-]+-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}", p) for p in pods
    )
    assert any(re.search(r"i-0[0-9a-f]{16}", r["title"]) for r in records if r["source"] == "datadog")
    descriptions = {r["description"] for r in records if r["title"] == records[0]["title"]}
    assert len(descriptions) > 1 or len(records) < 2
