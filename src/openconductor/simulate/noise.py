"""Noise: transient blips, flapping thresholds, chronic alerts, nightly jobs and maintenance storms."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from openconductor.simulate.failures import ROOT_MODES, SYMPTOMS
from openconductor.simulate.rules import BEHAVIOURS, AlertIdentity
from openconductor.simulate.sources import render
from openconductor.simulate.topology import DATA_LAYERS, ON_KUBERNETES

if TYPE_CHECKING:
    from openconductor.simulate.engine import Simulation

DAY = 86400.0
# Alerts that stay on for days are the ones nobody fixes: slow disks, certificates, noisy saturation rules.
CHRONIC_KINDS = ("disk", "saturation", "cert_expiry", "slo_burn", "latency", "queue_lag")
PERIODIC_KINDS = ("saturation", "disk", "latency", "queue_lag", "error_rate")
LAYER_NOISE_KINDS = {
    layer: tuple(dict.fromkeys((*SYMPTOMS[layer], *(k for _, kinds in ROOT_MODES[layer] for k in kinds))))
    for layer in SYMPTOMS
}


def start_noise_processes(sim: Simulation) -> None:
    spec = sim.profile.noise
    _poisson(sim, name="blips", per_day=spec.blips_per_day, episode=_blip)
    _poisson(sim, name="flapping", per_day=spec.flapping_per_day, episode=_flapping)
    _poisson(sim, name="maintenance", per_day=spec.maintenance_per_week / 7, episode=_maintenance_storm)
    rng = sim.rng_for("chronic")
    for _ in range(spec.chronic_alerts):
        _chronic(sim, rng=rng)
    rng = sim.rng_for("periodic")
    for _ in range(spec.periodic_jobs):
        _periodic_job(sim, rng=rng)


def _poisson(sim: Simulation, *, name: str, per_day: float, episode: Callable[..., None]) -> None:
    if per_day <= 0:
        return
    rng = sim.rng_for(name)

    def arrive(moment: float) -> None:
        episode(sim, start=moment, rng=random.Random(rng.getrandbits(64)))
        sim.schedule(moment + rng.expovariate(per_day / DAY), arrive)

    sim.schedule(sim.profile.start + rng.expovariate(per_day / DAY), arrive)


def _random_alert(
    sim: Simulation, *, rng: random.Random, kinds: tuple[str, ...] | None = None, needs_repeat: bool = False
) -> AlertIdentity | None:
    """Some alert any monitor could raise about any component; None after a few misses."""
    components = sim.topology.components
    for _ in range(8):
        component = components[rng.randrange(len(components))]
        kind = rng.choice(kinds or LAYER_NOISE_KINDS[component.layer])
        source = rng.choice(component.monitors)
        identities = render(source, kind, component, topology=sim.topology, rng=rng)
        if needs_repeat:
            identities = [i for i in identities if i.repeat_seconds or BEHAVIOURS[i.source].repeat_seconds]
        if identities:
            return identities[0]
    return None


def _blip(sim: Simulation, *, start: float, rng: random.Random) -> None:
    identity = _random_alert(sim, rng=rng)
    if identity is None:
        return
    truth = sim.truth(group=sim.new_group("blip"), kind="noise", component=identity.component, root_cause=False)
    duration = rng.lognormvariate(math.log(6 * 60), 0.6)
    sim.emit_alert(identity, truth=truth, condition_start=start, condition_end=start + duration, rng=rng)


def _flapping(sim: Simulation, *, start: float, rng: random.Random) -> None:
    """A threshold set right at the metric's normal level: on, off, on again for hours."""
    identity = _random_alert(sim, rng=rng)
    if identity is None:
        return
    truth = sim.truth(group=sim.new_group("flap"), kind="noise", component=identity.component, root_cause=False)
    window_end = start + rng.lognormvariate(math.log(3 * 3600), 0.7)
    moment = start
    while moment < window_end:
        on = rng.uniform(4, 20) * 60
        sim.emit_alert(identity, truth=truth, condition_start=moment, condition_end=moment + on, rng=rng)
        moment += on + rng.uniform(3, 30) * 60


