"""Grafana Alerting (unified alerting) webhook contact point, payload version "1": every alert in it.

Labels and annotations as Alertmanager's, `values` as `value.<refId>` annotations, Grafana's own
fingerprint scoped by `orgId`, and every link (relative ones resolved against `externalURL`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus
from openconductor.core.severity import map_severity
from openconductor.ingest.base import (
    IDENTITY_LIMITS,
    HmacSignature,
    IntegrationInfo,
    ProblemCollector,
    build_event,
    describe,
    require_object,
)
from openconductor.ingest.integrations.alertmanager import (
    ENVIRONMENT_LABELS,
    RESOURCE_LABELS,
    SERVICE_LABELS,
    first_label,
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

# Grafana, like Alertmanager, writes this zero time as endsAt of firing alerts.
_ZERO_TIME_PREFIX = "0001-01-01"
_SOURCE = "grafana"
_LINKS = (
    ("generatorURL", "generator_url"),
    ("silenceURL", "silence_url"),
    ("dashboardURL", "dashboard_url"),
    ("panelURL", "panel_url"),
    ("imageURL", "image_url"),
)
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")


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
    events: list[AlertEvent] = []
    problems: list[FieldProblem] = []
    for index, alert in enumerate(alerts):
        try:
            events.append(
                _parse_alert(
                    alert, index=index, received_at=received_at, external_url=external_url, fingerprint_prefix=prefix
                )
            )
        except InvalidPayload as error:
            problems.extend(error.problems)
    if problems:
        raise InvalidPayload(problems)
    return events


def _parse_alert(
    alert: Any, *, index: int, received_at: datetime, external_url: str | None, fingerprint_prefix: str
) -> AlertEvent:
    if not isinstance(alert, Mapping):
        raise InvalidPayload([FieldProblem(f"alerts[{index}]", "an alert object", describe(alert))])
    check = ProblemCollector(f"alerts[{index}].")
    labels = check.string_map(alert, "labels")
    annotations = check.string_map(alert, "annotations")
    values = _values(check, alert)
    status_word = (check.text(alert, "status") or "firing").lower()
    if status_word not in ("firing", "resolved"):
        check.add("status", "one of firing, resolved", status_word)
    starts_at = check.timestamp(alert, "startsAt")
    ends_raw = alert.get("endsAt")
    ends_at = None
    if not (isinstance(ends_raw, str) and ends_raw.startswith(_ZERO_TIME_PREFIX)):
        ends_at = check.timestamp(alert, "endsAt")
    fingerprint = check.text(alert, "fingerprint", max_length=IDENTITY_LIMITS["fingerprint"] - len(fingerprint_prefix))
    conventions = (("service", SERVICE_LABELS), ("resource", RESOURCE_LABELS), ("environment", ENVIRONMENT_LABELS))
    for field, names in conventions:
        name = next((name for name in names if labels.get(name)), None)
        if name is not None:
            check.within(f"labels.{name}", labels[name], IDENTITY_LIMITS[field])
    links = {name: resolve_url(check.text(alert, key), external_url) for key, name in _LINKS}
    check.raise_if_any()
    status = AlertStatus.RESOLVED if status_word == "resolved" else AlertStatus.FIRING
    if status is AlertStatus.FIRING:
        # A firing alert's endsAt is only when Grafana would consider it stale, not an end.
        ends_at = None
    elif ends_at is None:
        ends_at = received_at
    links["grafana_url"] = external_url
    extra = {f"value.{ref}": value for ref, value in values.items()}
    extra.update({name: url for name, url in links.items() if url})
    return build_event(
        source=_SOURCE,
        status=status,
        severity=map_severity(labels.get("severity")),
        title=annotations.get("summary") or labels.get("alertname") or "Grafana alert",
        description=annotations.get("description", ""),
        service=first_label(labels, SERVICE_LABELS),
        resource=first_label(labels, RESOURCE_LABELS),
        environment=first_label(labels, ENVIRONMENT_LABELS),
        labels=labels,
        annotations={**annotations, **extra},
        starts_at=starts_at,
        ends_at=ends_at,
        fingerprint=f"{fingerprint_prefix}{fingerprint}" if fingerprint else None,
        received_at=received_at,
        raw=alert,
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


def resolve_url(url: str | None, external_url: str | None) -> str | None:
    """`url` as an absolute URL: Grafana may send paths such as `/d/abc`, relative to its externalURL.

    The path is appended to the externalURL's own path, because a Grafana served under a sub-path
    (`https://host/grafana/`) still writes its links from its root.
    """
    if not url:
        return None
    if _HAS_SCHEME.match(url) or not external_url or not _HAS_SCHEME.match(external_url):
        return url
    return f"{external_url.rstrip('/')}/{url.lstrip('/')}"
