"""Evidence that a new alert belongs to an open incident, each kind with its score.

- same_component: the incident already has an alert on this component (1.0).
- topology: it has an alert on a component this one calls or is called by, within `max_hops`
  (0.85 at one hop, 0.7 at two, 0.55 at three).
- cooccurrence: learned from history, the two components start alerting together far more
  often than chance (0.5 to 0.8 with the strength of the association).
- template_storm: the same kind of alert is firing on many components at once (0.6); the candidates are the
  incidents of that kind's latest onsets (`storm_incidents`), never every incident of the kind.
- labels: the incident's alerts carry most of this alert's rare labels (up to 0.8 with the share).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openconductor.config.settings import Evidence
from openconductor.correlation.context import AlertFacts, IncidentIndex
from openconductor.correlation.cooccurrence import CooccurrenceModel, Entity
from openconductor.correlation.labels import MIN_RARE_WEIGHT, LabelRarity
from openconductor.correlation.topology import Topology

HOP_SCORES = {1: 0.85, 2: 0.7, 3: 0.55, 4: 0.45}
# The same name where one of the two alerts did not say its environment: most likely one component.
SAME_NAME_SCORE = 0.9
STORM_SCORE = 0.6
# A label link needs at least this share of the alert's label weight found in the incident.
MIN_LABEL_SHARE = 0.5
LABEL_SCORE = 0.8
# Read for every alert, bound once: on Python 3.11 `Evidence.TOPOLOGY` goes through the enum
# metaclass's `__getattr__` hook (about 0.15 µs each; see pipeline/members.py).
_SAME_COMPONENT = Evidence.SAME_COMPONENT
_TOPOLOGY = Evidence.TOPOLOGY
_COOCCURRENCE = Evidence.COOCCURRENCE
_TEMPLATE_STORM = Evidence.TEMPLATE_STORM
_LABELS = Evidence.LABELS


@dataclass(slots=True)
class Link:
    incident_id: str
    signal: str
    score: float
    evidence: dict[str, Any]


def component_name(entity: tuple[str, str]) -> str:
    """`prod/orders-db`, or `orders-db` where no environment is known."""
    return f"{entity[0]}/{entity[1]}" if entity[0] else entity[1]


def gather_links(
    facts: AlertFacts,
    *,
    index: IncidentIndex,
    evidence: list[Evidence],
    topology: Topology | None,
    max_hops: int,
    cooccurrence: CooccurrenceModel,
    storm: float | None,
    rarity: LabelRarity | None = None,
    same_name: list[Entity] | None = None,
    storm_incidents: list[str] | None = None,
) -> list[Link]:
    """Every incident the alert could join, with the best evidence for each (unfiltered by time)."""
    best: dict[str, Link] = {}

    def offer(link: Link) -> None:
        current = best.get(link.incident_id)
        if current is None or link.score > current.score:
            best[link.incident_id] = link

    entity = facts.entity
    if _SAME_COMPONENT in evidence:
        for incident_id in index.by_component.get(entity, ()):
            neighbour = index.contexts[incident_id].components[entity]
            offer(
                Link(
                    incident_id,
                    "same_component",
                    1.0,
                    {"component": component_name(entity), "neighbour_alert_id": neighbour},
                )
            )
        for other in same_name or ():
            for incident_id in index.by_component.get(other, ()):
                neighbour = index.contexts[incident_id].components[other]
                offer(
                    Link(
                        incident_id,
                        "same_component",
                        SAME_NAME_SCORE,
                        {
                            "component": component_name(entity),
                            "neighbour_component": component_name(other),
                            "environment_unstated": True,
                            "neighbour_alert_id": neighbour,
                        },
                    )
                )
    if _TOPOLOGY in evidence and topology is not None and max_hops > 0 and entity in topology.nodes:
        for node, hops in topology.reach(entity, max_hops).items():
            for incident_id in index.by_component.get(node, ()):
                neighbour = index.contexts[incident_id].components[node]
                offer(
                    Link(
                        incident_id,
                        "topology",
                        HOP_SCORES.get(hops, 0.4),
                        {
                            "component": component_name(entity),
                            "neighbour_component": component_name(node),
                            "hops": hops,
                            "neighbour_alert_id": neighbour,
                        },
                    )
                )
    if _COOCCURRENCE in evidence:
        for partner in cooccurrence.supported_partners(entity):
            incidents = index.by_component.get(partner)
            if not incidents:
                continue
            strength = cooccurrence.pmi(entity, partner)
            if strength is None:
                continue
            pmi, support = strength
            score = min(0.8, 0.45 + 0.1 * pmi)
            for incident_id in incidents:
                neighbour = index.contexts[incident_id].components[partner]
                offer(
                    Link(
                        incident_id,
                        "cooccurrence",
                        score,
                        {
                            "component": component_name(entity),
                            "neighbour_component": component_name(partner),
                            "pmi": round(pmi, 3),
                            "support": round(support, 1),
                            "neighbour_alert_id": neighbour,
                        },
                    )
                )
    if _TEMPLATE_STORM in evidence and storm is not None:
        listed = index.by_template.get(facts.template, ())
        for incident_id in storm_incidents or ():
            if incident_id not in listed:
                continue
            neighbour = index.contexts[incident_id].templates[facts.template]
            offer(
                Link(
                    incident_id,
                    "template_storm",
                    STORM_SCORE,
                    {
                        "template_id": facts.template[1],
                        "storm_chance": float(f"{storm:.3g}"),
                        "neighbour_alert_id": neighbour,
                    },
                )
            )
    if _LABELS in evidence and rarity is not None and facts.labels:
        for link in _label_links(facts, index=index, rarity=rarity):
            offer(link)
    return sorted(best.values(), key=lambda link: (-link.score, link.incident_id))


def _label_links(facts: AlertFacts, *, index: IncidentIndex, rarity: LabelRarity) -> list[Link]:
    """Incidents whose alerts carry most of this alert's label weight, found through its rarer pairs."""
    weights = {pair: rarity.weight(pair) for pair in facts.labels}
    total = sum(weights.values())
    if total <= 0:
        return []
    candidates: set[str] = set()
    for pair in facts.labels:
        if rarity.candidate(pair):
            candidates.update(index.by_label.get(pair, ()))
    links = []
    for incident_id in sorted(candidates):
        carried = index.contexts[incident_id].labels
        shared = [pair for pair in facts.labels if pair in carried]
        share = sum(weights[pair] for pair in shared) / total
        if share < MIN_LABEL_SHARE:
            continue
        rarest = max(shared, key=lambda pair: (weights[pair], pair))
        if weights[rarest] < MIN_RARE_WEIGHT:
            continue  # only common labels in common: no sign of one problem
        links.append(
            Link(
                incident_id,
                "labels",
                round(LABEL_SCORE * share, 4),
                {
                    "share": round(share, 3),
                    "shared_labels": dict(shared),
                    "neighbour_alert_id": carried[rarest],
                },
            )
        )
    return links
