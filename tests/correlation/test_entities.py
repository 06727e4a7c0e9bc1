"""Which component and environment an alert is about, read from sparse and varied labels."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openconductor.core.models import Alert, AlertStatus, Severity
from openconductor.correlation.entities import (
    IDENTITY_LABELS,
    candidate_names,
    host_alias,
    identity,
    infer_environment,
    longest_known_prefix,
    normalize_name,
    title_names,
    without_environment,
    workload_of,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def alert(
    *,
    title: str = "Something is wrong",
    service: str | None = None,
    resource: str | None = None,
    environment: str | None = None,
    labels: dict[str, str] | None = None,
) -> Alert:
    return Alert(
        id="alr_1",
        fingerprint="fp-1",
        source="generic",
        status=AlertStatus.FIRING,
        severity=Severity.HIGH,
        title=title,
        description="",
        service=service,
        resource=resource,
        environment=environment,
        labels=labels or {},
        annotations={},
        starts_at=T0,
        ends_at=None,
        received_at=T0,
        last_seen_at=T0,
    )


# -- pods, URLs, instances, load balancers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("pod", "workload"),
    [
        ("checkout-7f9c6d5b8-x2k4p", "checkout"),
        ("cart-service-6d4cf56db6-tjq2x", "cart-service"),
        ("payments-api-5b7d8c9f4-q8w7x", "payments-api"),
        ("fluentd-x7k2p", "fluentd"),
    ],
)
def test_a_pod_name_gives_its_workload(pod: str, workload: str) -> None:
    assert workload_of(pod) == workload


@pytest.mark.parametrize("name", ["checkout", "web-01", "db-primary", "api-gateway", "redis"])
def test_plain_names_are_not_taken_for_pods(name: str) -> None:
    assert workload_of(name) is None


def test_a_pod_label_names_its_workload_before_the_pod() -> None:
    names = candidate_names(alert(labels={"pod": "checkout-7f9c6d5b8-x2k4p"}))
    assert names[:2] == ["checkout", "checkout-7f9c6d5b8-x2k4p"]


def test_a_container_name_comes_after_the_pods_workload() -> None:
    # Untidy rules carry no service: the container's short name must not stand in for the deployment.
    names = candidate_names(alert(labels={"container": "pricing", "pod": "pricing-grpc-b4d54d28rs-z9zf2"}))
    assert names[0] == "pricing-grpc"
    assert names.index("pricing") > names.index("pricing-grpc-b4d54d28rs-z9zf2")


@pytest.mark.parametrize(
    ("name", "environment", "expected"),
    [
        ("inventory-topic-dev", "dev", "inventory-topic"),
        ("dev-images-redis", "dev", "images-redis"),
        ("orders_db_prod", "prod", "orders_db"),
        ("checkout-cache-staging", "staging", "checkout-cache"),
        ("orders-db-prod", "staging", "orders-db-prod"),  # another environment's word: kept
        ("db-staging-euw1-01", "staging", "db-staging-euw1-01"),  # in the middle: a host name, kept
        ("dev", "dev", "dev"),  # nothing would be left
    ],
)
def test_the_environment_word_comes_off_a_name(name: str, environment: str, expected: str) -> None:
    assert without_environment(name, environment) == expected


def test_the_service_comes_before_the_resource() -> None:
    names = candidate_names(alert(service="Checkout", resource="web-01", labels={"pod": "web-abc12"}))
    assert names.index("checkout") < names.index("web-01") < names.index("web-abc12")


def test_a_url_gives_its_component_and_environment_word() -> None:
    probe = alert(title="HTTP check failed", labels={"url": "https://checkout.prod.example.com/health?x=1"})
    assert "checkout" in candidate_names(probe)
    assert infer_environment(probe) == "prod"


@pytest.mark.parametrize(
    ("instance", "name"),
    [("web-01:9100", "web-01"), ("10.0.3.7:9090", "10.0.3.7"), ("DB-Primary:5432", "db-primary")],
)
def test_the_port_of_an_instance_is_stripped(instance: str, name: str) -> None:
    assert normalize_name(instance) == name
    assert name in candidate_names(alert(labels={"instance": instance}))


@pytest.mark.parametrize(
    ("name", "alias"),
    [
        ("10.0.1.5", "ip-10-0-1-5"),
        ("ip-10-0-1-5.eu-west-1.compute.internal", "ip-10-0-1-5"),
        ("ip-10-0-1-5.ec2.internal", "ip-10-0-1-5"),
        ("ip-10-0-1-5", "ip-10-0-1-5"),
        ("web-01", None),
        ("ip-10-0-1", None),
        ("10.0.1.5.6", None),
        ("skip-10-0-1-5", None),
    ],
)
def test_an_address_and_the_ec2_host_name_that_spells_it_share_one_name(name: str, alias: str | None) -> None:
    assert host_alias(name) == alias


def test_node_exporter_and_kube_state_metrics_name_one_ec2_node_the_same_way() -> None:
    # kube-prometheus-stack: node-exporter's `instance` is the node's address, kube-state-metrics' `node` its name.
    exporter = candidate_names(alert(labels={"instance": "10.0.1.5:9100", "job": "node-exporter"}))
    kube = candidate_names(
        alert(labels={"node": "ip-10-0-1-5.eu-west-1.compute.internal", "job": "kube-state-metrics"})
    )
    assert exporter[0] == kube[0] == "ip-10-0-1-5"
    assert "ip-10-0-1-5.eu-west-1.compute.internal" in kube  # the full name is still offered (to a topology)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("app/shop-alb/50dc6c495c0c9188", "shop-alb"),
        ("net/internal-nlb/4f3a2b1c", "internal-nlb"),
        ("targetgroup/tg-web/6d0ecf831eec9f09", "tg-web"),
    ],
)
def test_cloud_load_balancer_paths_give_the_balancer_name(path: str, name: str) -> None:
    assert normalize_name(path) == name
    assert name in candidate_names(alert(labels={"LoadBalancer": path}))


def test_alarm_and_title_heads_are_offered_last() -> None:
    names = candidate_names(
        alert(title="web-01/HTTP check", labels={"AlarmName": "db-primary-CPUUtilization-high"}, service="shop")
    )
    assert names[0] == "shop"
    assert names[-2:] == ["db-primary-cpuutilization-high", "web-01"]


def test_an_alarm_name_starting_with_a_known_host_finds_the_host() -> None:
    known = {"db-primary", "db", "web-01"}.__contains__
    assert longest_known_prefix("db-primary-cpuutilization-high", known) == "db-primary"
    assert longest_known_prefix("db-replica-lag", known) == "db"
    assert longest_known_prefix("cache-01-memory", known) is None
    assert longest_known_prefix("", known) is None


# -- environments --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "environment"),
    [
        ({"environment": "Production"}, "prod"),
        ({"environment": "eu-west"}, "eu-west"),
        ({"labels": {"env": "stg"}}, "staging"),
        ({"labels": {"deployment_environment": "PRD"}}, "prod"),
        ({"labels": {"cluster": "eks-prod-eu1"}}, "prod"),
        ({"labels": {"namespace": "shop-staging"}}, "staging"),
        ({"labels": {"kube_cluster_name": "gke_dev_europe"}}, "dev"),
        ({"labels": {"hostname": "web-01.qa.example.com"}}, "qa"),
        ({"resource": "db-1.uat.internal"}, "uat"),
    ],
)
def test_the_environment_is_read_from_fields_and_identifying_labels(
    fields: dict[str, object], environment: str
) -> None:
    assert infer_environment(alert(**fields)) == environment  # type: ignore[arg-type]


def test_an_explicit_environment_wins_over_hints() -> None:
    assert infer_environment(alert(environment="staging", labels={"cluster": "prod-1"})) == "staging"
    assert infer_environment(alert(labels={"env": "dev", "cluster": "prod-1"})) == "dev"


def test_no_environment_word_anywhere_gives_none() -> None:
    assert infer_environment(alert(resource="web-01", labels={"cluster": "main", "team": "prod"})) is None


def test_words_inside_other_words_are_not_environments() -> None:
    # Only whole tokens count: "product" and "devices" are not prod and dev.
    assert infer_environment(alert(labels={"namespace": "product-devices"})) is None


class _ReadLabels(dict[str, str]):
    """Labels that remember which keys were read."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return super().__getitem__(key)


