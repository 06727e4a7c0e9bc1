"""Renderers for the commercial and host-level tools: Datadog, CloudWatch, Zabbix, Nagios, synthetic checks."""

from __future__ import annotations

import random

from openconductor.simulate.rules import AlertIdentity, stable_hex, stable_int
from openconductor.simulate.topology import ON_KUBERNETES, Component, Topology


def topic_of(c: Component, topology: Topology) -> str:
    queues = [topology.components[i].name for i in c.callees if topology.components[i].layer == "queue"]
    return queues[0] if queues else f"{c.domain}-events"


def url_of(c: Component) -> str:
    suffix = "" if c.environment == "prod" else f".{c.environment}"
    return f"https://{c.name}{suffix}.shop.example.com/healthz"


def engine_of(c: Component) -> str:
    if c.layer == "database" and "mysql" in c.name:
        return "mysql"
    return {"database": "postgres", "cache": "redis", "queue": "kafka"}.get(c.layer, "")


def datadog(kind: str, c: Component, topology: Topology, rng: random.Random) -> list[AlertIdentity]:
    host = c.instance_id or (c.hosts[0] if c.hosts else c.name)
    monitor_id = str(10_000_000 + stable_int("dd", c.environment, c.name, kind) % 90_000_000)
    titles = {
        "latency": (f"{c.name} p99 latency above 2s on {host}", "p99 latency {v}s", (2.0, 9.0)),
        "error_rate": (f"{c.name} error rate above 5%", "error rate {v}% over last 5m", (5, 90)),
        "saturation": (f"High CPU usage on {host}", "CPU {v}% on " + host, (90, 100)),
        "availability": (f"{c.name} is not reporting on {host}", "no data for {v} minutes", (2, 20)),
        "queue_lag": (
            f"Kafka consumer lag high for {c.name} on {topic_of(c, topology)}",
            "lag {v} messages",
            (10000, 500000),
        ),
        "crash_loop": (f"Pods crash looping for {c.name} in {c.domain}", "{v} containers in CrashLoopBackOff", (1, 6)),
        "node_not_ready": (f"Kubernetes node {c.name} not ready", "node condition Ready=False for {v} min", (2, 30)),
        "disk": (f"Disk space low on {host} (/dev/nvme1n1)", "{v}% disk used", (90, 99.9)),
        "cert_expiry": (f"SSL certificate for {c.name} expires soon", "certificate expires in {v} days", (1, 21)),
        "slo_burn": (f"{c.name} availability SLO burning fast", "{v}% of error budget consumed", (10, 100)),
        "synthetic": (f"[Synthetics] {c.name} API test failing", "assertion failed: status is {v}", (500, 504)),
    }
    if kind not in titles or (kind == "crash_loop" and c.layer not in ON_KUBERNETES):
        return []
    text, description, bounds = titles[kind]
    priority = ("P1", "P2", "P2", "P3", "P3", "P4", "P5", "")[stable_int(monitor_id) % 8]
    title = f"[{priority}] {text}" if priority else text
    tags = {"monitor_id": monitor_id, "host": host}
    if c.tidy_labels or rng.random() < 0.5:
        tags |= {"service": c.name, "env": c.environment}
    if c.layer in ON_KUBERNETES:
        tags |= {"kube_namespace": c.domain, "kube_cluster_name": c.cluster}
    if priority:
        tags["priority"] = priority
    renotify = 3600.0 if stable_int("renotify", monitor_id) % 2 else None
    return [
        AlertIdentity(
            source="datadog",
            title=title,
            resolved_title=f"[Recovered] {title}",
            severity=priority or "error",
            service=tags.get("service", ""),
            environment=tags.get("env", ""),
            resource=host,
            labels=tags,
            annotations={"monitor_url": f"https://app.datadoghq.com/monitors/{monitor_id}"},
            description=description,
            value_range=bounds,
            value_decimals=1,
            component=c.index,
            fingerprint=stable_hex("aggregation", monitor_id, host, length=32),
            repeat_seconds=renotify,
        )
    ]


