"""The correlation engine in event time: evidence, topology, environments, raising, noise, policies, restarts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from openconductor.config.settings import EngineSettings, Evidence, Policy, PolicyMatch, Settings
from openconductor.core.models import AlertEvent, AlertStatus, Incident, IncidentStatus, Membership, Severity
from openconductor.core.silences import Matcher, Silence, SilenceKind
from openconductor.correlation.labels import WARM_UP_ONSETS
from openconductor.correlation.topology import topology_from_document
from openconductor.ingest.base import build_event
from openconductor.pipeline.builder import Pipeline, build_pipeline
from openconductor.pipeline.correlate import CorrelationEngine
from openconductor.pipeline.stage import Batch

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SHOP = {
    "services": [
        {"name": name, "environment": environment}
        for environment in ("prod", "staging")
        for name in ("web", "checkout", "cart", "postgres")
    ],
    "dependencies": [
        {"from": "web", "to": "checkout"},
        {"from": "web", "to": "cart"},
        {"from": "checkout", "to": "postgres"},
        {"from": "cart", "to": "postgres"},
    ],
}


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def fire(
    key: str,
    *,
    at: timedelta,
    service: str = "checkout",
    environment: str | None = "prod",
    title: str | None = None,
    starts: timedelta | None = None,
    labels: dict[str, str] | None = None,
    severity: Severity = Severity.HIGH,
    keeps_start: bool = False,
) -> AlertEvent:
    return build_event(
        source="test",
        status=AlertStatus.FIRING,
        severity=severity,
        title=title or f"{key} on {service}",
        service=service,
        environment=environment,
        received_at=T0 + at,
        starts_at=T0 + (starts if starts is not None else at),
        fingerprint=key,
        labels=labels,
        keeps_start=keeps_start,
    )


def resolve(key: str, *, at: timedelta) -> AlertEvent:
    return build_event(
        source="test",
        status=AlertStatus.RESOLVED,
        severity=Severity.HIGH,
        title=key,
        received_at=T0 + at,
        ends_at=T0 + at,
        fingerprint=key,
    )


def engine(settings: Settings | None = None, *, topology: dict[str, Any] | None = None) -> Pipeline:
    pipeline = build_pipeline(settings or Settings())
    assert isinstance(pipeline.correlator, CorrelationEngine)
    if topology is not None:
        pipeline.correlator.set_topology(topology_from_document(topology))
    return pipeline


def incident_of(pipeline: Pipeline, key: str) -> Incident:
    alert = pipeline.state.alerts_by_fingerprint[key]
    return pipeline.state.incidents[alert.incident_id or ""]


def membership(batch: Batch, pipeline: Pipeline, key: str) -> Membership:
    alert_id = pipeline.state.alerts_by_fingerprint[key].id
    return next(m for m in batch.changes.memberships if m.alert_id == alert_id)


# -- evidence ------------------------------------------------------------------------------------


def test_alerts_on_the_same_component_join_with_their_evidence() -> None:
    pipeline = engine()
    batch = pipeline.run([fire("latency", at=seconds(0)), fire("errors", at=seconds(40))])

    assert incident_of(pipeline, "latency") is incident_of(pipeline, "errors")
    opened = membership(batch, pipeline, "latency")
    assert opened.rule == "opened" and opened.evidence["component"] == "prod/checkout"
    joined = membership(batch, pipeline, "errors")
    assert joined.rule == "same_component"
    assert joined.evidence["signal"] == "same_component"
    assert joined.evidence["component"] == "prod/checkout"
    assert joined.evidence["neighbour_alert_id"] == pipeline.state.alerts_by_fingerprint["latency"].id
    assert joined.evidence["gap_seconds"] == 40.0
    # The score is the evidence, faded by the 40 s between the alerts.
    assert 0.4 <= joined.score < joined.evidence["evidence_score"] == 1.0


def test_a_callers_alert_joins_the_callees_incident_and_an_unrelated_sibling_does_not() -> None:
    pipeline = engine(topology=SHOP)
    batch = pipeline.run(
        [fire("checkout-errors", at=seconds(0), service="checkout"), fire("web-5xx", at=seconds(30), service="web")]
    )
    assert incident_of(pipeline, "web-5xx") is incident_of(pipeline, "checkout-errors")
    joined = membership(batch, pipeline, "web-5xx")
    assert joined.rule == "topology"
    assert joined.evidence["hops"] == 1
    assert (joined.evidence["component"], joined.evidence["neighbour_component"]) == ("prod/web", "prod/checkout")
    assert joined.evidence["neighbour_alert_id"] == pipeline.state.alerts_by_fingerprint["checkout-errors"].id

    # cart shares its caller (web) and its callee (postgres) with checkout, but neither calls the other.
    siblings = engine(topology=SHOP)
    siblings.run(
        [
            fire("checkout-errors", at=seconds(0), service="checkout"),
            fire("cart-latency", at=seconds(15), service="cart"),
        ]
    )
    assert incident_of(siblings, "cart-latency") is not incident_of(siblings, "checkout-errors")


def test_a_callees_alert_joins_its_callers_incident() -> None:
    pipeline = engine(topology=SHOP)
    pipeline.run([fire("checkout-errors", at=seconds(0)), fire("db-slow", at=seconds(20), service="postgres")])
    assert incident_of(pipeline, "db-slow") is incident_of(pipeline, "checkout-errors")


def test_an_alert_with_evidence_for_two_pending_incidents_brings_them_together() -> None:
    # checkout and cart only share a caller: their first alerts open incidents of their own, until
    # web's alert, a symptom of both, arrives with evidence for each.
    pipeline = engine(topology=SHOP)
    pipeline.run([fire("checkout-errors", at=seconds(0)), fire("cart-errors", at=seconds(10), service="cart")])
    first, second = incident_of(pipeline, "checkout-errors"), incident_of(pipeline, "cart-errors")
    assert first is not second

    batch = pipeline.run([fire("web-5xx", at=seconds(20), service="web")])
    # web joins the closer of the two (cart's, 10 s away) and brings checkout's in.
    assert incident_of(pipeline, "web-5xx") is second
    assert incident_of(pipeline, "checkout-errors") is second
    assert first.status is IncidentStatus.RESOLVED and first.resolution == "merged"
    moved = membership(batch, pipeline, "checkout-errors")
    assert moved.rule == "bridged"
    assert moved.evidence["bridge_alert_id"] == pipeline.state.alerts_by_fingerprint["web-5xx"].id
    assert moved.evidence["bridge_signal"] == "topology"
    assert moved.evidence["gathered_from_incident_id"] == first.id
    assert moved.score >= Settings().engine.bridge_threshold  # type: ignore[operator]
    assert second.alert_count == 3 and second.firing_count == 3
    assert first.alert_count == 0 and first.firing_count == 0


def test_an_incident_people_already_see_is_not_merged_by_a_bridge() -> None:
    pipeline = engine(topology=SHOP)
    pipeline.run(
        [
            fire("cart-errors", at=seconds(0), service="cart"),
            fire("cart-latency", at=seconds(2), service="cart"),
            fire("checkout-errors", at=seconds(15)),
        ]
    )
    raised = incident_of(pipeline, "cart-errors")
    assert raised.raised_at is not None
    pipeline.run([fire("web-5xx", at=seconds(20), service="web")])  # closest to checkout's: joins that one
    assert incident_of(pipeline, "web-5xx") is incident_of(pipeline, "checkout-errors")
    assert incident_of(pipeline, "cart-errors") is raised
    assert raised.status is not IncidentStatus.RESOLVED
    assert incident_of(pipeline, "web-5xx") is not raised


def test_a_bridge_does_not_merge_components_a_person_pulled_apart() -> None:
    pipeline = engine(topology=SHOP)
    assert isinstance(pipeline.correlator, CorrelationEngine)
    pipeline.correlator.cooccurrence.teach_apart(("prod", "checkout"), ("prod", "cart"), 5.0)
    pipeline.run(
        [
            fire("checkout-errors", at=seconds(0)),
            fire("cart-errors", at=seconds(10), service="cart"),
            fire("web-5xx", at=seconds(20), service="web"),
        ]
    )
    assert incident_of(pipeline, "cart-errors") is not incident_of(pipeline, "checkout-errors")


def test_an_alert_naming_no_environment_does_not_bridge_two_environments() -> None:
    # The same load balancer name alerts in dev and in prod; a CloudWatch alarm naming no environment
    # has evidence for both, joins one, and must leave the other environment's incident alone.
    pipeline = engine()
    pipeline.run(
        [
            fire("dev-5xx", at=seconds(0), service="edge-lb", environment="dev"),
            fire("prod-5xx", at=seconds(5), service="edge-lb", environment="prod"),
            fire("alarm", at=seconds(10), service="edge-lb", environment=None),
        ]
    )
    dev, prod = incident_of(pipeline, "dev-5xx"), incident_of(pipeline, "prod-5xx")
    assert dev is not prod
    assert prod.status is not IncidentStatus.RESOLVED and dev.status is not IncidentStatus.RESOLVED
    assert incident_of(pipeline, "alarm") in (dev, prod)


def test_bridging_can_be_turned_off() -> None:
    pipeline = engine(Settings(engine=EngineSettings(bridge_threshold=None)), topology=SHOP)
    pipeline.run(
        [
            fire("checkout-errors", at=seconds(0)),
            fire("cart-errors", at=seconds(10), service="cart"),
            fire("web-5xx", at=seconds(20), service="web"),
        ]
    )
    assert incident_of(pipeline, "cart-errors") is not incident_of(pipeline, "checkout-errors")


def test_without_a_topology_neighbours_stay_apart() -> None:
    pipeline = engine()
    pipeline.run([fire("checkout-errors", at=seconds(0)), fire("web-5xx", at=seconds(30), service="web")])
    assert incident_of(pipeline, "web-5xx") is not incident_of(pipeline, "checkout-errors")


@pytest.mark.parametrize("topology", [None, SHOP])
def test_different_environments_stay_apart(topology: dict[str, Any] | None) -> None:
    pipeline = engine(topology=topology)
    pipeline.run(
        [
            fire("prod-errors", at=seconds(0), environment="prod"),
            fire("staging-errors", at=seconds(10), environment="staging"),
            fire("staging-web", at=seconds(20), service="web", environment="staging"),
        ]
    )
    prod = incident_of(pipeline, "prod-errors")
    assert incident_of(pipeline, "staging-errors") is not prod
    assert incident_of(pipeline, "staging-web") is not prod
    assert prod.environment == "prod"


def test_an_alert_naming_no_environment_joins_the_same_name_in_an_environment() -> None:
    # CloudWatch says no environment; Prometheus does. Alerts about one load balancer still meet,
    # even though a load balancer of that name runs in another environment too.
    pipeline = engine()
    pipeline.run(
        [fire("prod-lb", at=-hours(3), service="edge-lb", environment="prod"), resolve("prod-lb", at=-hours(2))]
    )
    batch = pipeline.run(
        [
            fire("lb-5xx", at=seconds(0), service="edge-lb", environment="staging"),
            fire("lb-unhealthy", at=seconds(30), service="edge-lb", environment=None),
        ]
    )
    assert incident_of(pipeline, "lb-unhealthy") is incident_of(pipeline, "lb-5xx")
    joined = membership(batch, pipeline, "lb-unhealthy")
    assert joined.rule == "same_component"
    assert joined.evidence["environment_unstated"] is True
    assert joined.evidence["neighbour_component"] == "staging/edge-lb"


def test_a_name_seen_in_one_environment_places_alerts_that_name_none() -> None:
    pipeline = engine()
    batch = pipeline.run(
        [
            fire("db-slow", at=seconds(0), service="ledger-db", environment="prod"),
            resolve("db-slow", at=minutes(2)),
            fire("db-cpu", at=hours(3), service="ledger-db", environment=None),
        ]
    )
    opened = membership(batch, pipeline, "db-cpu")
    assert opened.rule == "opened"
    assert opened.evidence["component"] == "prod/ledger-db"


def test_a_name_in_several_environments_is_not_guessed_for_an_alert_naming_none() -> None:
    pipeline = engine()
    batch = pipeline.run(
        [
            fire("prod-slow", at=seconds(0), service="api-gateway", environment="prod"),
            fire("dev-slow", at=seconds(10), service="api-gateway", environment="dev"),
            fire("unplaced", at=hours(3), service="api-gateway", environment=None),
        ]
    )
    assert membership(batch, pipeline, "unplaced").evidence["component"] == "api-gateway"


def test_a_resource_named_after_its_environment_is_the_same_component() -> None:
    pipeline = engine()
    pipeline.run(
        [
            fire("topic-lag", at=seconds(0), service="inventory-topic", environment="dev"),
            fire("topic-visible", at=seconds(40), service="inventory-topic-dev", environment="dev"),
        ]
    )
    assert incident_of(pipeline, "topic-visible") is incident_of(pipeline, "topic-lag")


def test_an_alarm_named_after_a_host_other_tools_name_is_about_that_host() -> None:
    host = "ip-10-30-45-129.us-east-1.compute.internal"
    disk = fire("disk", at=seconds(0), service="", labels={"instance": f"{host}:9100"}, title="HostOutOfDiskSpace")
    alarm = build_event(
        source="cloudwatch",
        status=AlertStatus.FIRING,
        severity=Severity.HIGH,
        title=f"{host}-CPUUtilization-high",
        resource="i-016dec21d38e8480e",
        received_at=T0 + seconds(30),
        starts_at=T0 + seconds(30),
        labels={"AlarmName": f"{host}-CPUUtilization-high", "InstanceId": "i-016dec21d38e8480e"},
    )
    pipeline = engine()
    batch = pipeline.run([disk, alarm])
    cpu = next(a for a in pipeline.state.alerts_by_id.values() if a.source == "cloudwatch")
    assert cpu.incident_id == incident_of(pipeline, "disk").id
    joined = next(m for m in batch.changes.memberships if m.alert_id == cpu.id)
    # The host is known by the name its address and its EC2 name share, whichever a tool sends.
    assert joined.rule == "same_component" and joined.evidence["component"] == "prod/ip-10-30-45-129"

    # An alarm whose name starts with a bare word other tools use ("api") is not taken for it.
    words = engine()
    words.run([fire("api-errors", at=seconds(0), service="api")])
    batch = words.run(
        [
            build_event(
                source="cloudwatch",
                status=AlertStatus.FIRING,
                severity=Severity.HIGH,
                title="api-gateway-5xx-high",
                resource="gw-1234",
                received_at=T0 + seconds(20),
                starts_at=T0 + seconds(20),
            )
        ]
    )
    assert batch.changes.memberships[0].rule == "opened"


def test_an_ec2_node_is_one_component_by_its_address_or_its_name() -> None:
    # kube-prometheus-stack on EKS: node-exporter says the node's address, kube-state-metrics its name.
    exporter = fire(
        "fs",
        at=seconds(0),
        service="",
        title="NodeFilesystemAlmostOutOfSpace",
        labels={"instance": "10.0.1.5:9100", "job": "node-exporter"},
    )
    kube = fire(
        "notready",
        at=seconds(40),
        service="",
        title="KubeNodeNotReady",
        labels={"node": "ip-10-0-1-5.eu-west-1.compute.internal", "job": "kube-state-metrics"},
    )
    pipeline = engine()
    batch = pipeline.run([exporter, kube])
    assert incident_of(pipeline, "notready") is incident_of(pipeline, "fs")
    assert membership(batch, pipeline, "notready").evidence["component"] == "prod/ip-10-0-1-5"
    # With a topology that lists the node by its EC2 name, the address finds that node too.
    topology = {"services": [{"name": "ip-10-0-1-5.eu-west-1.compute.internal", "environment": "prod"}]}
    mapped = engine(topology=topology)
    batch = mapped.run([exporter, kube])
    assert incident_of(mapped, "notready") is incident_of(mapped, "fs")
    assert membership(batch, mapped, "notready").evidence["component"] == "prod/ip-10-0-1-5.eu-west-1.compute.internal"


def test_title_only_alerts_meet_by_the_subject_they_name_never_by_an_ordinary_first_word() -> None:
    def titled(title: str, at: timedelta) -> AlertEvent:
        return build_event(
            source="webhook", status=AlertStatus.FIRING, severity=Severity.HIGH, title=title, received_at=T0 + at
        )

    pipeline = engine()
    batch = pipeline.run(
        [
            titled("High latency on api-7f9c", seconds(0)),
            titled("High CPU on db-1", seconds(20)),
            titled("Disk 95% full on db-1", seconds(40)),
        ]
    )
    latency, cpu, disk = (item.alert for item in batch.items)
    assert latency is not None and cpu is not None and disk is not None
    assert latency.incident_id != cpu.incident_id  # "High" is no component
    assert disk.incident_id == cpu.incident_id
    joined = next(m for m in batch.changes.memberships if m.alert_id == disk.id)
    assert (joined.rule, joined.evidence["component"]) == ("same_component", "db-1")


def test_alerts_whose_service_is_unknown_are_not_one_component() -> None:
    pipeline = engine()
    pipeline.run(
        [
            fire("disk", at=seconds(0), service="unknown", environment="unknown", title="disk full"),
            fire("queue", at=seconds(20), service="unknown", environment="unknown", title="queue backlog"),
        ]
    )
    assert incident_of(pipeline, "disk") is not incident_of(pipeline, "queue")


def test_alerts_that_kube_state_metrics_reports_about_different_pods_stay_apart() -> None:
    agent = {"job": "kube-state-metrics", "instance": "10.42.9.105:8080"}
    service = "kube-prometheus-stack-kube-state-metrics"
    pipeline = engine()
    pipeline.run(
        [
            fire(
                "a",
                at=seconds(0),
                service=service,
                title="KubePodCrashLooping",
                labels={**agent, "pod": "executor-svc-849ffcf9c7-wbmvz"},
            ),
            fire(
                "b",
                at=seconds(30),
                service=service,
                title="KubePodCrashLooping",
                labels={**agent, "pod": "metallb-controller-788576f6b9-wv8vb"},
            ),
            fire(
                "c",
                at=seconds(45),
                service=service,
                title="KubeContainerWaiting",
                labels={**agent, "pod": "executor-svc-849ffcf9c7-wbmvz"},
            ),
        ]
    )
    assert incident_of(pipeline, "a") is not incident_of(pipeline, "b")
    assert incident_of(pipeline, "c") is incident_of(pipeline, "a")


def test_the_same_service_in_two_regions_stays_apart() -> None:
    pipeline = engine()
    pipeline.run(
        [
            fire("errors-eu", at=seconds(0), labels={"Region": "eu-west-1"}),
            fire("errors-us", at=seconds(10), labels={"Region": "us-east-1"}),
            fire("latency-eu", at=seconds(20), labels={"region": "EU-West-1"}),
            fire("latency-somewhere", at=seconds(30)),  # names no place: may join either
        ]
    )
    eu = incident_of(pipeline, "errors-eu")
    assert incident_of(pipeline, "errors-us") is not eu
    assert incident_of(pipeline, "latency-eu") is eu
    assert incident_of(pipeline, "latency-somewhere") in (eu, incident_of(pipeline, "errors-us"))


def test_clusters_stay_apart_unless_the_topology_links_them() -> None:
    pipeline = engine(topology=SHOP)
    pipeline.run(
        [
            fire("checkout-errors", at=seconds(0), service="checkout", labels={"cluster": "prod-use1"}),
            fire("checkout-crash", at=seconds(10), service="checkout", labels={"cluster": "prod-euw1"}),
        ]
    )
    assert incident_of(pipeline, "checkout-crash") is not incident_of(pipeline, "checkout-errors")

    pipeline = engine(topology=SHOP)
    pipeline.run([fire("checkout-errors", at=seconds(0), service="checkout", labels={"cluster": "prod-use1"})])
    # web calls checkout: the topology's own dependency links them across the clusters.
    batch = pipeline.run([fire("web-5xx", at=seconds(20), service="web", labels={"cluster": "prod-euw1"})])
    assert incident_of(pipeline, "web-5xx") is incident_of(pipeline, "checkout-errors")
    assert membership(batch, pipeline, "web-5xx").rule == "topology"


def labels_engine() -> Pipeline:
    """The engine with label similarity on, after the warm-up its inverse frequencies need."""
    evidence = [*EngineSettings().evidence, Evidence.LABELS]
    pipeline = engine(Settings(engine=EngineSettings(evidence=evidence)))
    warm_up = [
        fire(f"bg-{n}", at=seconds(n), service=f"svc-{n}", labels={"team": "core", "node": f"n{n % 40}"})
        for n in range(WARM_UP_ONSETS)
    ]
    pipeline.run(warm_up)
    return pipeline


def test_alerts_on_two_components_sharing_a_rare_label_join_when_label_similarity_is_on() -> None:
    pipeline = labels_engine()
    start = seconds(WARM_UP_ONSETS + 3600)
    batch = pipeline.run(
        [
            fire("db-down", at=start, service="orders-db", labels={"node": "ip-10-9-9-9", "team": "core"}),
            fire("api-errors", at=start + seconds(30), service="orders-api", labels={"node": "ip-10-9-9-9"}),
            fire("search-slow", at=start + seconds(40), service="search", labels={"team": "core"}),
        ]
    )
    assert incident_of(pipeline, "api-errors") is incident_of(pipeline, "db-down")
    link = membership(batch, pipeline, "api-errors")
    assert (link.rule, link.evidence["shared_labels"]) == ("labels", {"node": "ip-10-9-9-9"})
    # A label every alert carries is no evidence.
    assert incident_of(pipeline, "search-slow") is not incident_of(pipeline, "db-down")


def test_label_similarity_is_off_by_default() -> None:
    pipeline = engine()
    pipeline.run(
        [
            fire("db-down", at=seconds(0), service="orders-db", labels={"node": "ip-10-9-9-9"}),
            fire("api-errors", at=seconds(30), service="orders-api", labels={"node": "ip-10-9-9-9"}),
        ]
    )
    assert incident_of(pipeline, "api-errors") is not incident_of(pipeline, "db-down")


def test_evidence_fades_with_time_so_a_later_alert_opens_a_new_incident() -> None:
    pipeline = engine()
    pipeline.run([fire("latency", at=seconds(0)), fire("soon", at=minutes(1)), fire("much-later", at=minutes(20))])
    assert incident_of(pipeline, "soon") is incident_of(pipeline, "latency")
    assert incident_of(pipeline, "much-later") is not incident_of(pipeline, "latency")


# -- raising -------------------------------------------------------------------------------------


def test_an_incident_is_pending_until_a_second_distinct_alert_joins() -> None:
    pipeline = engine()
    pipeline.run([fire("latency", at=seconds(0)), fire("latency", at=seconds(30))])  # a repeat
    incident = incident_of(pipeline, "latency")
    assert incident.raised_at is None

    pipeline.run([fire("errors", at=seconds(60))])
    assert incident_of(pipeline, "errors") is incident
    assert incident.raised_at == T0 + seconds(60)


def test_a_lone_alert_raises_its_incident_once_it_has_fired_long_enough() -> None:
    pipeline = engine()
    pipeline.run([fire("disk", at=seconds(0))])
    incident = incident_of(pipeline, "disk")
    wait = Settings().engine.min_duration_to_raise

    pipeline.sweep(T0 + wait - seconds(1))
    assert incident.raised_at is None
    batch = pipeline.sweep(T0 + wait)
    assert incident.raised_at == T0 + wait
    assert batch.changes.counters["incidents_raised"] == 1


def test_a_pending_incident_whose_alert_resolves_quickly_is_closed_as_noise() -> None:
    pipeline = engine()
    pipeline.run([fire("blip", at=seconds(0)), resolve("blip", at=minutes(2))])
    incident = incident_of(pipeline, "blip")
    assert incident.status is IncidentStatus.RESOLVED
    assert incident.resolution == "noise"
    pipeline.sweep(T0 + minutes(30))
    assert incident.raised_at is None


def test_an_alert_firing_again_soon_returns_to_its_pending_incident_and_raises_by_duration() -> None:
    pipeline = engine()
    pipeline.run([fire("blip", at=seconds(0)), resolve("blip", at=minutes(2))])
    first = incident_of(pipeline, "blip")
    assert first.resolution == "noise"

    batch = pipeline.run([fire("blip", at=minutes(10))])  # a re-fire: deduplication keeps the alert
    assert batch.changes.counters["incidents_reopened"] == 1
    assert incident_of(pipeline, "blip") is first
    assert first.status is IncidentStatus.OPEN
    wait = Settings().engine.min_duration_to_raise
    pipeline.sweep(T0 + minutes(10) + wait - seconds(1))
    assert first.raised_at is None  # the earlier two minutes of firing do not count
    pipeline.sweep(T0 + minutes(10) + wait)
    assert first.raised_at == T0 + minutes(10) + wait


def test_a_new_alert_on_the_component_reopens_the_incident_that_just_resolved() -> None:
    pipeline = engine()
    pipeline.run(
        [
            fire("latency", at=seconds(0)),
            fire("errors", at=seconds(20)),
            resolve("latency", at=seconds(50)),
            resolve("errors", at=seconds(55)),
        ]
    )
    first = incident_of(pipeline, "latency")
    assert first.resolution == "all_alerts_resolved"
    batch = pipeline.run([fire("saturation", at=seconds(90))])
    assert incident_of(pipeline, "saturation") is first
    assert first.status is IncidentStatus.OPEN and first.firing_count == 1
    assert batch.changes.counters["incidents_reopened"] == 1
    assert membership(batch, pipeline, "saturation").evidence["reopened"] == "all_alerts_resolved"


def test_an_incident_resolved_longer_than_the_grace_is_not_reopened_by_a_new_alert() -> None:
    pipeline = engine()
    grace = Settings().correlation.reopen_grace
    pipeline.run([fire("latency", at=seconds(0)), fire("errors", at=seconds(20))])
    pipeline.run([resolve("latency", at=minutes(1)), resolve("errors", at=minutes(1))])
    first = incident_of(pipeline, "latency")
    # Close in onset to the resolved alerts (within the evidence window), but resolved too long ago.
    pipeline.run([fire("saturation", at=minutes(1) + grace + seconds(1), starts=minutes(2))])
    assert incident_of(pipeline, "saturation") is not first
    assert first.status is IncidentStatus.RESOLVED


def test_an_alert_whose_resolve_was_lost_leaves_its_incident_when_its_tool_starts_it_afresh() -> None:
    pipeline = engine()
    pipeline.run([fire("disk", at=seconds(0), keeps_start=True), fire("latency", at=seconds(20), keeps_start=True)])
    pipeline.run([resolve("latency", at=minutes(5))])
    first = incident_of(pipeline, "disk")
    assert first.raised_at is not None and first.firing_count == 1
    # The disk alert's resolve never came; 40 minutes on, its tool reports it firing since a minute ago.
    pipeline.run([fire("disk", at=minutes(40), starts=minutes(39), keeps_start=True)])
    assert first.status is IncidentStatus.RESOLVED and first.firing_count == 0
    assert first.resolution == "all_alerts_resolved"
    assert incident_of(pipeline, "disk") is not first


def test_an_alert_firing_afresh_hours_after_its_incident_went_quiet_opens_a_new_one() -> None:
    pipeline = engine()
    pipeline.run([fire("disk", at=seconds(0), keeps_start=True), fire("latency", at=seconds(20), keeps_start=True)])
    first_id = incident_of(pipeline, "disk").id
    pipeline.run([resolve("latency", at=minutes(5))])
    pipeline.sweep(T0 + hours(2))  # the incident goes quiet, the disk alert still firing as far as we know
    first = pipeline.state.incidents[first_id]
    assert (first.resolution, first.firing_count) == ("quiet", 1)
    batch = pipeline.run([fire("disk", at=hours(5), starts=hours(5) - minutes(1), keeps_start=True)])
    fresh = incident_of(pipeline, "disk")
    assert fresh.id != first_id and fresh.status is IncidentStatus.OPEN
    assert first.firing_count == 0  # no longer waiting for the disk alert
    assert membership(batch, pipeline, "disk").rule == "opened"


def test_a_raised_incident_whose_alerts_resolve_is_not_noise() -> None:
    pipeline = engine()
    pipeline.run(
        [
            fire("latency", at=seconds(0)),
            fire("errors", at=seconds(20)),
            resolve("latency", at=minutes(2)),
            resolve("errors", at=minutes(2)),
        ]
    )
    assert incident_of(pipeline, "latency").resolution == "all_alerts_resolved"


def test_an_incident_goes_quiet_after_an_hour_without_activity_then_leaves_once_its_alerts_resolve() -> None:
    pipeline = engine()
    pipeline.run([fire("latency", at=seconds(0)), fire("errors", at=seconds(20))])
    pipeline.run([fire("latency", at=minutes(30))])  # a repeat: activity
    incident = incident_of(pipeline, "latency")
    quiet = Settings().correlation.quiet_period

    pipeline.sweep(T0 + minutes(30) + quiet - minutes(1))
    assert incident.status is not IncidentStatus.RESOLVED
    pipeline.sweep(T0 + minutes(31) + quiet)
    assert (incident.status, incident.resolution) == (IncidentStatus.RESOLVED, "quiet")
    # Kept while its alerts may still fire, so a re-send or a re-fire can still reopen it.
    pipeline.sweep(T0 + minutes(33) + quiet + Settings().dedup.refire_window)
    assert incident.id in pipeline.state.incidents

    resolved_at = minutes(35) + quiet + Settings().dedup.refire_window
    pipeline.run([resolve("latency", at=resolved_at), resolve("errors", at=resolved_at)])
    assert (incident.status, incident.resolution, incident.firing_count) == (IncidentStatus.RESOLVED, "quiet", 0)
    pipeline.sweep(T0 + resolved_at + Settings().dedup.refire_window + minutes(2))
    assert incident.id not in pipeline.state.incidents


def test_a_quiet_incident_whose_alerts_never_resolve_leaves_when_they_are_forgotten() -> None:
    pipeline = engine()
    pipeline.run([fire("latency", at=seconds(0)), fire("errors", at=seconds(20))])
    incident = incident_of(pipeline, "latency")
    pipeline.sweep(T0 + hours(2))
    assert incident.resolution == "quiet"
    pipeline.sweep(T0 + hours(24) - minutes(1))
    assert incident.id in pipeline.state.incidents
    pipeline.sweep(T0 + hours(24) + minutes(2))  # a day after the last news, deduplication forgets them too
    assert incident.id not in pipeline.state.incidents
    assert pipeline.state.alerts_by_fingerprint == {}


def test_an_alert_re_sent_every_four_hours_keeps_its_incident_open_once_the_silence_is_known() -> None:
    # Alertmanager re-sends a firing alert every repeat_interval, four hours by default, its startsAt unchanged.
    pipeline = engine()
    for key in ("disk", "inodes"):
        pipeline.run([fire(key, at=seconds(0), starts=seconds(0), keeps_start=True)])
    incident = incident_of(pipeline, "disk")
    pipeline.sweep(T0 + hours(1) + minutes(2))
    assert incident.resolution == "quiet"  # nothing said yet how rarely this source speaks
    batch = pipeline.run([fire("disk", at=hours(4), starts=seconds(0), keeps_start=True)])
    assert incident_of(pipeline, "disk") is incident and incident.status is IncidentStatus.OPEN
    assert batch.changes.counters["incidents_reopened"] == 1
    pipeline.run([fire("inodes", at=hours(4) + minutes(1), starts=seconds(0), keeps_start=True)])
    for hour in (6, 8):  # four hours of silence now count as the source's usual pace
        pipeline.sweep(T0 + hours(hour))
        assert incident.status is IncidentStatus.OPEN
    pipeline.run([fire("disk", at=hours(8) + minutes(2), starts=seconds(0), keeps_start=True)])
    pipeline.sweep(T0 + hours(13) + minutes(5))  # past four hours of silence plus the quiet period
    assert incident.resolution == "quiet"


def test_an_alert_still_firing_whose_incident_is_no_longer_known_is_shown_in_one_of_its_own() -> None:
    first = engine()
    first.run([fire("disk", at=seconds(0)), fire("latency", at=seconds(20))])
    old = incident_of(first, "disk")
    # After a restart the alert is firing again in the working set, but its incident, long quiet, is not.
    second = engine()
    second.state.remember_alert(first.state.alerts_by_fingerprint["disk"])
    batch = second.run([fire("disk", at=hours(3), starts=seconds(0))])
    shown = incident_of(second, "disk")
    assert shown.id != old.id and shown.status is IncidentStatus.OPEN
    assert membership(batch, second, "disk").evidence["still_firing"] is True
    assert [(d.incident_id, d.alert_id) for d in batch.changes.departures] == [
        (old.id, second.state.alerts_by_fingerprint["disk"].id)
    ]


def test_an_incident_reopened_by_a_person_after_it_left_the_working_set_goes_quiet_again() -> None:
    pipeline = engine()
    pipeline.run([fire("latency", at=seconds(0)), fire("errors", at=seconds(20))])
    incident = incident_of(pipeline, "latency")
    left = T0 + minutes(2) + Settings().correlation.quiet_period + Settings().dedup.refire_window
    pipeline.sweep(T0 + minutes(1) + Settings().correlation.quiet_period)
    pipeline.run([resolve("latency", at=left - T0 - minutes(1)), resolve("errors", at=left - T0 - minutes(1))])
    pipeline.sweep(left + Settings().dedup.refire_window)
    left += Settings().dedup.refire_window
    assert incident.id not in pipeline.state.incidents

    # What the API does on a reopen: the incident is changed and handed back to the correlator.
    incident.status, incident.resolved_at, incident.resolution = IncidentStatus.OPEN, None, None
    incident.last_seen_at = left
    pipeline.correlator.adopt(incident)
    pipeline.sweep(left + Settings().correlation.quiet_period + minutes(2))
    assert (incident.status, incident.resolution) == (IncidentStatus.RESOLVED, "quiet")


def test_an_alert_that_recurs_nightly_is_kept_but_no_longer_raises_alone() -> None:
    pipeline = engine()
    wait = Settings().engine.min_duration_to_raise
    raised = []
    for night in range(5):
        start = timedelta(days=night, minutes=5 * night)  # about the same time each night
        batch = pipeline.run([fire("backup-disk", at=start, service="db-1")])
        pipeline.sweep(T0 + start + wait + minutes(1))
        incident = incident_of(pipeline, "backup-disk")
        raised.append(incident.raised_at is not None)
        opened = membership(batch, pipeline, "backup-disk")
        pipeline.run([resolve("backup-disk", at=start + minutes(40))])
    assert raised == [True, True, True, False, False]
    assert opened.evidence["recurring"] is True


def test_chronic_alerts_never_raise_alone() -> None:
    pipeline = engine()
    pipeline.run(
        [
            fire("old-disk", at=seconds(0), starts=-timedelta(days=2)),
            fire("old-cert", at=seconds(10), starts=-timedelta(days=3)),
        ]
    )
    pipeline.sweep(T0 + minutes(45))
    for key in ("old-disk", "old-cert"):
        incident = incident_of(pipeline, key)
        assert incident.raised_at is None
        assert incident.status is not IncidentStatus.RESOLVED


def test_a_fresh_alert_is_not_linked_to_a_chronic_one_by_its_old_start() -> None:
    pipeline = engine()
    batch = pipeline.run([fire("old-disk", at=seconds(0), starts=-timedelta(days=2))])
    assert membership(batch, pipeline, "old-disk").evidence["chronic"] is True
    assert incident_of(pipeline, "old-disk").first_seen_at == T0


def test_silenced_alerts_do_not_raise_alone() -> None:
    pipeline = engine()
    pipeline.state.silences.add(
        Silence(
            id="sil_1",
            kind=SilenceKind.MAINTENANCE,
            matchers=(Matcher("service", "checkout"),),
            starts_at=T0 - minutes(5),
            ends_at=T0 + timedelta(hours=2),
            comment="database upgrade",
            created_by="ana",
            created_at=T0 - minutes(5),
        )
    )
    pipeline.run([fire("latency", at=seconds(0)), fire("errors", at=seconds(30))])
    incident = incident_of(pipeline, "latency")
    assert pipeline.state.alerts_by_fingerprint["latency"].suppressed_by == "sil_1"
    assert incident_of(pipeline, "errors") is incident  # still grouped, still shown
    pipeline.sweep(T0 + minutes(30))
    assert incident.raised_at is None

    pipeline.run([fire("web-down", at=minutes(31), service="web")])
    assert incident_of(pipeline, "web-down").raised_at is None


# -- policies ------------------------------------------------------------------------------------


def test_a_policy_overrides_the_thresholds_for_its_environment() -> None:
    settings = Settings(
        engine=EngineSettings(
            policies=[
                Policy(match=PolicyMatch(environment="staging"), min_alerts_to_raise=1),
                Policy(match=PolicyMatch(environment="dev"), join_threshold=0.99),
            ]
        )
    )
    pipeline = engine(settings)
    pipeline.run(
        [
            fire("prod-one", at=seconds(0), environment="prod"),
            fire("staging-one", at=seconds(0), environment="staging"),
            fire("dev-a", at=seconds(0), environment="dev"),
            fire("dev-b", at=seconds(30), environment="dev"),
            fire("prod-a", at=seconds(0), environment="prod", service="web"),
            fire("prod-b", at=seconds(30), environment="prod", service="web"),
        ]
    )
    assert incident_of(pipeline, "prod-one").raised_at is None
    assert incident_of(pipeline, "staging-one").raised_at == T0
    # The same two alerts 30 s apart join in prod but not under dev's stricter threshold.
    assert incident_of(pipeline, "prod-a") is incident_of(pipeline, "prod-b")
    assert incident_of(pipeline, "dev-a") is not incident_of(pipeline, "dev-b")


def test_a_policy_can_match_a_component_prefix() -> None:
    settings = Settings(
        engine=EngineSettings(policies=[Policy(match=PolicyMatch(component="batch-*"), min_alerts_to_raise=5)])
    )
    pipeline = engine(settings)
    pipeline.run([fire(f"job-{n}", at=seconds(n), service="batch-report") for n in range(4)])
    assert incident_of(pipeline, "job-0").alert_count == 4
    assert incident_of(pipeline, "job-0").raised_at is None


def test_a_policy_with_no_minimum_duration_raises_at_once() -> None:
    settings = Settings(
        engine=EngineSettings(
            policies=[Policy(match=PolicyMatch(environment="prod"), min_duration_to_raise=timedelta(0))]
        )
    )
    pipeline = engine(settings)
    pipeline.run([fire("down", at=seconds(0))])
    pipeline.sweep(T0 + seconds(1))
    assert incident_of(pipeline, "down").raised_at is not None


# -- storms --------------------------------------------------------------------------------------


def crash_loops(services: list[str], *, start: timedelta, every: timedelta) -> list[AlertEvent]:
    return [
        fire(
            f"crash-{service}",
            at=start + every * n,
            service=service,
            title=f"Pod {service}-7f9c6 is restarting over and over in namespace shop",
        )
        for n, service in enumerate(services)
    ]


def test_a_burst_of_one_kind_far_above_its_usual_rate_is_one_storm() -> None:
    pipeline = engine()
    # Three hours of history: the kind fires about once an hour somewhere.
    history = crash_loops([f"old-{n}" for n in range(3)], start=minutes(0), every=minutes(60))
    pipeline.run(
        history + [resolve(event.fingerprint or "", at=minutes(60 * n + 5)) for n, event in enumerate(history)]
    )
    burst = crash_loops(["ledger", "orders", "email", "billing"], start=minutes(180), every=seconds(40))
    batch = pipeline.run(burst)

    third = membership(batch, pipeline, "crash-email")
    assert third.rule == "template_storm"
    assert third.evidence["storm_chance"] < Settings().engine.storm_max_chance
    # The storm is recognised at its third alert; the first, alone in a pending incident, is gathered.
    storm = incident_of(pipeline, "crash-email")
    assert {incident_of(pipeline, f"crash-{s}").id for s in ("ledger", "orders", "email", "billing")} == {storm.id}
    ledger = pipeline.state.alerts_by_fingerprint["crash-ledger"].id
    opened, gathered = [m for m in batch.changes.memberships if m.alert_id == ledger]
    assert (opened.rule, gathered.rule) == ("opened", "template_storm")
    assert gathered.evidence["gathered_from_incident_id"] == opened.incident_id
    assert [(d.incident_id, d.alert_id) for d in batch.changes.departures] == [(opened.incident_id, ledger)]
    assert pipeline.state.incidents[opened.incident_id].resolution == "merged"


def test_a_raised_storm_keeps_no_raising_bookkeeping_for_the_alerts_that_join_it_later() -> None:
    pipeline = engine()
    history = crash_loops([f"old-{n}" for n in range(3)], start=minutes(0), every=minutes(60))
    pipeline.run(
        history + [resolve(event.fingerprint or "", at=minutes(60 * n + 5)) for n, event in enumerate(history)]
    )
    correlator = pipeline.correlator
    assert isinstance(correlator, CorrelationEngine)
    pipeline.run(crash_loops([f"svc-{n}" for n in range(3)], start=minutes(180), every=seconds(5)))
    storm = incident_of(pipeline, "crash-svc-0")
    assert storm.raised_at is not None
    due_before = len(correlator._raise_due)
    batch = pipeline.run(crash_loops([f"svc-{n}" for n in range(3, 40)], start=minutes(181), every=seconds(1)))

    # Every later alert is in the storm with its explanation, but adds nothing that could only raise it again.
    assert {incident_of(pipeline, f"crash-svc-{n}").id for n in range(40)} == {storm.id}
    assert all(membership(batch, pipeline, f"crash-svc-{n}").rule == "template_storm" for n in range(3, 40))
    assert len(correlator._raise_due) == due_before
    assert len(correlator.index.context(storm.id).raising_alerts) < 40


def test_a_storm_leaves_alerts_that_people_already_see_where_they_are() -> None:
    pipeline = engine()
    history = crash_loops([f"old-{n}" for n in range(3)], start=minutes(0), every=minutes(60))
    pipeline.run(history)
    # The first crash loop is raised with a second alert on its service before the storm shows.
    pipeline.run(crash_loops(["ledger"], start=minutes(180), every=seconds(1)))
    pipeline.run([fire("ledger-5xx", at=minutes(180) + seconds(5), service="ledger")])
    shown = incident_of(pipeline, "crash-ledger")
    assert shown.raised_at is not None
    pipeline.run(crash_loops(["orders", "email", "billing"], start=minutes(180) + seconds(40), every=seconds(40)))
    assert incident_of(pipeline, "crash-ledger") is shown
    assert incident_of(pipeline, "crash-email") is not shown


def test_a_kind_that_usually_fires_this_often_is_no_storm() -> None:
    pipeline = engine()
    # Three hours of history: the kind starts somewhere every two minutes.
    history = crash_loops([f"old-{n}" for n in range(90)], start=minutes(0), every=minutes(2))
    pipeline.run(history)
    burst = crash_loops(["ledger", "orders", "email", "billing"], start=minutes(181), every=seconds(40))
    batch = pipeline.run(burst)

    assert (
        len({incident_of(pipeline, f"crash-{service}").id for service in ("ledger", "orders", "email", "billing")}) == 4
    )
    assert {membership(batch, pipeline, f"crash-{s}").rule for s in ("ledger", "orders", "email", "billing")} == {
        "opened"
    }


def test_a_kind_never_seen_before_bursting_on_many_components_is_one_storm() -> None:
    pipeline = engine()
    # An hour and a half of other alerts, then a new rule fires on forty hosts within two minutes.
    pipeline.run([fire(f"load-{n}", at=minutes(10 * n), service=f"db-{n}", title="Load high on db") for n in range(10)])
    hosts = [f"host-{n}" for n in range(40)]
    pipeline.run(crash_loops(hosts, start=minutes(95), every=seconds(3)))

    incidents = {incident_of(pipeline, f"crash-{host}").id for host in hosts}
    assert len(incidents) <= 3  # the first few, before the burst outgrew its own count, may stand apart
    assert incident_of(pipeline, "crash-host-39").id == incident_of(pipeline, "crash-host-10").id


def test_no_storm_is_called_before_an_hour_of_history() -> None:
    pipeline = engine()
    batch = pipeline.run(crash_loops(["ledger", "orders", "email", "billing"], start=minutes(0), every=seconds(40)))
    assert {membership(batch, pipeline, f"crash-{s}").rule for s in ("ledger", "orders", "email", "billing")} == {
        "opened"
    }


# -- determinism ---------------------------------------------------------------------------------


def storm(seed: int) -> list[AlertEvent]:
    """Two hours of alerts on the shop in two environments, with bursts, repeats and resolves."""
    chooser = random.Random(seed)
    names = ["web", "checkout", "cart", "postgres"]
    events: list[AlertEvent] = []
    at = 0.0
    firing: list[str] = []
    for index in range(300):
        at += chooser.choice([1.0, 5.0, 20.0, 90.0, 400.0])
        if firing and chooser.random() < 0.25:
            events.append(resolve(firing.pop(chooser.randrange(len(firing))), at=seconds(at)))
            continue
        service = chooser.choice(names)
        key = f"{service}-{chooser.choice(['latency', 'errors', 'saturation'])}-{index % 7}"
        firing.append(key)
        events.append(
            fire(
                key,
                at=seconds(at),
                service=service,
                environment=chooser.choice(["prod", "prod", "staging"]),
                title=f"{service} {key.split('-')[1]} high on pod {service}-{index % 5}",
            )
        )
    return events


def structure(pipeline: Pipeline, batch: Batch) -> list[tuple[tuple[str, ...], bool, str | None]]:
    """Each incident as its alerts (fingerprint and start, never the random ids), rules and scores."""
    by_incident: dict[str, list[str]] = {}
    alerts = {item.alert.id: item.alert for item in batch.items if item.alert is not None}
    for member in batch.changes.memberships:
        alert = alerts[member.alert_id]
        label = f"{alert.fingerprint}@{alert.starts_at.isoformat()}"
        by_incident.setdefault(member.incident_id, []).append(f"{label}:{member.rule}:{member.score}")
    incidents = pipeline.state.incidents
    return sorted(
        (
            tuple(members),
            incidents[incident_id].raised_at is not None if incident_id in incidents else False,
            incidents[incident_id].resolution if incident_id in incidents else None,
        )
        for incident_id, members in by_incident.items()
    )


def test_the_same_input_gives_the_same_incidents() -> None:
    events = storm(11)
    first, second = engine(topology=SHOP), engine(topology=SHOP)
    one, two = first.run(list(events)), second.run(list(events))
    assert len(one.changes.memberships) > 100
    assert len({m.incident_id for m in one.changes.memberships}) > 5
    assert structure(first, one) == structure(second, two)


def test_equal_evidence_for_two_incidents_is_decided_the_same_way_every_time() -> None:
    chosen = set()
    for _ in range(30):
        pipeline = engine(topology=SHOP)
        pipeline.run(
            [
                fire("checkout-errors", at=seconds(0), service="checkout"),
                fire("cart-errors", at=seconds(0), service="cart"),
                fire("web-5xx", at=seconds(30), service="web"),
            ]
        )
        web = incident_of(pipeline, "web-5xx")
        chosen.add("checkout" if web is incident_of(pipeline, "checkout-errors") else "cart")
    assert len(chosen) == 1


def test_ties_go_to_the_incident_opened_first_even_after_others_left_the_working_set() -> None:
    quiet, refire = Settings().correlation.quiet_period, Settings().dedup.refire_window
    opened_at = quiet + refire + minutes(1)  # "old" has gone quiet and resolved by then, and leaves soon after
    chosen = set()
    for _ in range(10):  # without an order of their own, the random bits of the ids decided
        pipeline = engine(topology=SHOP)
        pipeline.run([fire("old", at=seconds(0), service="web", environment="staging")])
        pipeline.sweep(T0 + quiet + minutes(1))
        pipeline.run([resolve("old", at=quiet + minutes(2))])  # resolves only after its incident went quiet
        pipeline.run([fire("checkout-errors", at=opened_at + minutes(2), service="checkout")])
        pipeline.sweep(T0 + opened_at + minutes(1))
        assert "old" not in {
            a.fingerprint for a in pipeline.state.alerts_by_id.values() if a.incident_id in pipeline.state.incidents
        }
        # cart started with checkout but was reported later; web is equally close to both.
        pipeline.run([fire("cart-errors", at=opened_at + minutes(2), starts=opened_at, service="cart")])
        pipeline.run([fire("web-5xx", at=opened_at + minutes(2), starts=opened_at + seconds(30), service="web")])
        web = incident_of(pipeline, "web-5xx")
        chosen.add("checkout" if web is incident_of(pipeline, "checkout-errors") else "cart")
    assert chosen == {"checkout"}


# -- restart -------------------------------------------------------------------------------------


def test_learned_state_survives_a_restart(tmp_path: Path) -> None:
    from openconductor.bootstrap import create_platform

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'engine.db'}", data_dir=tmp_path)
    platform = create_platform(settings)
    try:
        events = []
        for round_ in range(4):
            start = timedelta(hours=round_)
            events += [
                fire(f"db-{round_}", at=start, service="postgres", title=f"postgres slow queries on db-{round_}"),
                fire(f"api-{round_}", at=start + seconds(40), service="api", title=f"api p99 above {round_ + 2}s"),
                resolve(f"db-{round_}", at=start + minutes(20)),
                resolve(f"api-{round_}", at=start + minutes(20)),
            ]
        # A tool that keeps the start re-sends a firing alert three hours on: its silence is learned.
        events += [
            fire("disk", at=hours(4), keeps_start=True),
            fire("disk", at=hours(7), starts=hours(4), keeps_start=True),
        ]
        platform.ingest(events, integration="generic")
        assert platform.pipeline.state.resends.longest("test") == hours(3)
        before = platform.pipeline.correlator
        assert isinstance(before, CorrelationEngine)
        assert before.cooccurrence.pairs[("prod", "postgres")][("prod", "api")] > 0
        learned_model, learned_templates = before.cooccurrence.to_document(), before.miner.templates()
        assert learned_templates
        now = before.state.clock
        usual_rate = before.rates.rate(("prod", "postgres"), now)
        assert usual_rate > 0 and before.rates.to_document()["onsets"]
        platform.save_learned_state()
    finally:
        platform.store.close()

    restarted = create_platform(settings)
    try:
        after = restarted.pipeline.correlator
        assert isinstance(after, CorrelationEngine)
        assert after.cooccurrence.to_document() == learned_model
        assert after.miner.templates() == learned_templates
        # The usual rates too: after a restart a busy component is still busy, not new.
        assert after.rates.rate(("prod", "postgres"), now) == pytest.approx(usual_rate)
        # And how long the engine has watched, so a restart is not a cold start without storms.
        assert after.rates.to_document()["watching_since"] == before.rates.to_document()["watching_since"]
        assert after.rates.to_document()["watching_since"] is not None
        # And which environment each component name was seen in, for alerts that name none.
        assert after.components.same_name(("", "postgres")) == [("prod", "postgres")]
        # And how long each source stays silent between re-sends, so its incidents do not go quiet too soon.
        assert restarted.pipeline.state.resends.longest("test") == hours(3)
        assert restarted.pipeline.state.resends.keeps_starts("test")
    finally:
        restarted.store.close()


def test_informational_alerts_join_incidents_but_never_raise_one() -> None:
    wait = Settings().engine.min_duration_to_raise
    pipeline = engine()
    info = Severity.INFO
    pipeline.run([fire("watchdog", at=seconds(0), severity=info), fire("throttled", at=seconds(20), severity=info)])
    incident = incident_of(pipeline, "watchdog")
    assert incident_of(pipeline, "throttled") is incident  # grouped as any two alerts on one component
    pipeline.run([fire("latency", at=minutes(1))])
    assert incident_of(pipeline, "latency") is incident
    assert incident.raised_at is None  # three alerts, but only one that counts
    pipeline.sweep(T0 + wait + seconds(30))
    assert incident.raised_at is None  # the informational ones have fired long enough: they page no one
    pipeline.sweep(T0 + minutes(1) + wait)
    assert incident.raised_at == T0 + minutes(1) + wait  # the high alert raises it, by its own duration


def test_an_informational_alert_re_sent_at_a_higher_severity_counts_from_then_on() -> None:
    wait = Settings().engine.min_duration_to_raise
    pipeline = engine()
    pipeline.run([fire("queue", at=seconds(0), severity=Severity.INFO)])
    incident = incident_of(pipeline, "queue")
    pipeline.run([fire("queue", at=minutes(5), starts=seconds(0), severity=Severity.WARNING)])
    pipeline.sweep(T0 + wait + minutes(1))
    assert incident.raised_at is None  # it has been a warning for 11 minutes, not 15
    pipeline.sweep(T0 + minutes(5) + wait)
    assert incident.raised_at == T0 + minutes(5) + wait


def test_informational_alerts_raise_where_the_setting_says_so() -> None:
    settings = Settings(engine=EngineSettings(informational_alerts_raise=True))
    pipeline = engine(settings)
    pipeline.run([fire("watchdog", at=seconds(0), severity=Severity.INFO)])
    pipeline.sweep(T0 + settings.engine.min_duration_to_raise)
    assert incident_of(pipeline, "watchdog").raised_at is not None


def test_a_severity_floor_keeps_a_lone_lower_alert_pending_but_not_a_pair() -> None:
    settings = Settings(engine=EngineSettings(min_severity_to_raise_alone=Severity.CRITICAL))
    wait = settings.engine.min_duration_to_raise
    lone = engine(settings)
    lone.run([fire("disk", at=seconds(0))])  # HIGH, below the floor
    lone.sweep(T0 + wait + minutes(1))
    assert incident_of(lone, "disk").raised_at is None
    paired = engine(settings)
    paired.run([fire("disk", at=seconds(0)), fire("latency", at=seconds(20))])
    # two distinct alerts raise by count, whatever their severity
    assert incident_of(paired, "disk").raised_at == T0 + seconds(20)
