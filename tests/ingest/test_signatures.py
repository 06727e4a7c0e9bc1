"""HMAC signature checks: a matching signature passes, anything else is refused naming the header."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from openconductor.core.errors import Unauthenticated
from openconductor.ingest.base import HmacSignature
from openconductor.ingest.signatures import check_signature, sign

BODY = b'{"status": "firing"}'
PLAIN = HmacSignature(header="X-Sig", prefix="sha256=")
STAMPED = HmacSignature(header="X-Sig", timestamp_header="X-Time")


def test_sign_is_the_documented_hmac() -> None:
    digest = hmac.new(b"s3cret-value", BODY, hashlib.sha256).hexdigest()
    assert sign(PLAIN, secret="s3cret-value", body=BODY) == f"sha256={digest}"
    stamped = hmac.new(b"s3cret-value", b"1700000000:" + BODY, hashlib.sha256).hexdigest()
    assert sign(STAMPED, secret="s3cret-value", body=BODY, timestamp="1700000000") == stamped


def test_a_matching_signature_passes_in_any_case() -> None:
    value = sign(PLAIN, secret="s3cret-value", body=BODY).upper().replace("SHA256=", "sha256=")
    check_signature(PLAIN, secret="s3cret-value", headers={"x-sig": value}, body=BODY)


def test_the_timestamp_is_covered_when_sent_and_optional_otherwise() -> None:
    stamped = sign(STAMPED, secret="s3cret-value", body=BODY, timestamp="1700000000")
    headers = {"x-sig": stamped, "x-time": "1700000000"}
    check_signature(STAMPED, secret="s3cret-value", headers=headers, body=BODY, now=1700000000)
    with pytest.raises(Unauthenticated):
        check_signature(
            STAMPED, secret="s3cret-value", headers={**headers, "x-time": "1700000001"}, body=BODY, now=1700000000
        )
    unstamped = sign(STAMPED, secret="s3cret-value", body=BODY)
    check_signature(STAMPED, secret="s3cret-value", headers={"x-sig": unstamped}, body=BODY)


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({}, BODY),
        ({"x-sig": "sha256=" + "0" * 64}, BODY),
        ({"x-sig": sign(PLAIN, secret="another-secret", body=BODY)}, BODY),
        ({"x-sig": sign(PLAIN, secret="s3cret-value", body=BODY)}, BODY + b" "),
    ],
    ids=["missing", "zeros", "other-secret", "tampered-body"],
)
def test_anything_else_is_refused_naming_the_header(headers: dict[str, str], body: bytes) -> None:
    with pytest.raises(Unauthenticated, match=r"^X-Sig: expected"):
        check_signature(PLAIN, secret="s3cret-value", headers=headers, body=body)


@pytest.mark.parametrize("now", [1700000000 + 301, 1700000000 - 301])
def test_a_validly_signed_but_stale_or_future_timestamp_is_refused(now: float) -> None:
    stamped = sign(STAMPED, secret="s3cret-value", body=BODY, timestamp="1700000000")
    headers = {"x-sig": stamped, "x-time": "1700000000"}
    check_signature(STAMPED, secret="s3cret-value", headers=headers, body=BODY, now=1700000000 + 299)
    with pytest.raises(Unauthenticated, match=r"^X-Time: expected Unix seconds within 300 s"):
        check_signature(STAMPED, secret="s3cret-value", headers=headers, body=BODY, now=now)


def test_a_malformed_timestamp_is_refused() -> None:
    stamped = sign(STAMPED, secret="s3cret-value", body=BODY, timestamp="yesterday")
    with pytest.raises(Unauthenticated, match="X-Time"):
        check_signature(STAMPED, secret="s3cret-value", headers={"x-sig": stamped, "x-time": "yesterday"}, body=BODY)
