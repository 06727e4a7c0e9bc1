"""Injected failures: one component breaks, its callers follow with delays, sometimes a neighbour breaks too."""

from __future__ import annotations

import math
import random
from collections import deque
from typing import TYPE_CHECKING

from openconductor.simulate.sources import render
from openconductor.simulate.topology import ON_KUBERNETES, Component

if TYPE_CHECKING:
    from openconductor.simulate.engine import Simulation

# Failure modes of the broken component itself: (what happened, the kinds of alert it raises).
ROOT_MODES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "edge": (
        ("5xx storm", ("error_rate", "synthetic")),
        ("expired certificate", ("cert_expiry", "synthetic", "error_rate")),
        ("slow origin", ("latency",)),
    ),
    "frontend": (
        ("bad deploy", ("error_rate", "crash_loop")),
        ("overload", ("latency", "saturation")),
        ("crash", ("crash_loop", "availability")),
    ),
    "api": (
        ("bad deploy", ("error_rate", "crash_loop")),
        ("overload", ("latency", "saturation")),
        ("memory leak", ("saturation", "crash_loop")),
        ("crash", ("availability", "crash_loop")),
    ),
    "worker": (
        ("crash", ("crash_loop", "queue_lag")),
        ("stuck consumer", ("queue_lag",)),
        ("overload", ("saturation", "queue_lag")),
    ),
    "database": (
        ("disk full", ("disk", "availability")),
        ("connection exhaustion", ("saturation", "latency")),
        ("outage", ("availability",)),
        ("slow queries", ("latency", "saturation")),
    ),
    "cache": (("memory exhaustion", ("saturation", "latency")), ("outage", ("availability",))),
    "queue": (("broker down", ("availability",)), ("disk full", ("disk", "saturation"))),
    "host": (("down", ("availability",)), ("disk full", ("disk",)), ("cpu exhaustion", ("saturation",))),
    "k8s_node": (("not ready", ("node_not_ready", "availability")), ("pressure", ("saturation", "disk"))),
    "network": (("link down", ("availability",)), ("packet loss", ("latency", "availability"))),
}
# What a caller of a broken component shows.
SYMPTOMS: dict[str, tuple[str, ...]] = {
    "edge": ("error_rate", "error_rate", "latency", "synthetic", "availability"),
    "frontend": ("error_rate", "latency", "synthetic", "slo_burn"),
    "api": ("error_rate", "error_rate", "latency", "slo_burn", "availability"),
    "worker": ("queue_lag", "error_rate", "crash_loop"),
    "queue": ("availability", "saturation"),
    "database": ("availability", "latency", "saturation"),
    "cache": ("availability", "latency"),
    "host": ("availability", "saturation"),
    "k8s_node": ("node_not_ready", "availability"),
    "network": ("availability",),
}


def start_failure_processes(sim: Simulation) -> None:
    spec = sim.profile.failures
    for env, per_day in spec.per_day.items():
        if per_day <= 0 or env not in sim.topology.by_environment:
            continue
        rng = sim.rng_for(f"failures:{env}")
        candidates = _root_candidates(sim, env)
        layers = [layer for layer in candidates if spec.root_layers.get(layer, 0) > 0]
        weights = [spec.root_layers[layer] for layer in layers]
        if not layers:
            continue

        def arrive(
            moment: float,
            *,
            rng: random.Random = rng,
            rate: float = per_day / 86400,
            layers: list[str] = layers,
            weights: list[float] = weights,
            candidates: dict[str, list[int]] = candidates,
        ) -> None:
            layer = rng.choices(layers, weights)[0]
            inject_failure(
                sim, root=rng.choice(candidates[layer]), start=moment, rng=random.Random(rng.getrandbits(64))
            )
            sim.schedule(moment + rng.expovariate(rate), arrive)

        sim.schedule(sim.profile.start + rng.expovariate(per_day / 86400), arrive)


def _root_candidates(sim: Simulation, env: str) -> dict[str, list[int]]:
    candidates: dict[str, list[int]] = {}
    for index in sim.topology.by_environment[env]:
        candidates.setdefault(sim.topology.components[index].layer, []).append(index)
    return candidates


