"""The generic webhook's engine: a mapping from the mappings file turns any tool's JSON into alerts.

Pure like every parser: `MappingParser.parse(payload, received_at=...)` reads no clock and does no I/O.
The rules for expressions are in config/mappings.py and docs/integrations/mapping.md.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openconductor.config.mappings import (
    MISSING,
    Expression,
    ExpressionFailed,
    MappingConfig,
    load_mappings_file,
)
from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.core.severity import map_severity
from openconductor.core.timeutil import parse_rfc3339
from openconductor.ingest.base import IDENTITY_LIMITS, IntegrationInfo, ProblemCollector, build_event, describe

# Epoch numbers at or above this are milliseconds: as seconds they would be after the year 5000.
_MILLISECONDS_FROM = 100_000_000_000
_FAILED: Any = object()  # a value that failed to compute: its problem is already recorded
_STATUS_WORDS = {"firing": AlertStatus.FIRING, "resolved": AlertStatus.RESOLVED}


class MappingParser:
    """One compiled mapping; `integration` names it in metrics and tokens (`mapping:<name>`)."""

    def __init__(self, config: MappingConfig) -> None:
        self.config = config
        self.integration = f"mapping:{config.name}"
        self.fingerprint_prefix = f"{self.integration}:"
        self.info = IntegrationInfo(
            slug=self.integration,
            name=f"Mapping {config.name}",
            docs="docs/integrations/mapping.md",
            quality="bronze",
            maps="whatever the mapping's expressions select",
        )

    def parse(self, payload: Any, *, received_at: datetime) -> list[AlertEvent]:
        events: list[AlertEvent] = []
        problems: list[FieldProblem] = []
        for prefix, item in self._items(payload):
            try:
                events.append(self._event(item, payload, prefix=prefix, received_at=received_at))
            except InvalidPayload as error:
                problems.extend(error.problems)
        if problems:
            raise InvalidPayload(problems)
        return events

    def _items(self, payload: Any) -> list[tuple[str, Any]]:
        selector = self.config.alerts
        if selector is None:
            return [("", payload)]
        check = ProblemCollector()
        found = _Reader(check, item=payload, body=payload).value("alerts", selector)
        check.raise_if_any()
        if found is MISSING or found is None:
            expected = f"an array of alert objects from {selector.describe()}, which found nothing"
            raise InvalidPayload([FieldProblem("alerts", expected)])
        items = found if isinstance(found, list) else [found]
        return [(f"alerts[{index}].", item) for index, item in enumerate(items)]

    def _event(self, item: Any, body: Any, *, prefix: str, received_at: datetime) -> AlertEvent:
        fields = self.config.fields
        check = ProblemCollector(prefix)
        read = _Reader(check, item=item, body=body)
        title = read.text("title", fields.title, required=True)
        status = read.status(fields.status, self.config.status_map)
        severity = read.severity(fields.severity, self.config.severity_map)
        identity = {
            name: read.text(name, getattr(fields, name), limit=IDENTITY_LIMITS[name])
            for name in ("service", "resource", "environment")
        }
        fingerprint_limit = IDENTITY_LIMITS["fingerprint"] - len(self.fingerprint_prefix)
        fingerprint = read.text("fingerprint", fields.fingerprint, limit=fingerprint_limit)
        labels = read.string_map("labels", fields.labels)
        annotations = read.string_map("annotations", fields.annotations)
        links = read.string_map("links", fields.links)
        starts_at = read.timestamp("starts_at", fields.starts_at)
        ends_at = read.timestamp("ends_at", fields.ends_at)
        description = read.text("description", fields.description) or ""
        check.raise_if_any()
        assert title is not None  # a required text is either there or a problem was raised
        return build_event(
            source=self.integration,
            status=status,
            severity=severity,
            title=title,
            description=description,
            service=identity["service"] or None,
            resource=identity["resource"] or None,
            environment=identity["environment"] or None,
            labels=labels,
            annotations={**annotations, **links},
            starts_at=starts_at,
            # A firing alert has not ended, whatever the tool sends beside it.
            ends_at=ends_at if status is AlertStatus.RESOLVED else None,
            fingerprint=f"{self.fingerprint_prefix}{fingerprint}" if fingerprint else None,
            received_at=received_at,
            raw=item,
        )


class _Reader:
    """Evaluates a mapping's expressions on one alert item, collecting problems named by alert field."""

    def __init__(self, check: ProblemCollector, *, item: Any, body: Any) -> None:
        self.check = check
        self.item = item
        self.body = body

    def value(self, field: str, expression: Expression) -> Any:
        try:
            return expression.evaluate(self.item, self.body)
        except ExpressionFailed as error:
            self.check.add(field, f"a value that {expression.describe()} can compute from this payload ({error})")
            return _FAILED

    def text(
        self, field: str, expression: Expression | None, *, required: bool = False, limit: int | None = None
    ) -> str | None:
        if expression is None:
            return None
        value = self.value(field, expression)
        if value is _FAILED:
            return None
        if value is MISSING or value is None:
            if required:
                self.check.add(field, f"a non-empty string from {expression.describe()}, which found nothing")
            return None
        text = _scalar_text(value)
        if text is None:
            self.check.add(field, f"a string, number or boolean from {expression.describe()}", value)
            return None
        if required and not text.strip():
            self.check.add(field, f"a non-empty string from {expression.describe()}", value)
            return None
        return self.check.within(field, text, limit)

    def string_map(self, field: str, expression: Expression | dict[str, Expression] | None) -> dict[str, str]:
        if expression is None:
            return {}
        if isinstance(expression, dict):
            found = {name: self.value(f"{field}.{name}", each) for name, each in expression.items()}
        else:
            found = self.value(field, expression)
            if found is MISSING or found is None or found is _FAILED:
                return {}
            if not isinstance(found, Mapping):
                self.check.add(field, f"an object from {expression.describe()}", found)
                return {}
        result: dict[str, str] = {}
        for name, value in found.items():
            if value is MISSING or value is _FAILED or value is None or value == "":
                continue
            text = _scalar_text(value)
            if text is None:
                self.check.add(f"{field}.{name}", "a string, number or boolean", value)
            else:
                result[str(name)] = text
        return result

    def timestamp(self, field: str, expression: Expression | None) -> datetime | None:
        if expression is None:
            return None
        value = self.value(field, expression)
        if value is MISSING or value is _FAILED or value is None or value == "":
            return None
        try:
            if isinstance(value, str):
                return parse_rfc3339(value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                seconds = value / 1000 if abs(value) >= _MILLISECONDS_FROM else value
                return datetime.fromtimestamp(seconds, tz=UTC)
        except (ValueError, OverflowError, OSError):
            pass
        expected = f"an RFC 3339 timestamp or epoch seconds or milliseconds from {expression.describe()}"
        self.check.add(field, expected, value)
        return None

    def status(self, expression: Expression | None, status_map: Mapping[str, str]) -> AlertStatus:
        value = MISSING if expression is None else self.value("status", expression)
        if value is MISSING or value is _FAILED or value is None or value == "":
            return AlertStatus.FIRING
        word = _word(value)
        known = {**_STATUS_WORDS, **{key: _STATUS_WORDS[target] for key, target in status_map.items()}}
        if word in known:
            return known[word]
        assert expression is not None
        self.check.add("status", f"one of {', '.join(sorted(known))} from {expression.describe()}", value)
        return AlertStatus.FIRING

    def severity(self, expression: Expression | None, severity_map: dict[str, Severity]) -> Severity:
        value = MISSING if expression is None else self.value("severity", expression)
        if value is MISSING or value is _FAILED:
            return Severity.UNKNOWN
        mapped = severity_map.get(_word(value))
        return mapped if mapped is not None else map_severity(value)


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


def _word(value: Any) -> str:
    text = _scalar_text(value)
    return text.strip().lower() if text is not None else describe(value)


def build_parsers(configs: list[MappingConfig]) -> dict[str, MappingParser]:
    return {config.name: MappingParser(config) for config in configs}


@functools.cache
def _parsers_from(path: Path) -> dict[str, MappingParser]:
    return build_parsers(load_mappings_file(path).mappings)


def load_mapping_parsers(path: Path | None) -> dict[str, MappingParser]:
    """The mappings of `path` by name, compiled once per file and process (the file is read at start-up:
    the bootstrap calls this first, so a bad file stops the start with every problem listed)."""
    return _parsers_from(path) if path is not None else {}
