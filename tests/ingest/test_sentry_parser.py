"""Sentry webhooks: issue alerts, metric alerts, issue changes, the signature Sentry sends, other resources."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from openconductor.core.errors import InvalidPayload, Unauthenticated
from openconductor.core.models import AlertEvent, AlertStatus, Severity
from openconductor.ingest.base import IncomingRequest
from openconductor.ingest.integrations import sentry
from openconductor.ingest.signatures import check_signature

PAYLOADS = Path(__file__).parent / "payloads" / "sentry"
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
SECRET = "6f2c9e0b4a7d41c8b3e5f1a2d9c8b7a6e5f4d3c2b1a09f8e7d6c5b4a3f2e1d0c"


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def parse_one(payload: object) -> AlertEvent:
    [event] = sentry.parse(payload, received_at=RECEIVED)
    return event


def test_issue_alert() -> None:
    event = parse_one(load("firing"))
    assert event.source == "sentry"
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.HIGH  # level error
    assert event.title == "GatewayTimeout: payment provider did not answer within 10s"
    assert event.description == "GatewayTimeout: payment provider did not answer within 10s"
    assert event.fingerprint == "sentry:issue:4821007731"
    # service: the project slug in the event's API url; resource: server_name.
    assert (event.service, event.resource, event.environment) == ("checkout", "checkout-web-3", "production")
    assert event.labels["transaction"] == "/checkout/pay"
    assert event.labels["handled"] == "no"
    assert (event.labels["sentry_resource"], event.labels["project"], event.labels["level"]) == (
        "event_alert",
        "checkout",
        "error",
    )
    assert event.annotations == {
        "url": "https://acme.sentry.io/issues/4821007731/events/8c2f5e6a1b7d4e0f9a3c2b1d0e9f8a7b/",
        "issue_api_url": "https://sentry.io/api/0/issues/4821007731/",
        "api_url": "https://sentry.io/api/0/projects/acme/checkout/events/8c2f5e6a1b7d4e0f9a3c2b1d0e9f8a7b/",
        "triggered_rule": "Unhandled errors in checkout",
        "culprit": "checkout.payments in capture",
        "event_id": "8c2f5e6a1b7d4e0f9a3c2b1d0e9f8a7b",
        "release": "checkout@2026.1.4",
        "platform": "python",
    }
    assert event.starts_at == datetime(2026, 1, 5, 9, 59, 58, 204000, tzinfo=UTC)


def test_resolving_the_issue_resolves_the_issue_alert() -> None:
    alert, resolved = parse_one(load("firing")), parse_one(load("resolved"))
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.fingerprint == alert.fingerprint == "sentry:issue:4821007731"
    assert resolved.ends_at == RECEIVED  # Sentry sends no resolve time: the arrival
    assert resolved.service == "checkout"
    assert resolved.annotations["url"] == "https://acme.sentry.io/issues/4821007731/"
    assert resolved.labels["shortId"] == "CHECKOUT-3K"


def test_issue_created() -> None:
    event = parse_one(load("issue_created"))
    assert event.status is AlertStatus.FIRING
    assert event.severity is Severity.WARNING
    assert event.title == "SlowCheckout: cart pricing took 4.2s"
    assert event.fingerprint == "sentry:issue:4821039912"
    assert event.starts_at == datetime(2026, 1, 5, 10, 2, 13, 880000, tzinfo=UTC)
    assert event.labels["substatus"] == "new"
    assert event.annotations["culprit"] == "checkout.pricing in price_cart"


def test_metric_alert_critical_then_resolved() -> None:
    critical, resolved = parse_one(load("minimal")), parse_one(load("metric_resolved"))
    assert critical.status is AlertStatus.FIRING and critical.severity is Severity.CRITICAL
    assert critical.title == "Critical: Checkout error spike"
    assert critical.description.startswith("312 events in the last 5 minutes")
    assert critical.fingerprint == resolved.fingerprint == "sentry:metric_alert:9127345"
    assert (critical.service, critical.environment) == ("checkout", "production")
    assert critical.starts_at == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert critical.labels == {
        "sentry_resource": "metric_alert",
        "action": "critical",
        "rule_name": "Checkout error spike",
        "rule_id": "61204",
        "rule_aggregate": "count()",
        "rule_query": "level:error",
        "rule_dataset": "events",
        "projects": "checkout",
    }
    assert critical.annotations == {"url": "https://acme.sentry.io/alerts/412/", "incident": "412"}
    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.ends_at == datetime(2026, 1, 5, 10, 21, tzinfo=UTC)


def test_metric_warning() -> None:
    payload = load("minimal")
    payload["action"] = "warning"
    assert parse_one(payload).severity is Severity.WARNING


@pytest.mark.parametrize(
    ("action", "status", "acknowledge"),
    [
        ("created", AlertStatus.FIRING, False),
        ("unresolved", AlertStatus.FIRING, False),
        ("assigned", AlertStatus.FIRING, True),
        ("resolved", AlertStatus.RESOLVED, False),
        ("archived", AlertStatus.RESOLVED, False),
        ("ignored", AlertStatus.RESOLVED, False),
    ],
)
def test_issue_actions(action: str, status: AlertStatus, acknowledge: bool) -> None:
    payload = load("issue_created")
    payload["action"] = action
    event = parse_one(payload)
    assert (event.status, event.acknowledge) == (status, acknowledge)


def test_a_new_issue_action_falls_back_to_the_issue_status() -> None:
    payload = load("resolved")
    payload["action"] = "merged"
    assert parse_one(payload).status is AlertStatus.RESOLVED


def test_tags_as_objects_and_unknown_keys() -> None:
    payload = load("firing")
    payload["data"]["event"]["tags"] = [{"key": "region", "value": "eu-west-1"}]
    payload["data"]["event"]["brandNew"] = {"a": 1}
    payload["extra"] = [1]
    event = parse_one(payload)
    assert event.labels["region"] == "eu-west-1"
    assert event.fingerprint == "sentry:issue:4821007731"


@pytest.mark.parametrize(
    ("name", "change", "field", "expected"),
    [
        ("firing", lambda p: p.pop("data"), "data", "an object"),
        ("firing", lambda p: p.update(action=3), "action", "a string"),
        (
            "firing",
            lambda p: p.update(data={"comment": "x"}),
            "data",
            "an object with event (issue alert), metric_alert (metric alert) or issue (issue webhook)",
        ),
        ("firing", lambda p: p["data"].update(event="x"), "data.event", "an event object"),
        (
            "firing",
            lambda p: p["data"]["event"].update(tags="a:b"),
            "data.event.tags",
            "an array of [key, value] pairs",
        ),
        (
            "firing",
            lambda p: p["data"]["event"].update(tags=[["a"]]),
            "data.event.tags[0]",
            "a [key, value] pair of strings",
        ),
        ("firing", lambda p: p["data"]["event"].update(issue_id=[1]), "data.event.issue_id", "an id (a string)"),
        (
            "firing",
            lambda p: p["data"]["event"].update(datetime="now"),
            "data.event.datetime",
            "an RFC 3339 timestamp such as 2026-01-05T10:00:00Z",
        ),
        (
            "minimal",
            lambda p: p.update(action="triggered"),
            "action",
            "one of critical, warning, resolved (a metric alert)",
        ),
        (
            "minimal",
            lambda p: p["data"]["metric_alert"].pop("id"),
            "data.metric_alert.id",
            "an id (a non-empty string)",
        ),
        ("minimal", lambda p: p["data"].update(description_title={}), "data.description_title", "a string"),
        (
            "resolved",
            lambda p: p["data"]["issue"].update(id="9" * 101),
            "data.issue.id",
            "a string of at most 100 characters",
        ),
        (
            "resolved",
            lambda p: p["data"]["issue"]["project"].update(slug="s" * 301),
            "data.issue.project.slug",
            "a string of at most 300 characters",
        ),
        (
            "resolved",
            lambda p: (p.update(action="bookmarked"), p["data"]["issue"].update(status="weird")),
            "action",
            "one of created, unresolved, assigned, resolved, archived, ignored (or an issue status)",
        ),
    ],
)
def test_wrong_fields_are_named(name: str, change: Any, field: str, expected: str) -> None:
    payload = copy.deepcopy(load(name))
    change(payload)
    with pytest.raises(InvalidPayload) as caught:
        sentry.parse(payload, received_at=RECEIVED)
    assert [(p.field, p.expected) for p in caught.value.problems] == [(field, expected)]


def test_the_declared_signature_is_sentrys_scheme() -> None:
    """Sentry: HMAC-SHA256 of the raw body with the client secret, hex, in Sentry-Hook-Signature."""
    body = json.dumps(load("firing")).encode()
    signed = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    check_signature(sentry.SIGNATURE, secret=SECRET, headers={"sentry-hook-signature": signed}, body=body)
    with pytest.raises(Unauthenticated):
        check_signature(sentry.SIGNATURE, secret=SECRET, headers={"sentry-hook-signature": signed}, body=body + b" ")
    with pytest.raises(Unauthenticated):
        check_signature(sentry.SIGNATURE, secret=SECRET, headers={}, body=body)


def request(payload: Any, resource: str | None) -> IncomingRequest:
    headers = {"sentry-hook-resource": resource} if resource else {}
    return IncomingRequest(headers=headers, body=json.dumps(payload).encode(), payload=payload, query={})


def test_other_resources_are_answered_without_alerts() -> None:
    installation = {"action": "created", "data": {"installation": {"uuid": "x"}}, "installation": {"uuid": "x"}}
    reply = sentry.control(request(installation, "installation"))
    assert reply is not None and reply.status == 200
    assert reply.body["resource"] == "installation"
    for resource in ("event_alert", "metric_alert", "issue", None):
        assert sentry.control(request(load("firing"), resource)) is None


def test_signed_webhooks_through_the_endpoint(client: Any, platform: Any) -> None:
    issued = platform.tokens.create("sentry", name="sentry-internal", signing_secret=SECRET)
    url = f"/api/v1/integrations/sentry/{issued.value}"
    body = json.dumps(load("firing")).encode()
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"content-type": "application/json", "sentry-hook-resource": "event_alert"}
    accepted = client.post(url, content=body, headers={**headers, "sentry-hook-signature": signature})
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["alerts"][0]["change"] == "new"
    forged = client.post(url, content=body, headers={**headers, "sentry-hook-signature": "0" * 64})
    assert forged.status_code == 401
    resolved = json.dumps(load("resolved")).encode()
    signature = hmac.new(SECRET.encode(), resolved, hashlib.sha256).hexdigest()
    answer = client.post(url, content=resolved, headers={**headers, "sentry-hook-signature": signature})
    assert answer.status_code == 202 and answer.json()["alerts"][0]["change"] == "resolve"
