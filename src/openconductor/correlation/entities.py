"""Which component an alert is about, and in which environment, read from sparse and varied labels.

Real alerts name their subject in many ways: a `service` label, a pod name with a ReplicaSet suffix,
a host, an `instance` with a port, a load balancer path, a synthetic check's URL, an alarm name
that starts with the host. This module turns those into candidate names, most specific first, and
infers the environment from words such as prod/staging/dev in any identifying value. With a
topology, the first candidate that names a known component wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from functools import lru_cache
from itertools import pairwise
from urllib.parse import urlsplit

from openconductor.core.models import Alert

ENVIRONMENT_WORDS = {
    "prod": "prod",
    "production": "prod",
    "prd": "prod",
    "live": "prod",
    "staging": "staging",
    "stage": "staging",
    "stg": "staging",
    "dev": "dev",
    "development": "dev",
    "qa": "qa",
    "test": "test",
    "uat": "uat",
    "sandbox": "sandbox",
}
ENVIRONMENT_LABELS = ("environment", "env", "stage", "deployment_environment", "deployment.environment")
# Labels whose values may carry an environment word (cluster names, namespaces, hosts, URLs).
ENVIRONMENT_HINT_LABELS = (
    "cluster",
    "kube_cluster_name",
    "k8s_cluster",
    "namespace",
    "kube_namespace",
    "host",
    "hostname",
    "url",
    "instance",
    "node",
)
SERVICE_LABELS = (
    "service",
    "service_name",
    "app",
    "app_kubernetes_io_name",
    "application",
    "deployment",
    "kube_deployment",
    "statefulset",
    "daemonset",
    "cronjob",
    "job_name",
)
RESOURCE_LABELS = ("pod", "host", "hostname", "node", "instance", "InstanceId", "device", "url", "LoadBalancer")
_RESOURCE_IS_POD = tuple(key == "pod" for key in RESOURCE_LABELS)
# The other labels `candidate_names` reads: the scraping job (to tell an agent from its subject), the
# container, and a CloudWatch alarm's name.
JOB_LABEL = "job"
CONTAINER_LABEL = "container"
ALARM_LABEL = "AlarmName"
# Every label `candidate_names` and `infer_environment` read, each once (see `identity`).
IDENTITY_LABELS = tuple(
    dict.fromkeys(
        (
            JOB_LABEL,
            CONTAINER_LABEL,
            ALARM_LABEL,
            *SERVICE_LABELS,
            *RESOURCE_LABELS,
            *ENVIRONMENT_LABELS,
            *ENVIRONMENT_HINT_LABELS,
        )
    )
)

# Kubernetes names generated pods from a "safe" alphabet without vowels, so ordinary words such as
# "exporter" or "gateway" are never taken for a ReplicaSet hash or a pod suffix.
_SAFE = "[bcdfghjklmnpqrstvwxz2456789]"
_POD_SUFFIX = re.compile(rf"^(?P<name>.+?)-(?:{_SAFE}{{6,10}}-)?{_SAFE}{{5}}$")
_STATEFUL_SUFFIX = re.compile(r"^(?P<name>.+)-(?:0|[1-9][0-9]{0,2})$")
_PORT = re.compile(r":\d{1,5}$")
# A host's private address and the name EC2 gives it spell the same numbers: node-exporter's alerts carry
# `instance="10.0.1.5:9100"` where kube-state-metrics' say `node="ip-10-0-1-5.eu-west-1.compute.internal"`.
_IPV4 = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})")
_EC2_PRIVATE_NAME = re.compile(r"ip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(?:\..+)?")
_TOKENS = re.compile(r"[^a-z0-9]+")


def normalize_name(value: str) -> str:
    """Strip what varies between instances of one component: ports, URL parts, pod suffixes."""
    text = value.strip().lower()
    if "://" in text:
        try:
            host = urlsplit(text).hostname or text
        except ValueError:
            # A malformed URL (an unclosed IPv6 bracket) still names something: keep its host part.
            host = text.split("://", 1)[1].split("/", 1)[0]
        text = host.split(".")[0]
    text = _PORT.sub("", text)
    if text.count("/") >= 2 and text.startswith(("app/", "net/", "targetgroup/")):
        # Cloud load balancer paths: app/<name>/<id>
        text = text.split("/")[1]
    return text


def host_alias(name: str) -> str | None:
    """`10.0.1.5` and `ip-10-0-1-5.ec2.internal` -> `ip-10-0-1-5`, the name both spell; None for other names."""
    match = _IPV4.fullmatch(name) or _EC2_PRIVATE_NAME.fullmatch(name)
    return "ip-" + "-".join(match.groups()) if match else None


def workload_of(pod: str) -> str | None:
    """`checkout-7f9c6d5b8-x2k4p` -> `checkout`; None when the name has no Kubernetes suffix."""
    match = _POD_SUFFIX.match(pod)
    return match["name"] if match else None


def stateful_workload_of(pod: str) -> str | None:
    """`redis-0` -> `redis`: only for names known to be pods (hosts end in numbers too)."""
    match = _STATEFUL_SUFFIX.match(pod)
    return match["name"] if match else None


def candidate_names(alert: Alert) -> list[str]:
    """Names that may identify the alert's component, most specific and most trusted first."""
    names: list[str] = []
    labels = alert.labels
    # The monitoring agent that reported the alert is not its subject: kube-state-metrics' alerts carry
    # the agent's service, job and instance beside the pod or node they are about. Agents come last.
    agents: list[str] = []
    job = labels.get(JOB_LABEL)
    agent_instance = labels.get("instance") if job and "kube-state-metrics" in job else None
    # Most of these labels are absent from any one alert: fetched together, and each value present
    # named through `_names_of`, which remembers the names of values seen before.
    for value in (alert.service, *map(labels.get, SERVICE_LABELS), alert.resource):
        if value:
            _add_names(names, agents, value, pod=False, agent=value == agent_instance)
    for pod, value in zip(_RESOURCE_IS_POD, map(labels.get, RESOURCE_LABELS), strict=True):
        if value:
            _add_names(names, agents, value, pod=pod, agent=value == agent_instance)
    # A container's name is often an abbreviation of its workload ("pricing" in the pods of "pricing-grpc"):
    # it names the component only when nothing else does.
    container = labels.get(CONTAINER_LABEL)
    if container:
        _add_names(names, agents, container, pod=False, agent=False)
    for name in agents:
        if name not in names:
            names.append(name)
    # Alarm and check names often start with their subject: "<host>-CPUUtilization-high", "<host>/HTTP".
    alarm = labels.get(ALARM_LABEL)
    head = first_word(alarm).lower() if alarm else ""
    for name in (head, *title_names(alert.title)):
        if name and name not in names:
            names.append(name)
    return names


