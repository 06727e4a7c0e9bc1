"""OpenConductor's own generic format: one alert object, or a JSON array of them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

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
)

INFO = IntegrationInfo(
    slug="generic",
    name="Generic JSON",
    docs="docs/integrations/generic.md",
    quality="gold",
    maps="every field of the normalized alert, by name (docs/alerts.md)",
)

_STATUSES = {"firing": AlertStatus.FIRING, "resolved": AlertStatus.RESOLVED}


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    """Parse one object or an array of objects. Every problem in every element is reported at once."""
    if not isinstance(payload, list):
        return [parse_one(payload, received_at=received_at)]
    if not payload:
        raise InvalidPayload([FieldProblem("body", "a non-empty array of alert objects", "an empty array")])
    return parse_each(payload, lambda index, item: parse_one(item, received_at=received_at, prefix=f"[{index}]."))


def parse_one(item: Any, *, received_at: datetime, prefix: str = "") -> AlertEvent:
    if not isinstance(item, Mapping):
        where = prefix.rstrip(".") or "body"
        raise InvalidPayload([FieldProblem(where, "an alert object", describe(item))])
    check = ProblemCollector(prefix)
    title = check.text(item, "title", required=True)
    status_word = check.text(item, "status")
    status = AlertStatus.FIRING
    if status_word is not None:
        known = _STATUSES.get(status_word.strip().lower())
        if known is None:
            check.add("status", "one of firing, resolved", status_word)
        else:
            status = known
    severity_value = item.get("severity")
    if severity_value is not None and not isinstance(severity_value, (str, int)):
        check.add("severity", "a string such as critical, high, warning, info", severity_value)
    fields = {
        key: check.text(item, key, max_length=IDENTITY_LIMITS[key])
        for key in ("source", "service", "resource", "environment")
    }
    description = check.text(item, "description") or ""
    fingerprint = check.text(item, "fingerprint", max_length=IDENTITY_LIMITS["fingerprint"])
    labels = check.string_map(item, "labels")
    annotations = check.string_map(item, "annotations")
    starts_at = check.timestamp(item, "starts_at")
    ends_at = check.timestamp(item, "ends_at")
    check.raise_if_any()
    assert title is not None  # the collector raised otherwise
    return build_event(
        source=fields["source"] or "generic",
        status=status,
        severity=map_severity(severity_value),
        title=title,
        description=description,
        service=fields["service"],
        resource=fields["resource"],
        environment=fields["environment"],
        labels=labels,
        annotations=annotations,
        starts_at=starts_at,
        ends_at=ends_at,
        fingerprint=fingerprint or None,
        received_at=received_at,
        raw=item,
    )
