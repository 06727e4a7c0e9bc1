"""The simulated estate: components in layers per environment and region, their owners, monitors and dependencies."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from openconductor.simulate.names import DOMAIN_WORDS, NAME_PATTERNS, POD_ALPHABET, QUALIFIERS, TEAM_WORDS
from openconductor.simulate.profiles import TopologySpec

APP_LAYERS = ("edge", "frontend", "api", "worker", "queue", "database", "cache")
INFRA_LAYERS = ("host", "k8s_node", "network")
ON_KUBERNETES = ("frontend", "api", "worker")
DATA_LAYERS = ("queue", "database", "cache")
ENV_OCTET = {"prod": 10, "staging": 20, "dev": 30, "qa": 40, "perf": 50}


@dataclass(slots=True)
class Component:
    """One node of the dependency graph; `hosts` are the machines (or Kubernetes nodes) it runs on."""

    index: int
    name: str
    layer: str
    environment: str
    region: str
    team: str
    domain: str
    callers: list[int] = field(default_factory=list)
    callees: list[int] = field(default_factory=list)
    monitors: tuple[str, ...] = ()
    hosts: list[str] = field(default_factory=list)
    pods: list[str] = field(default_factory=list)
    instance_id: str = ""
    tidy_labels: bool = True

    @property
    def cluster(self) -> str:
        return f"{self.environment}-{short_region(self.region)}"


@dataclass(slots=True)
class Topology:
    components: list[Component]
    by_environment: dict[str, list[int]]

    def add_edge(self, caller: int, callee: int) -> None:
        if caller == callee or callee in self.components[caller].callees:
            return
        self.components[caller].callees.append(callee)
        self.components[callee].callers.append(caller)

    def to_json(self) -> dict[str, Any]:
        """The shape the correlation engine reads; see docs/simulator.md."""
        services = [
            {"name": c.name, "layer": c.layer, "environment": c.environment, "region": c.region, "team": c.team}
            for c in self.components
        ]
        dependencies = [
            {"from": c.name, "to": self.components[callee].name, "environment": c.environment}
            for c in self.components
            for callee in c.callees
        ]
        return {"services": services, "dependencies": dependencies}


def short_region(region: str) -> str:
    parts = region.split("-")
    if len(parts) == 3:
        return f"{parts[0]}{parts[1][0]}{parts[2]}"
    return region.replace("-", "")


def random_token(rng: random.Random, length: int, alphabet: str = POD_ALPHABET) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def build_topology(spec: TopologySpec, rng: random.Random) -> Topology:
    """Build prod from the spec, then the other environments as smaller copies of prod's applications."""
    topology = Topology(components=[], by_environment={})
    teams = _team_names(spec.teams)
    datadog_teams = {team for team in teams if rng.random() < spec.datadog_team_share}
    tidy_teams = {team for team in teams if rng.random() < spec.label_hygiene}
    env_share_total = sum(spec.environments.values())
    layer_total = sum(spec.layers.values())
    prod_apps: list[Component] = []
    for env, share in spec.environments.items():
        size = spec.services * share / env_share_total
        counts = {
            layer: round(size * spec.layers.get(layer, 0.0) / layer_total) for layer in (*APP_LAYERS, *INFRA_LAYERS)
        }
        regions = spec.regions if env == "prod" else spec.regions[:1]
        start = len(topology.components)
        if env == "prod":
            _add_prod_apps(topology, counts=counts, regions=regions, teams=teams, rng=rng)
            prod_apps = list(topology.components)
        else:
            _copy_apps(topology, prod_apps, env=env, counts=counts, region=regions[0], rng=rng)
        _add_infrastructure(topology, env=env, counts=counts, regions=regions, first=start, rng=rng)
        topology.by_environment[env] = list(range(start, len(topology.components)))
    for component in topology.components:
        component.tidy_labels = component.team in tidy_teams
        component.monitors = _monitors(component, uses_datadog=component.team in datadog_teams, rng=rng)
    return topology


def _team_names(count: int) -> list[str]:
    return [
        TEAM_WORDS[i % len(TEAM_WORDS)] + ("" if i < len(TEAM_WORDS) else f"-{i // len(TEAM_WORDS) + 1}")
        for i in range(count)
    ]


def _domains(count: int) -> list[str]:
    names = [f"{word}-{q}" if q else word for q in QUALIFIERS for word in DOMAIN_WORDS]
    return names[:count] if count <= len(names) else names + [f"domain{i}" for i in range(count - len(names))]


