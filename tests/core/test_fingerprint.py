"""The fallback fingerprint: stable across repeats, blind to volatile labels, and collision-free by field shifting."""

from __future__ import annotations

import pytest

from openconductor.core.fingerprint import VOLATILE_LABELS, compute_fingerprint, stateless_title


def fingerprint(**overrides: object) -> str:
    fields: dict[str, object] = {
        "source": "prometheus",
        "title": "disk full",
        "service": "db",
        "resource": "db-1",
        "environment": "prod",
        "labels": {"team": "storage", "mount": "/var"},
    }
    fields.update(overrides)
    return compute_fingerprint(**fields)  # type: ignore[arg-type]


def test_same_alert_same_fingerprint_and_shape() -> None:
    value = fingerprint()
    assert value == fingerprint()
    assert len(value) == 32
    assert all(char in "0123456789abcdef" for char in value)


def test_label_order_does_not_matter() -> None:
    forwards = fingerprint(labels={"a": "1", "b": "2", "c": "3"})
    backwards = fingerprint(labels={"c": "3", "b": "2", "a": "1"})
    assert forwards == backwards


@pytest.mark.parametrize("volatile", sorted(VOLATILE_LABELS))
def test_volatile_labels_are_ignored(volatile: str) -> None:
    base = fingerprint(labels={"team": "storage"})
    assert fingerprint(labels={"team": "storage", volatile: "97.3"}) == base
    assert fingerprint(labels={"team": "storage", volatile.upper(): "12"}) == base


@pytest.mark.parametrize(
    ("firing", "resolved"),
    [
        ("payments-ui homepage is DOWN", "payments-ui homepage is UP"),
        ("db-1/Disk /var is CRITICAL", "db-1/Disk /var is OK"),
        ("[FIRING:2] HighLatency", "[RESOLVED] HighLatency"),
        ("PROBLEM: web-01/HTTP", "RECOVERY: web-01/HTTP"),
        ("edge-lb health is DEGRADED", "edge-lb health is UP"),
    ],
)
def test_a_state_word_in_the_title_does_not_make_another_alert(firing: str, resolved: str) -> None:
    # Otherwise the resolve would match no alert, and the firing one would never resolve.
    assert fingerprint(title=firing) == fingerprint(title=resolved)


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        ("Down-time report", "Down-time report"),
        ("Up-to-date check failed", "Up-to-date check failed"),
        ("OK", "OK"),
        ("High CPU utilization (over 90% for 5m)", "High CPU utilization (over 90% for 5m)"),
        ("Backup of db-1 is running late", "Backup of db-1 is running late"),
    ],
)
def test_titles_that_only_contain_a_state_word_keep_it(title: str, kept: str) -> None:
    assert stateless_title(title) == kept


@pytest.mark.parametrize(
    "change",
    [
        {"source": "zabbix"},
        {"title": "disk nearly full"},
        {"service": "api"},
        {"resource": "db-2"},
        {"environment": "staging"},
        {"labels": {"team": "storage", "mount": "/home"}},
        {"labels": {"team": "storage"}},
    ],
)
def test_every_identifying_field_counts(change: dict[str, object]) -> None:
    assert fingerprint(**change) != fingerprint()


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ({"source": "ab", "title": "c"}, {"source": "a", "title": "bc"}),
        ({"title": "x\x1fy", "service": "z"}, {"title": "x", "service": "y\x1fz"}),
        ({"title": "x\\", "service": "\x1fz"}, {"title": "x\\\x1f", "service": "z"}),
        ({"service": None, "resource": "r"}, {"service": "r", "resource": None}),
        ({"environment": "prod", "labels": {}}, {"environment": "", "labels": {"prod": ""}}),
        ({"labels": {"a=b": "c"}}, {"labels": {"a": "b=c"}}),
        ({"labels": {"a": "b\x1fc=d"}}, {"labels": {"a": "b", "c": "d"}}),
        ({"labels": {"a\\": "=b"}}, {"labels": {"a": "\\=b"}}),
    ],
    ids=[
        "source-title",
        "separator-in-title",
        "backslash-escape",
        "service-resource",
        "env-into-labels",
        "equals-in-label-key",
        "separator-in-label",
        "backslash-before-equals",
    ],
)
def test_shifting_text_between_fields_cannot_collide(left: dict[str, object], right: dict[str, object]) -> None:
    assert fingerprint(**left) != fingerprint(**right)
