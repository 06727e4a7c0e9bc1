"""Which component an alert is about, remembered per alert identity so each identity is worked out once."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from openconductor.core.models import Alert
from openconductor.correlation.cooccurrence import Entity
from openconductor.correlation.entities import (
    ALARM_LABEL,
    candidate_names,
    first_word,
    host_alias,
    identity,
    infer_environment,
    longest_known_prefix,
    title_head,
    without_environment,
)
from openconductor.correlation.topology import Topology

# Identities remembered at most (about 0.7 KB each); beyond this the oldest is forgotten first.
CACHE_SIZE = 16_384
# Component names whose environments are remembered, for alerts that name none; the oldest go first.
ENVIRONMENTS_KEPT = 65_536
# Environments remembered per name (an estate has a handful; more would only slow every lookup).
ENVIRONMENTS_PER_NAME = 8
# Components whose one shared tuple is remembered (see `Components._share`); the oldest go first.
SHARED_KEPT = 65_536


class Components:
    """(environment, component) of alerts, from their names and environment and, with a topology,
    the component it knows them by.

    The answer depends only on the alert's identity (`entities.identity`) and the topology, and about
    a third of alert onsets repeat an identity seen before (the same service and host alerting again),
    so answers are remembered until the topology changes."""

    def __init__(self, topology: Topology | None, *, default_environment: str | None) -> None:
        self.topology = topology
        self.default_environment = default_environment
        # Identity -> (environment, component name, or None: name it by the alert's fingerprint).
        self._known: OrderedDict[Hashable, tuple[str, str | None]] = OrderedDict()
        # Component name -> the environments alerts about it named, in the order first seen.
        self._environments_of: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        # Each recent component as one tuple object (see `_share`).
        self._shared: OrderedDict[Entity, Entity] = OrderedDict()

    def set_topology(self, topology: Topology | None) -> None:
        self.topology = topology
        self._known.clear()

    def of(self, alert: Alert) -> Entity:
        try:
            key: Hashable | None = identity(alert)
            found = self._known.get(key)
        except TypeError:  # a label value that cannot be hashed: worked out every time
            key, found = None, None
        if found is None:
            found = self._work_out(alert)
            if key is not None:
                if len(self._known) >= CACHE_SIZE:
                    # The oldest answer goes: emptying the whole memory, as this once did, made an
                    # estate with more identities than the limit work nearly every alert out again.
                    self._known.popitem(last=False)
                self._known[key] = found
        environment, name = found
        if name is None:
            return self._share((environment, alert.fingerprint))
        if self.topology is None and name not in self._environments_of:
            # A name only this tool uses (an instance id): an alarm named after a host other tools
            # name ("ip-10-1-2-3.ec2.internal-CPUUtilization-high") is about that host.
            name = self._named_by_others(alert) or name
        if environment:
            self._learn_environment(name, environment)
        else:
            # CloudWatch, Zabbix and Nagios seldom say the environment: a name other tools placed in
            # exactly one environment is taken to be there.
            known = self._environments_of.get(name, ())
            if len(known) == 1:
                environment = known[0]
        return self._share((environment, name))

    def _share(self, entity: Entity) -> Entity:
        """The one tuple that stands for `entity`, instead of a new one from every onset.

        The co-occurrence tables, rates and indexes keep components as keys, and find a key that is the
        same object without comparing it item by item. The garbage collector also skips a partner table
        while its keys and counts are all untracked (a tuple of strings is, once a collection has seen it);
        a fresh tuple starts tracked, so storing each onset's own copy kept tables in its traversal
        (810 of 3,369 at the end of the 100k enterprise run, 107 with shared tuples)."""
        shared = self._shared.get(entity)
        if shared is None:
            if len(self._shared) >= SHARED_KEPT:
                self._shared.popitem(last=False)
            shared = self._shared[entity] = entity
        return shared

    def _named_by_others(self, alert: Alert) -> str | None:
        alarm = alert.labels.get(ALARM_LABEL)
        for head in (first_word(alarm) if alarm else "", title_head(alert.title)):
            if head:
                found = longest_known_prefix(head.lower(), self._names_a_prefix_may_be)
                if found:
                    return host_alias(found) or found
        return None

    def _names_a_prefix_may_be(self, candidate: str) -> bool:
        # A bare word ("api", "web") starts too many alarm names to stand for one of them. A host is known
        # by the name its address and EC2's host name share (entities.host_alias).
        candidate = host_alias(candidate) or candidate
        return candidate in self._environments_of and any(mark in candidate for mark in "-._")

    def same_name(self, entity: Entity) -> list[Entity]:
        """The same name in an environment the other alert did not say: every environment other
        tools placed this name in, for an alert that names none; the unplaced name, for one that does."""
        environment, name = entity
        if environment:
            return [("", name)]
        return [(known, name) for known in self._environments_of.get(name, ())]

    def _learn_environment(self, name: str, environment: str) -> None:
        known = self._environments_of.get(name)
        if known is None:
            if len(self._environments_of) >= ENVIRONMENTS_KEPT:
                self._environments_of.popitem(last=False)
            self._environments_of[name] = (environment,)
        elif environment not in known and len(known) < ENVIRONMENTS_PER_NAME:
            self._environments_of[name] = (*known, environment)

    def to_document(self) -> dict[str, list[str]]:
        return {name: list(environments) for name, environments in self._environments_of.items()}

    def load_document(self, document: dict[str, list[str]]) -> None:
        self._environments_of = OrderedDict(
            (str(name), tuple(str(environment) for environment in environments[:ENVIRONMENTS_PER_NAME]))
            for name, environments in list(document.items())[-ENVIRONMENTS_KEPT:]
            if isinstance(environments, list)
        )

    def _work_out(self, alert: Alert) -> tuple[str, str | None]:
        environment = infer_environment(alert) or ""
        names = candidate_names(alert)
        if environment:
            names = _with_environment_stripped(names, environment, first=self.topology is None)
        topology = self.topology
        if topology is not None:
            node = topology.resolve(names, environment or None, default_environment=self.default_environment)
            if node is not None:
                return node
            # Alarm names start with a host the topology may know: the longest known prefix.
            for text in names[-2:]:
                prefix = longest_known_prefix(text, topology.knows)
                if prefix:
                    node = topology.resolve([prefix], environment or None, default_environment=self.default_environment)
                    if node:
                        return node
        return (environment, names[0] if names else None)


def _with_environment_stripped(names: list[str], environment: str, *, first: bool) -> list[str]:
    """Each name with its environment word taken off (`orders-db-prod` -> `orders-db`): before the
    name as given when nothing else will resolve it, after it when a topology may know either."""
    result: list[str] = []
    for name in names:
        stripped = without_environment(name, environment)
        for candidate in (stripped, name) if first else (name, stripped):
            if candidate not in result:
                result.append(candidate)
    return result
