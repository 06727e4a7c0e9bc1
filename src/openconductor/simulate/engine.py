"""The event loop: episodes schedule records on one time-ordered heap, which streams them in arrival order."""

from __future__ import annotations

import heapq
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from openconductor.simulate.profiles import Profile
from openconductor.simulate.rules import ALERTMANAGER_SOURCES, BEHAVIOURS, AlertIdentity
from openconductor.simulate.topology import Topology, build_topology

Event = Callable[[float], None]
GROUP_INTERVAL = 300.0


class TimestampFormatter:
    """RFC3339 UTC at one-second resolution, cached because the same seconds recur on every line."""

    def __init__(self) -> None:
        self._cache: dict[int, str] = {}

    def __call__(self, moment: float) -> str:
        second = int(moment)
        text = self._cache.get(second)
        if text is None:
            if len(self._cache) > 200_000:
                self._cache.clear()
            text = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second))
            self._cache[second] = text
        return text


class Simulation:
    """Owns the topology, the clock-ordered heap and the register of alerts already firing."""

    def __init__(self, profile: Profile, *, seed: int) -> None:
        self.profile = profile
        self.seed = seed
        self.topology: Topology = build_topology(profile.topology, self.rng_for("topology"))
        self.format_time = TimestampFormatter()
        self._heap: list[tuple[float, int, Any]] = []
        self._sequence = 0
        self._firing: dict[str, tuple[float, float]] = {}
        self._group_counts: dict[str, int] = {}

    def rng_for(self, purpose: str) -> random.Random:
        """Each process draws from its own stream, so tuning one profile knob does not reshuffle the others."""
        return random.Random(f"{self.seed}:{purpose}")

    def new_group(self, prefix: str) -> str:
        count = self._group_counts.get(prefix, 0) + 1
        self._group_counts[prefix] = count
        return f"{prefix}-{count:06d}"

    def schedule(self, moment: float, payload: dict[str, Any] | Event) -> None:
        self._sequence += 1
        heapq.heappush(self._heap, (moment, self._sequence, payload))

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record in order of received_at; endless, the caller decides when to stop."""
        from openconductor.simulate.failures import start_failure_processes
        from openconductor.simulate.noise import start_noise_processes

        start_failure_processes(self)
        start_noise_processes(self)
        heap, pop = self._heap, heapq.heappop
        while heap:
            moment, _, payload = pop(heap)
            if type(payload) is dict:
                yield payload
            else:
                payload(moment)

    def claim(self, key: str, start: float, end: float) -> bool:
        """One alert identity fires for one cause at a time; a second cause finds it already firing."""
        held = self._firing.get(key)
        if held is not None and start < held[1] and end > held[0]:
            return False
        self._firing[key] = (start, end)
        return True

    def emit_alert(
        self,
        identity: AlertIdentity,
        *,
        truth: dict[str, Any],
        condition_start: float,
        condition_end: float,
        rng: random.Random,
        storm: bool = False,
    ) -> bool:
        """Schedule the firing record, its re-sends and its resolve; False if it never fires.

        In a `storm` the Alertmanager group keeps changing, so for the first hour it re-notifies every
        group_interval (5 minutes) with all its alerts, which arrive here as re-sends.
        """
        behaviour = BEHAVIOURS[identity.source]
        starts = condition_start + rng.uniform(*behaviour.pending)
        if starts >= condition_end or not self.claim(identity.key, starts, condition_end):
            return False
        first_received = starts + rng.uniform(*behaviour.delivery)
        if identity.source in ALERTMANAGER_SOURCES and condition_end <= first_received:
            return False  # resolved within group_wait: Alertmanager notifies nothing at all
        base = self.base_record(identity, truth=truth, starts=starts)
        fmt, schedule = self.format_time, self.schedule
        repeat = identity.repeat_seconds or behaviour.repeat_seconds
        send_at = starts
        received = first_received
        while send_at < condition_end:
            schedule(received, base | {"description": identity.describe(rng), "received_at": fmt(received)})
            if repeat is None:
                break
            send_at += repeat
            received = send_at + rng.uniform(*behaviour.delivery)
        if storm and identity.source in ALERTMANAGER_SOURCES:
            regroup_at = starts + GROUP_INTERVAL
            while regroup_at < min(condition_end, starts + 3600):
                if rng.random() < 0.5:
                    received = regroup_at + rng.uniform(0, 5)
                    schedule(received, base | {"description": identity.describe(rng), "received_at": fmt(received)})
                regroup_at += GROUP_INTERVAL
        noise = self.profile.noise
        fate = rng.random()
        if fate < noise.missing_resolve_probability:
            return True
        if fate < noise.missing_resolve_probability + noise.late_resolve_probability:
            received = condition_end + rng.uniform(600, 3 * 3600)
        else:
            received = condition_end + rng.uniform(*behaviour.resolve_delay)
        # A tool never reports a recovery before the problem it reported.
        received = max(received, first_received + 1)
        resolved = base | {
            "status": "resolved",
            "ends_at": fmt(condition_end),
            "description": identity.describe(rng),
            "received_at": fmt(received),
            "_truth": truth,
        }
        if identity.resolved_title:
            resolved["title"] = identity.resolved_title
        if behaviour.resolved_severity:
            resolved["severity"] = behaviour.resolved_severity
        schedule(received, resolved)
        return True

    def base_record(self, identity: AlertIdentity, *, truth: dict[str, Any], starts: float) -> dict[str, Any]:
        record: dict[str, Any] = {
            "title": identity.title,
            "severity": identity.severity,
            "status": "firing",
            "source": identity.source,
            "service": identity.service,
            "resource": identity.resource,
            "environment": identity.environment,
            "description": "",
            "labels": identity.labels,
            "annotations": identity.annotations,
            "starts_at": self.format_time(starts),
            "ends_at": None,
        }
        if identity.fingerprint and BEHAVIOURS[identity.source].sends_fingerprint:
            record["fingerprint"] = identity.fingerprint
        record["received_at"] = ""
        record["_truth"] = truth
        return record

    def truth(self, *, group: str, kind: str, component: int, root_cause: bool) -> dict[str, Any]:
        c = self.topology.components[component]
        return {
            "group": group,
            "kind": kind,
            "root_cause": root_cause,
            "component": c.name,
            "environment": c.environment,
        }
