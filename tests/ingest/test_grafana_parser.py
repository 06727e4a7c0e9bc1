"""Grafana Alerting webhook: field mapping, relative links, values, fingerprint, and the signing scheme."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertStatus, Severity
from openconductor.ingest.base import HmacSignature
from openconductor.ingest.integrations import grafana

PAYLOADS = Path(__file__).parent / "payloads" / "grafana"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse(payload: object) -> list:  # type: ignore[type-arg]
    return grafana.parse(payload, received_at=RECEIVED)


def test_firing_notification_maps_every_field() -> None:
    [event] = parse(load("firing"))
    assert event.source == "grafana"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.CRITICAL
    assert event.title == "checkout-api 5xx ratio above 5% in prod"
    assert event.description.startswith("The share of 5xx answers")
    assert (event.service, event.resource, event.environment) == (
        "checkout-api",
        "checkout-api-7d9f8b6c5-x2x7q",
        "prod",
    )
    assert event.fingerprint == "grafana:1:c6eadffa33fcdf37"
    assert event.starts_at == datetime(2026, 1, 5, 9, 0, 0, 123456, tzinfo=UTC)
    assert event.keeps_start
    assert event.ends_at is None
    assert event.labels["grafana_folder"] == "Checkout"
    assert event.labels["team"] == "payments"
    assert event.annotations["runbook_url"] == "https://runbooks.example.com/checkout/high-error-rate"
    assert event.annotations["value.B"] == "7.412345678901234"
    assert event.annotations["value.C"] == "1"
    assert (
        event.annotations["generator_url"] == "https://grafana.example.com/alerting/grafana/bdk4v6xq0sg00f/view?orgId=1"
    )
    assert event.annotations["silence_url"].startswith("https://grafana.example.com/alerting/silence/new?")
    assert event.annotations["dashboard_url"].startswith("https://grafana.example.com/d/checkout-overview?")
    assert event.annotations["panel_url"].endswith("&viewPanel=4")
    assert event.annotations["image_url"] == "https://grafana.example.com/public/img/attachments/checkout-panel-4.png"
    assert event.annotations["grafana_url"] == "https://grafana.example.com/"
    # Values vary between evaluations: kept out of the labels, so they never split one alert into many.
    assert not any(name.startswith("value") for name in event.labels)
    assert event.raw["fingerprint"] == "c6eadffa33fcdf37"


def test_resolved_notification_matches_the_firing_one() -> None:
    [firing] = parse(load("firing"))
    [resolved] = parse(load("resolved"))
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.ends_at == datetime(2026, 1, 5, 9, 25, 30, tzinfo=UTC)
    assert resolved.event_time == resolved.ends_at
    assert resolved.fingerprint == firing.fingerprint
    assert resolved.annotations["value.B"] == "1.25"


def test_batch_resolves_relative_links_against_the_external_url_and_its_sub_path() -> None:
    ledger, search, orders = parse(load("batch"))
    assert ledger.annotations["dashboard_url"] == "https://grafana.example.com/grafana/d/abc?orgId=3"
    assert ledger.annotations["panel_url"] == "https://grafana.example.com/grafana/d/abc?orgId=3&viewPanel=2"
    assert ledger.annotations["generator_url"] == "https://grafana.example.com/grafana/alerting/grafana/mem-ledger/view"
    assert ledger.annotations["silence_url"].startswith("https://grafana.example.com/grafana/alerting/silence/new?")
    # Absolute links are kept as sent; empty ones are left out.
    assert search.annotations["generator_url"] == "https://grafana.example.com/grafana/alerting/grafana/lat-search/view"
    assert "dashboard_url" not in search.annotations
    assert (ledger.service, ledger.resource, ledger.environment) == ("ledger", "ledger-2", "production")
    assert (search.service, search.resource, search.environment) == ("search", "node-7", "staging")
    assert (orders.service, orders.resource, orders.environment) == ("orders-db", "db-1", "production")
    assert [e.severity for e in (ledger, search, orders)] == [Severity.WARNING, Severity.HIGH, Severity.INFO]
    assert ledger.ends_at is None  # the endsAt of a firing alert is not an end
    assert orders.status is AlertStatus.RESOLVED
    assert orders.ends_at == datetime(2026, 1, 5, 10, 2, tzinfo=UTC)
    assert search.title == "HighLatency"  # no summary: the alert name
    assert search.description == "p99 latency of search above 2s"
    assert [e.fingerprint for e in (ledger, search, orders)] == [
        "grafana:3:a1b2c3d4e5f60718",
        "grafana:3:0f1e2d3c4b5a6978",
        "grafana:3:99aa88bb77cc66dd",
    ]


def test_minimal_notification() -> None:
    [event] = parse(load("minimal"))
    assert event.title == "DatasourceNoData"
    assert event.severity is Severity.UNKNOWN
    assert event.fingerprint == "grafana:1:7e1a6c0b5d4f3e2a"
    assert (event.service, event.resource, event.environment) == (None, None, None)
    assert set(event.annotations) == {"grafana_url"}


@pytest.mark.parametrize(
    ("url", "external", "expected"),
    [
        ("/d/abc", "https://grafana.example.com/", "https://grafana.example.com/d/abc"),
        ("/d/abc", "https://grafana.example.com", "https://grafana.example.com/d/abc"),
        ("d/abc", "https://host/grafana/", "https://host/grafana/d/abc"),
        ("https://other/d/abc", "https://host/grafana/", "https://other/d/abc"),
        ("/d/abc", None, "/d/abc"),
        ("/d/abc", "not a url", "/d/abc"),
        ("", "https://host/", None),
    ],
)
def test_resolve_url(url: str, external: str | None, expected: str | None) -> None:
    assert grafana.resolve_url(url, external) == expected


def test_without_org_id_the_fingerprint_is_grafanas_own() -> None:
    payload = load("firing")
    del payload["orgId"]
    [event] = parse(payload)
    assert event.fingerprint == "grafana:c6eadffa33fcdf37"


def test_without_fingerprint_a_stable_one_is_computed() -> None:
    payload = load("firing")
    del payload["alerts"][0]["fingerprint"]
    [first] = parse(payload)
    [again] = parse(payload)
    assert first.fingerprint == again.fingerprint
    assert not first.fingerprint.startswith("grafana:")


def test_unknown_keys_and_versions_are_tolerated() -> None:
    payload = load("firing")
    payload["version"] = "2"
    payload["somethingNew"] = {"nested": [1, 2]}
    payload["alerts"][0]["newField"] = "x"
    [event] = parse(payload)
    assert event.fingerprint == "grafana:1:c6eadffa33fcdf37"


def test_empty_alerts_is_accepted_as_nothing() -> None:
    assert parse({"version": "1", "alerts": []}) == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ([], "body"),
        ({"version": "1"}, "alerts"),
        ({"alerts": {}}, "alerts"),
        ({"alerts": [], "orgId": "one"}, "orgId"),
        ({"alerts": [], "externalURL": ["x"]}, "externalURL"),
        ({"alerts": [7]}, "alerts[0]"),
    ],
)
def test_wrong_shape_names_the_field(payload: object, field: str) -> None:
    with pytest.raises(InvalidPayload) as caught:
        parse(payload)
    assert [p.field for p in caught.value.problems] == [field]


def test_every_bad_alert_field_is_named_with_its_index() -> None:
    payload = load("batch")
    payload["alerts"][0]["status"] = "pending"
    payload["alerts"][0]["values"] = {"A": [1]}
    payload["alerts"][1]["startsAt"] = "soon"
    payload["alerts"][2]["values"] = "0.72"
    payload["alerts"][2]["labels"] = {"alertname": {"x": 1}}
    with pytest.raises(InvalidPayload) as caught:
        parse(payload)
    assert {p.field: p.expected for p in caught.value.problems} == {
        "alerts[0].status": "one of firing, resolved",
        "alerts[0].values.A": "a number",
        "alerts[1].startsAt": "an RFC 3339 timestamp such as 2026-01-05T10:00:00Z",
        "alerts[2].values": "an object of numbers by query refId",
        "alerts[2].labels.alertname": "a string, number or boolean",
    }


def test_overlong_identity_values_are_named() -> None:
    payload = load("firing")
    payload["alerts"][0]["fingerprint"] = "f" * 300
    payload["alerts"][0]["labels"]["service"] = "s" * 301
    with pytest.raises(InvalidPayload) as caught:
        parse(payload)
    assert [p.field for p in caught.value.problems] == ["alerts[0].fingerprint", "alerts[0].labels.service"]


# -- signing -------------------------------------------------------------------------------------


def expected_signature(
    signature: HmacSignature, *, secret: str, body: bytes, timestamp: str | None = None
) -> dict[str, str]:
    """The headers a tool signing as `signature` declares would send with `body` (and `timestamp`)."""
    content = body if timestamp is None else f"{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), content, getattr(hashlib, signature.algorithm)).hexdigest()
    headers = {signature.header: f"{signature.prefix}{digest}"}
    if timestamp is not None:
        assert signature.timestamp_header is not None
        headers[signature.timestamp_header] = timestamp
    return headers


def grafana_documented_signature(secret: str, body: bytes, timestamp: str | None) -> str:
    """Grafana's documented scheme: hex HMAC-SHA256 of `timestamp + ":" + body`, or of the body alone."""
    mac = hmac.new(secret.encode(), digestmod=hashlib.sha256)
    if timestamp is not None:
        mac.update(timestamp.encode())
        mac.update(b":")
    mac.update(body)
    return mac.hexdigest()


