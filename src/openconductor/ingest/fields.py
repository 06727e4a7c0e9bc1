"""Readers for the kinds of field several tools send alike: epoch times, tags, conventional label names,
template placeholders, titles and links."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from openconductor.ingest.base import IDENTITY_LIMITS, ProblemCollector

EpochUnit = Literal["seconds", "milliseconds", "nanoseconds"]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")


def from_epoch(value: float | str, *, unit: EpochUnit) -> datetime | None:
    """The UTC time of an epoch number (or its text); None when it is no number or not within the years 1 to 9999."""
    try:
        if unit == "nanoseconds":
            # Whole nanoseconds, kept exact: a float would round them.
            return _EPOCH + timedelta(microseconds=int(value) // 1000)
        number = float(value) if isinstance(value, str) else value
        return datetime.fromtimestamp(number / 1000 if unit == "milliseconds" else number, UTC)
    except (ValueError, OverflowError, OSError):
        return None


def epoch_in_range(check: ProblemCollector, field: str, value: float, *, unit: EpochUnit) -> datetime | None:
    """`value` (epoch `unit`) as a UTC time, or a problem named `field` when it lies outside the years 1 to 9999."""
    when = from_epoch(value, unit=unit)
    if when is None:
        check.add(field, f"epoch {unit} between the years 1 and 9999", value)
    return when


def epoch_time(
    check: ProblemCollector,
    obj: Mapping[str, Any],
    key: str,
    *,
    unit: EpochUnit,
    field: str | None = None,
    digits: bool = False,
    no_time: tuple[object, ...] = (),
) -> datetime | None:
    """A time sent as an epoch number, a problem named `field` (default `key`) when it is something else."""
    # Absent, or one of the `no_time` values a tool sends for "no time", is None; `digits` also takes the
    # number's decimal digits as text.
    value = obj.get(key)
    if value is None or value in no_time:
        return None
    if digits and isinstance(value, str) and value.strip().isdecimal():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        check.add(field or key, f"epoch {unit} (a number)", value)
        return None
    return epoch_in_range(check, field or key, value, unit=unit)


def tag_labels(tags: str | Iterable[str], *, separators: str = ":", strip: bool = True) -> dict[str, str]:
    """Tags such as `env:prod,team:shop,canary` (one string, or a list) as labels; a tag without a value gets ""."""
    # A tag is split at the first of `separators` it holds; `strip` also trims spaces around the separator.
    labels: dict[str, str] = {}
    for tag in tags.split(",") if isinstance(tags, str) else tags:
        text = tag.strip()
        separator = next((candidate for candidate in separators if candidate in text), separators[0])
        key, _, value = text.partition(separator)
        if strip:
            key, value = key.strip(), value.strip()
        if key:
            labels[key] = value
    return labels


def add_tag_value(labels: dict[str, str], name: str, value: str) -> None:
    """Set label `name` from a tag that may be repeated: every non-empty value is kept, comma-separated."""
    earlier = labels.get(name, "")
    labels[name] = f"{earlier},{value}" if earlier and value else earlier or value


def first_label_name(labels: Mapping[str, str], names: Iterable[str], *, strip: bool = False) -> str | None:
    """The first of `names` with a non-empty label (not blank either, with `strip`): where a convention found it."""
    for name in names:
        value = labels.get(name)
        if value and (not strip or value.strip()):
            return name
    return None


def first_label(labels: Mapping[str, str], names: Iterable[str]) -> str | None:
    """The value of the first of `names` with a non-empty label: a service, resource or environment by convention."""
    name = first_label_name(labels, names)
    return labels[name] if name is not None else None


def conventional_identity(
    check: ProblemCollector,
    found: Mapping[str, tuple[str, str]],
    conventions: Iterable[tuple[str, Iterable[str]]],
) -> dict[str, str | None]:
    """Service, resource, environment from the first conventional name with a value, checked at the value's path."""
    # `found` maps a name to (its value, the field path of the value); `conventions` pairs each identity field
    # with its names, most specific first, and sets the order in which problems are reported.
    identity: dict[str, str | None] = {}
    for field, names in conventions:
        name = next((name for name in names if found.get(name, ("", ""))[0]), None)
        if name is not None:
            value, path = found[name]
            identity[field] = check.within(path, value, IDENTITY_LIMITS[field])
    return identity


def filled(text: str | None, *, placeholder: re.Pattern[str] | None = None, strip: bool = True) -> str | None:
    """A value a template rendered (stripped unless `strip` is False); None if empty or an unexpanded `placeholder`."""
    if text is None or not text.strip():
        return None
    if placeholder is not None and placeholder.fullmatch(text.strip()):
        return None
    return text.strip() if strip else text


def first_line(text: str, *, limit: int = 200) -> str:
    """The first line of a message, cut to `limit` characters with "...": a title for a tool that sends none."""
    stripped = text.strip()
    line = stripped.splitlines()[0].strip() if stripped else ""
    return line if len(line) <= limit else line[: limit - 3].rstrip() + "..."


def join_url(base: str, path: str) -> str:
    """A page of a tool's web UI: `path` appended to its base URL with exactly one slash between them."""
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


def resolve_url(url: str | None, base: str | None) -> str | None:
    """`url` made absolute when a tool sends paths (`/d/abc`) relative to its own base URL."""
    # The path goes after the base URL's own path: a tool served under a sub-path (`https://host/grafana/`)
    # still writes its links from its root.
    if not url:
        return None
    if _HAS_SCHEME.match(url) or not base or not _HAS_SCHEME.match(base):
        return url
    return join_url(base, url)
