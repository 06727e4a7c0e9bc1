"""A recording SMTP server on a free loopback port (aiosmtpd in a thread), answering as the test scripts it.

Scripted replies are SMTP reply lines such as "451 4.3.0 try later" for MAIL, for a recipient, or for DATA;
`delay` holds the DATA reply back so the client times out. Logins are recorded and checked against
`accounts` when it is set; with a `tls_context` the server offers STARTTLS.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class SmtpScript:
    mail_reply: str | None = None
    rcpt_replies: dict[str, str] = field(default_factory=dict)  # recipient -> reply line
    data_reply: str | None = None
    delay: float = 0.0


class _Handler:
    def __init__(self, recorder: SmtpRecorder) -> None:
        self.recorder = recorder

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.recorder.script.mail_reply:
            return self.recorder.script.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        reply = self.recorder.script.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        script = self.recorder.script
        if script.delay:
            await asyncio.sleep(script.delay)
        if script.data_reply:
            return script.data_reply
        self.recorder.mails.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Message accepted for delivery"


class SmtpRecorder:
    def __init__(self, *, accounts: dict[str, str] | None = None, tls_context: ssl.SSLContext | None = None) -> None:
        self.mails: list[ReceivedMail] = []
        self.logins: list[tuple[str, str]] = []
        self.accounts = accounts
        self.script = SmtpScript()
        self.port = _free_port()
        self.controller = Controller(
            _Handler(self),
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self._authenticate,
            auth_require_tls=False,
            tls_context=tls_context,  # offers STARTTLS when set
        )

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = data.login.decode(), data.password.decode()
        self.logins.append((login, password))
        accepted = self.accounts is None or self.accounts.get(login) == password
        return AuthResult(success=accepted, handled=False)  # not handled: aiosmtpd answers 535

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def last(self) -> ReceivedMail:
        assert self.mails, "no mail reached the server"
        return self.mails[-1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