def _new(topology: Topology, **fields: Any) -> Component:
    component = Component(index=len(topology.components), **fields)
    topology.components.append(component)
    return component


def _add_prod_apps(
    topology: Topology, *, counts: dict[str, int], regions: list[str], teams: list[str], rng: random.Random
) -> None:
    app_total = sum(counts[layer] for layer in NAME_PATTERNS)
    domains = _domains(max(3, app_total // 4))
    domain_region = {d: regions[i % len(regions)] for i, d in enumerate(domains)}
    domain_team = {d: teams[i % len(teams)] for i, d in enumerate(domains)}
    taken: set[str] = set()
    by_layer: dict[str, list[Component]] = {layer: [] for layer in APP_LAYERS}
    for region in regions:
        for i in range(max(1, counts["edge"] // len(regions))):
            name = ("edge-lb", "api-gateway", "ingress", "cdn-origin")[i % 4] + f"-{short_region(region)}"
            name += f"-{i // 4 + 1}" if i >= 4 else ""
            by_layer["edge"].append(
                _new(
                    topology,
                    name=name,
                    layer="edge",
                    environment="prod",
                    region=region,
                    team=teams[-1] if len(teams) > 1 else teams[0],
                    domain="edge",
                )
            )
    for layer, patterns in NAME_PATTERNS.items():
        for i in range(counts[layer]):
            domain = domains[
                (i * len(domains)) // max(1, counts[layer])
                if counts[layer] <= len(domains)
                else rng.randrange(len(domains))
            ]
            name = rng.choice(patterns).format(d=domain)
            while name in taken:
                name = f"{rng.choice(patterns).format(d=domain)}-{rng.randint(2, 99)}"
            taken.add(name)
            by_layer[layer].append(
                _new(
                    topology,
                    name=name,
                    layer=layer,
                    environment="prod",
                    region=domain_region[domain],
                    team=domain_team[domain],
                    domain=domain,
                )
            )
    _wire_apps(topology, by_layer, rng=rng)


def _wire_apps(topology: Topology, by_layer: dict[str, list[Component]], *, rng: random.Random) -> None:
    def pick(layer: str, near: Component, *, same_domain_first: bool = True) -> Component | None:
        pool = by_layer[layer]
        if not pool:
            return None
        if same_domain_first:
            own = [c for c in pool if c.domain == near.domain and c.index != near.index]
            if own and rng.random() < 0.7:
                return rng.choice(own)
        local = [c for c in pool if c.region == near.region and c.index != near.index]
        return rng.choice(local or pool)

    def link(caller: Component, callee: Component | None) -> None:
        if callee is not None:
            topology.add_edge(caller.index, callee.index)

    apis = by_layer["api"]
    for edge in by_layer["edge"]:
        for _ in range(rng.randint(3, 8)):
            link(edge, pick("frontend", edge, same_domain_first=False))
        for _ in range(rng.randint(1, 3)):
            link(edge, pick("api", edge, same_domain_first=False))
    for frontend in by_layer["frontend"]:
        for _ in range(rng.randint(2, 4)):
            link(frontend, pick("api", frontend))
    for position, api in enumerate(apis):
        deeper = [c for c in apis[position + 1 :] if c.region == api.region]
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            if deeper:
                link(api, rng.choice(deeper[:40]) if rng.random() < 0.5 else rng.choice(deeper))
        for layer, chance in (("database", 0.75), ("cache", 0.45), ("queue", 0.3)):
            if rng.random() < chance:
                link(api, pick(layer, api))
    for worker in by_layer["worker"]:
        link(worker, pick("queue", worker))
        for layer, chance in (("database", 0.6), ("cache", 0.3), ("api", 0.3)):
            if rng.random() < chance:
                link(worker, pick(layer, worker))


def _copy_apps(
    topology: Topology,
    prod_apps: list[Component],
    *,
    env: str,
    counts: dict[str, int],
    region: str,
    rng: random.Random,
) -> None:
    """A smaller environment runs a subset of prod's applications with the same calls between them."""
    chosen: list[Component] = []
    for layer in APP_LAYERS:
        pool = [c for c in prod_apps if c.layer == layer]
        chosen += rng.sample(pool, min(len(pool), max(1 if pool else 0, counts[layer])))
    chosen.sort(key=lambda c: c.index)
    copy_of: dict[int, int] = {}
    for original in chosen:
        copy = _new(
            topology,
            name=original.name,
            layer=original.layer,
            environment=env,
            region=region,
            team=original.team,
            domain=original.domain,
        )
        copy_of[original.index] = copy.index
    for original in chosen:
        for callee in original.callees:
            if callee in copy_of:
                topology.add_edge(copy_of[original.index], copy_of[callee])


def _add_infrastructure(
    topology: Topology, *, env: str, counts: dict[str, int], regions: list[str], first: int, rng: random.Random
) -> None:
    octet = ENV_OCTET.get(env, 60 + len(topology.by_environment))
    apps = topology.components[first:]
    pools: dict[tuple[str, str], list[Component]] = {}
    for r, region in enumerate(regions):
        short = short_region(region)
        per_region = {layer: max(1, counts[layer] // len(regions)) for layer in INFRA_LAYERS}
        network = []
        for i in range(per_region["network"]):
            kind = ("tor", "core-sw", "fw", "nat-gw")[i % 4]
            name = f"{kind}-{env}-{short}-{'abc'[i % 3]}{i // 4 + 1:02d}"
            network.append(
                _new(
                    topology,
                    name=name,
                    layer="network",
                    environment=env,
                    region=region,
                    team="network",
                    domain="network",
                )
            )
        for layer in ("host", "k8s_node"):
            pool = []
            for i in range(per_region[layer]):
                if layer == "k8s_node":
                    ip = f"10-{octet + r}-{rng.randint(0, 63)}-{rng.randint(2, 254)}"
                    name = f"ip-{ip}.{region}.compute.internal"
                else:
                    role = ("db", "cache", "mq", "app", "util")[i % 5]
                    name = f"{role}-{env}-{short}-{i + 1:02d}"
                node = _new(
                    topology, name=name, layer=layer, environment=env, region=region, team="platform", domain=layer
                )
                node.instance_id = "i-0" + "".join(rng.choice("0123456789abcdef") for _ in range(16))
                node.hosts = [name]
                topology.add_edge(node.index, rng.choice(network).index)
                pool.append(node)
            pools[(region, layer)] = pool
        for component in network:
            component.hosts = [component.name]
    for component in apps:
        region = component.region if (component.region, "host") in pools else regions[0]
        if component.layer in ON_KUBERNETES:
            nodes = rng.sample(pools[(region, "k8s_node")], min(2, len(pools[(region, "k8s_node")])))
            replica_set = random_token(rng, 10)
            component.pods = [
                f"{component.name}-{replica_set}-{random_token(rng, 5)}" for _ in range(rng.randint(2, 6))
            ]
        elif component.layer in DATA_LAYERS:
            hosts = pools[(region, "host")]
            nodes = rng.sample(hosts, min(len(hosts), rng.choice((1, 1, 2, 3))))
        else:
            network_pool = [c for c in topology.components[first:] if c.layer == "network" and c.region == region]
            nodes = [rng.choice(network_pool)]
        for node in nodes:
            topology.add_edge(component.index, node.index)
        component.hosts = [node.name for node in nodes]
        component.instance_id = nodes[0].instance_id


def _monitors(component: Component, *, uses_datadog: bool, rng: random.Random) -> tuple[str, ...]:
    """Which tools watch a component: Kubernetes apps get Prometheus, machines the older host monitors."""
    layer, prod = component.layer, component.environment == "prod"
    chosen: list[str] = []
    if layer in ON_KUBERNETES or layer == "k8s_node" or (layer in DATA_LAYERS and rng.random() < 0.7):
        chosen.append("prometheus")
    if layer == "edge" or (layer in ("network", "host") and rng.random() < 0.25):
        chosen.append("prometheus")
    if uses_datadog and layer not in ("network",):
        chosen.append("datadog")
    if (layer in (*DATA_LAYERS, "edge") and rng.random() < 0.6) or (
        layer in ("host", "k8s_node") and rng.random() < 0.4
    ):
        chosen.append("cloudwatch")
    if prod and layer in ("frontend", "api", "edge") and rng.random() < 0.35:
        chosen.append("grafana")
    if layer in ("host", "network", "database") and rng.random() < 0.55:
        chosen.append("zabbix")
    if layer in ("host", "network", "edge") and rng.random() < 0.3:
        chosen.append("nagios")
    if layer in ("edge", "frontend") and component.environment != "dev":
        chosen.append("synthetic")
    if not chosen:
        chosen.append("zabbix" if layer in ("host", "network") else "prometheus")
    return tuple(dict.fromkeys(chosen))