def _chronic(sim: Simulation, *, rng: random.Random) -> None:
    """Firing since before the window opens and never fixed: only its re-sends arrive."""
    identity = _random_alert(sim, rng=rng, kinds=CHRONIC_KINDS, needs_repeat=True)
    if identity is None:
        return
    behaviour = BEHAVIOURS[identity.source]
    repeat = identity.repeat_seconds or behaviour.repeat_seconds or 3600.0
    starts = sim.profile.start - rng.uniform(3600, 30 * DAY)
    if not sim.claim(identity.key, starts, math.inf):
        return
    truth = sim.truth(group=sim.new_group("chronic"), kind="noise", component=identity.component, root_cause=False)
    base = sim.base_record(identity, truth=truth, starts=starts)
    own_rng = random.Random(rng.getrandbits(64))

    def resend(moment: float) -> None:
        received = moment + own_rng.uniform(*behaviour.delivery)
        sim.schedule(
            received, base | {"description": identity.describe(own_rng), "received_at": sim.format_time(received)}
        )
        sim.schedule(moment + repeat, resend)

    sends_before_window = math.ceil((sim.profile.start - starts) / repeat)
    sim.schedule(starts + sends_before_window * repeat, resend)


def _periodic_job(sim: Simulation, *, rng: random.Random) -> None:
    """A nightly job (backup, batch export) that trips the same alert at about the same hour."""
    components = sim.topology.components
    hosts = [c.index for c in components if c.layer in (*DATA_LAYERS, "host", "worker")]
    if not hosts:
        return
    identity = None
    for _ in range(8):
        component = components[rng.choice(hosts)]
        kind = rng.choice(PERIODIC_KINDS)
        found = render(rng.choice(component.monitors), kind, component, topology=sim.topology, rng=rng)
        if found:
            identity = found[0]
            break
    if identity is None:
        return
    hour = rng.uniform(0, 6) * 3600
    job_rng = random.Random(rng.getrandbits(64))
    first_day = sim.profile.start - sim.profile.start % DAY

    def run(moment: float) -> None:
        if job_rng.random() < 0.85:
            truth = sim.truth(group=sim.new_group("job"), kind="noise", component=identity.component, root_cause=False)
            sim.emit_alert(
                identity,
                truth=truth,
                condition_start=moment,
                condition_end=moment + job_rng.uniform(20, 90) * 60,
                rng=job_rng,
            )
        sim.schedule(moment - moment % DAY + DAY + hour + job_rng.uniform(-5, 10) * 60, run)

    first = first_day + hour + 600
    sim.schedule(first if first >= sim.profile.start else first + DAY, run)


def _maintenance_storm(sim: Simulation, *, start: float, rng: random.Random) -> None:
    """A rolling reboot of a node pool: every machine and the pods on it complain, one after another."""
    components = sim.topology.components
    anchor = components[rng.randrange(len(components))]
    layer = rng.choice(("k8s_node", "host"))
    pool = [
        i
        for i in sim.topology.by_environment[anchor.environment]
        if components[i].layer == layer and components[i].region == anchor.region
    ]
    if not pool:
        return
    machines = rng.sample(pool, min(len(pool), rng.randint(3, 25)))
    group = sim.new_group("maint")
    moment = start
    for index in machines:
        machine = components[index]
        down = rng.uniform(3, 10) * 60
        kind = "node_not_ready" if layer == "k8s_node" else "availability"
        _storm_alerts(sim, component=index, kinds=(kind,), group=group, start=moment, end=moment + down, rng=rng)
        for caller in machine.callers:
            caller_layer = components[caller].layer
            if caller_layer in ON_KUBERNETES and rng.random() < 0.6:
                _storm_alerts(
                    sim,
                    component=caller,
                    kinds=("crash_loop",),
                    group=group,
                    start=moment + 30,
                    end=moment + down + 60,
                    rng=rng,
                )
            elif caller_layer in DATA_LAYERS and rng.random() < 0.5:
                _storm_alerts(
                    sim,
                    component=caller,
                    kinds=("availability",),
                    group=group,
                    start=moment + 10,
                    end=moment + down,
                    rng=rng,
                )
        moment += down + rng.uniform(1, 5) * 60


def _storm_alerts(
    sim: Simulation,
    *,
    component: int,
    kinds: tuple[str, ...],
    group: str,
    start: float,
    end: float,
    rng: random.Random,
) -> None:
    target = sim.topology.components[component]
    truth = sim.truth(group=group, kind="noise", component=component, root_cause=False)
    for kind in kinds:
        for source in target.monitors:
            if rng.random() < 0.9:
                for identity in render(source, kind, target, topology=sim.topology, rng=rng):
                    sim.emit_alert(identity, truth=truth, condition_start=start, condition_end=end, rng=rng, storm=True)
