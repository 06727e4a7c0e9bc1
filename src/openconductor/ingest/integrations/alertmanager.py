"""Prometheus Alertmanager webhook receiver (payload version "4"): every alert in the notification.

Label conventions: `service` from service/app/job, `resource` from instance/pod/host/node,
`environment` from environment/env/stage; `severity` label mapped by the shared table; the
title is the `summary` annotation, else the alert name. Alertmanager's own fingerprint is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus
from openconductor.core.severity import map_severity
from openconductor.ingest.base import (
    IDENTITY_LIMITS,
    IntegrationInfo,
    ProblemCollector,
    build_event,
    describe,
    parse_each,
    require_object,
)
from openconductor.ingest.fields import first_label, first_label_name

INFO = IntegrationInfo(
    slug="alertmanager",
    name="Prometheus Alertmanager",
    docs="docs/integrations/alertmanager.md",
    quality="gold",
    maps="labels, annotations, status, startsAt/endsAt, fingerprint; service/resource/environment from label conventions; generatorURL",
)

SERVICE_LABELS = ("service", "app", "app_kubernetes_io_name", "job")
RESOURCE_LABELS = ("instance", "pod", "host", "hostname", "node")
ENVIRONMENT_LABELS = ("environment", "env", "stage")
_CONVENTIONS = (("service", SERVICE_LABELS), ("resource", RESOURCE_LABELS), ("environment", ENVIRONMENT_LABELS))
# Alertmanager (and Grafana) write this zero time as endsAt of firing alerts.
_ZERO_TIME_PREFIX = "0001-01-01"
_FINGERPRINT_PREFIX = "alertmanager:"


class AlertState(NamedTuple):
    """An alert's status, times and fingerprint, as checked by alert_state."""

    status: AlertStatus
    starts_at: datetime | None
    ends_at: datetime | None
    fingerprint: str | None


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    body = require_object(payload, what="an Alertmanager webhook notification")
    alerts = body.get("alerts")
    if not isinstance(alerts, list):
        raise InvalidPayload([FieldProblem("alerts", "an array of alerts", describe(alerts))])
    external_url = body.get("externalURL") if isinstance(body.get("externalURL"), str) else None
    return parse_each(
        alerts,
        lambda index, alert: _parse_alert(alert, index=index, received_at=received_at, external_url=external_url),
    )


def alert_state(
    check: ProblemCollector, alert: Mapping[str, Any], labels: Mapping[str, str], *, fingerprint_prefix: str
) -> AlertState:
    """Status, startsAt, endsAt and fingerprint of an alert in Alertmanager's format, which Grafana's webhook shares,
    and the conventional labels checked against the store's column widths."""
    status_word = (check.text(alert, "status") or "firing").lower()
    if status_word not in ("firing", "resolved"):
        check.add("status", "one of firing, resolved", status_word)
    starts_at = check.timestamp(alert, "startsAt")
    ends_raw = alert.get("endsAt")
    ends_at = None
    if not (isinstance(ends_raw, str) and ends_raw.startswith(_ZERO_TIME_PREFIX)):
        ends_at = check.timestamp(alert, "endsAt")
    fingerprint = check.text(alert, "fingerprint", max_length=IDENTITY_LIMITS["fingerprint"] - len(fingerprint_prefix))
    for field, names in _CONVENTIONS:
        name = first_label_name(labels, names)
        if name is not None:
            check.within(f"labels.{name}", labels[name], IDENTITY_LIMITS[field])
    status = AlertStatus.RESOLVED if status_word == "resolved" else AlertStatus.FIRING
    return AlertState(
        status=status,
        starts_at=starts_at,
        # A firing alert's endsAt is when it would expire or go stale, not an end.
        ends_at=ends_at if status is AlertStatus.RESOLVED else None,
        fingerprint=f"{fingerprint_prefix}{fingerprint}" if fingerprint else None,
    )


def _parse_alert(alert: Any, *, index: int, received_at: datetime, external_url: str | None) -> AlertEvent:
    if not isinstance(alert, Mapping):
        raise InvalidPayload([FieldProblem(f"alerts[{index}]", "an alert object", describe(alert))])
    check = ProblemCollector(f"alerts[{index}].")
    labels = check.string_map(alert, "labels")
    annotations = check.string_map(alert, "annotations")
    state = alert_state(check, alert, labels, fingerprint_prefix=_FINGERPRINT_PREFIX)
    generator_url = check.text(alert, "generatorURL")
    check.raise_if_any()
    title = annotations.get("summary") or labels.get("alertname") or "Alertmanager alert"
    links = {"generator_url": generator_url or "", "alertmanager_url": external_url or ""}
    return build_event(
        source="alertmanager",
        status=state.status,
        severity=map_severity(labels.get("severity")),
        title=title,
        description=annotations.get("description", ""),
        service=first_label(labels, SERVICE_LABELS),
        resource=first_label(labels, RESOURCE_LABELS),
        environment=first_label(labels, ENVIRONMENT_LABELS),
        labels=labels,
        annotations={**annotations, **{key: value for key, value in links.items() if value}},
        starts_at=state.starts_at,
        ends_at=state.ends_at,
        fingerprint=state.fingerprint,
        received_at=received_at,
        raw=alert,
        keeps_start=True,
    )
