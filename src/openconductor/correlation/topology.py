"""The service dependency graph: components per environment and who calls whom.

Loaded from a file (YAML or JSON, see docs/correlation.md) or `PUT /api/v1/topology`:
`{"services": [{"name", "environment", "layer"?, "region"?, "team"?}],
  "dependencies": [{"from": caller, "to": callee, "environment"?}]}`.
A dependency without an environment applies in every environment that has both ends; environments
never connect unless a dependency names both (`from_environment`, `to_environment`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.correlation.entities import ENVIRONMENT_WORDS, host_alias

Node = tuple[str, str]  # (environment, name)


@dataclass(slots=True)
class Topology:
    nodes: dict[Node, dict[str, str]] = field(default_factory=dict)
    callees: dict[Node, set[Node]] = field(default_factory=dict)
    callers: dict[Node, set[Node]] = field(default_factory=dict)
    by_name: dict[str, list[Node]] = field(default_factory=dict)
    reach_cache: dict[tuple[Node, int], dict[Node, int]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.nodes)

    def knows(self, name: str) -> bool:
        return name in self.by_name

    def resolve(
        self, names: list[str], environment: str | None, *, default_environment: str | None = None
    ) -> Node | None:
        """The first candidate name that is a known component, in the alert's environment when known.

        An alert that names no environment, about a component that exists in several, is taken to
        be about `default_environment` when given (production, where monitoring is fullest)."""
        for name in names:
            nodes = self.by_name.get(name)
            if not nodes:
                continue
            wanted = environment or (default_environment if len(nodes) > 1 else None)
            if wanted is not None:
                for node in nodes:
                    if node[0] == wanted:
                        return node
                if environment is not None:
                    continue
            if len(nodes) == 1:
                return nodes[0]
        return None

    def reach(self, node: Node, max_hops: int) -> dict[Node, int]:
        """Components reachable from `node` by following calls one way (down to what it depends on)
        or the other (up to what depends on it), with the hop count. Siblings that merely share a
        dependency are not reachable: unrelated failures beside each other stay apart."""
        key = (node, max_hops)
        found = self.reach_cache.get(key)
        if found is None:
            if len(self.reach_cache) > 65536:
                self.reach_cache.clear()
            found = self.reach_cache[key] = self._compute_reach(node, max_hops)
        return found

    def _compute_reach(self, node: Node, max_hops: int) -> dict[Node, int]:
        found: dict[Node, int] = {}
        for edges in (self.callees, self.callers):
            frontier = deque([(node, 0)])
            seen = {node}
            while frontier:
                current, hops = frontier.popleft()
                if hops == max_hops:
                    continue
                # Sorted: the order of `found` decides ties between equally good links later, and a
                # set's order changes with the process's hash seed.
                for neighbour in sorted(edges.get(current, ())):
                    if neighbour not in seen:
                        seen.add(neighbour)
                        found[neighbour] = min(found.get(neighbour, hops + 1), hops + 1)
                        frontier.append((neighbour, hops + 1))
        return found

    def to_document(self) -> dict[str, Any]:
        return {
            "services": [{"name": name, "environment": env, **info} for (env, name), info in self.nodes.items()],
            "dependencies": [
                {"from": caller[1], "to": callee[1], "from_environment": caller[0], "to_environment": callee[0]}
                for caller, callees in self.callees.items()
                for callee in sorted(callees)
            ],
        }


def topology_from_document(document: Any) -> Topology:
    """Build a topology, reporting every problem in the document at once.

    Environment names are normalised the way alerts' are (`Production` and `prd` are `prod`), so a
    topology written in a team's own words still meets the alerts."""
    problems: list[FieldProblem] = []
    if not isinstance(document, dict):
        raise InvalidPayload([FieldProblem("body", "an object with services and dependencies")])
    services = document.get("services", [])
    dependencies = document.get("dependencies", [])
    if not isinstance(services, list):
        problems.append(FieldProblem("services", "an array"))
        services = []
    if not isinstance(dependencies, list):
        problems.append(FieldProblem("dependencies", "an array"))
        dependencies = []
    topology = Topology()
    environments: set[str] = set()
    for index, service in enumerate(services):
        name = service.get("name") if isinstance(service, dict) else None
        if not isinstance(name, str) or not name:
            problems.append(FieldProblem(f"services[{index}].name", "a non-empty string"))
            continue
        env = normalize_environment(service.get("environment"))
        environments.add(env)
        node = (env, name.lower())
        topology.nodes[node] = {k: str(v) for k, v in service.items() if k not in ("name", "environment") and v}
        topology.by_name.setdefault(node[1], []).append(node)
        alias = host_alias(node[1])
        if alias is not None and alias != node[1]:
            # Alerts name an EC2 host by its address as often as by its name (entities.host_alias).
            topology.by_name.setdefault(alias, []).append(node)
    for index, dependency in enumerate(dependencies):
        if not isinstance(dependency, dict) or not all(isinstance(dependency.get(k), str) for k in ("from", "to")):
            problems.append(FieldProblem(f"dependencies[{index}]", "an object with string from and to"))
            continue
        caller_name, callee_name = dependency["from"].lower(), dependency["to"].lower()
        explicit = "from_environment" in dependency or "to_environment" in dependency or "environment" in dependency
        if "from_environment" in dependency or "to_environment" in dependency:
            shared = dependency.get("environment")
            pairs = [
                (
                    (normalize_environment(dependency.get("from_environment", shared)), caller_name),
                    (normalize_environment(dependency.get("to_environment", shared)), callee_name),
                )
            ]
        elif "environment" in dependency:
            env = normalize_environment(dependency["environment"])
            pairs = [((env, caller_name), (env, callee_name))]
        else:
            pairs = [((env, caller_name), (env, callee_name)) for env in sorted(environments)]
        linked = False
        for caller, callee in pairs:
            if caller in topology.nodes and callee in topology.nodes:
                topology.callees.setdefault(caller, set()).add(callee)
                topology.callers.setdefault(callee, set()).add(caller)
                linked = True
            elif explicit:
                missing = caller if caller not in topology.nodes else callee
                problems.append(
                    FieldProblem(
                        f"dependencies[{index}]",
                        f"known services; {missing[1]!r} in environment {missing[0]!r} is not listed",
                    )
                )
        if not explicit and not linked:
            # Applied in every environment and linking nothing: almost always a misspelt name.
            unknown = [name for name in (caller_name, callee_name) if name not in topology.by_name]
            problems.append(
                FieldProblem(
                    f"dependencies[{index}]",
                    f"services listed in one environment together; {', '.join(map(repr, unknown)) or 'the pair'} "
                    "is not",
                )
            )
    if problems:
        raise InvalidPayload(problems)
    return topology


def normalize_environment(value: Any) -> str:
    text = str(value or "").strip().lower()
    return ENVIRONMENT_WORDS.get(text, text)


def load_topology(path: Path) -> Topology:
    text = path.read_bytes()
    document = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else orjson.loads(text)
    return topology_from_document(document)
