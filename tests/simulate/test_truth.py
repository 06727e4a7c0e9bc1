"""Truth labels agree with the written topology: symptoms sit upstream of their root cause."""

from __future__ import annotations

import calendar
import time
from collections import defaultdict
from typing import Any

Stream = tuple[list[dict[str, Any]], dict[str, Any]]


def callers_graph(topology: dict[str, Any]) -> dict[tuple[str, str], set[tuple[str, str]]]:
    callers: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for edge in topology["dependencies"]:
        callers[(edge["environment"], edge["to"])].add((edge["environment"], edge["from"]))
    return callers


def upstream_of(root: tuple[str, str], callers: dict[tuple[str, str], set[tuple[str, str]]]) -> set[tuple[str, str]]:
    seen, stack = {root}, [root]
    while stack:
        for caller in callers.get(stack.pop(), ()):
            if caller not in seen:
                seen.add(caller)
                stack.append(caller)
    return seen


def incident_groups(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        if record["_truth"]["kind"] == "incident":
            groups[record["_truth"]["group"]].append(record)
    return groups


def test_symptoms_depend_transitively_on_the_root_cause(midsize_stream: Stream) -> None:
    records, topology = midsize_stream
    known = {(s["environment"], s["name"]) for s in topology["services"]}
    callers = callers_graph(topology)
    checked = 0
    for group, members in incident_groups(records).items():
        roots = {(r["_truth"]["environment"], r["_truth"]["component"]) for r in members if r["_truth"]["root_cause"]}
        assert len(roots) <= 1, group
        if not roots:
            continue
        blast_radius = upstream_of(roots.pop(), callers)
        for record in members:
            component = (record["_truth"]["environment"], record["_truth"]["component"])
            assert component in known
            assert component in blast_radius, (group, component)
            checked += not record["_truth"]["root_cause"]
    assert checked > 200


def test_failures_are_often_seen_by_two_sources(midsize_stream: Stream) -> None:
    groups = incident_groups(midsize_stream[0])
    multi = [g for g, members in groups.items() if len({r["source"] for r in members}) >= 2]
    assert len(multi) >= 0.2 * len(groups)


def test_concurrent_unrelated_failures_share_environment_and_neighbourhood(midsize_stream: Stream) -> None:
    """The hard case exists: two groups overlapping in time whose roots are direct neighbours."""
    records, topology = midsize_stream
    neighbours: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for edge in topology["dependencies"]:
        a, b = (edge["environment"], edge["from"]), (edge["environment"], edge["to"])
        neighbours[a].add(b)
        neighbours[b].add(a)
    spans: dict[str, tuple[float, float, tuple[str, str]]] = {}
    for group, members in incident_groups(records).items():
        roots = [r for r in members if r["_truth"]["root_cause"]]
        if roots:
            moments = [calendar.timegm(time.strptime(r["received_at"], "%Y-%m-%dT%H:%M:%SZ")) for r in members]
            spans[group] = (
                min(moments),
                max(moments),
                (roots[0]["_truth"]["environment"], roots[0]["_truth"]["component"]),
            )
    close = 0
    ordered = sorted(spans.values())
    for i, (_start, end, root) in enumerate(ordered):
        for other_start, _, other_root in ordered[i + 1 :]:
            if other_start > end:
                break
            if other_root != root and other_root[0] == root[0]:
                shared = (neighbours[root] & neighbours[other_root]) or other_root in neighbours[root]
                close += bool(shared)
    assert close >= 5


def test_noise_groups_have_their_own_ids_and_no_root_cause(midsize_stream: Stream) -> None:
    records = midsize_stream[0]
    noise = [r for r in records if r["_truth"]["kind"] == "noise"]
    incident_ids = {r["_truth"]["group"] for r in records if r["_truth"]["kind"] == "incident"}
    assert noise and not any(r["_truth"]["root_cause"] for r in noise)
    assert not incident_ids & {r["_truth"]["group"] for r in noise}
    blips: dict[str, set[str]] = defaultdict(set)
    for record in noise:
        if record["_truth"]["group"].startswith("blip-"):
            blips[record["_truth"]["group"]].add(record["title"].removeprefix("[Recovered] "))
    assert blips and all(len(titles) <= 2 for titles in blips.values())
    share = len(noise) / len(records)
    assert 0.6 < share < 0.97
