"""OpenConductor's own generic format: one alert object, or a JSON array of them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus
from openconductor.core.severity import map_severity
from openconductor.core.timeutil import parse_rfc3339
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
    return _plain_event(item, received_at) or _checked_event(item, received_at, prefix)


_LIMITED = tuple(IDENTITY_LIMITS.items())


def _plain_event(item: Mapping[str, Any], received_at: datetime) -> AlertEvent | None:
    """The event for an item whose every field already has its plain form (what nearly every sender
    sends): the same event `_checked_event` builds, without its per-field bookkeeping. None for
    anything else, which then goes through the checks that decide it and name every problem."""
    get = item.get
    title = get("title")
    if type(title) is not str or not title.strip():
        return None
    for key, limit in _LIMITED:  # source, service, resource, environment, fingerprint
        value = get(key)
        if value is not None and (type(value) is not str or len(value) > limit):
            return None
    status_word = get("status")
    if status_word is None:
        status = AlertStatus.FIRING
    elif type(status_word) is str:
        known = _STATUSES.get(status_word.strip().lower())
        if known is None:
            return None
        status = known
    else:
        return None
    severity_value = get("severity")
    description = get("description")
    if (severity_value is not None and type(severity_value) is not str and type(severity_value) is not int) or (
        description is not None and type(description) is not str
    ):
        return None
    labels = _plain_strings(get("labels"))
    annotations = _plain_strings(get("annotations"))
    if labels is None or annotations is None:
        return None
    try:
        starts_at = _plain_time(get("starts_at"))
        ends_at = _plain_time(get("ends_at"))
    except ValueError:
        return None
    source = get("source")
    return build_event(
        source=source or "generic",
        status=status,
        severity=map_severity(severity_value),
        title=title,
        description=description or "",
        service=get("service"),
        resource=get("resource"),
        environment=get("environment"),
        labels=labels,
        annotations=annotations,
        starts_at=starts_at,
        ends_at=ends_at,
        fingerprint=get("fingerprint") or None,
        received_at=received_at,
        raw=item,
        keeps_start=True,
        start_by_client=True,
    )


def _plain_strings(value: Any) -> dict[str, str] | None:
    """A copy of an absent or all-string object, as `ProblemCollector.string_map` makes it; else None."""
    if value is None:
        return {}
    if type(value) is not dict:
        return None
    for name, item in value.items():
        if type(item) is not str or type(name) is not str:
            return None
    return dict(value)


def _plain_time(value: Any) -> datetime | None:
    """`ProblemCollector.timestamp` for an absent value or a string; raises ValueError for anything else."""
    if value is None or value == "":
        return None
    if type(value) is not str:
        raise ValueError("not a string")
    return parse_rfc3339(value)


def _checked_event(item: Mapping[str, Any], received_at: datetime, prefix: str) -> AlertEvent:
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
        keeps_start=True,
        start_by_client=True,
    )
