"""The correlation engine: the pipeline stage that decides, alert by alert, which incident it joins.

For each new alert it derives the component, environment and kind (template), looks up the open
incidents that share evidence with it (indexes, never a scan), joins the best one scoring at
least the policy's threshold within that incident's window, or opens a new pending incident. An
incident is raised (shown to people) once its policy says so: enough distinct alerts, or an alert
firing long enough; chronic, silenced and flapping alerts never raise an incident by themselves.
Every join records its evidence. Deterministic for a given input; all time is event time.
"""

from __future__ import annotations

import heapq
from datetime import datetime, timedelta
from typing import Any

from openconductor.config.settings import Evidence, Settings
from openconductor.core.ids import new_id
from openconductor.core.models import Alert, Incident
from openconductor.correlation.components import Components
from openconductor.correlation.context import AlertFacts, IncidentContext, IncidentIndex
from openconductor.correlation.cooccurrence import CooccurrenceModel, Entity
from openconductor.correlation.deadlines import Deadlines
from openconductor.correlation.evidence import Link, component_name, gather_links
from openconductor.correlation.labels import LabelRarity, label_pairs
from openconductor.correlation.places import apart, place_of
from openconductor.correlation.policy import EffectivePolicy, PolicyBook
from openconductor.correlation.rates import UsualRates
from openconductor.correlation.recurrence import Recurrence
from openconductor.correlation.templates import TemplateMiner
from openconductor.correlation.topology import Topology, load_topology
from openconductor.pipeline import incidents
from openconductor.pipeline.dedup import forget_firing_after
from openconductor.pipeline.members import (
    ALERT_FIRING,
    CHANGE_ACKNOWLEDGE,
    CHANGE_NEW,
    CHANGE_REFIRE,
    CHANGE_REPEAT,
    CHANGE_RESOLVE,
    INCIDENT_OPEN,
    INCIDENT_RESOLVED,
    SEVERITY_INFO,
)
from openconductor.pipeline.stage import Batch, Change, Departure, Item
from openconductor.pipeline.state import PipelineState

_SCAN_EVERY = timedelta(minutes=1)
# Incidents that closed by themselves, which new evidence may bring back within the reopen grace.
_REOPENABLE = frozenset({"all_alerts_resolved", "quiet", "noise"})
# Latest onsets of a storm's kind whose incidents a storm alert may join.
_STORM_NEIGHBOURS = 16


