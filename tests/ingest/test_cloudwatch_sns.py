"""Amazon SNS signatures and subscription handshakes, against a key, certificate and HTTP server made here.

Messages are signed exactly as SNS documents it (the listed keys in order, each as "Key\\nValue\\n", RSA
PKCS#1 v1.5 with SHA1 for version 1 and SHA256 for version 2); the certificate is served from loopback,
which the tests allow explicitly in place of the sns.<region>.amazonaws.com rule.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from openconductor.core.errors import Unauthenticated
from openconductor.ingest.base import ControlReply, IncomingRequest
from openconductor.ingest.integrations import cloudwatch
from support import self_signed_certificate_pem

PAYLOADS = Path(__file__).parent / "payloads" / "cloudwatch"
NOTIFICATION_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_KEYS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def certificate_pem(signing_key: rsa.RSAPrivateKey) -> bytes:
    return self_signed_certificate_pem(signing_key, common_name="sns.us-east-1.amazonaws.com")


class FakeSns:
    """A loopback HTTP server that serves the certificate and records every GET it answers."""

    def __init__(self, certificate_pem: bytes) -> None:
        self.requests: list[str] = []
        self.confirm_status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                if self.path == "/cert.pem":
                    status, body = 200, certificate_pem
                elif self.path.startswith("/?Action=ConfirmSubscription"):
                    status, body = outer.confirm_status, b"<ConfirmSubscriptionResponse/>"
                else:
                    status, body = 404, b"not found"
                self.send_response(status)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def sns_server(certificate_pem: bytes) -> Iterator[FakeSns]:
    server = FakeSns(certificate_pem)
    yield server
    server.close()


@pytest.fixture
def fake_sns(sns_server: FakeSns, monkeypatch: pytest.MonkeyPatch) -> FakeSns:
    sns_server.requests.clear()
    sns_server.confirm_status = 200
    endpoints = cloudwatch.SnsEndpoints()
    aws_rule = endpoints.is_aws_url
    # Loopback stands in for sns.<region>.amazonaws.com; every other URL still meets the real rule.
    monkeypatch.setattr(endpoints, "is_aws_url", lambda url: url.host == "127.0.0.1" or aws_rule(url))
    monkeypatch.setattr(cloudwatch, "SNS", endpoints)
    return sns_server


def sign(message: dict[str, Any], key: rsa.RSAPrivateKey, *, version: str) -> dict[str, Any]:
    keys = NOTIFICATION_KEYS if message["Type"] == "Notification" else CONFIRMATION_KEYS
    text = "".join(f"{name}\n{message[name]}\n" for name in keys if name in message)
    digest = hashes.SHA1() if version == "1" else hashes.SHA256()
    signature = key.sign(text.encode(), padding.PKCS1v15(), digest)
    return {**message, "SignatureVersion": version, "Signature": base64.b64encode(signature).decode()}


def recorded(name: str, server: FakeSns) -> dict[str, Any]:
    message = json.loads((PAYLOADS / f"{name}.json").read_text())
    message["SigningCertURL"] = f"{server.base}/cert.pem"
    return message


def request(message: Any, *, header: str | None = None) -> IncomingRequest:
    kind = header or (message.get("Type") if isinstance(message, dict) else None)
    headers = {"x-amz-sns-message-type": kind} if kind else {}
    return IncomingRequest(headers=headers, body=json.dumps(message).encode(), payload=message, query={})


def refusal(message: Any, **kwargs: Any) -> str:
    with pytest.raises(Unauthenticated) as caught:
        cloudwatch.verify(request(message), secret=kwargs.get("secret"))
    return str(caught.value)


@pytest.mark.parametrize("version", ["1", "2"])
def test_valid_signatures_pass(fake_sns: FakeSns, signing_key: rsa.RSAPrivateKey, version: str) -> None:
    for name in ("firing", "minimal"):  # with and without a Subject
        cloudwatch.verify(request(sign(recorded(name, fake_sns), signing_key, version=version)), secret=None)
    assert fake_sns.requests == ["/cert.pem"]  # fetched once, then cached by URL


def test_tampered_message_is_refused(fake_sns: FakeSns, signing_key: rsa.RSAPrivateKey) -> None:
    message = sign(recorded("firing", fake_sns), signing_key, version="2")
    message["Message"] = message["Message"].replace('"NewStateValue":"ALARM"', '"NewStateValue":"OK"')
    assert refusal(message).startswith("Signature: does not match the message")
    dropped_subject = sign(recorded("firing", fake_sns), signing_key, version="1")
    del dropped_subject["Subject"]
    assert refusal(dropped_subject).startswith("Signature: does not match")


def test_version_must_match_the_hash(fake_sns: FakeSns, signing_key: rsa.RSAPrivateKey) -> None:
    message = sign(recorded("firing", fake_sns), signing_key, version="1")
    assert refusal({**message, "SignatureVersion": "2"}).startswith("Signature: does not match")
    assert refusal({**message, "SignatureVersion": "3"}).startswith("SignatureVersion: expected 1")
    assert refusal({**message, "Signature": "%%%"}).startswith("Signature: expected a base64")


def test_certificate_from_another_host_is_never_fetched(fake_sns: FakeSns, signing_key: rsa.RSAPrivateKey) -> None:
    message = sign(recorded("firing", fake_sns), signing_key, version="2")
    for url in (
        "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
        "https://evil.example/sns.us-east-1.amazonaws.com/cert.pem",
        "http://sns.us-east-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com@127.0.0.2/cert.pem",
        f"{fake_sns.base.replace('127.0.0.1', 'localhost')}/cert.pem",
    ):
        text = refusal({**message, "SigningCertURL": url})
        assert text.startswith("SigningCertURL: expected an https URL on an Amazon SNS host")
        assert url not in text
    assert fake_sns.requests == []


def test_the_aws_host_rule() -> None:
    rule = cloudwatch.SnsEndpoints().is_aws_url
    allowed = ["https://sns.us-east-1.amazonaws.com/a.pem", "https://sns.cn-north-1.amazonaws.com.cn/a.pem"]
    refused = [
        "http://sns.us-east-1.amazonaws.com/a.pem",
        "https://sns.us-east-1.amazonaws.com:8443/a.pem",
        "https://sns.us-east-1.amazonaws.com.example.org/a.pem",
        "https://s3.amazonaws.com/a.pem",
        "https://user@sns.us-east-1.amazonaws.com/a.pem",
        "https://127.0.0.1/a.pem",
    ]
    assert [rule(httpx.URL(url)) for url in allowed] == [True, True]
    assert [rule(httpx.URL(url)) for url in refused] == [False] * len(refused)


def test_unfetchable_or_wrong_certificate_is_refused(fake_sns: FakeSns, signing_key: rsa.RSAPrivateKey) -> None:
    message = sign(recorded("firing", fake_sns), signing_key, version="2")
    missing = refusal({**message, "SigningCertURL": f"{fake_sns.base}/missing.pem"})
    assert missing == "SigningCertURL: the signing certificate could not be fetched"
    not_pem = refusal({**message, "SigningCertURL": f"{fake_sns.base}/?Action=ConfirmSubscription"})
    assert not_pem == "SigningCertURL: expected a PEM certificate holding an RSA key"


def test_malformed_envelopes_are_refused_clearly(fake_sns: FakeSns, signing_key: rsa.RSAPrivateKey) -> None:
    message = sign(recorded("firing", fake_sns), signing_key, version="2")
    assert refusal([message]) == "body: expected a signed Amazon SNS message"
    assert refusal({**message, "Type": "Other"}).startswith("Type: expected one of Notification")
    assert refusal({**message, "MessageId": 7}).startswith("MessageId: expected a string")
    with pytest.raises(Unauthenticated, match="x-amz-sns-message-type"):
        cloudwatch.verify(request(message, header="SubscriptionConfirmation"), secret=None)


def test_secret_restricts_the_topics(fake_sns: FakeSns, signing_key: rsa.RSAPrivateKey) -> None:
    message = sign(recorded("firing", fake_sns), signing_key, version="2")
    topic = message["TopicArn"]
    cloudwatch.verify(request(message), secret=f"arn:aws:sns:eu-west-1:1:other, {topic}")
    assert refusal(message, secret="arn:aws:sns:eu-west-1:1:other") == (
        "TopicArn: expected one of the topics this token accepts"
    )


def confirmation(server: FakeSns, key: rsa.RSAPrivateKey, *, subscribe_url: str | None = None) -> dict[str, Any]:
    message = recorded("control/subscription_confirmation", server)
    query = message["SubscribeURL"].split("/?", 1)[1]
    message["SubscribeURL"] = subscribe_url or f"{server.base}/?{query}"
    return sign(message, key, version="1")


def test_subscription_confirmation_visits_the_subscribe_url(fake_sns: FakeSns, signing_key: rsa.RSAPrivateKey) -> None:
    message = confirmation(fake_sns, signing_key)
    reply = cloudwatch.control(request(message))
    assert reply == ControlReply(200, {"status": "confirmed", "topic_arn": message["TopicArn"]})
    assert fake_sns.requests[0] == "/cert.pem"
    [visit] = fake_sns.requests[1:]
    assert visit.startswith("/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:")
    assert visit.endswith(f"&Token={message['Token']}")


def test_confirmation_is_verified_before_anything_is_visited(fake_sns: FakeSns, signing_key: rsa.RSAPrivateKey) -> None:
    message = confirmation(fake_sns, signing_key)
    message["Token"] = "forged"
    with pytest.raises(Unauthenticated, match=r"^Signature: does not match"):
        cloudwatch.control(request(message))
    assert not any(path.startswith("/?Action") for path in fake_sns.requests)


def test_subscribe_url_must_be_an_sns_url(fake_sns: FakeSns, signing_key: rsa.RSAPrivateKey) -> None:
    # Validly signed, yet pointing inside the network: never fetched.
    message = confirmation(fake_sns, signing_key, subscribe_url="http://169.254.169.254/latest/meta-data/")
    with pytest.raises(Unauthenticated, match=r"^SubscribeURL: expected an https URL on an Amazon SNS host"):
        cloudwatch.control(request(message))
    assert fake_sns.requests == ["/cert.pem"]


def test_failed_confirmation_is_reported(fake_sns: FakeSns, signing_key: rsa.RSAPrivateKey) -> None:
    fake_sns.confirm_status = 500
    reply = cloudwatch.control(request(confirmation(fake_sns, signing_key)))
    assert reply is not None and reply.status == 502
    assert reply.body["error"] == "subscription_not_confirmed"
    assert reply.body["message"].startswith("SubscribeURL: the confirmation request failed (HTTPStatusError)")


def test_unsubscribe_is_acknowledged_and_notifications_go_to_parse(fake_sns: FakeSns) -> None:
    unsubscribe = recorded("control/unsubscribe_confirmation", fake_sns)
    reply = cloudwatch.control(request(unsubscribe))
    assert reply is not None and reply.status == 200 and reply.body["status"] == "ignored"
    assert cloudwatch.control(request(recorded("firing", fake_sns))) is None
    assert cloudwatch.control(request([1, 2])) is None
    assert fake_sns.requests == []
