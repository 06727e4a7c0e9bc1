"""Splunk alert action "Webhook": the first result row of a triggered saved search, one alert per request.

Splunk sends no resolves: an alert stays firing until a search sends `openconductor_status=resolved`
for it, or its incident goes quiet. Fingerprint from the app, search name and the row's host or source
(or the row's own `openconductor_key`).
"""

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
    bounded_fingerprint,
    build_event,
    describe,
    require_object,
)
from openconductor.ingest.fields import first_label_name, from_epoch

INFO = IntegrationInfo(
    slug="splunk",
    name="Splunk",
    docs="docs/integrations/splunk.md",
    quality="silver",
    maps="search_name (title), result fields (labels; host, service, env, severity/urgency), "
    "app+search_name+host/source (fingerprint), results_link, sid, owner, _time",
)

ONE_ALERT_PER_REQUEST = "Splunk's webhook action sends the first result row of one triggered alert per request"
# Result fields a search may add (`| eval openconductor_key=...`) to steer OpenConductor.
STATUS_FIELD = "openconductor_status"
KEY_FIELD = "openconductor_key"
STEERING = (STATUS_FIELD, KEY_FIELD)
IDENTITY_FIELDS = ("host", "source")
SEVERITY_FIELDS = ("severity", "urgency", "priority")
SERVICE_FIELDS = ("service", "service_name", "app")
RESOURCE_FIELDS = ("host", "hostname", "dest")
ENVIRONMENT_FIELDS = ("environment", "env")
DESCRIPTION_FIELDS = ("description", "message", "_raw")
_PREFIX = "splunk:"


def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    body = require_object(payload, what="a Splunk webhook alert action payload")
    check = ProblemCollector()
    texts = {
        key: (check.text(body, key) or "").strip() for key in ("sid", "results_link", "search_name", "owner", "app")
    }
    result = body.get("result")
    if result is not None and not isinstance(result, Mapping):
        raise InvalidPayload([FieldProblem("result", "an object (the first result row)", describe(result))])
    row = _row(check, result or {})
    status_word = row.get(STATUS_FIELD, "firing").strip().lower() or "firing"
    if status_word not in ("firing", "resolved"):
        check.add(f"result.{STATUS_FIELD}", "one of firing, resolved", row[STATUS_FIELD])
    identity = {
        "service": _first(row, SERVICE_FIELDS),
        "resource": _first(row, RESOURCE_FIELDS),
        "environment": _first(row, ENVIRONMENT_FIELDS),
    }
    for field, name in identity.items():
        if name:
            check.within(f"result.{name}", row[name], IDENTITY_LIMITS[field])
    check.raise_if_any()

    status = AlertStatus.RESOLVED if status_word == "resolved" else AlertStatus.FIRING
    happened_at = _time(row.get("_time", ""))
    severity_field = _first(row, SEVERITY_FIELDS)
    description_field = _first(row, DESCRIPTION_FIELDS)
    annotations = {
        "results_url": texts["results_link"],
        "sid": texts["sid"],
        "owner": texts["owner"],
        "splunk_app": texts["app"],
        "search_name": texts["search_name"],
    }
    return [
        build_event(
            source="splunk",
            status=status,
            severity=map_severity(row[severity_field] if severity_field else None),
            title=texts["search_name"] or "Splunk alert",
            description=row[description_field] if description_field else "",
            service=row[identity["service"]] if identity["service"] else None,
            resource=row[identity["resource"]] if identity["resource"] else None,
            environment=row[identity["environment"]] if identity["environment"] else None,
            # Splunk's internal fields (_raw, _time, _cd...) change with every event: not labels.
            labels={name: value for name, value in row.items() if not name.startswith("_") and name not in STEERING},
            annotations={name: value for name, value in annotations.items() if value},
            starts_at=happened_at if status is AlertStatus.FIRING else None,
            ends_at=(happened_at or received_at) if status is AlertStatus.RESOLVED else None,
            fingerprint=_fingerprint(texts, row),
            received_at=received_at,
            raw=body,
        )
    ]


def _row(check: ProblemCollector, result: Mapping[str, Any]) -> dict[str, str]:
    """The result row as text: Splunk sends strings, and a list of strings for a multivalue field."""
    row: dict[str, str] = {}
    for name, value in result.items():
        if isinstance(value, str):
            row[str(name)] = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            row[str(name)] = str(value)
        elif isinstance(value, list) and all(isinstance(item, (str, int, float)) for item in value):
            row[str(name)] = ",".join(str(item) for item in value)
        elif value is not None:
            check.add(f"result.{name}", "a string, or an array of strings for a multivalue field", value)
    return row


def _fingerprint(texts: Mapping[str, str], row: Mapping[str, str]) -> str | None:
    """The alert's identity, most specific first:
    - `splunk:key:<openconductor_key>` when the row has one, so that two searches (say, a recovery search)
      can speak of the same alert;
    - `splunk:<app>:<search name>:<host or source>`, so one saved search raises one alert per host;
    - `splunk:sid:<sid>` for an ad hoc search without a name, whose every run is its own alert.
    """
    if row.get(KEY_FIELD, "").strip():
        key = f"key:{row[KEY_FIELD].strip()}"
    elif texts["search_name"]:
        field = _first(row, IDENTITY_FIELDS)
        key = ":".join(part for part in (texts["app"], texts["search_name"], row[field] if field else "") if part)
    elif texts["sid"]:
        key = f"sid:{texts['sid']}"
    else:
        return None
    return bounded_fingerprint(_PREFIX, key)


def _time(value: str) -> datetime | None:
    """A row's `_time`: epoch seconds (`1767607200.000`) or an ISO 8601 time; anything else is no time,
    because `_time` is the search's to shape and not worth refusing the alert for."""
    text = value.strip()
    if not text:
        return None
    epoch = from_epoch(text, unit="seconds")
    if epoch is not None:
        return epoch
    try:
        return parse_rfc3339(text)
    except ValueError:
        return None


def _first(row: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    """The first of `names` the row has a value for; a blank value is none."""
    return first_label_name(row, names, strip=True)