@pytest.mark.parametrize(
    "values",
    [
        {"monitor_id": "42"},  # nothing found: every label is looked at
        {key: f"{key}-prod-x7k2p" for key in IDENTITY_LABELS} | {"job": "kube-state-metrics", "monitor_id": "42"},
    ],
)
def test_the_identity_holds_every_label_names_and_environment_are_read_from(values: dict[str, str]) -> None:
    # The component of an alert is remembered by its identity: a label read but left out of it would
    # give two alerts that differ in that label one answer.
    labels = _ReadLabels(values)
    subject = alert(title="High CPU on db-1", service="api", resource="web-01", labels=labels)
    candidate_names(subject)
    infer_environment(subject)
    assert labels.read
    assert labels.read <= set(IDENTITY_LABELS)


def test_labels_nothing_reads_leave_the_identity_alone() -> None:
    first = alert(service="api", labels={"host": "web-01", "monitor_id": "1"})
    second = alert(service="api", labels={"host": "web-01", "monitor_id": "2"})
    assert identity(first) == identity(second)
    assert identity(first) != identity(alert(service="api", labels={"host": "web-02", "monitor_id": "1"}))


# -- odd input -----------------------------------------------------------------------------------

_odd_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "-", "--", "/", "app//", "app/x", "://", "http://", "https://:80", ":", ":99999"]),
    st.builds(lambda scheme, rest: f"{scheme}{rest}", st.sampled_from(["http://", "https://", "app/"]), st.text()),
)


