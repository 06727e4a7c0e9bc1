"""The email target against a real SMTP server: the MIME message, threading, login, TLS and SMTP errors."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from notify_support import make_notice, resolved_notice
from smtp_recorder import SmtpRecorder, SmtpScript

from openconductor.core.errors import InvalidPayload
from openconductor.notify.contract import DeliveryContext, DeliveryError, IncidentNotice
from openconductor.notify.registry import parse_config
from openconductor.notify.targets import email

RECIPIENTS = ["oncall@example.com", "SRE Team <sre@example.com>"]


def _config(server: SmtpRecorder, **changes: Any) -> email.Config:
    raw = {"host": "127.0.0.1", "port": server.port, "security": "none", "from": "OpenConductor <oc@example.com>",
           "to": RECIPIENTS, **changes}  # fmt: skip
    config = parse_config("email", raw)
    assert isinstance(config, email.Config)
    return config


def test_multipart_message(smtp_server: SmtpRecorder, context: DeliveryContext, notice: IncidentNotice) -> None:
    delivered = email.deliver(notice, config=_config(smtp_server), context=context)
    assert delivered.detail == "accepted for 2 of 2 recipients"
    received = smtp_server.last
    assert received.mail_from == "oc@example.com"
    assert received.rcpt_tos == ["oncall@example.com", "sre@example.com"]
    mail = received.message()
    assert mail["Subject"] == "[CRITICAL] [open] checkout p99 above 2s"
    assert mail["From"] == "OpenConductor <oc@example.com>"
    assert mail["To"] == "oncall@example.com, SRE Team <sre@example.com>"
    assert mail["Message-ID"] == delivered.reference
    assert mail["Message-ID"].endswith("@example.com>")
    assert mail["In-Reply-To"] is None
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Date"] is not None
    assert mail.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in mail.iter_parts()}
    assert set(parts) == {"text/plain", "text/html"}
    assert notice.summary in parts["text/plain"] and notice.url in parts["text/plain"]
    assert "Alerts:      3" in parts["text/plain"]
    assert f'<a href="{notice.url}">' in parts["text/html"]
    assert (
        '<th align="left" style="padding:2px 12px 2px 0">Services</th><td>checkout, payments</td>' in parts["text/html"]
    )


def test_updates_thread_under_the_opening_mail(smtp_server: SmtpRecorder, context: DeliveryContext) -> None:
    config = _config(smtp_server)
    opening = email.deliver(make_notice(), config=config, context=context)
    context.reference = opening.reference
    update = email.deliver(make_notice(kind="updated", alert_count=5), config=config, context=context)
    resolve = email.deliver(resolved_notice(), config=config, context=context)
    assert update.reference == resolve.reference == opening.reference
    first, second, third = (mail.message() for mail in smtp_server.mails)
    for mail in (second, third):
        assert mail["In-Reply-To"] == first["Message-ID"]
        assert mail["References"] == first["Message-ID"]
        assert mail["Message-ID"] != first["Message-ID"]
    assert third["Subject"] == "[CRITICAL] [resolved] checkout p99 above 2s"
    assert "Incident resolved" in third.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_incident_text_is_escaped_in_html_and_kept_out_of_headers(
    smtp_server: SmtpRecorder, context: DeliveryContext
) -> None:
    notice = make_notice(
        title='<script>alert("x")</script>\r\nBcc: victim@example.org',
        summary="a <b>bold</b> & risky summary",
        url="javascript:alert(1)",
        labels={},
    )
    email.deliver(notice, config=_config(smtp_server), context=context)
    mail = smtp_server.last.message()
    assert mail["Bcc"] is None
    assert smtp_server.last.rcpt_tos == ["oncall@example.com", "sre@example.com"]
    assert "\n" not in mail["Subject"]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "a &lt;b&gt;bold&lt;/b&gt; &amp; risky summary" in html
    assert "javascript:" not in html


def test_login_with_username_and_password(context: DeliveryContext, notice: IncidentNotice) -> None:
    server = SmtpRecorder(accounts={"alerts": "right-password"})
    server.start()
    try:
        email.deliver(notice, config=_config(server, username="alerts", password="right-password"), context=context)
        assert server.logins == [("alerts", "right-password")]
        with pytest.raises(DeliveryError) as caught:
            email.deliver(notice, config=_config(server, username="alerts", password="wrong"), context=context)
        assert str(caught.value) == "SMTP login: reply 535 5.7.8"
        assert not caught.value.retryable
    finally:
        server.stop()


def test_some_recipients_refused(smtp_server: SmtpRecorder, context: DeliveryContext, notice: IncidentNotice) -> None:
    smtp_server.script = SmtpScript(rcpt_replies={"sre@example.com": "550 5.1.1 No such user"})
    delivered = email.deliver(notice, config=_config(smtp_server), context=context)
    assert delivered.detail == "accepted for 1 of 2 recipients"
    assert smtp_server.last.rcpt_tos == ["oncall@example.com"]


@pytest.mark.parametrize(("reply", "retryable"), [("450 4.2.1 Mailbox busy", True), ("550 5.1.1 No such user", False)])
def test_all_recipients_refused(
    smtp_server: SmtpRecorder, context: DeliveryContext, notice: IncidentNotice, reply: str, retryable: bool
) -> None:
    smtp_server.script = SmtpScript(rcpt_replies={"oncall@example.com": reply, "sre@example.com": reply})
    with pytest.raises(DeliveryError) as caught:
        email.deliver(notice, config=_config(smtp_server), context=context)
    assert caught.value.retryable is retryable
    assert str(caught.value).startswith("SMTP: every recipient refused")


def test_refused_connection_is_retryable(context: DeliveryContext, notice: IncidentNotice) -> None:
    server = SmtpRecorder()  # never started: nothing listens on its port
    with pytest.raises(DeliveryError) as caught:
        email.deliver(notice, config=_config(server), context=context)
    assert caught.value.retryable
    assert str(caught.value) == "SMTP connect: ConnectionRefusedError"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: (certificate file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[SmtpRecorder]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    server = SmtpRecorder(tls_context=context)
    server.start()
    yield server
    server.stop()


def test_starttls_with_a_trusted_certificate(
    tls_server: SmtpRecorder, certificate: tuple[Path, Path], context: DeliveryContext, notice: IncidentNotice
) -> None:
    config = _config(tls_server, security="starttls", ca_file=str(certificate[0]), username="u", password="p")
    email.deliver(notice, config=config, context=context)
    assert tls_server.logins == [("u", "p")]
    assert tls_server.last.message()["Subject"] == "[CRITICAL] [open] checkout p99 above 2s"


def test_starttls_with_an_untrusted_certificate_is_not_retried(
    tls_server: SmtpRecorder, context: DeliveryContext, notice: IncidentNotice
) -> None:
    with pytest.raises(DeliveryError) as caught:
        email.deliver(notice, config=_config(tls_server, security="starttls"), context=context)
    assert str(caught.value) == "SMTP STARTTLS: the server's TLS certificate is not trusted"
    assert not caught.value.retryable


def test_starttls_not_offered_is_not_retried(
    smtp_server: SmtpRecorder, context: DeliveryContext, notice: IncidentNotice
) -> None:
    with pytest.raises(DeliveryError) as caught:
        email.deliver(notice, config=_config(smtp_server, security="starttls"), context=context)
    assert str(caught.value) == "SMTP STARTTLS: the server does not offer it"
    assert not caught.value.retryable


def test_config_errors_and_defaults() -> None:
    config = parse_config("email", {"host": "smtp.example.com", "from": "oc@example.com", "to": ["a@example.com"]})
    assert isinstance(config, email.Config)
    assert (config.security, config.port, config.sender) == ("starttls", None, "oc@example.com")
    with pytest.raises(InvalidPayload) as caught:
        parse_config("email", {"host": "smtp", "from": "nobody", "to": ["ok@example.com", "bad"], "username": "u"})
    fields = sorted(problem.field for problem in caught.value.problems)
    assert fields == ["from", "password", "to[1]"]
    with pytest.raises(InvalidPayload) as caught:
        parse_config("email", {"host": "smtp", "from": "oc@example.com", "to": []})
    assert [problem.field for problem in caught.value.problems] == ["to"]
