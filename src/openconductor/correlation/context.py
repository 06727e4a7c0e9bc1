"""What the engine remembers about each open incident, and the indexes that find incidents fast.

No alert ever scans all open incidents: candidates come from dictionary lookups by component,
by topology neighbour, by learned partner and by alert kind, each bounded by the join window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from openconductor.correlation.cooccurrence import Entity
from openconductor.correlation.labels import LabelPair
from openconductor.correlation.places import Place

TemplateKey = tuple[str, str]  # (environment, template id)


@dataclass(slots=True)
class AlertFacts:
    """What the engine derived from one alert (kept while the alert is in the working set)."""

    entity: Entity
    template: TemplateKey
    chronic: bool
    onset: datetime
    place: Place | None = None
    labels: tuple[LabelPair, ...] = ()
    # Starting at about this time of day, day after day (correlation/recurrence.py).
    recurring: bool = False


@dataclass(slots=True)
class IncidentContext:
    incident_id: str
    # Latest alert per component, so an explanation can name the neighbouring alert.
    components: dict[Entity, str] = field(default_factory=dict)
    templates: dict[TemplateKey, str] = field(default_factory=dict)
    # Latest alert per label pair its alerts carry, for the label-similarity evidence.
    labels: dict[LabelPair, str] = field(default_factory=dict)
    # In the order they joined, so whatever walks them does so the same way every run; each with the facts it
    # was counted with in `environments` and `places`, so leaving takes back what joining counted.
    alert_ids: dict[str, AlertFacts] = field(default_factory=dict)
    # Alerts that count towards raising (not chronic, not silenced, not flapping).
    raising_alerts: set[str] = field(default_factory=set)
    # The environments and the regions or clusters its alerts name, each with how many of them name it.
    environments: dict[str, int] = field(default_factory=dict)
    places: dict[Place, int] = field(default_factory=dict)


@dataclass(slots=True)
class IncidentIndex:
    contexts: dict[str, IncidentContext] = field(default_factory=dict)
    # The incidents of a component are a tuple: a component is in one incident or a few (each host of a storm
    # is in one), every lookup walks them all anyway, and a set of one costs 216 bytes against 48.
    by_component: dict[Entity, tuple[str, ...]] = field(default_factory=dict)
    by_template: dict[TemplateKey, set[str]] = field(default_factory=dict)
    by_label: dict[LabelPair, set[str]] = field(default_factory=dict)

    def context(self, incident_id: str) -> IncidentContext:
        found = self.contexts.get(incident_id)
        if found is None:
            found = self.contexts[incident_id] = IncidentContext(incident_id)
        return found

    def add(self, incident_id: str, alert_id: str, facts: AlertFacts, *, latest: bool = True) -> None:
        """`latest=False` for an alert older than the incident's others (one gathered into it later):
        it must not stand in for its component or kind, whose evidence fades from the newest alert."""
        context = self.context(incident_id)
        if latest:
            context.components[facts.entity] = alert_id
            context.templates[facts.template] = alert_id
            for pair in facts.labels:
                context.labels[pair] = alert_id
        else:
            context.components.setdefault(facts.entity, alert_id)
            context.templates.setdefault(facts.template, alert_id)
            for pair in facts.labels:
                context.labels.setdefault(pair, alert_id)
        for pair in facts.labels:
            self.by_label.setdefault(pair, set()).add(incident_id)
        if alert_id not in context.alert_ids:
            context.alert_ids[alert_id] = facts
            _count(context.environments, facts.entity[0], 1)
            _count(context.places, facts.place, 1)
        _include(self.by_component, facts.entity, incident_id)
        self.by_template.setdefault(facts.template, set()).add(incident_id)

    def remove_alert(self, incident_id: str, alert_id: str) -> None:
        context = self.contexts.get(incident_id)
        if context is not None:
            counted = context.alert_ids.pop(alert_id, None)
            if counted is not None:
                _count(context.environments, counted.entity[0], -1)
                _count(context.places, counted.place, -1)
            context.raising_alerts.discard(alert_id)

    def unlist(self, incident_id: str) -> None:
        """Stop offering a resolved incident to new alerts; its context stays for a reopen."""
        context = self.contexts.get(incident_id)
        if context is not None:
            self._unlist(context)

    def relist(self, incident_id: str) -> None:
        context = self.contexts.get(incident_id)
        if context is None:
            return
        for component in context.components:
            _include(self.by_component, component, incident_id)
        for index, keys in self._listings(context):
            for key in keys:
                index.setdefault(key, set()).add(incident_id)

    def forget(self, incident_id: str) -> None:
        """Drop a closed incident from every index (its alerts can no longer join it)."""
        context = self.contexts.pop(incident_id, None)
        if context is not None:
            self._unlist(context)

    def _unlist(self, context: IncidentContext) -> None:
        for component in context.components:
            _exclude(self.by_component, component, context.incident_id)
        for index, keys in self._listings(context):
            for key in keys:
                _discard(index, key, context.incident_id)

    def _listings(self, context: IncidentContext) -> tuple[tuple[dict[Any, set[str]], Iterable[Any]], ...]:
        """Each index of sets with the keys of `context` it lists the incident under."""
        return (
            (self.by_template, context.templates),
            (self.by_label, context.labels),
        )


def _count(counts: dict[Any, int], key: Any, change: int) -> None:
    """Add `change` to the count of `key` (nothing for no key); a count that reaches zero goes."""
    if not key:
        return
    left = counts.get(key, 0) + change
    if left:
        counts[key] = left
    else:
        del counts[key]


def _discard(index: dict[Any, set[str]], key: Any, incident_id: str) -> None:
    members = index.get(key)
    if members is not None:
        members.discard(incident_id)
        if not members:
            del index[key]


def _include(index: dict[Any, tuple[str, ...]], key: Any, incident_id: str) -> None:
    listed = index.get(key, ())
    if incident_id not in listed:
        index[key] = (*listed, incident_id)


def _exclude(index: dict[Any, tuple[str, ...]], key: Any, incident_id: str) -> None:
    listed = index.get(key, ())
    if incident_id in listed:
        rest = tuple(other for other in listed if other != incident_id)
        if rest:
            index[key] = rest
        else:
            del index[key]