_CLOUDWATCH = {
    ("database", "saturation"): ("AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", (450, 1000)),
    ("database", "latency"): ("AWS/RDS", "ReadLatency", "DBInstanceIdentifier", (0.2, 3.0)),
    ("database", "disk"): ("AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", (1e8, 2e9)),
    ("database", "availability"): ("AWS/RDS", "ReplicaLag", "DBInstanceIdentifier", (300, 3600)),
    ("cache", "saturation"): ("AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", (90, 100)),
    ("cache", "latency"): ("AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", (90, 100)),
    ("queue", "queue_lag"): ("AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", (600, 86400)),
    ("queue", "saturation"): ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", (1e4, 1e6)),
    ("host", "availability"): ("AWS/EC2", "StatusCheckFailed", "InstanceId", (1, 1)),
    ("host", "saturation"): ("AWS/EC2", "CPUUtilization", "InstanceId", (90, 100)),
    ("host", "disk"): ("CWAgent", "disk_used_percent", "InstanceId", (90, 100)),
    ("k8s_node", "availability"): ("AWS/EC2", "StatusCheckFailed_System", "InstanceId", (1, 1)),
    ("k8s_node", "saturation"): ("AWS/EC2", "CPUUtilization", "InstanceId", (90, 100)),
    ("edge", "error_rate"): ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", (50, 5000)),
    ("edge", "latency"): ("AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", (2, 30)),
    ("edge", "availability"): ("AWS/ApplicationELB", "UnHealthyHostCount", "LoadBalancer", (1, 12)),
}


def cloudwatch(kind: str, c: Component, topology: Topology, rng: random.Random) -> list[AlertIdentity]:
    if (c.layer, kind) not in _CLOUDWATCH:
        return []
    namespace, metric, dimension, bounds = _CLOUDWATCH[(c.layer, kind)]
    value = {"InstanceId": c.instance_id, "LoadBalancer": f"app/{c.name}/{stable_hex(c.name, length=16)}"}.get(
        dimension, f"{c.name}-{c.environment}"
    )
    style = stable_int(c.team, "alarm-style") % 3
    alarm = (
        f"{c.name}-{metric}-high",
        f"{c.environment}-{c.name}-{metric}",
        f"awsalarm-{stable_hex(value, metric, length=8)}",
    )[style]
    account = str(100000000000 + stable_int("account", c.environment) % 899999999999)
    labels = {
        "AlarmName": alarm,
        "Namespace": namespace,
        "MetricName": metric,
        dimension: value,
        "Region": c.region,
        "AWSAccountId": account,
    }
    reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [{{v}}] crossed the threshold for {metric}"
        " (minimum 1 datapoint for OK -> ALARM transition)."
    )
    return [
        AlertIdentity(
            source="cloudwatch",
            title=alarm,
            severity="ALARM",
            service="",
            environment="",
            resource=value,
            labels=labels,
            annotations={"AlarmArn": f"arn:aws:cloudwatch:{c.region}:{account}:alarm:{alarm}"},
            description=reason,
            value_range=bounds,
            value_decimals=1,
            component=c.index,
        )
    ]


def zabbix(kind: str, c: Component, topology: Topology, rng: random.Random) -> list[AlertIdentity]:
    host = c.hosts[0] if c.hosts else c.name
    engine = engine_of(c)
    triggers = {
        "availability": (f"Zabbix agent on {host} is unreachable for 5 minutes", "Disaster", "{v} min"),
        "saturation": ("High CPU utilization (over 90% for 5m)", "Average", "{v}%"),
        "disk": ("/var/lib: Disk space is critically low (used > 95%)", "High", "{v}% used"),
        "latency": ("High ICMP ping response time", "Warning", "{v} ms"),
    }
    if c.layer == "network":
        triggers["availability"] = (f"Interface Gi1/0/{stable_int(c.name) % 48 + 1}(uplink): Link down", "High", "{v}")
    if c.layer == "database":
        triggers["availability"] = (f"{engine.capitalize()}: Service is down", "Disaster", "{v}")
        triggers["saturation"] = (f"{engine.capitalize()}: Too many connections (over 90%)", "Average", "{v}%")
    if kind not in triggers or c.layer not in ("host", "network", "database"):
        return []
    title, severity, value = triggers[kind]
    trigger_id = str(20000 + stable_int("trigger", host, title) % 80000)
    group = {"network": "Network devices", "database": "Databases"}.get(c.layer, "Linux servers")
    return [
        AlertIdentity(
            source="zabbix",
            title=title,
            severity=severity,
            service="",
            environment="",
            resource=host,
            labels={"host": host, "hostgroup": group, "trigger_id": trigger_id},
            annotations={
                "event_id": str(rng.randint(10**7, 10**8)),
                "trigger_url": f"https://zabbix.example.com/tr_events.php?triggerid={trigger_id}",
            },
            description=f"Last value: {value}",
            value_range=(1, 99),
            value_decimals=1,
            component=c.index,
        )
    ]