def _add_names(names: list[str], agents: list[str], value: str, *, pod: bool, agent: bool) -> None:
    found = _names_of(value, pod)
    target = agents if agent or (found and _is_agent(found[0])) else names
    for name in found:
        if name not in target:
            target.append(name)


def _is_agent(name: str) -> bool:
    """A monitoring agent's own name (`kube-prometheus-stack-kube-state-metrics`, `node-exporter`, `kubelet`)."""
    return "kube-state-metrics" in name or name.endswith("exporter") or name in ("kubelet", "cadvisor")


@lru_cache(maxsize=65_536)
def title_names(title: str) -> tuple[str, ...]:
    """What a title names: its first word when that looks like a name (`checkout-api p99 latency`,
    `db-1/Disk /var is CRITICAL`), then the word after "on" or "for" (`High CPU on db-1`). Ordinary words
    never count: "High latency on api-7f9c" and "High CPU on db-1" are not both about "high"."""
    found: list[str] = []
    head = title_head(title)
    if _looks_like_a_name(head):
        found.append(head.lower())
    words = title.split()
    for before, word in pairwise(words):
        if before.lower() in ("on", "for"):
            subject = word.rstrip(".,;:!?)")
            if _looks_like_a_name(subject) and subject.lower() not in found:
                found.append(subject.lower())
            break
    return tuple(found)


def title_head(title: str) -> str:
    """The first word of a title after its tags: "[P2] checkout-api ..." and "[FIRING:1] db-1 ..." start with a name."""
    return first_word(_TAGS.sub("", title))


_NAME_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9._:-]*")
_TAGS = re.compile(r"^(?:\s*(?:\[[^\]]*\]|\([^)]*\)))+\s*")


