"""Silences and maintenance windows: which alerts to mark as suppressed, from when and until when.

A silence never drops an alert. The pipeline keeps the alert, groups it like any other and marks
it with the silence's id; a suppressed alert does not raise an incident by itself. A maintenance
window is a silence announced ahead of planned work; it matches in exactly the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import Alert

# Alert fields a matcher can name; any other name is a label (`labels.<name>` or the bare name).
ALERT_FIELDS = ("service", "environment", "resource", "source", "title", "severity", "fingerprint")
OPERATORS = ("=", "!=", "=~", "!~")
LABEL_PREFIX = "labels."
CREATED_BY_MAX_LENGTH = 200

# When several equality matchers could index a silence, the most selective field wins.
_INDEX_PREFERENCE = ("fingerprint", "resource", "title", "service", "environment", "source", "severity")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(w|d|h|m|s)")
_DURATION_UNITS = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}


class SilenceKind(StrEnum):
    SILENCE = "silence"
    MAINTENANCE = "maintenance"


@dataclass(frozen=True, slots=True)
class Matcher:
    """One condition on an alert: `service=checkout`, `labels.alertname=~Disk.*`, `environment!=prod`.

    A missing field or label compares as the empty string, so `team=""` matches alerts without a
    team label. Regular expressions must match the whole value (they are anchored at both ends).
    """

    name: str
    value: str
    op: str = "="
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        problems = _matcher_problems(self.name, self.value, self.op)
        if problems:
            raise InvalidPayload(problems)
        if self.op in ("=~", "!~"):
            # Compiled once here: matching runs for every alert event.
            object.__setattr__(self, "_pattern", re.compile(self.value))

    @property
    def target(self) -> str:
        """The alert field or label name this matcher reads, without any `labels.` prefix."""
        return self.name.removeprefix(LABEL_PREFIX)

    @property
    def is_equality(self) -> bool:
        return self.op == "="

    def matches(self, alert: Alert) -> bool:
        actual = value_of(alert, self.name)
        if self._pattern is not None:
            return (self._pattern.fullmatch(actual) is not None) == (self.op == "=~")
        return (actual == self.value) == (self.op == "=")

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "value": self.value, "op": self.op}

    def __str__(self) -> str:
        return f"{self.name}{self.op}{self.value}"


def value_of(alert: Alert, name: str) -> str:
    """The value a matcher named `name` compares against; missing values are the empty string."""
    if name in ALERT_FIELDS:
        raw = getattr(alert, name)
        return "" if raw is None else str(raw)
    return alert.labels.get(name.removeprefix(LABEL_PREFIX), "")


def parse_matcher(text: str) -> Matcher:
    """Read `name=value`, `name!=value`, `name=~regex` or `name!~regex` (the CLI's --matcher)."""
    for position, character in enumerate(text):
        if character not in "=!":
            continue
        op = text[position : position + 2]
        if op not in ("!=", "=~", "!~"):
            op = "="
            if character != "=":
                continue
        return Matcher(text[:position].strip(), text[position + len(op) :], op)
    raise InvalidPayload([FieldProblem("matcher", "name=value, name!=value, name=~regex or name!~regex", repr(text))])


def _matcher_problems(name: str, value: str, op: str) -> list[FieldProblem]:
    problems = []
    target = name.removeprefix(LABEL_PREFIX)
    if not target.strip():
        problems.append(FieldProblem("name", f"an alert field ({', '.join(ALERT_FIELDS)}) or a label name"))
    elif "\x00" in name:
        problems.append(FieldProblem("name", "text without NUL (\\u0000) characters"))
    if op not in OPERATORS:
        problems.append(FieldProblem("op", f"one of {', '.join(OPERATORS)}", repr(op)))
    if "\x00" in value:
        problems.append(FieldProblem("value", "text without NUL (\\u0000) characters"))
    elif op in ("=~", "!~"):
        try:
            re.compile(value)
        except re.error as error:
            problems.append(FieldProblem("value", "a valid regular expression", f"{value!r} ({error})"))
    return problems


@dataclass(frozen=True, slots=True, kw_only=True)
class Silence:
    """Marks every alert that all its matchers match while it is in effect, [starts_at, ends_at)."""

    id: str
    kind: SilenceKind
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
    comment: str
    created_by: str
    created_at: datetime

    def is_active(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at

    def matches(self, alert: Alert) -> bool:
        return all(matcher.matches(alert) for matcher in self.matchers)

    def state(self, at: datetime) -> str:
        """pending, active or expired, as shown to people."""
        if at < self.starts_at:
            return "pending"
        return "active" if at < self.ends_at else "expired"

    def expired(self, at: datetime) -> Silence:
        """This silence ended at `at` (or earlier, if it already had). A pending one never starts."""
        if self.ends_at <= at:
            return self
        return replace(self, starts_at=min(self.starts_at, at), ends_at=at)


def new_silence(
    *,
    silence_id: str,
    kind: str,
    matchers: Iterable[Mapping[str, Any]],
    starts_at: datetime,
    ends_at: datetime | None,
    duration: str | float | None,
    comment: str,
    created_by: str,
    created_at: datetime,
) -> Silence:
    """Validate a silence as a person asked for it; every problem is reported at once, by field."""
    problems: list[FieldProblem] = []
    if kind not in {member.value for member in SilenceKind}:
        problems.append(FieldProblem("kind", " or ".join(SilenceKind), repr(kind)))
    built = []
    specs = list(matchers)
    if not specs:
        problems.append(FieldProblem("matchers", "at least one matcher"))
    for index, spec in enumerate(specs):
        try:
            built.append(Matcher(str(spec.get("name", "")), str(spec.get("value", "")), str(spec.get("op", "="))))
        except InvalidPayload as error:
            problems.extend(FieldProblem(f"matchers[{index}].{p.field}", p.expected, p.got) for p in error.problems)
    for name, text in (("comment", comment), ("created_by", created_by)):
        if not text.strip():
            problems.append(FieldProblem(name, "a non-empty string"))
        elif "\x00" in text:
            problems.append(FieldProblem(name, "text without NUL (\\u0000) characters"))
    if len(created_by) > CREATED_BY_MAX_LENGTH:
        problems.append(FieldProblem("created_by", f"at most {CREATED_BY_MAX_LENGTH} characters"))
    starts_at = _as_utc(starts_at)
    end = _end(starts_at, ends_at, duration, problems)
    end_field = "ends_at" if ends_at is not None else "duration"
    if end is not None and end <= starts_at:
        problems.append(FieldProblem(end_field, "a time after starts_at", end.isoformat()))
    elif end is not None and end <= created_at:
        problems.append(FieldProblem(end_field, "a time in the future", end.isoformat()))
    if problems:
        raise InvalidPayload(problems)
    assert end is not None  # _end reported a problem otherwise
    return Silence(
        id=silence_id,
        kind=SilenceKind(kind),
        matchers=tuple(built),
        starts_at=starts_at,
        ends_at=end,
        comment=comment,
        created_by=created_by,
        created_at=created_at,
    )


def _end(
    starts_at: datetime, ends_at: datetime | None, duration: str | float | None, problems: list[FieldProblem]
) -> datetime | None:
    if ends_at is not None and duration is not None:
        problems.append(FieldProblem("duration", "either ends_at or duration, not both"))
        return None
    if ends_at is not None:
        return _as_utc(ends_at)
    if duration is None:
        problems.append(FieldProblem("ends_at", "ends_at or duration"))
        return None
    length = parse_duration(duration)
    if length is None or length <= timedelta(0):
        problems.append(FieldProblem("duration", "a positive duration such as 90m, 2h, 1d or seconds", repr(duration)))
        return None
    try:
        return starts_at + length
    except OverflowError:
        problems.append(FieldProblem("duration", "a duration that ends before the year 9999", repr(duration)))
        return None


def parse_duration(value: str | float) -> timedelta | None:
    """`2h`, `90m`, `1h30m`, `1d`, `1w`, `45s`, or a number of seconds; None when unreadable."""
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return timedelta(seconds=value)
        text = str(value).strip().lower()
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            return timedelta(seconds=float(text))
        if not text or _DURATION_PART.sub("", text):
            return None
        return timedelta(
            seconds=sum(float(amount) * _DURATION_UNITS[unit] for amount, unit in _DURATION_PART.findall(text))
        )
    except (OverflowError, ValueError):
        return None


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class SilenceBook:
    """The current silences, indexed so that an alert is compared only with those that may match it.

    Each silence with an equality matcher is filed under one of them (name, value); an alert then
    looks up its own value for each indexed name. Silences without one are checked for every alert.
    """

    def __init__(self, silences: Iterable[Silence] = ()) -> None:
        self._by_id: dict[str, Silence] = {}
        self._indexed: dict[str, dict[str, dict[str, Silence]]] = {}
        self._unindexed: dict[str, Silence] = {}
        self.replace_all(silences)

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Silence]:
        return iter(list(self._by_id.values()))

    def get(self, silence_id: str) -> Silence | None:
        return self._by_id.get(silence_id)

    def add(self, silence: Silence) -> None:
        """Add a silence, or replace the one with the same id."""
        self.remove(silence.id)
        self._by_id[silence.id] = silence
        key = _index_key(silence)
        if key is None:
            self._unindexed[silence.id] = silence
        else:
            name, value = key
            self._indexed.setdefault(name, {}).setdefault(value, {})[silence.id] = silence

    def remove(self, silence_id: str) -> None:
        silence = self._by_id.pop(silence_id, None)
        if silence is None:
            return
        key = _index_key(silence)
        if key is None:
            del self._unindexed[silence_id]
            return
        name, value = key
        by_value = self._indexed[name]
        del by_value[value][silence_id]
        if not by_value[value]:
            del by_value[value]
            if not by_value:
                del self._indexed[name]

    def expire(self, silence_id: str, at: datetime) -> Silence | None:
        silence = self._by_id.get(silence_id)
        if silence is None:
            return None
        ended = silence.expired(at)
        self.add(ended)
        return ended

    def replace_all(self, silences: Iterable[Silence]) -> None:
        self._by_id.clear()
        self._indexed.clear()
        self._unindexed.clear()
        for silence in silences:
            self.add(silence)

    def forget_ended(self, before: datetime) -> int:
        """Drop silences that ended at or before `before`; they can never match a later event."""
        ended = [s.id for s in self._by_id.values() if s.ends_at <= before]
        for silence_id in ended:
            self.remove(silence_id)
        return len(ended)

    def suppressing(self, alert: Alert, at: datetime) -> Silence | None:
        """The silence in effect at `at` that matches `alert`; of several, the one that ends last."""
        best: Silence | None = None
        for silence in self._candidates(alert):
            if silence.is_active(at) and silence.matches(alert) and (best is None or _outlasts(silence, best)):
                best = silence
        return best

    def _candidates(self, alert: Alert) -> Iterable[Silence]:
        yield from self._unindexed.values()
        for name, by_value in self._indexed.items():
            bucket = by_value.get(value_of(alert, name))
            if bucket:
                yield from bucket.values()


def _outlasts(silence: Silence, other: Silence) -> bool:
    """The tie-break between matching silences: the later end wins, then the smaller id."""
    return (silence.ends_at, other.id) > (other.ends_at, silence.id)


def _index_key(silence: Silence) -> tuple[str, str] | None:
    equalities = [m for m in silence.matchers if m.is_equality]
    if not equalities:
        return None

    def preference(matcher: Matcher) -> int:
        return _INDEX_PREFERENCE.index(matcher.name) if matcher.name in _INDEX_PREFERENCE else len(_INDEX_PREFERENCE)

    chosen = min(equalities, key=preference)
    # Labels are indexed under one spelling so `labels.team` and `team` share a bucket.
    name = chosen.name if chosen.name in ALERT_FIELDS else LABEL_PREFIX + chosen.target
    return name, chosen.value
