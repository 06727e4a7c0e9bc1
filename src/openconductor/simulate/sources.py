"""How each monitoring tool names, labels and words an alert about a component; Prometheus and Grafana here."""

from __future__ import annotations

import random
from collections.abc import Callable

from openconductor.simulate.rules import AlertIdentity, label_fingerprint, stable_hex, stable_int
from openconductor.simulate.topology import DATA_LAYERS, ON_KUBERNETES, Component, Topology
from openconductor.simulate.vendors import cloudwatch, datadog, engine_of, nagios, synthetic, topic_of, url_of, zabbix

Renderer = Callable[[str, Component, Topology, random.Random], list[AlertIdentity]]
WEB_LAYERS = ("edge", "frontend", "api")


def _variant(c: Component, kind: str, options: tuple[str, ...]) -> str:
    """Teams write their own rules, so the same problem gets a different name per team."""
    return options[stable_int(c.team, kind) % len(options)]


def prometheus(kind: str, c: Component, topology: Topology, rng: random.Random) -> list[AlertIdentity]:
    machine = c.layer in ("host", "k8s_node", "network")
    host = c.hosts[0] if c.hosts else c.name
    labels: dict[str, str] = {"severity": "critical" if kind in ("availability", "node_not_ready") else "warning"}
    if c.tidy_labels and not machine:
        labels |= {"service": c.name, "env": c.environment}
    labels["cluster"] = c.cluster
    if c.layer in ON_KUBERNETES:
        labels["namespace"] = f"{c.domain}-{c.environment}" if c.environment != "prod" else c.domain
    if not machine:
        labels["team"] = c.team
    engine = engine_of(c)
    exporter = f"{host}:{ {'postgres': 9187, 'mysql': 9104, 'redis': 9121, 'kafka': 9308}.get(engine, 9100) }"
    resource, per_pod = c.name, False
    bounds: tuple[float, float]
    if kind == "latency":
        if c.layer in DATA_LAYERS:
            name, text, bounds = (
                f"{engine.capitalize()}SlowQueries",
                f"{{v}} slow queries per second on {exporter}",
                (5, 300),
            )
            labels |= {"instance": exporter, "job": f"{engine}-exporter"}
            resource = host
        elif machine:
            name, text, bounds = "HighPacketLoss", f"packet loss on {host} is {{v}}%", (2, 60)
            labels |= {"instance": host, "job": "snmp"}
            resource = host
        else:
            name = _variant(c, kind, ("HighLatency", "HTTPLatencyP99High", "APIHighRequestLatency"))
            text, bounds = f"p99 latency of {c.name} is {{v}}s (objective 2s)", (2.1, 12.0)
            labels["job"] = c.name
    elif kind == "error_rate":
        name = _variant(c, kind, ("HighErrorRate", "HTTP5xxRatioHigh", "ServiceErrorRateHigh"))
        if c.layer == "worker":
            name = "JobFailureRateHigh"
        text, bounds = f"{{v}}% of requests to {c.name} failed over the last 5 minutes", (5, 95)
        labels["job"] = c.name
    elif kind == "saturation":
        if c.layer in ON_KUBERNETES:
            name = _variant(c, kind, ("CPUThrottlingHigh", "ContainerMemoryNearLimit"))
            text, bounds, per_pod = f"{{v}}% of the container limit used by {c.name}", (85, 100), True
        elif c.layer in DATA_LAYERS:
            name = {
                "postgres": "PostgresTooManyConnections",
                "mysql": "MySQLTooManyConnections",
                "redis": "RedisMemoryHigh",
                "kafka": "KafkaRequestQueueFull",
            }[engine]
            text, bounds, resource = f"{engine} on {exporter} at {{v}}% of its limit", (88, 100), host
            labels |= {"instance": exporter, "job": f"{engine}-exporter"}
        else:
            name = _variant(c, kind, ("NodeHighCPUUsage", "NodeMemoryHighUtilization", "HostHighLoad"))
            text, bounds, resource = f"{host} CPU/memory at {{v}}%", (90, 100), host
            labels |= {"instance": f"{host}:9100", "job": "node"}
    elif kind == "availability":
        if c.layer in DATA_LAYERS:
            name = {
                "postgres": "PostgresqlDown",
                "mysql": "MySQLDown",
                "redis": "RedisDown",
                "kafka": "KafkaBrokerDown",
            }[engine]
            text, bounds, resource = f"{engine} instance {exporter} is down", (0, 0), host
            labels |= {"instance": exporter, "job": f"{engine}-exporter"}
        elif machine:
            name = "InstanceDown" if c.layer != "network" else "SNMPTargetDown"
            text, bounds, resource = f"{host} has not answered scrapes for {{v}} minutes", (1, 15), host
            labels |= {"instance": f"{host}:9100", "job": "node" if c.layer != "network" else "snmp"}
        else:
            name = _variant(c, kind, ("TargetDown", "ServiceDown"))
            text, bounds = f"{{v}}% of the {c.name} targets are down", (30, 100)
            labels["job"] = c.name
    elif kind == "queue_lag" and c.layer in ("worker", "queue"):
        topic = topic_of(c, topology) if c.layer == "worker" else c.name
        name, text, bounds = (
            "KafkaConsumerGroupLag",
            f"consumer group {c.name} is {{v}} messages behind on {topic}",
            (5000, 900000),
        )
        labels |= {"consumergroup": c.name, "topic": topic}
    elif kind == "crash_loop" and c.layer in ON_KUBERNETES:
        name, text, bounds, per_pod = (
            "KubePodCrashLooping",
            "pod {pod} restarted {v} times in 10 minutes",
            (3, 12),
            True,
        )
        labels["container"] = c.name.split("-")[0]
    elif kind == "node_not_ready" and c.layer == "k8s_node":
        name, text, bounds = "KubeNodeNotReady", f"node {c.name} reports NotReady for {{v}} minutes", (2, 30)
        labels["node"] = c.name
    elif kind == "disk" and (machine or c.layer in DATA_LAYERS):
        mount = {"postgres": "/var/lib/postgresql", "mysql": "/var/lib/mysql", "kafka": "/var/lib/kafka"}.get(
            engine, "/"
        )
        name = _variant(
            c, kind, ("NodeFilesystemAlmostOutOfSpace", "NodeFilesystemSpaceFillingUp", "HostOutOfDiskSpace")
        )
        text, bounds, resource = f"filesystem {mount} on {host} has {{v}}% space left", (0.5, 9.0), host
        labels |= {"instance": f"{host}:9100", "mountpoint": mount, "device": "/dev/nvme1n1", "job": "node"}
    elif kind == "cert_expiry" and c.layer in WEB_LAYERS:
        name, text, bounds = "SSLCertExpiringSoon", f"TLS certificate of {url_of(c)} expires in {{v}} days", (1, 20)
        labels |= {"instance": url_of(c), "job": "blackbox"}
        resource = url_of(c)
    elif kind == "slo_burn" and c.layer in WEB_LAYERS:
        name, text, bounds = "SLOErrorBudgetBurn", f"{c.name} burns its 30d error budget {{v}}x too fast", (2, 40)
        labels |= {"slo": f"{c.name}-availability", "window": rng.choice(("1h", "6h"))}
    elif kind == "synthetic" and c.layer in ("edge", "frontend"):
        name, text, bounds, resource = (
            "BlackboxProbeFailed",
            f"probe of {url_of(c)} failed: HTTP {{v}}",
            (500, 504),
            url_of(c),
        )
        labels |= {"instance": url_of(c), "job": "blackbox"}
    else:
        return []
    if kind in ("latency", "error_rate") and c.layer in ON_KUBERNETES and stable_int(c.team, "per-pod") % 3 == 0:
        per_pod = True  # this team's rules keep the pod label instead of aggregating per service
    annotations = {"summary": f"{name} on {resource}", "runbook_url": f"https://runbooks.example.com/{name.lower()}"}
    pods = rng.sample(c.pods, rng.randint(1, min(3, len(c.pods)))) if per_pod and c.pods else [None]
    found = []
    for pod in pods:
        pod_labels = {"alertname": name, **labels}
        if pod:
            pod_labels["pod"] = pod
        found.append(
            AlertIdentity(
                source="prometheus",
                title=name,
                severity=labels["severity"],
                service=pod_labels.get("service", ""),
                environment=pod_labels.get("env", ""),
                resource=pod or resource,
                labels=pod_labels,
                annotations=annotations,
                description=text.replace("{pod}", pod or resource),
                value_range=bounds,
                value_decimals=0 if bounds[1] >= 100 or kind == "crash_loop" else 2,
                component=c.index,
                fingerprint=label_fingerprint(pod_labels),
            )
        )
    return found


