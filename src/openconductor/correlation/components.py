"""Which component an alert is about, remembered per alert identity so each identity is worked out once."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from openconductor.core.models import Alert
from openconductor.correlation.cooccurrence import Entity
from openconductor.correlation.entities import candidate_names, identity, infer_environment, longest_known_prefix
from openconductor.correlation.topology import Topology

# Identities remembered at most (about 0.7 KB each); beyond this the oldest is forgotten first.
CACHE_SIZE = 16_384


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
        return (environment, name if name is not None else alert.fingerprint)

    def _work_out(self, alert: Alert) -> tuple[str, str | None]:
        environment = infer_environment(alert) or ""
        names = candidate_names(alert)
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