class CorrelationEngine:
    def __init__(self, state: PipelineState, settings: Settings) -> None:
        self.state = state
        self.settings = settings.engine
        self.lifecycle = settings.correlation
        self.flap_window = settings.dedup.flap_window
        self.keep_resolved_for = max(settings.dedup.refire_window, settings.correlation.reopen_grace)
        self.topology: Topology | None = (
            load_topology(self.settings.topology_file) if self.settings.topology_file else None
        )
        self.policies = PolicyBook(self.settings)
        self.components = Components(self.topology, default_environment=self.settings.default_environment)
        self.miner = TemplateMiner()
        self.cooccurrence = CooccurrenceModel()
        self.label_rarity = LabelRarity()
        self.recurrence = Recurrence()
        # Label pairs are read and counted only when some policy can use them.
        self.labels_used = Evidence.LABELS in self.settings.evidence or any(
            Evidence.LABELS in (policy.evidence or ()) for policy in self.settings.policies
        )
        self.index = IncidentIndex()
        self.facts: dict[str, AlertFacts] = {}
        # (due, sequence, incident id, alert id, the alert's starts_at when scheduled): an entry counts
        # only while the alert is still in that same firing episode.
        self._raise_due: list[tuple[datetime, int, str, str, datetime]] = []
        self._sequence = 0
        self.rates = UsualRates(
            storm_window=self.settings.storm_window,
            storm_min_components=self.settings.storm_min_components,
            storm_max_chance=self.settings.storm_max_chance,
        )
        # The order incidents were opened (or adopted) in: ties between candidates go to the first.
        self._opened_order: dict[str, int] = {}
        self._opened_count = 0
        # When each incident next needs a look from the sweep (going quiet, or leaving the working set).
        self.deadlines = Deadlines(
            quiet_period=settings.correlation.quiet_period,
            keep_resolved_for=self.keep_resolved_for,
            keep_quiet_firing_for=forget_firing_after(settings),
        )
        self._next_scan: datetime | None = None

    # -- the stage ---------------------------------------------------------------------------

    def __call__(self, items: list[Item], batch: Batch) -> list[Item]:
        for item in items:
            alert = item.alert
            if alert is None:
                continue
            if item.ended is not None:
                # Its resolve never came, but the source started it afresh: the firing we knew is over.
                self._update(item.ended, CHANGE_RESOLVE, batch)
            change = item.change
            if change is CHANGE_NEW and alert.status is ALERT_FIRING:
                self._onset(alert, batch)
            elif change is CHANGE_REFIRE:
                self._refire(alert, batch)
            elif change is CHANGE_REPEAT and alert.status is ALERT_FIRING and self._closed_quietly(alert):
                self._refire(alert, batch, still_firing=True)
            elif change is CHANGE_REPEAT and alert.status is ALERT_FIRING and self._left_behind(alert):
                self._still_firing(alert, batch)
            elif change in (CHANGE_REPEAT, CHANGE_RESOLVE, CHANGE_ACKNOWLEDGE):
                self._update(alert, change, batch)
        return items

    # -- a new alert (or one firing afresh) --------------------------------------------------

    def _onset(self, alert: Alert, batch: Batch) -> None:
        facts = self._facts_for(alert)
        policy = self.policies.for_component(facts.entity)
        storm = self.rates.storm(facts.template, facts.entity, facts.onset, alert.id)
        facts.recurring = self.recurrence.note(alert.fingerprint, facts.onset)
        if facts.chronic:
            # Long-standing alerts seen for the first time (a backlog, or one nobody fixes) stand
            # alone: joining them to today's incidents would only mislead.
            links: list[Link] = []
        else:
            self.cooccurrence.observe(
                facts.entity, facts.onset.timestamp(), kind=facts.template, storming=storm is not None
            )
            self.rates.count_onset(facts.entity, facts.onset)
            if self.labels_used:
                self.label_rarity.observe(facts.labels)
            links = gather_links(
                facts,
                index=self.index,
                evidence=policy.evidence,
                topology=self.topology,
                max_hops=self.settings.max_hops,
                cooccurrence=self.cooccurrence,
                storm=storm,
                rarity=self.label_rarity,
                same_name=self.components.same_name(facts.entity),
                storm_incidents=self._storm_incidents(facts, alert.id) if storm is not None else None,
            )
        best: tuple[float, Link, Incident, float, float] | None = None
        # Every other incident the alert had enough evidence for: pending ones are brought in after it joins.
        also: list[tuple[float, Link, Incident]] = []
        for link in links:
            if link.score < policy.join_threshold:
                break
            incident = self.state.incidents.get(link.incident_id)
            neighbour = self.facts.get(link.evidence["neighbour_alert_id"])
            if incident is None or neighbour is None:
                continue
            gap = abs(facts.onset - neighbour.onset)
            if gap > self.settings.window or not self._within_window(incident, facts.onset, alert.last_seen_at):
                continue
            if link.signal != "topology" and apart(facts.place, neighbour.place):
                # Another region or cluster: only a topology dependency links across places.
                continue
            if self.cooccurrence.vetoed(facts.entity, neighbour.entity):
                # People pulled these components apart before: no evidence links them any more.
                continue
            chance = (
                storm
                if link.signal == "template_storm" and storm is not None
                else self._chance_together(facts.entity, neighbour.entity, gap, signal=link.signal)
            )
            # Evidence fades with the time between the two alerts (related symptoms follow each
            # other within a minute or two), and counts less the likelier a coincidence is.
            fade = 0.5 ** (gap.total_seconds() / self.settings.evidence_half_life.total_seconds())
            score = link.score * fade * (1.0 - chance)
            if score < policy.join_threshold:
                continue
            if best is None or self._better(score, incident, best[0], best[2]):
                if best is not None:
                    also.append((best[0], best[1], best[2]))
                best = (score, link, incident, gap.total_seconds(), chance)
            else:
                also.append((score, link, incident))
        if best is None:
            self._open(alert, facts, batch)
        else:
            score, link, incident, gap_seconds, chance = best
            evidence = {
                "signal": link.signal,
                **link.evidence,
                "gap_seconds": round(gap_seconds, 1),
                "evidence_score": link.score,
                "chance_coincidence": round(chance, 4),
            }
            if incident.status is INCIDENT_RESOLVED:
                # A new alert with evidence for an incident that resolved moments ago: the problem
                # is back (a symptom that cleared early, or one more tool crossing its threshold).
                evidence["reopened"] = incident.resolution
                self._reopen(incident, alert.last_seen_at, batch, count_firing=False)
            self._join(alert, incident, facts, rule=link.signal, score=round(score, 4), evidence=evidence, batch=batch)
            bridge = self.settings.bridge_threshold
            if bridge is not None and also:
                # Merging whole incidents is a bigger step than one alert joining: it needs more evidence.
                bridged = [found for found in also if found[0] >= bridge]
                # In the order the incidents were opened: never by their ids, whose random bits differ between runs.
                bridged.sort(key=lambda found: self._opened_order.get(found[2].id, 0))
                self._merge_bridged(alert, incident, bridged, batch)
        if storm is not None and not facts.chronic and Evidence.TEMPLATE_STORM in policy.evidence:
            self._gather_storm(alert, facts, storm, batch)

    def _storm_incidents(self, facts: AlertFacts, alert_id: str) -> list[str]:
        """The incidents of this kind's latest onsets: the only ones a storm link can win. The evidence
        fades with the gap, so the nearest onsets score best; offering every incident of the kind (thousands
        in an estate where it fires all day) made each storm alert cost as many."""
        found: dict[str, None] = {}
        for other_id in self.rates.latest_storm_alerts(facts.template, _STORM_NEIGHBOURS + 1):
            other = self.state.alerts_by_id.get(other_id)
            if other_id != alert_id and other is not None and other.incident_id:
                found[other.incident_id] = None
        return list(found)

    def _gather_storm(self, alert: Alert, facts: AlertFacts, storm: float, batch: Batch) -> None:
        """A storm is recognised only once it has grown: the alerts of the same kind that started it
        each opened an incident of their own. Those still alone and pending (nobody was shown them)
        move into this alert's incident, with the storm as their evidence."""
        target = self.state.incidents[alert.incident_id or ""]
        now = alert.last_seen_at
        for alert_id in self.rates.storm_alerts(facts.template):
            other = self.state.alerts_by_id.get(alert_id)
            if other is None or other.status is not ALERT_FIRING or other.incident_id in (None, target.id):
                continue
            source = self.state.incidents.get(other.incident_id or "")
            context = self.index.contexts.get(other.incident_id or "")
            other_facts = self.facts.get(alert_id)
            if (
                source is None
                or context is None
                or other_facts is None
                or source.raised_at is not None
                or source.status is INCIDENT_RESOLVED
                or len(context.alert_ids) != 1
                or apart(facts.place, other_facts.place)
                or self.cooccurrence.vetoed(facts.entity, other_facts.entity)
            ):
                continue
            evidence = {
                "signal": "template_storm",
                "template_id": facts.template[1],
                "storm_chance": float(f"{storm:.3g}"),
                "neighbour_alert_id": alert.id,
                "gathered_from_incident_id": source.id,
            }
            self._gather(
                other,
                other_facts,
                source,
                target,
                rule="template_storm",
                score=round(1.0 - storm, 4),
                evidence=evidence,
                now=now,
                batch=batch,
            )
            self._resolve(source, now, "merged", batch)

    def _gather(
        self,
        alert: Alert,
        facts: AlertFacts,
        source: Incident,
        target: Incident,
        *,
        rule: str,
        score: float,
        evidence: dict[str, Any],
        now: datetime,
        batch: Batch,
    ) -> None:
        """Move `alert` from a pending incident into the one a storm or a bridge gathers it into. It is
        older than the target's newest alerts, so it does not stand in for its component or kind there."""
        incidents.detach(source, alert, at=now, counted_firing=alert.status is ALERT_FIRING, batch=batch)
        self.index.remove_alert(source.id, alert.id)
        self._join(alert, target, facts, rule=rule, score=score, evidence=evidence, batch=batch, latest=False)

    def _merge_bridged(
        self, alert: Alert, target: Incident, bridged: list[tuple[float, Link, Incident]], batch: Batch
    ) -> None:
        """The alert had evidence for other open incidents too: it bridges them. A failure's first
        symptoms often open incidents of their own before the alert that ties them together arrives.
        Those still pending (nobody was shown them) move into the incident the alert joined, each alert
        recording the bridge as its evidence; incidents people already see stay as they are."""
        now = alert.last_seen_at
        for score, link, source in bridged:
            if (
                source.id == target.id
                or source.raised_at is not None
                or source.status is INCIDENT_RESOLVED
                or source.id not in self.state.incidents
            ):
                continue
            context = self.index.contexts.get(source.id)
            if context is None or not self._may_merge(context, self.index.context(target.id)):
                continue
            for alert_id in list(context.alert_ids):
                other = self.state.alerts_by_id.get(alert_id)
                other_facts = self.facts.get(alert_id)
                if other is None or other_facts is None or other.incident_id != source.id:
                    continue
                evidence = {
                    "signal": "bridged",
                    "bridge_alert_id": alert.id,
                    "bridge_signal": link.signal,
                    "bridge_score": round(score, 4),
                    "neighbour_alert_id": alert.id,
                    "gathered_from_incident_id": source.id,
                }
                self._gather(
                    other,
                    other_facts,
                    source,
                    target,
                    rule="bridged",
                    score=round(score, 4),
                    evidence=evidence,
                    now=now,
                    batch=batch,
                )
            self._resolve(source, now, "merged", batch)

    def _may_merge(self, source: IncidentContext, target: IncidentContext) -> bool:
        """A bridge holds only where its two sides could have been linked directly: an alert naming no
        place may touch incidents in two regions, but must not merge them; nor may it undo a person's split."""
        # Walked from the pending side, which is small: the target may be a storm of thousands.
        if any(apart(mine, theirs) for mine in source.places for theirs in target.places):
            return False
        # Nor two environments: an alert naming none may have evidence for the same name in both.
        if any(target.environments.keys() - {environment} for environment in source.environments):
            return False
        return not any(
            self.cooccurrence.vetoed(mine, theirs)
            for mine in source.components
            for theirs in self.cooccurrence.vetoes.get(mine, ())
            if theirs in target.components
        )

    def _better(self, score: float, incident: Incident, best_score: float, best_incident: Incident) -> bool:
        """Higher score wins; a tie goes to the incident opened first: never to an id, whose random
        bits would make the outcome differ between two runs of the same input."""
        if score != best_score:
            return score > best_score
        return self._opened_order.get(incident.id, 0) < self._opened_order.get(best_incident.id, 0)

    def _chance_together(self, first: Entity, second: Entity, gap: timedelta, *, signal: str) -> float:
        """How likely an alert this close in time would be found by coincidence alone.

        Onsets are taken as Poisson processes at each component's observed rate. For a topology
        link the question is whether *any* neighbour would have alerted that close, so the whole
        neighbourhood's rate counts: a busy component (a gateway every failure touches, a host
        that blips all day) carries less evidence than a quiet one."""
        now = self.state.clock
        rate = self.rates.rate(first, now)
        if signal == "topology" and self.topology is not None and first in self.topology.nodes:
            rate += sum(self.rates.rate(node, now) for node in self.topology.reach(first, self.settings.max_hops))
        elif second != first:
            rate += self.rates.rate(second, now)
        return UsualRates.chance(rate, gap)

    def _facts_for(self, alert: Alert, *, learn: bool = True) -> AlertFacts:
        entity = self.components.of(alert)
        known = self.miner.match(alert.title) if not learn else None
        template = known.template_id if known is not None else self.miner.learn_id(alert.title)
        arrival = alert.last_seen_at
        # Chronic is judged at first sight (received_at), so a restart does not make an alert chronic.
        chronic = alert.received_at - alert.starts_at > self.settings.chronic_after
        onset = arrival if chronic or alert.starts_at > arrival else alert.starts_at
        facts = AlertFacts(
            entity=entity,
            template=(entity[0], template),
            chronic=chronic,
            onset=onset,
            place=place_of(alert.labels),
            labels=label_pairs(alert.labels) if self.labels_used else (),
        )
        self.facts[alert.id] = facts
        return facts

    def _within_window(self, incident: Incident, onset: datetime, arrival: datetime) -> bool:
        """The evidence's own alert must be close in time (checked by the caller); the incident
        itself takes new alerts only while it is young, so a busy component cannot chain
        unrelated problems into one ever-growing incident."""
        if incident.status is INCIDENT_RESOLVED and not self._takes_back(incident, arrival):
            return False
        if arrival - incident.last_seen_at > self.lifecycle.quiet_period:
            return False
        return (
            incident.first_seen_at - self.settings.window <= onset <= incident.first_seen_at + self.settings.max_window
        )

    def _takes_back(self, incident: Incident, arrival: datetime) -> bool:
        """A resolved incident takes new alerts for `reopen_grace` after it resolved by itself (its
        alerts resolved, or it went quiet); one merged away or closed by a person does not."""
        return (
            incident.resolution in _REOPENABLE
            and incident.resolved_at is not None
            and arrival - incident.resolved_at <= self.lifecycle.reopen_grace
        )

    def _open(self, alert: Alert, facts: AlertFacts, batch: Batch, *, still_firing: bool = False) -> None:
        incident = Incident(
            id=new_id("inc"),
            title=alert.title,
            status=INCIDENT_OPEN,
            severity=alert.severity,
            services=set(),
            environment=facts.entity[0] or alert.environment,
            group_key=f"{facts.entity[0]}/{facts.entity[1]}",
            first_seen_at=facts.onset,
            last_seen_at=alert.last_seen_at,
            last_joined_at=facts.onset,
        )
        self._enter(incident)
        self._number(incident.id)
        batch.changes.incident_added(incident)
        batch.changes.count("incidents_opened")
        evidence = {
            "signal": "opened",
            "component": component_name(facts.entity),
            "template_id": facts.template[1],
            "chronic": facts.chronic,
            "recurring": facts.recurring,
        }
        if still_firing:
            evidence["still_firing"] = True  # re-sent after the incident it was in had closed and gone
        self._join(alert, incident, facts, rule="opened", score=1.0, evidence=evidence, batch=batch)

    def _join(
        self,
        alert: Alert,
        incident: Incident,
        facts: AlertFacts,
        *,
        rule: str,
        score: float,
        evidence: dict[str, Any],
        batch: Batch,
        latest: bool = True,
    ) -> None:
        incidents.attach(
            alert,
            incident,
            onset=facts.onset,
            service=alert.service or facts.entity[1],
            rule=rule,
            score=score,
            evidence=evidence,
            joined_at=alert.last_seen_at,
            batch=batch,
        )
        self.index.add(incident.id, alert.id, facts, latest=latest)
        # Only a pending incident counts the alerts that may raise it: nothing reads them once it is raised
        # (an incident is never un-raised), and a storm's incident kept a set entry and a due raise per alert.
        if incident.raised_at is None and self._counts_towards_raising(alert, facts):
            self.index.context(incident.id).raising_alerts.add(alert.id)
            policy = self._schedule_raise(incident, alert, facts, facts.onset)
            self._maybe_raise(incident, policy, alert.last_seen_at, batch)

    def _schedule_raise(
        self, incident: Incident, alert: Alert, facts: AlertFacts, firing_since: datetime
    ) -> EffectivePolicy:
        """Raise `incident` by duration if `alert` is still firing `min_duration` after `firing_since`."""
        policy = self.policies.for_component(facts.entity)
        self._sequence += 1
        heapq.heappush(
            self._raise_due,
            (firing_since + policy.min_duration, self._sequence, incident.id, alert.id, alert.starts_at),
        )
        return policy

    def _counts_towards_raising(self, alert: Alert, facts: AlertFacts) -> bool:
        # Informational alerts (Watchdog, Datadog's P4 and P5, Zabbix's "Information") are there to be read
        # with others, not to page: they join incidents, but only other alerts raise them.
        informational = alert.severity is SEVERITY_INFO and not self.settings.informational_alerts_raise
        return not (facts.chronic or facts.recurring or alert.suppressed_by or alert.flapping or informational)

    def _maybe_raise(self, incident: Incident, policy: EffectivePolicy, now: datetime, batch: Batch) -> None:
        if incident.raised_at is not None or incident.status is INCIDENT_RESOLVED:
            return
        if len(self.index.context(incident.id).raising_alerts) >= policy.min_alerts:
            self._raise(incident, now, batch)

    def _raise(self, incident: Incident, now: datetime, batch: Batch) -> None:
        incident.raised_at = now
        batch.changes.incident_changed(incident)
        batch.changes.count("incidents_raised")

    # -- re-fires, repeats, resolves -----------------------------------------------------------

    def _closed_quietly(self, alert: Alert) -> bool:
        incident = self.state.incidents.get(alert.incident_id or "")
        return incident is not None and incident.status is INCIDENT_RESOLVED and incident.resolution == "quiet"

    def _left_behind(self, alert: Alert) -> bool:
        """The alert fires on, but its incident closed and left the working set (its source was silent longer
        than we waited: an Alertmanager re-sends every four hours by default)."""
        return alert.incident_id is not None and alert.incident_id not in self.state.incidents

    def _still_firing(self, alert: Alert, batch: Batch) -> None:
        """Show a firing alert whose incident is gone in an incident of its own, as people would want it
        shown: alone, because its neighbours of hours ago say nothing about now, and without learning from it
        again (its onset was counted when it first fired)."""
        batch.changes.departures.append(Departure(alert.incident_id or "", alert.id, alert.last_seen_at))
        self._open(alert, self._facts_for(alert), batch, still_firing=True)

    def _refire(self, alert: Alert, batch: Batch, *, still_firing: bool = False) -> None:
        incident = self.state.incidents.get(alert.incident_id or "")
        now = alert.last_seen_at
        if incident is not None and incident.status is not INCIDENT_RESOLVED:
            incident.firing_count += 0 if still_firing else 1
            incident.last_seen_at = max(incident.last_seen_at, now)
            batch.changes.incident_changed(incident)
            return
        if (
            incident is not None
            and incident.resolved_at is not None
            and (still_firing or self._may_reopen(alert, incident, now))
        ):
            # An alert that never stopped firing is the same problem as before its incident went quiet.
            self._reopen(incident, now, batch, count_firing=not still_firing)
            facts = self.facts.get(alert.id)
            if incident.raised_at is None and facts is not None and self._counts_towards_raising(alert, facts):
                # Back in its pending incident, it raises by duration counting from now.
                self._schedule_raise(incident, alert, facts, now)
            return
        if incident is not None:
            incidents.detach(incident, alert, at=now, counted_firing=still_firing, batch=batch)
            self.index.remove_alert(incident.id, alert.id)
        self._onset(alert, batch)

    def _may_reopen(self, alert: Alert, incident: Incident, now: datetime) -> bool:
        assert incident.resolved_at is not None
        since = now - incident.resolved_at
        if incident.resolution not in ("all_alerts_resolved", "quiet", "noise"):
            return False
        if alert.flapping:
            # A flapping alert belongs with its earlier cycles, whatever their incident became.
            return since <= self.flap_window
        if incident.raised_at is None:
            # The same alert firing again soon after it stopped (deduplication called it a re-fire)
            # is the same problem coming back, not a new one: its pending incident takes it back.
            return True
        # A real (raised) incident comes back when its alert does, within the grace period.
        return since <= self.lifecycle.reopen_grace

    def _reopen(self, incident: Incident, now: datetime, batch: Batch, *, count_firing: bool) -> None:
        incidents.reopen(incident, at=now, count_firing=count_firing, batch=batch)
        self.index.relist(incident.id)
        self.deadlines.watch(incident)  # open again: it may go quiet sooner than it would have left

    def _update(self, alert: Alert, change: Change, batch: Batch) -> None:
        incident = self.state.incidents.get(alert.incident_id or "")
        if incident is None:
            return
        if incident.status is INCIDENT_RESOLVED:
            if change is CHANGE_RESOLVE and incident.resolution == "quiet" and incident.firing_count:
                # The late resolve of an alert its quiet incident waited for: one fewer to wait for.
                incident.firing_count -= 1
                batch.changes.incident_changed(incident)
                self.deadlines.watch(incident)
            return
        if incidents.follow(incident, alert, change, batch):
            resolution = "all_alerts_resolved" if incident.raised_at is not None else "noise"
            self._resolve(incident, alert.last_seen_at, resolution, batch)
        elif change is CHANGE_REPEAT and alert.status is ALERT_FIRING and incident.raised_at is None:
            self._count_if_it_now_raises(alert, incident, batch)

    def _count_if_it_now_raises(self, alert: Alert, incident: Incident, batch: Batch) -> None:
        """An alert re-sent at a higher severity than informational (or no longer silenced, or done flapping)
        counts towards raising its incident from now on."""
        # Looked up, never created: a repeat is the commonest line of all, and must not add state.
        context = self.index.contexts.get(incident.id)
        facts = self.facts.get(alert.id)
        if (
            context is None
            or facts is None
            or alert.id in context.raising_alerts
            or not self._counts_towards_raising(alert, facts)
        ):
            return
        context.raising_alerts.add(alert.id)
        policy = self._schedule_raise(incident, alert, facts, alert.last_seen_at)
        self._maybe_raise(incident, policy, alert.last_seen_at, batch)

    def _resolve(self, incident: Incident, now: datetime, resolution: str, batch: Batch) -> None:
        incidents.resolve(incident, at=now, resolution=resolution, batch=batch)
        if not _stays_listed(incident):
            self.index.unlist(incident.id)
        self.deadlines.watch(incident)  # it now leaves the working set sooner than it would have gone quiet

    def _number(self, incident_id: str) -> None:
        """Number incidents in the order they were opened (or adopted), for ties between candidates."""
        if incident_id not in self._opened_order:
            self._opened_count += 1
            self._opened_order[incident_id] = self._opened_count

    def _enter(self, incident: Incident) -> None:
        """Put `incident` in the working set, and book the sweep's next look at it."""
        if incident.id not in self.state.incidents:
            self.deadlines.entered(incident.id)
        self.state.incidents[incident.id] = incident
        self.deadlines.watch(incident)

    # -- the passage of time ---------------------------------------------------------------------

    def sweep(self, now: datetime, batch: Batch) -> None:
        due = self._raise_due
        while due and due[0][0] <= now:
            _, _, incident_id, alert_id, episode = heapq.heappop(due)
            incident = self.state.incidents.get(incident_id)
            alert = self.state.alerts_by_id.get(alert_id)
            if (
                incident is not None
                and incident.raised_at is None
                and incident.status is not INCIDENT_RESOLVED
                and alert is not None
                and alert.incident_id == incident_id
                and alert.status is ALERT_FIRING
                and alert.starts_at == episode
                and alert_id in self.index.context(incident_id).raising_alerts
                and alert.severity.rank >= self.settings.min_severity_to_raise_alone.rank
            ):
                self._raise(incident, now, batch)
        if self._next_scan is not None and now < self._next_scan:
            return
        self._next_scan = now + _SCAN_EVERY
        for incident in self.deadlines.due(now, self.state.incidents):
            if incident.status is not INCIDENT_RESOLVED:
                news = self._news_due_until(incident)
                if news is not None and news >= now:
                    self.deadlines.postpone(incident, news)
                    continue
                self._resolve(incident, now, "quiet", batch)
            else:
                self._prune(incident)
        self.rates.forget_quiet_kinds(now)

    def _news_due_until(self, incident: Incident) -> datetime | None:
        """Until when one of the incident's firing alerts may still be re-sent, where its source stays silent
        longer than the quiet period between re-sends (pipeline/resends.py); None where none does."""
        context = self.index.contexts.get(incident.id)
        if context is None:
            return None
        quiet, resends = self.lifecycle.quiet_period, self.state.resends
        dues = []
        for alert_id in context.alert_ids:
            alert = self.state.alerts_by_id.get(alert_id)
            if alert is None or alert.status is not ALERT_FIRING or alert.incident_id != incident.id:
                continue
            silence = resends.longest(alert.source)
            if silence is not None and silence > quiet:
                dues.append(alert.last_seen_at + silence + quiet)
        return max(dues, default=None)

    def _prune(self, incident: Incident) -> None:
        del self.state.incidents[incident.id]
        self._opened_order.pop(incident.id, None)
        self.deadlines.left(incident.id)
        context = self.index.contexts.get(incident.id)
        if context is not None:
            for alert_id in context.alert_ids:
                alert = self.state.alerts_by_id.get(alert_id)
                if alert is None or alert.incident_id == incident.id:
                    self.facts.pop(alert_id, None)
        self.index.forget(incident.id)

    # -- restart ---------------------------------------------------------------------------------

    def adopt(self, incident: Incident) -> None:
        self._enter(incident)
        self._number(incident.id)

    def rebuilt(self) -> None:
        """After a restart: index the adopted incidents' alerts from the working set."""
        for alert in self.state.alerts_by_id.values():
            incident = self.state.incidents.get(alert.incident_id or "")
            if incident is None:
                continue
            facts = self._facts_for(alert, learn=False)
            self.index.add(incident.id, alert.id, facts)
            if alert.status is ALERT_FIRING and self._counts_towards_raising(alert, facts):
                self.index.context(incident.id).raising_alerts.add(alert.id)
                if incident.raised_at is None:
                    # A pending incident still raises by duration after a restart.
                    self._schedule_raise(incident, alert, facts, facts.onset)
            if not _stays_listed(incident):
                self.index.unlist(incident.id)

    def document(self) -> dict[str, Any]:
        return {
            "templates": self.miner.to_dict(),
            "cooccurrence": self.cooccurrence.to_document(),
            "rates": self.rates.to_document(),
            "labels": self.label_rarity.to_document(),
            "recurrence": self.recurrence.to_document(),
            "environments": self.components.to_document(),
            # Deduplication learns these, but keeps no state of its own across restarts: saved here.
            "resends": self.state.resends.to_document(),
        }

    def load_document(self, document: dict[str, Any]) -> None:
        if "templates" in document:
            self.miner = TemplateMiner.from_dict(document["templates"])
        if "cooccurrence" in document:
            self.cooccurrence = CooccurrenceModel.from_document(document["cooccurrence"])
        if "rates" in document:
            self.rates.load_document(document["rates"])
        if "labels" in document:
            self.label_rarity = LabelRarity.from_document(document["labels"])
        if "recurrence" in document:
            self.recurrence.load_document(document["recurrence"])
        if "environments" in document:
            self.components.load_document(document["environments"])
        if isinstance(document.get("resends"), dict):
            self.state.resends.load_document(document["resends"])

    def alert_moved(self, alert: Alert, previous_id: str | None, target: Incident) -> None:
        """A person moved the alert: re-index it and learn from the correction (see pipeline/feedback.py)."""
        facts = self.facts.get(alert.id) or self._facts_for(alert)
        weight = self.cooccurrence.settings.min_support
        if previous_id is not None:
            self.index.remove_alert(previous_id, alert.id)
            left_behind = self.index.contexts.get(previous_id)
            for component in left_behind.components if left_behind else ():
                self.cooccurrence.teach_apart(facts.entity, component, weight)
        if target.id not in self.state.incidents:
            self._enter(target)
        joined = self.index.contexts.get(target.id)
        for component in list(joined.components) if joined else ():
            self.cooccurrence.teach_together(facts.entity, component, weight)
        self.index.add(target.id, alert.id, facts)
        if alert.status is ALERT_FIRING and self._counts_towards_raising(alert, facts):
            self.index.context(target.id).raising_alerts.add(alert.id)

    def set_topology(self, topology: Topology | None) -> None:
        self.topology = topology
        self.policies.clear_cache()
        self.components.set_topology(topology)


def _stays_listed(incident: Incident) -> bool:
    """Open incidents are offered to new alerts, and so are those that resolved by themselves (new
    evidence may bring them back within the reopen grace) until they leave the working set."""
    return incident.status is not INCIDENT_RESOLVED or incident.resolution in _REOPENABLE