def grafana(kind: str, c: Component, topology: Topology, rng: random.Random) -> list[AlertIdentity]:
    wording = {
        "latency": ("p99 latency", "p99 latency is {v} ms", (900, 8000)),
        "error_rate": ("error rate", "error rate is {v}%", (3, 80)),
        "slo_burn": ("availability SLO burn rate", "burn rate {v} over the last hour", (2, 30)),
        "saturation": ("CPU saturation", "CPU usage {v}%", (85, 100)),
        "availability": ("availability", "success ratio {v}%", (0, 90)),
    }
    if kind not in wording or c.layer not in WEB_LAYERS:
        return []
    what, text, bounds = wording[kind]
    title = f"{c.name.replace('-', ' ').title()} {what}"
    labels = {
        "alertname": title,
        "grafana_folder": c.team.title(),
        "__alert_rule_uid__": stable_hex("grafana", c.name, kind, length=14),
    }
    if c.tidy_labels:
        labels["service"] = c.name
    labels["severity"] = "critical" if kind in ("slo_burn", "availability") else "warning"
    return [
        AlertIdentity(
            source="grafana",
            title=title,
            severity=labels["severity"],
            service=labels.get("service", ""),
            environment="",
            resource=c.name,
            labels=labels,
            annotations={
                "summary": f"{title} firing",
                "dashboard": f"https://grafana.example.com/d/{stable_hex(c.name, length=9)}",
            },
            description=text,
            value_range=bounds,
            value_decimals=1,
            component=c.index,
            fingerprint=label_fingerprint(labels),
        )
    ]


RENDERERS: dict[str, Renderer] = {
    "prometheus": prometheus,
    "grafana": grafana,
    "datadog": datadog,
    "cloudwatch": cloudwatch,
    "zabbix": zabbix,
    "nagios": nagios,
    "synthetic": synthetic,
}


def render(
    source: str, kind: str, component: Component, *, topology: Topology, rng: random.Random
) -> list[AlertIdentity]:
    return RENDERERS[source](kind, component, topology, rng)
