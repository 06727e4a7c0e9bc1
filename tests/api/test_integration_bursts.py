"""Every integration's recorded batch over HTTP on both databases: one request, or a burst posted body by body;
all answered 2xx, stored as one alert per distinct fingerprint in the state its last event left it."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from fastapi.testclient import TestClient

from openconductor.ingest.integrations import cloudwatch
from openconductor.ingest.registry import INTEGRATIONS
from support import self_signed_certificate_pem

PAYLOADS = Path(__file__).parent.parent / "ingest" / "payloads"
# Kubernetes' batch.json is one request (an array of events), as in tests/ingest/test_recorded_payloads.py.
ARRAY_BATCHES = frozenset({"kubernetes"})
RECEIVED = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
# The keys SNS signs in a Notification, in order (Subject only when the message has one).
SNS_SIGNED_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")


def requests_of(slug: str) -> list[Any]:
    """The request bodies the tool sends for its recorded batch: the burst's bodies, or the batch itself."""
    payload = json.loads((PAYLOADS / slug / "batch.json").read_text())
    if getattr(INTEGRATIONS[slug], "ONE_ALERT_PER_REQUEST", "") and slug not in ARRAY_BATCHES:
        assert isinstance(payload, list) and len(payload) >= 3
        return payload
    return [payload]


def expected_alerts(slug: str, bodies: list[Any]) -> dict[tuple[str, str], str]:
    """(source, fingerprint) -> the status its last event sets; acknowledgements create no alert."""
    final: dict[tuple[str, str], str] = {}
    for body in bodies:
        for event in INTEGRATIONS[slug].parse(body, received_at=RECEIVED):
            if not event.acknowledge:
                final[(event.source, event.fingerprint)] = event.status.value
    return final


@pytest.fixture(scope="module")
def sns_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def sns_signer(
    sns_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Signs SNS messages as Amazon SNS does; fetching their SigningCertURL returns this key's certificate,
    because AWS cannot be reached from tests. The SNS host rule stays as it is."""
    certificate = self_signed_certificate_pem(sns_key, common_name="sns.us-east-1.amazonaws.com")
    served: set[str] = set()

    class RecordedSns(cloudwatch.SnsEndpoints):
        def get(self, url: httpx.URL) -> bytes:
            if str(url) not in served:
                raise httpx.ConnectError(f"not served here: {url}")
            return certificate

    monkeypatch.setattr(cloudwatch, "SNS", RecordedSns())

    def sign(message: dict[str, Any]) -> dict[str, Any]:
        assert cloudwatch.SNS.is_aws_url(httpx.URL(message["SigningCertURL"]))
        served.add(message["SigningCertURL"])
        text = "".join(f"{key}\n{message[key]}\n" for key in SNS_SIGNED_KEYS if key in message)
        digest = hashes.SHA1() if message["SignatureVersion"] == "1" else hashes.SHA256()
        signature = sns_key.sign(text.encode(), padding.PKCS1v15(), digest)
        return {**message, "Signature": base64.b64encode(signature).decode()}

    return sign


@pytest.mark.parametrize("slug", sorted(INTEGRATIONS))
def test_recorded_batch_is_stored_as_one_alert_per_fingerprint(
    client: TestClient, slug: str, request: pytest.FixtureRequest
) -> None:
    bodies = requests_of(slug)
    headers = {"content-type": "application/json"}
    if slug == "cloudwatch":
        sign = request.getfixturevalue("sns_signer")
        bodies = [sign(body) for body in bodies]
        headers["x-amz-sns-message-type"] = "Notification"
    expected = expected_alerts(slug, bodies)
    assert expected

    alert_ids: set[str] = set()
    for index, body in enumerate(bodies):
        response = client.post(f"/api/v1/integrations/{slug}", content=json.dumps(body), headers=headers)
        assert 200 <= response.status_code < 300, f"body {index}: {response.status_code} {response.text}"
        if not hasattr(INTEGRATIONS[slug], "reply"):  # tools with their own answer are read back by listing
            alert_ids |= {outcome["alert_id"] for outcome in response.json()["alerts"] if outcome["alert_id"]}

    stored: dict[tuple[str, str], str] = {}
    stored_ids: set[str] = set()
    for source in {source for source, _ in expected}:
        page = client.get("/api/v1/alerts", params={"source": source, "limit": 500})
        assert page.status_code == 200, page.text
        for alert in page.json()["items"]:
            stored[(alert["source"], alert["fingerprint"])] = alert["status"]
            stored_ids.add(alert["id"])
    assert len(stored_ids) == len(expected)
    assert stored == expected
    if alert_ids:
        assert alert_ids == stored_ids
