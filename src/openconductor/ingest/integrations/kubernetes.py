"""Kubernetes events from kubernetes-event-exporter's webhook receiver: each Warning event is an alert.

Normal events are dropped, except the few that plainly end an earlier warning on the same object
(Scheduled ends FailedScheduling, SuccessfulAttachVolume ends FailedAttachVolume, SuccessfulCreate ends FailedCreate).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.core.severity import map_severity
from openconductor.ingest.base import (
    IDENTITY_LIMITS,
    IntegrationInfo,
    ProblemCollector,
    build_event,
    describe,
    parse_each,
)
from openconductor.ingest.fields import first_label

INFO = IntegrationInfo(
    slug="kubernetes",
    name="Kubernetes events (kubernetes-event-exporter)",
    docs="docs/integrations/kubernetes.md",
    quality="silver",
    maps="Warning events; involvedObject kind/namespace/name and labels, reason, message, timestamps, count, "
    "source, clusterName; a few Normal reasons resolve their warning",
)

ONE_ALERT_PER_REQUEST = "kubernetes-event-exporter's webhook receiver posts one event per request"

SOURCE = "kubernetes"
_FINGERPRINT_PREFIX = "kubernetes:"
# A Normal event that means an earlier Warning on the same object is over; nothing vaguer than these.
RESOLVES = {
    "Scheduled": ("FailedScheduling",),
    "SuccessfulAttachVolume": ("FailedAttachVolume",),
    "SuccessfulCreate": ("FailedCreate",),
}
# Warnings about lost capacity or killed workloads rank above the shared table's `warning`.
HIGH_REASONS = frozenset({"OOMKilling", "SystemOOM", "Evicted", "EvictionThresholdMet", "NodeNotReady", "Rebooted"})
SERVICE_LABELS = ("app.kubernetes.io/name", "app", "k8s-app", "name")
ENVIRONMENT_LABELS = ("environment", "env")
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service"})
# Generated names: <deployment>-<replicaset hash>-<pod suffix>, <statefulset>-<ordinal>, <deployment>-<hash>.
_POD_OF_DEPLOYMENT = re.compile(r"(.+)-[a-z0-9]{6,10}-[a-z0-9]{5}")
_POD_OF_STATEFULSET = re.compile(r"(.+)-\d+")
_REPLICASET = re.compile(r"(.+)-[a-z0-9]{6,10}")


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    if not isinstance(payload, list):
        return _parse_event(payload, prefix="", received_at=received_at)
    return parse_each(payload, lambda index, item: _parse_event(item, prefix=f"[{index}].", received_at=received_at))


def _parse_event(event: Any, *, prefix: str, received_at: datetime) -> list[AlertEvent]:
    if not isinstance(event, Mapping):
        raise InvalidPayload([FieldProblem(prefix.rstrip(".") or "body", "a Kubernetes Event object", describe(event))])
    check = ProblemCollector(prefix)
    kind_of_event = check.text(event, "type", required=True)
    if kind_of_event is not None and kind_of_event not in ("Normal", "Warning"):
        check.add("type", "one of Normal, Warning", kind_of_event)
    reason = check.text(event, "reason", required=True, max_length=128) or ""
    check.raise_if_any()
    resolved_reasons = RESOLVES.get(reason, ()) if kind_of_event == "Normal" else (reason,)
    if not resolved_reasons:
        return []  # a Normal event that ends nothing
    involved = event.get("involvedObject")
    if not isinstance(involved, Mapping):
        raise InvalidPayload([FieldProblem(f"{prefix}involvedObject", "an object reference", describe(involved))])
    obj = ProblemCollector(f"{prefix}involvedObject.")
    kind = obj.text(involved, "kind", required=True)
    name = obj.text(involved, "name", required=True, max_length=IDENTITY_LIMITS["resource"])
    namespace = obj.text(involved, "namespace") or ""
    object_labels = obj.string_map(involved, "labels")
    check.problems.extend(obj.problems)
    message = check.text(event, "message") or ""
    cluster = check.text(event, "clusterName") or ""
    count = event.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
        check.add("count", "an integer", count)
    times = {key: check.timestamp(event, key) for key in ("firstTimestamp", "lastTimestamp", "eventTime")}
    metadata = _mapping(event.get("metadata"))
    created = ProblemCollector().timestamp(metadata, "creationTimestamp")
    source = _mapping(event.get("source"))
    component = _text(event.get("reportingComponent")) or _text(source.get("component"))
    node = _text(source.get("host"))
    service = _service(kind or "", name or "", object_labels)
    environment = first_label(object_labels, ENVIRONMENT_LABELS) or cluster
    for field, value in (("service", service), ("environment", environment)):
        if value:
            check.within(_field_of(field, value, object_labels, cluster), value, IDENTITY_LIMITS[field])
    check.raise_if_any()
    assert kind is not None and name is not None
    labels = {
        **object_labels,
        **{
            key: value
            for key, value in (
                ("namespace", namespace),
                ("kind", kind),
                ("cluster", cluster),
                ("reporting_component", component),
                ("node", node),
            )
            if value
        },
    }
    annotations = {
        key: value
        for key, value in (
            ("message", message),
            ("count", str(count) if isinstance(count, int) and not isinstance(count, bool) else ""),
            ("event_name", _text(metadata.get("name"))),
            ("field_path", _text(involved.get("fieldPath"))),
            ("involved_object_uid", _text(involved.get("uid"))),
            ("first_timestamp", _text(event.get("firstTimestamp"))),
            ("last_timestamp", _text(event.get("lastTimestamp"))),
        )
        if value
    }
    where = f"{namespace}/{name}" if namespace else name
    started = times["firstTimestamp"] or times["eventTime"] or times["lastTimestamp"] or created
    latest = times["lastTimestamp"] or times["eventTime"] or times["firstTimestamp"] or created
    status = AlertStatus.RESOLVED if kind_of_event == "Normal" else AlertStatus.FIRING
    return [
        build_event(
            source=SOURCE,
            status=status,
            severity=Severity.HIGH if warning_reason in HIGH_REASONS else map_severity("warning"),
            title=f"{kind} {where}: {warning_reason}",
            description=message,
            service=service,
            resource=name,
            environment=environment or None,
            labels={**labels, "reason": warning_reason},
            annotations=annotations if status is AlertStatus.FIRING else {**annotations, "resolved_by": reason},
            starts_at=started if status is AlertStatus.FIRING else None,
            ends_at=(latest or received_at) if status is AlertStatus.RESOLVED else None,
            fingerprint=fingerprint_of(
                cluster=cluster, kind=kind, namespace=namespace, name=name, reason=warning_reason
            ),
            received_at=received_at,
            raw=event,
        )
        for warning_reason in resolved_reasons
    ]


def fingerprint_of(*, cluster: str, kind: str, namespace: str, name: str, reason: str) -> str:
    """One alert per object and warning reason, whatever the message says (it often carries counts)."""
    key = "/".join((cluster, kind, namespace, name, reason))
    if len(_FINGERPRINT_PREFIX) + len(key) > IDENTITY_LIMITS["fingerprint"]:
        key = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{_FINGERPRINT_PREFIX}{key}"


def _service(kind: str, name: str, labels: Mapping[str, str]) -> str | None:
    """The workload an object belongs to: its app label, else the owner its generated name points at."""
    labelled = first_label(labels, SERVICE_LABELS)
    if labelled:
        return labelled
    if kind in WORKLOAD_KINDS:
        return name
    patterns = {"Pod": (_POD_OF_DEPLOYMENT, _POD_OF_STATEFULSET), "ReplicaSet": (_REPLICASET,)}
    for pattern in patterns.get(kind, ()):
        match = pattern.fullmatch(name)
        if match:
            return match.group(1)
    return None


def _field_of(field: str, value: str, labels: Mapping[str, str], cluster: str) -> str:
    names = SERVICE_LABELS if field == "service" else ENVIRONMENT_LABELS
    label = next((key for key in names if labels.get(key) == value), None)
    if label is not None:
        return f"involvedObject.labels.{label}"
    return "clusterName" if field == "environment" and value == cluster else "involvedObject.name"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
