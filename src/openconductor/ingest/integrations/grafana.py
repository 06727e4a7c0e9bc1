"""Grafana Alerting (unified alerting) webhook contact point, payload version "1": every alert in it.

Labels and annotations as Alertmanager's, `values` as `value.<refId>` annotations, Grafana's own
fingerprint scoped by `orgId`, and every link (relative ones resolved against `externalURL`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus
from openconductor.core.severity import map_severity
from openconductor.ingest.base import (
    HmacSignature,
    IntegrationInfo,
    ProblemCollector,
    build_event,
    describe,
    parse_each,
    require_object,
)
from openconductor.ingest.fields import first_label, resolve_url
from openconductor.ingest.integrations.alertmanager import (
    ENVIRONMENT_LABELS,
    RESOURCE_LABELS,
    SERVICE_LABELS,
    alert_state,
)

INFO = IntegrationInfo(
    slug="grafana",
    name="Grafana Alerting",
    docs="docs/integrations/grafana.md",
    quality="gold",
    maps="labels, annotations, values, status, startsAt/endsAt, fingerprint+orgId; service/resource/environment "
    "from label conventions; generator/silence/dashboard/panel/image URLs",
)

# Grafana signs HMAC-SHA256 in lower-case hex over the body, or over "<unix seconds>:<body>" when a
# timestamp header is configured. The timestamp header has no default name in Grafana, so the docs
# page asks for this one.
SIGNATURE = HmacSignature(header="X-Grafana-Alerting-Signature", timestamp_header="X-Grafana-Alerting-Timestamp")

_SOURCE = "grafana"
_LINKS = (
    ("generatorURL", "generator_url"),
    ("silenceURL", "silence_url"),
    ("dashboardURL", "dashboard_url"),
    ("panelURL", "panel_url"),
    ("imageURL", "image_url"),
)


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    body = require_object(payload, what="a Grafana Alerting webhook notification")
    check = ProblemCollector()
    alerts = body.get("alerts")
    if not isinstance(alerts, list):
        check.add("alerts", "an array of alerts", alerts)
    external_url = check.text(body, "externalURL")
    org_id = body.get("orgId")
    if org_id is not None and (isinstance(org_id, bool) or not isinstance(org_id, int)):
        check.add("orgId", "an integer organization id", org_id)
        org_id = None
    check.raise_if_any()
    assert isinstance(alerts, list)
    prefix = f"{_SOURCE}:{org_id}:" if org_id is not None else f"{_SOURCE}:"
    return parse_each(
        alerts,
        lambda index, alert: _parse_alert(
            alert, index=index, received_at=received_at, external_url=external_url, fingerprint_prefix=prefix
        ),
    )


def _parse_alert(
    alert: Any, *, index: int, received_at: datetime, external_url: str | None, fingerprint_prefix: str
) -> AlertEvent:
    if not isinstance(alert, Mapping):
        raise InvalidPayload([FieldProblem(f"alerts[{index}]", "an alert object", describe(alert))])
    check = ProblemCollector(f"alerts[{index}].")
    labels = check.string_map(alert, "labels")
    annotations = check.string_map(alert, "annotations")
    values = _values(check, alert)
    state = alert_state(check, alert, labels, fingerprint_prefix=fingerprint_prefix)
    links = {name: resolve_url(check.text(alert, key), external_url) for key, name in _LINKS}
    check.raise_if_any()
    ends_at = state.ends_at
    if state.status is AlertStatus.RESOLVED and ends_at is None:
        ends_at = received_at
    links["grafana_url"] = external_url
    extra = {f"value.{ref}": value for ref, value in values.items()}
    extra.update({name: url for name, url in links.items() if url})
    return build_event(
        source=_SOURCE,
        status=state.status,
        severity=map_severity(labels.get("severity")),
        title=annotations.get("summary") or labels.get("alertname") or "Grafana alert",
        description=annotations.get("description", ""),
        service=first_label(labels, SERVICE_LABELS),
        resource=first_label(labels, RESOURCE_LABELS),
        environment=first_label(labels, ENVIRONMENT_LABELS),
        labels=labels,
        annotations={**annotations, **extra},
        starts_at=state.starts_at,
        ends_at=ends_at,
        fingerprint=state.fingerprint,
        received_at=received_at,
        raw=alert,
        keeps_start=True,
    )


def _values(check: ProblemCollector, alert: Mapping[str, Any]) -> dict[str, str]:
    """The query values that decided the alert's state (refId -> number), as text."""
    values = alert.get("values")
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        check.add("values", "an object of numbers by query refId", values)
        return {}
    result: dict[str, str] = {}
    for ref, value in values.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            result[str(ref)] = repr(value) if isinstance(value, float) else str(value)
        elif isinstance(value, str):
            result[str(ref)] = value
        elif value is not None:
            check.add(f"values.{ref}", "a number", value)
    return result
