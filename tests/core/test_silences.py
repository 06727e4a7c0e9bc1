"""Silence matching: each operator, anchored regexes, labels, time bounds, validation, and the index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import Alert, AlertStatus, Severity
from openconductor.core.silences import (
    Matcher,
    Silence,
    SilenceBook,
    SilenceKind,
    new_silence,
    parse_duration,
    parse_matcher,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def alert(**fields: object) -> Alert:
    values: dict[str, object] = {
        "id": "alr_1",
        "fingerprint": "fp-1",
        "source": "prometheus",
        "status": AlertStatus.FIRING,
        "severity": Severity.HIGH,
        "title": "Disk full on db-1",
        "description": "",
        "service": "checkout",
        "resource": "db-1",
        "environment": "prod",
        "labels": {"alertname": "DiskFull", "team": "storage"},
        "annotations": {},
        "starts_at": T0,
        "ends_at": None,
        "received_at": T0,
        "last_seen_at": T0,
    }
    values.update(fields)
    return Alert(**values)  # type: ignore[arg-type]


def silence(
    *matchers: Matcher,
    starts: timedelta = timedelta(0),
    lasts: timedelta = timedelta(hours=1),
    silence_id: str = "sil_1",
) -> Silence:
    return Silence(
        id=silence_id,
        kind=SilenceKind.SILENCE,
        matchers=matchers,
        starts_at=T0 + starts,
        ends_at=T0 + starts + lasts,
        comment="deploy",
        created_by="ana",
        created_at=T0,
    )


@pytest.mark.parametrize(
    ("matcher", "expected"),
    [
        (Matcher("service", "checkout", "="), True),
        (Matcher("service", "payments", "="), False),
        (Matcher("service", "payments", "!="), True),
        (Matcher("service", "checkout", "!="), False),
        (Matcher("service", "check.*", "=~"), True),
        (Matcher("service", "pay.*", "=~"), False),
        (Matcher("service", "pay.*", "!~"), True),
        (Matcher("service", "check.*", "!~"), False),
        (Matcher("severity", "high|critical", "=~"), True),
        (Matcher("environment", "prod"), True),
        (Matcher("fingerprint", "fp-1"), True),
        (Matcher("source", "prometheus"), True),
        (Matcher("resource", "db-1"), True),
        (Matcher("title", "Disk full.*", "=~"), True),
    ],
)
def test_each_operator_on_alert_fields(matcher: Matcher, expected: bool) -> None:
    assert matcher.matches(alert()) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("check", False), ("heck", False), ("checkout", True), ("c.*t", True), ("checkout|x", True), ("x|checkou", False)],
)
def test_regexes_match_the_whole_value(value: str, expected: bool) -> None:
    assert Matcher("service", value, "=~").matches(alert()) is expected


def test_labels_by_prefix_or_bare_name_and_missing_values_are_empty() -> None:
    subject = alert()
    assert Matcher("labels.alertname", "Disk.*", "=~").matches(subject)
    assert Matcher("alertname", "DiskFull").matches(subject)
    assert Matcher("labels.team", "storage").matches(subject)
    assert not Matcher("labels.team", "web").matches(subject)
    # An absent label or field compares as "", as in Alertmanager.
    assert Matcher("labels.region", "").matches(subject)
    assert Matcher("region", "eu", "!=").matches(subject)
    assert Matcher("environment", "").matches(alert(environment=None))
    # `labels.service` is the label, not the alert's service field.
    assert not Matcher("labels.service", "checkout").matches(subject)
    assert Matcher("labels.service", "checkout").matches(alert(labels={"service": "checkout"}, service=None))


def test_a_silence_needs_every_matcher_and_its_time_bounds() -> None:
    both = silence(Matcher("service", "checkout"), Matcher("labels.team", "storage"))
    assert both.matches(alert())
    assert not both.matches(alert(labels={"team": "web"}))
    assert not both.is_active(T0 - timedelta(seconds=1))
    assert both.is_active(T0)
    assert both.is_active(T0 + timedelta(minutes=59))
    assert not both.is_active(T0 + timedelta(hours=1))  # ends_at is exclusive
    assert [both.state(T0 - timedelta(minutes=1)), both.state(T0), both.state(T0 + timedelta(hours=2))] == [
        "pending",
        "active",
        "expired",
    ]


def test_expiring_ends_it_and_a_pending_one_never_starts() -> None:
    running = silence(Matcher("service", "checkout"))
    ended = running.expired(T0 + timedelta(minutes=10))
    assert (ended.starts_at, ended.ends_at) == (T0, T0 + timedelta(minutes=10))
    assert ended.expired(T0 + timedelta(minutes=30)) is ended
    pending = silence(Matcher("service", "checkout"), starts=timedelta(hours=2)).expired(T0)
    assert pending.starts_at == pending.ends_at == T0


def test_an_invalid_regex_or_operator_is_a_validation_error_naming_the_field() -> None:
    with pytest.raises(InvalidPayload) as caught:
        Matcher("service", "Disk[", "=~")
    assert str(caught.value).startswith("value: expected a valid regular expression")
    with pytest.raises(InvalidPayload, match=r"op: expected one of =, !=, =~, !~"):
        Matcher("service", "x", "==")
    with pytest.raises(InvalidPayload, match="name: expected an alert field"):
        Matcher("labels.", "x")


def test_new_silence_reports_every_problem_by_field() -> None:
    with pytest.raises(InvalidPayload) as caught:
        new_silence(
            silence_id="sil_x",
            kind="nap",
            matchers=[{"name": "service", "value": "a", "op": "="}, {"name": "title", "value": "(", "op": "=~"}],
            starts_at=T0,
            ends_at=T0 - timedelta(minutes=1),
            duration=None,
            comment=" ",
            created_by="ana",
            created_at=T0,
        )
    fields = [problem.field for problem in caught.value.problems]
    assert fields == ["kind", "matchers[1].value", "comment", "ends_at"]
    assert "matchers[1].value: expected a valid regular expression" in str(caught.value)
    with pytest.raises(InvalidPayload, match="matchers: expected at least one matcher"):
        new_silence(
            silence_id="sil_x",
            kind="silence",
            matchers=[],
            starts_at=T0,
            ends_at=None,
            duration="2h",
            comment="c",
            created_by="ana",
            created_at=T0,
        )


def test_new_silence_from_a_duration() -> None:
    made = new_silence(
        silence_id="sil_x",
        kind="maintenance",
        matchers=[{"name": "environment", "value": "staging"}],
        starts_at=datetime(2026, 3, 1, 12, 0),  # naive input is taken as UTC
        ends_at=None,
        duration="1h30m",
        comment="db upgrade",
        created_by="ana",
        created_at=T0,
    )
    assert made.kind is SilenceKind.MAINTENANCE
    assert (made.starts_at, made.ends_at) == (T0, T0 + timedelta(minutes=90))
    assert made.matchers == (Matcher("environment", "staging", "="),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2h", 7200), ("90m", 5400), ("1h30m", 5400), ("1d", 86400), ("1w", 604800), ("45s", 45), ("600", 600), (60, 60)],
)
def test_durations(text: str | int, expected: int) -> None:
    assert parse_duration(text) == timedelta(seconds=expected)


@pytest.mark.parametrize("text", ["", "soon", "2 h", "h", "-5", "1e999"])
def test_unreadable_durations(text: str) -> None:
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("service=checkout", Matcher("service", "checkout", "=")),
        ("labels.alertname=~Disk.*", Matcher("labels.alertname", "Disk.*", "=~")),
        ("environment!=prod", Matcher("environment", "prod", "!=")),
        ("team!~web|edge", Matcher("team", "web|edge", "!~")),
        ("title=a=b", Matcher("title", "a=b", "=")),
        ("team=", Matcher("team", "", "=")),
    ],
)
def test_parse_matcher(text: str, expected: Matcher) -> None:
    assert parse_matcher(text) == expected


def test_parse_matcher_refuses_text_without_an_operator() -> None:
    with pytest.raises(InvalidPayload, match="matcher: expected name=value"):
        parse_matcher("service")


def test_the_book_picks_the_silence_that_ends_last_and_follows_changes() -> None:
    short = silence(Matcher("service", "checkout"), silence_id="sil_a", lasts=timedelta(minutes=30))
    long = silence(Matcher("environment", "prod"), Matcher("team", "stor.*", "=~"), silence_id="sil_b")
    book = SilenceBook([short, long])
    assert book.suppressing(alert(), T0) is long
    book.expire("sil_b", T0 + timedelta(minutes=5))
    assert book.suppressing(alert(), T0 + timedelta(minutes=10)) is book.get("sil_a")
    assert book.suppressing(alert(), T0 + timedelta(minutes=40)) is None
    assert book.forget_ended(T0 + timedelta(minutes=30)) == 2
    assert len(book) == 0
    book.replace_all([short])
    assert [s.id for s in book] == ["sil_a"]


# -- the index answers exactly as a full scan --------------------------------------------------

_VALUES = st.sampled_from(["checkout", "payments", "prod", "staging", "", "db-1"])
_NAMES = st.sampled_from(["service", "environment", "resource", "labels.team", "team", "severity", "region"])
_MATCHERS = st.builds(
    Matcher,
    _NAMES,
    st.one_of(_VALUES, st.sampled_from(["check.*", "p.*", ".*", "high|critical"])),
    st.sampled_from(["=", "=", "!=", "=~", "!~"]),
)
_ALERTS = st.builds(
    lambda service, environment, resource, team, severity: alert(
        service=service or None,
        environment=environment or None,
        resource=resource or None,
        labels={"team": team} if team else {},
        severity=severity,
    ),
    _VALUES,
    _VALUES,
    _VALUES,
    _VALUES,
    st.sampled_from(list(Severity)),
)


def _full_scan(silences: list[Silence], subject: Alert, at: datetime) -> Silence | None:
    matching = [s for s in silences if s.is_active(at) and s.matches(subject)]
    return min(matching, key=lambda s: (-s.ends_at.timestamp(), s.id), default=None)


@settings(max_examples=300, deadline=None)
@given(
    specs=st.lists(
        st.tuples(st.lists(_MATCHERS, min_size=1, max_size=3), st.integers(-3, 3), st.integers(1, 4)), max_size=40
    ),
    alerts=st.lists(_ALERTS, min_size=1, max_size=10),
    hour=st.integers(-2, 5),
)
def test_the_index_gives_the_same_answer_as_a_full_scan(
    specs: list[tuple[list[Matcher], int, int]], alerts: list[Alert], hour: int
) -> None:
    silences = [
        silence(*matchers, starts=timedelta(hours=start), lasts=timedelta(hours=length), silence_id=f"sil_{index:03}")
        for index, (matchers, start, length) in enumerate(specs)
    ]
    book = SilenceBook(silences)
    at = T0 + timedelta(hours=hour)
    for subject in alerts:
        assert book.suppressing(subject, at) == _full_scan(silences, subject, at)


def test_the_index_does_not_scan_every_silence() -> None:
    by_service = [silence(Matcher("service", f"svc-{n}"), silence_id=f"sil_{n:05}") for n in range(10_000)]
    book = SilenceBook(by_service)
    candidates = list(book._candidates(alert(service="svc-42")))
    assert [c.id for c in candidates] == ["sil_00042"]
    assert book.suppressing(alert(service="svc-42"), T0) is by_service[42]
