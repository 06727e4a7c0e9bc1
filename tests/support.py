"""Helpers importable from any test (the tests folder is on pytest's python path)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest


def require_external(reason: str) -> None:
    """Skip on a laptop without the package or service; fail in CI, where it must be present."""
    if os.environ.get("OPENCONDUCTOR_REQUIRE_EXTERNAL") == "1":
        pytest.fail(f"required in CI but missing: {reason}")
    pytest.skip(reason)


def self_signed_certificate_pem(key: Any, *, common_name: str) -> bytes:
    """A PEM certificate for `key` (an RSA private key), valid from yesterday for 30 days, as tests that
    sign like a vendor (Amazon SNS) serve it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)