def _looks_like_a_name(word: str) -> bool:
    """An identifier rather than a word: `db-1`, `checkout_api`, `web01`, `i-0a1b`; not `High` or `[P2]`."""
    return _NAME_LIKE.fullmatch(word) is not None and (
        any(mark in word for mark in "-_.:") or any(character.isdigit() for character in word)
    )


# Values tools send when they know no name: taken for one, they would make every such alert one component.
PLACEHOLDERS = frozenset(
    {"unknown", "none", "null", "nil", "n/a", "na", "-", "--", "?", "undefined", "default", "(none)", "<none>", "tbd"}
)


# A machine's name for itself: exporters misconfigured to scrape themselves report it from every host.
LOOPBACK = frozenset({"localhost", "localhost.localdomain", "127.0.0.1", "::1", "[::1]", "0.0.0.0"})


def is_placeholder(value: str) -> bool:
    return value.strip().lower() in PLACEHOLDERS


@lru_cache(maxsize=65_536)
def _names_of(value: str, pod: bool) -> tuple[str, ...]:
    """The workload a generated name belongs to (a pod, a replica), then the name itself: the pods of
    one deployment come and go, and alerts about any of them are about the deployment. Nothing for a
    placeholder ("unknown", "n/a")."""
    if is_placeholder(value):
        return ()
    name = normalize_name(value)
    if name in LOOPBACK:
        return ()
    alias = host_alias(name)
    if alias is not None:
        # The name an address and EC2's host name share first, so that either way the host is one component.
        return (alias, name) if alias != name else (alias,)
    workload = workload_of(name) or (stateful_workload_of(name) if pod else None)
    return tuple(found for found in (workload, name) if found)


def first_word(text: str) -> str:
    """What an alarm or check name starts with: the text before the first '/' and space."""
    return text.partition("/")[0].partition(" ")[0]


def identity(alert: Alert) -> Hashable:
    """Everything `candidate_names` and `infer_environment` read from an alert: alerts with equal
    identities have the same candidate names and environment (the title counts by the names in it).

    Only the labels they read count (`IDENTITY_LABELS`, absent ones as None, which is how both read
    them): alerts of one component that differ in other labels (a monitor id, a rule's threshold) share
    an identity, so its component is worked out once (a quarter fewer times on the enterprise simulation)."""
    labels = tuple(map(alert.labels.get, IDENTITY_LABELS))
    return (alert.service, alert.resource, alert.environment, title_names(alert.title), labels)


def environment_words(values: Iterable[str | None]) -> str | None:
    for value in values:
        if value:
            known = _environment_word(value)
            if known:
                return known
    return None


@lru_cache(maxsize=65_536)
def _environment_word(value: str) -> str | None:
    """The first environment word among the value's words (hosts and clusters repeat: remembered)."""
    for token in _TOKENS.split(value.lower()):
        known = ENVIRONMENT_WORDS.get(token)
        if known:
            return known
    return None


def infer_environment(alert: Alert) -> str | None:
    if alert.environment and not is_placeholder(alert.environment):
        return ENVIRONMENT_WORDS.get(alert.environment.lower(), alert.environment.lower())
    labels = alert.labels
    for key in ENVIRONMENT_LABELS:
        value = labels.get(key)
        if value and not is_placeholder(value):
            return ENVIRONMENT_WORDS.get(value.lower(), value.lower())
    return environment_words([*(labels.get(key) for key in ENVIRONMENT_HINT_LABELS), alert.resource])


@lru_cache(maxsize=65_536)
def without_environment(name: str, environment: str) -> str:
    """`inventory-topic-dev` in dev -> `inventory-topic`, `dev-images-redis` -> `images-redis`: resources are
    often named after their environment, which the entity already holds apart."""
    for separator in "-_":
        head, _, rest = name.partition(separator)
        if rest and ENVIRONMENT_WORDS.get(head) == environment:
            return rest
        rest, _, tail = name.rpartition(separator)
        if rest and ENVIRONMENT_WORDS.get(tail) == environment:
            return rest
    return name


def longest_known_prefix(text: str, known: Callable[[str], bool]) -> str | None:
    """The longest '-'-separated prefix of `text` that `known` accepts (alarm names start with hosts)."""
    parts = text.split("-")
    for size in range(len(parts), 0, -1):
        candidate = "-".join(parts[:size])
        if known(candidate):
            return candidate
    return None