def test_signature_declaration_is_grafanas_default_header_and_hex_sha256() -> None:
    assert grafana.SIGNATURE.header == "X-Grafana-Alerting-Signature"
    assert grafana.SIGNATURE.algorithm == "sha256"
    assert grafana.SIGNATURE.prefix == ""
    assert grafana.SIGNATURE.timestamp_header == "X-Grafana-Alerting-Timestamp"


@pytest.mark.parametrize("timestamp", ["1767607200", None])
def test_declared_signature_matches_the_documented_scheme(timestamp: str | None) -> None:
    body = (PAYLOADS / "firing.json").read_bytes()
    headers = expected_signature(grafana.SIGNATURE, secret="s3cret", body=body, timestamp=timestamp)
    assert headers["X-Grafana-Alerting-Signature"] == grafana_documented_signature("s3cret", body, timestamp)
    assert headers.get("X-Grafana-Alerting-Timestamp") == timestamp
    tampered = expected_signature(grafana.SIGNATURE, secret="s3cret", body=body + b" ", timestamp=timestamp)
    assert tampered["X-Grafana-Alerting-Signature"] != headers["X-Grafana-Alerting-Signature"]


def test_signature_known_vectors() -> None:
    body = b'{"alerts":[]}'
    with_time = expected_signature(grafana.SIGNATURE, secret="grafana-shared-secret", body=body, timestamp="1767607200")
    body_only = expected_signature(grafana.SIGNATURE, secret="grafana-shared-secret", body=body)
    assert with_time == {
        "X-Grafana-Alerting-Signature": "0ac2d91f04a998bd572139aabbf113d8db9718885922195b79fe4a53806d2d9b",
        "X-Grafana-Alerting-Timestamp": "1767607200",
    }
    assert body_only == {
        "X-Grafana-Alerting-Signature": "265d83644c7b3cc27978744bdfe9806a3bf00126b7127fbe492e40652200ab4e"
    }
