"""The field readers integrations share (ingest/fields.py) and the item loop and fingerprint bound of ingest/base.py."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

import pytest

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.ingest.base import IDENTITY_LIMITS, ProblemCollector, bounded_fingerprint, build_event, parse_each
from openconductor.ingest.fields import (
    add_tag_value,
    conventional_identity,
    epoch_in_range,
    epoch_time,
    filled,
    first_label,
    first_label_name,
    first_line,
    from_epoch,
    join_url,
    resolve_url,
    tag_labels,
)

NOON = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
NOON_SECONDS = 1767614400


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (NOON_SECONDS, "seconds", NOON),
        (NOON_SECONDS * 1000, "milliseconds", NOON),
        (NOON_SECONDS * 10**9, "nanoseconds", NOON),
        (f"{NOON_SECONDS}.5", "seconds", datetime(2026, 1, 5, 12, 0, 0, 500000, tzinfo=UTC)),
        (str(NOON_SECONDS * 1000), "milliseconds", NOON),
        (str(NOON_SECONDS * 10**9 + 999), "nanoseconds", NOON),
        (NOON_SECONDS * 1000 + 1.5, "milliseconds", datetime(2026, 1, 5, 12, 0, 0, 1500, tzinfo=UTC)),
    ],
)
def test_from_epoch_reads_each_unit_as_a_number_or_its_text(value: float | str, unit: str, expected: datetime) -> None:
    assert from_epoch(value, unit=unit) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [10**20, -(10**20), float("nan"), float("inf"), "soon", "", "1.5e400"])
@pytest.mark.parametrize("unit", ["seconds", "milliseconds", "nanoseconds"])
def test_from_epoch_is_none_for_no_number_or_beyond_the_years_1_to_9999(value: float | str, unit: str) -> None:
    if unit == "nanoseconds" and value == 10**20:
        value = 10**30  # 1e20 ns is within range
    assert from_epoch(value, unit=unit) is None  # type: ignore[arg-type]


def test_epoch_in_range_names_the_field_when_out_of_range() -> None:
    check = ProblemCollector("alert.")
    assert epoch_in_range(check, "started", NOON_SECONDS, unit="seconds") == NOON
    assert epoch_in_range(check, "started", 10**20, unit="seconds") is None
    assert check.problems == [
        FieldProblem("alert.started", "epoch seconds between the years 1 and 9999", "the number 100000000000000000000")
    ]


def test_epoch_time_reads_numbers_and_names_the_field_otherwise() -> None:
    check = ProblemCollector()
    obj = {"ms": NOON_SECONDS * 1000, "text": "1767614400000", "flag": True, "huge": 10**20, "unset": -1}
    assert epoch_time(check, obj, "ms", unit="milliseconds") == NOON
    assert epoch_time(check, obj, "absent", unit="milliseconds") is None
    assert epoch_time(check, obj, "unset", unit="milliseconds", no_time=(-1,)) is None
    assert check.problems == []
    assert epoch_time(check, obj, "text", unit="milliseconds") is None
    assert epoch_time(check, obj, "flag", unit="seconds", field="details.flag") is None
    assert epoch_time(check, obj, "huge", unit="milliseconds") is None
    assert check.problems == [
        FieldProblem("text", "epoch milliseconds (a number)", "the string '1767614400000'"),
        FieldProblem("details.flag", "epoch seconds (a number)", "a boolean"),
        FieldProblem("huge", "epoch milliseconds between the years 1 and 9999", "the number 100000000000000000000"),
    ]


def test_epoch_time_with_digits_takes_the_number_as_text_but_not_other_text() -> None:
    check = ProblemCollector()
    obj = {"text": " 1767614400000 ", "decimal": "1767614400000.5"}
    assert epoch_time(check, obj, "text", unit="milliseconds", digits=True) == NOON
    assert epoch_time(check, obj, "decimal", unit="milliseconds", digits=True) is None
    assert [problem.field for problem in check.problems] == ["decimal"]


def test_tag_labels_from_a_comma_separated_string_or_a_list() -> None:
    assert tag_labels("env:prod, team : shop ,canary,,:orphan") == {"env": "prod", "team": "shop", "canary": ""}
    assert tag_labels(["url:https://x.example/a:b", " service:api "]) == {
        "url": "https://x.example/a:b",
        "service": "api",
    }


def test_tag_labels_separators_and_unstripped_parts() -> None:
    # The first separator a tag holds splits it; a tag without any is a name without a value.
    assert tag_labels(["a=b", "c:d=e", "plain"], separators=":=") == {"a": "b", "c": "d=e", "plain": ""}
    assert tag_labels("env :prod, team: shop", strip=False) == {"env ": "prod", "team": " shop"}


def test_add_tag_value_keeps_every_value_of_a_repeated_tag() -> None:
    labels: dict[str, str] = {}
    for value in ("a", "", "b"):
        add_tag_value(labels, "service", value)
    add_tag_value(labels, "flag", "")
    assert labels == {"service": "a,b", "flag": ""}


def test_first_label_and_its_name_skip_empty_labels() -> None:
    labels = {"service": "", "app": "checkout", "job": "node", "env": "  "}
    assert first_label(labels, ("service", "app", "job")) == "checkout"
    assert first_label_name(labels, ("service", "app", "job")) == "app"
    assert first_label(labels, ("missing",)) is None
    assert first_label_name(labels, ("env", "job")) == "env"
    assert first_label_name(labels, ("env", "job"), strip=True) == "job"


def test_conventional_identity_takes_the_first_name_with_a_value_and_checks_it_at_its_path() -> None:
    check = ProblemCollector("Message.")
    found = {
        "ServiceName": ("", "Trigger.Dimensions[0].value"),
        "Service": ("checkout", "Trigger.Dimensions[1].value"),
        "InstanceId": ("i" * (IDENTITY_LIMITS["resource"] + 1), "Trigger.Dimensions[2].value"),
    }
    conventions = (
        ("service", ("ServiceName", "Service")),
        ("resource", ("InstanceId",)),
        ("environment", ("Environment",)),
    )
    assert conventional_identity(check, found, conventions) == {"service": "checkout", "resource": None}
    assert [(problem.field, problem.got) for problem in check.problems] == [
        ("Message.Trigger.Dimensions[2].value", f"{IDENTITY_LIMITS['resource'] + 1} characters")
    ]


def test_filled_drops_empty_renders_and_unexpanded_placeholders() -> None:
    braces = re.compile(r"\{[A-Za-z]+\}")
    assert filled(None) is None
    assert filled("   ") is None
    assert filled(" {Tags} ", placeholder=braces) is None
    assert filled(" {Tags} ") == "{Tags}"
    assert filled(" web-1 ", placeholder=braces) == "web-1"
    assert filled(" web-1 ", strip=False) == " web-1 "


def test_first_line_cuts_long_lines() -> None:
    assert first_line("\n  disk full on web-1  \nmore detail") == "disk full on web-1"
    assert first_line("   ") == ""
    assert first_line("word " * 100, limit=20) == "word word word wo..."
    # A cut that ends in a space loses the space.
    assert first_line("word " * 100, limit=18) == "word word word..."


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("/d/abc", "https://grafana.example/", "https://grafana.example/d/abc"),
        ("d/abc", "https://host/grafana/", "https://host/grafana/d/abc"),
        ("https://other.example/x", "https://grafana.example", "https://other.example/x"),
        ("//cdn.example/x.png", "https://grafana.example", "//cdn.example/x.png"),
        ("/d/abc", None, "/d/abc"),
        ("/d/abc", "grafana.example", "/d/abc"),
        ("", "https://grafana.example", None),
        (None, "https://grafana.example", None),
    ],
)
def test_resolve_url(url: str | None, base: str | None, expected: str | None) -> None:
    assert resolve_url(url, base) == expected


def test_join_url_puts_one_slash_between_base_and_path() -> None:
    assert join_url("https://nagios.example/cgi-bin/", "extinfo.cgi?type=1") == (
        "https://nagios.example/cgi-bin/extinfo.cgi?type=1"
    )
    assert join_url("https://zabbix.example", "/tr_events.php") == "https://zabbix.example/tr_events.php"


def _event(title: str) -> AlertEvent:
    return build_event(source="test", status=AlertStatus.FIRING, severity=Severity.INFO, title=title, received_at=NOON)


def test_parse_each_collects_events_and_every_failing_item_s_problems() -> None:
    def parse_one(index: int, item: object) -> AlertEvent | list[AlertEvent]:
        if not isinstance(item, str):
            raise InvalidPayload([FieldProblem(f"alerts[{index}]", "a string")])
        return [_event(item), _event(item + "!")] if item.endswith("2") else _event(item)

    events = parse_each(["a1", "a2"], parse_one)
    assert [event.title for event in events] == ["a1", "a2", "a2!"]
    with pytest.raises(InvalidPayload) as raised:
        parse_each(["a1", 5, "a3", None], parse_one)
    assert [problem.field for problem in raised.value.problems] == ["alerts[1]", "alerts[3]"]


def test_bounded_fingerprint_hashes_keys_too_long_for_the_column() -> None:
    assert bounded_fingerprint("tool:", "abc") == "tool:abc"
    room = IDENTITY_LIMITS["fingerprint"] - len("tool:")
    assert bounded_fingerprint("tool:", "k" * room) == "tool:" + "k" * room
    long_key = "k" * (room + 1)
    hashed = bounded_fingerprint("tool:", long_key)
    assert hashed == f"tool:sha256:{hashlib.sha256(long_key.encode()).hexdigest()}"
    assert len(hashed) <= IDENTITY_LIMITS["fingerprint"]