def nagios(kind: str, c: Component, topology: Topology, rng: random.Random) -> list[AlertIdentity]:
    host = c.hosts[0] if c.hosts else c.name
    checks = {
        "availability": ("", "DOWN", "PING CRITICAL - Packet loss = {v}%", (60, 100)),
        "disk": ("Disk /var", "CRITICAL", "DISK CRITICAL - free space: /var {v} MB (3% inode=81%):", (100, 900)),
        "saturation": ("CPU Load", "WARNING", "WARNING - load average: {v}, 7.10, 6.32", (8, 40)),
    }
    if c.layer == "edge":
        checks = {
            "availability": (
                "HTTP",
                "CRITICAL",
                "HTTP CRITICAL: HTTP/1.1 503 Service Unavailable - {v} bytes",
                (200, 900),
            ),
            "latency": (
                "HTTP",
                "WARNING",
                "HTTP WARNING: HTTP/1.1 200 OK - 48211 bytes in {v} second response time",
                (3, 20),
            ),
            "cert_expiry": (
                "SSL Cert",
                "WARNING",
                f"SSL WARNING - Certificate '{c.name}' expires in {{v}} day(s)",
                (1, 20),
            ),
        }
    if kind not in checks or c.layer not in ("host", "network", "edge"):
        return []
    service, severity, output, bounds = checks[kind]
    subject = f"Host {host}" if not service else f"{host}/{service}"
    return [
        AlertIdentity(
            source="nagios",
            title=f"{subject} is {severity}",
            resolved_title=f"{subject} is {'UP' if not service else 'OK'}",
            severity=severity,
            service="",
            environment="",
            resource=host,
            labels={"host": host, "service_description": service, "state_type": "HARD"},
            annotations={"notification_type": "PROBLEM"},
            description=output,
            value_range=bounds,
            value_decimals=0,
            component=c.index,
        )
    ]


def synthetic(kind: str, c: Component, topology: Topology, rng: random.Random) -> list[AlertIdentity]:
    if c.layer not in ("edge", "frontend") or kind not in (
        "availability",
        "latency",
        "cert_expiry",
        "synthetic",
        "error_rate",
    ):
        return []
    check_name = f"{c.name} {'homepage' if c.layer == 'frontend' else 'health'}"
    check_id = stable_hex("check", c.environment, c.name, length=10)
    state, text = {
        "latency": ("DEGRADED", "response time {v} ms from 3 locations"),
        "cert_expiry": ("DEGRADED", "certificate expires in {v} days"),
    }.get(kind, ("DOWN", "failed from {v} of 6 locations: HTTP 503"))
    bounds = {"latency": (2500.0, 15000.0), "cert_expiry": (1.0, 14.0)}.get(kind, (2.0, 6.0))
    return [
        AlertIdentity(
            source="synthetic",
            title=f"{check_name} is {state}",
            resolved_title=f"{check_name} is UP",
            severity=state,
            service=c.name if c.tidy_labels else "",
            environment=c.environment if c.tidy_labels else "",
            resource=url_of(c),
            labels={"check_id": check_id, "check_name": check_name, "url": url_of(c), "check_kind": kind},
            annotations={"result_url": f"https://synthetics.example.com/checks/{check_id}"},
            description=text,
            value_range=bounds,
            value_decimals=0,
            component=c.index,
        )
    ]