@given(
    title=st.text(max_size=60),
    service=st.none() | _odd_text,
    resource=st.none() | _odd_text,
    environment=st.none() | _odd_text,
    labels=st.dictionaries(
        st.sampled_from(["pod", "url", "instance", "host", "cluster", "namespace", "AlarmName", "LoadBalancer", "env"]),
        _odd_text,
        max_size=5,
    ),
)
def test_odd_input_never_raises(
    title: str, service: str | None, resource: str | None, environment: str | None, labels: dict[str, str]
) -> None:
    subject = alert(title=title, service=service, resource=resource, environment=environment, labels=labels)
    names = candidate_names(subject)
    assert all(isinstance(name, str) and name for name in names)
    assert len(names) == len(set(names))
    found = infer_environment(subject)
    assert found is None or isinstance(found, str)
    for name in names:
        longest_known_prefix(name, lambda candidate: len(candidate) > 3)


def test_a_malformed_url_label_still_gives_its_host_part() -> None:
    assert candidate_names(alert(labels={"url": "http://[broken"}))[0] == "[broken"


def test_a_daemonset_pod_with_a_long_second_word_keeps_its_whole_name() -> None:
    assert workload_of("node-exporter-8fz7q") == "node-exporter"


@pytest.mark.parametrize(
    ("title", "names"),
    [
        ("High latency on api-7f9c", ("api-7f9c",)),
        ("Disk 95% full on db-2.", ("db-2",)),
        ("checkout-api p99 latency", ("checkout-api",)),
        ("[P2] checkout-api p99 latency above 2s on i-0a1b", ("checkout-api", "i-0a1b")),
        ("[FIRING:1] web01 unreachable", ("web01",)),
        ("app-dev-use1-04/Disk /var is CRITICAL", ("app-dev-use1-04",)),
        ("Errors for payments-svc", ("payments-svc",)),
        ("High CPU usage", ()),
        ("KubePodCrashLooping", ()),
        ("Checkout Api p99 latency", ()),
        ("5xx errors on the edge", ()),
    ],
)
def test_a_title_names_only_what_looks_like_a_name(title: str, names: tuple[str, ...]) -> None:
    assert title_names(title) == names


@pytest.mark.parametrize("placeholder", ["unknown", "N/A", "none", "-", "undefined", " Unknown "])
def test_a_placeholder_names_nothing_and_places_nowhere(placeholder: str) -> None:
    sparse = alert(service=placeholder, environment=placeholder, labels={"app": placeholder, "env": placeholder})
    assert candidate_names(sparse) == []
    assert infer_environment(sparse) is None
    named = alert(service=placeholder, resource="db-1", labels={"env": "prod"})
    assert candidate_names(named)[0] == "db-1"
    assert infer_environment(named) == "prod"


# Labels as kube-prometheus-stack's rules deliver them: the scrape target's service, job and instance
# (kube-state-metrics or node-exporter) sit beside the pod, deployment or node the alert is about.
KSM = {
    "job": "kube-state-metrics",
    "service": "kube-prometheus-stack-kube-state-metrics",
    "instance": "10.42.9.105:8080",
    "endpoint": "http",
}


@pytest.mark.parametrize(
    ("labels", "subject"),
    [
        ({**KSM, "pod": "executor-svc-849ffcf9c7-wbmvz", "container": "executor-svc"}, "executor-svc"),
        ({**KSM, "node": "worker-1"}, "worker-1"),
        ({**KSM, "deployment": "checkout", "namespace": "shop"}, "checkout"),
        ({**KSM, "job_name": "backup-28011234"}, "backup-28011234"),
        (
            {
                "job": "node-exporter",
                "service": "kube-prometheus-stack-prometheus-node-exporter",
                "pod": "kube-prometheus-stack-prometheus-node-exporter-x7k2p",
                "container": "node-exporter",
                "instance": "192.168.1.10:9100",
            },
            "ip-192-168-1-10",  # the name the address shares with an EC2 host name (host_alias)
        ),
    ],
)
def test_the_monitoring_agent_is_not_the_subject(labels: dict[str, str], subject: str) -> None:
    # The Alertmanager integration fills service and resource from these labels, agent included.
    names = candidate_names(alert(service=labels["service"], resource=labels["instance"], labels=labels))
    assert names[0] == subject
    # The agent's names are still there, last, for an alert about the agent itself.
    assert names.index(labels["service"]) > names.index(subject)


def test_an_alert_about_the_agent_alone_is_about_the_agent() -> None:
    names = candidate_names(alert(labels={"job": "node-exporter", "service": "node-exporter"}))
    assert names == ["node-exporter"]


@pytest.mark.parametrize("loopback", ["localhost:9100", "127.0.0.1:9100", "[::1]:9100", "localhost"])
def test_a_machine_calling_itself_localhost_is_not_named_by_it(loopback: str) -> None:
    assert candidate_names(alert(labels={"instance": loopback})) == []
    assert candidate_names(alert(labels={"instance": loopback, "nodename": "x"}, service="orders")) == ["orders"]