def inject_failure(sim: Simulation, *, root: int, start: float, rng: random.Random) -> str:
    """Break `root` at `start`; alerts follow on it and, upstream, on the components that call it."""
    spec = sim.profile.failures
    components = sim.topology.components
    group = sim.new_group("inc")
    duration = min(
        2 * 86400.0, max(180.0, rng.lognormvariate(math.log(spec.duration_median_minutes * 60), spec.duration_sigma))
    )
    end = start + duration
    root_component = components[root]
    _, root_kinds = rng.choice(ROOT_MODES[root_component.layer])
    _raise_alerts(
        sim, component=root_component, kinds=root_kinds, group=group, root_cause=True, start=start, end=end, rng=rng
    )
    frontier = deque([(root, start, end, 0)])
    affected = {root}
    while frontier and len(affected) < spec.max_affected:
        callee, onset, until, depth = frontier.popleft()
        if depth >= spec.max_depth:
            continue
        for caller in components[callee].callers:
            if caller in affected or len(affected) >= spec.max_affected:
                continue
            caller_component = components[caller]
            chance = spec.propagation_probability * spec.propagation_decay**depth
            runs_on_broken_machine = components[callee].layer in ("k8s_node", "host", "network") and depth == 0
            if runs_on_broken_machine:
                chance = max(chance, 0.8)
            if rng.random() >= chance:
                continue
            affected.add(caller)
            caller_onset = onset + rng.lognormvariate(math.log(90), 0.8)
            caller_end = until + rng.uniform(30, 400)
            if runs_on_broken_machine and caller_component.layer in ON_KUBERNETES:
                kinds: tuple[str, ...] = ("crash_loop", "availability") if rng.random() < 0.5 else ("crash_loop",)
            else:
                pool = SYMPTOMS[caller_component.layer]
                kinds = tuple(dict.fromkeys(rng.choice(pool) for _ in range(rng.choice((1, 1, 2, 2, 3)))))
            _raise_alerts(
                sim,
                component=caller_component,
                kinds=kinds,
                group=group,
                root_cause=False,
                start=caller_onset,
                end=caller_end,
                rng=rng,
            )
            frontier.append((caller, caller_onset, caller_end, depth + 1))
    if rng.random() < spec.neighbour_failure_probability:
        _schedule_neighbour_failure(sim, root=root_component, start=start, rng=rng)
    return group


def _raise_alerts(
    sim: Simulation,
    *,
    component: Component,
    kinds: tuple[str, ...],
    group: str,
    root_cause: bool,
    start: float,
    end: float,
    rng: random.Random,
) -> None:
    detection = sim.profile.failures.detection_probability * (1.0 if root_cause else 0.85)
    truth = sim.truth(group=group, kind="incident", component=component.index, root_cause=root_cause)
    for kind in kinds:
        for source in component.monitors:
            if rng.random() >= detection:
                continue
            for identity in render(source, kind, component, topology=sim.topology, rng=rng):
                # Each tool crosses its own threshold at its own moment.
                onset = start + rng.uniform(0, 120)
                sim.emit_alert(
                    identity,
                    truth=truth,
                    condition_start=onset,
                    condition_end=end + rng.uniform(0, 90),
                    rng=rng,
                    storm=True,
                )


def _schedule_neighbour_failure(sim: Simulation, *, root: Component, start: float, rng: random.Random) -> None:
    """The hard case: an unrelated failure close by in the graph, in the same environment, at nearly the same time."""
    components = sim.topology.components
    near: list[int] = []
    for caller in root.callers:
        near += [i for i in components[caller].callees if i != root.index]
    for callee in root.callees:
        near += [i for i in components[callee].callers if i != root.index]
    near += root.callers + root.callees
    near = [i for i in dict.fromkeys(near) if components[i].environment == root.environment]
    if not near:
        return
    neighbour = rng.choice(near)
    seed = rng.getrandbits(64)

    def begin(moment: float) -> None:
        inject_failure(sim, root=neighbour, start=moment, rng=random.Random(seed))

    sim.schedule(start + rng.uniform(0, 20 * 60), begin)
