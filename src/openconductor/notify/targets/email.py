"""Email over SMTP: a multipart/alternative message (plain text and HTML, every incident text escaped)
with the severity, status and title in the subject. Updates thread under the opening mail through
In-Reply-To and References, using the opening Message-ID kept as the delivery reference.

SMTP outcomes: 4xx replies, timeouts and dropped connections are retried; 5xx replies, refused recipients
(all refusals 5xx) and TLS or AUTH that the server does not offer are not.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from html import escape
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, SecretStr, ValidationInfo, field_validator

from openconductor.core.timeutil import utcnow
from openconductor.notify.contract import Delivered, DeliveryContext, DeliveryError, IncidentNotice, TargetInfo
from openconductor.notify.targets._common import TargetConfig, clip, facts, lead_words

INFO = TargetInfo(slug="email", name="Email (SMTP)", docs="docs/notifications/email.md")

DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
SUBJECT_LIMIT = 200
_ENHANCED_STATUS = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}")


def _check_address(value: str) -> str:
    _, address = parseaddr(value)
    if "@" not in address or any(char in value for char in "\r\n"):
        raise ValueError("an email address such as oncall@example.com or 'On-call <oncall@example.com>'")
    return value


MailAddress = Annotated[str, AfterValidator(_check_address)]


class Config(TargetConfig):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True, populate_by_name=True)

    host: str = Field(min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535)  # default by security: 587, 465 or 25
    security: Literal["starttls", "ssl", "none"] = "starttls"
    ca_file: str | None = None  # PEM certificates to trust instead of the system's (a private relay's CA)
    username: str | None = None
    password: SecretStr | None = Field(default=None, validate_default=True)
    sender: MailAddress = Field(alias="from")
    to: list[MailAddress] = Field(min_length=1)

    @field_validator("password")
    @classmethod
    def _login_pair(cls, password: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if (info.data.get("username") is None) != (password is None):
            raise ValueError("a password exactly when a username is set")
        return password


def subject(notice: IncidentNotice) -> str:
    title = " ".join(notice.title.split())  # a header cannot hold line breaks
    return clip(f"[{notice.severity.upper()}] [{notice.status}] {title}", SUBJECT_LIMIT)


def text_body(notice: IncidentNotice) -> str:
    lead = lead_words(notice)
    rows = "\n".join(f"{label + ':':<13}{value}" for label, value in facts(notice))
    link = f"Open the incident: {notice.url}"
    return f"{lead}: {notice.title}\n\n{notice.summary}\n\n{rows}\n\n{link}\n\n-- \nOpenConductor\n"


def html_body(notice: IncidentNotice) -> str:
    lead = lead_words(notice)
    rows = "".join(
        f'<tr><th align="left" style="padding:2px 12px 2px 0">{escape(label)}</th><td>{escape(value)}</td></tr>'
        for label, value in facts(notice)
    )
    link = ""
    if notice.url.startswith(("http://", "https://")):
        link = f'<p><a href="{escape(notice.url, quote=True)}">Open the incident</a></p>'
    return (
        '<!DOCTYPE html><html><body style="font-family:sans-serif">'
        f"<h2>{escape(lead)}: {escape(notice.title)}</h2>"
        f"<p>{escape(notice.summary)}</p>"
        f"<table>{rows}</table>{link}"
        '<p style="color:#888">OpenConductor</p></body></html>'
    )


def message(notice: IncidentNotice, *, config: Config, thread: str | None) -> EmailMessage:
    """The mail; `thread` is the opening mail's Message-ID, when this notice follows one."""
    domain = Address(addr_spec=parseaddr(config.sender)[1]).domain or "openconductor.local"
    mail = EmailMessage()
    mail["Subject"] = subject(notice)
    mail["From"] = config.sender
    mail["To"] = ", ".join(config.to)
    mail["Date"] = format_datetime(notice.sent_at or utcnow())
    mail["Message-ID"] = make_msgid(idstring=re.sub(r"[^A-Za-z0-9_.-]", "", notice.incident_id)[:64], domain=domain)
    if thread:
        mail["In-Reply-To"] = thread
        mail["References"] = thread
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies to an alerting robot
    mail["X-OpenConductor-Incident"] = notice.incident_id
    mail.set_content(text_body(notice), cte="quoted-printable")
    mail.add_alternative(html_body(notice), subtype="html", cte="quoted-printable")
    return mail


def deliver(notice: IncidentNotice, *, config: Config, context: DeliveryContext) -> Delivered:
    thread = context.reference if context.reference and context.reference.startswith("<") else None
    mail = message(notice, config=config, thread=thread)
    refused = _send(mail, config=config, timeout=context.timeout_seconds)
    detail = f"accepted for {len(config.to) - len(refused)} of {len(config.to)} recipients"
    return Delivered(reference=thread or mail["Message-ID"], detail=detail)


def _send(mail: EmailMessage, *, config: Config, timeout: float) -> dict[str, tuple[int, bytes]]:
    port = config.port or DEFAULT_PORTS[config.security]
    stage = "connect"
    tls = ssl.create_default_context(cafile=config.ca_file)
    try:
        client: smtplib.SMTP
        if config.security == "ssl":
            client = smtplib.SMTP_SSL(config.host, port, timeout=timeout, context=tls)
        else:
            client = smtplib.SMTP(config.host, port, timeout=timeout)
        with client:
            if config.security == "starttls":
                stage = "STARTTLS"
                client.starttls(context=tls)
            if config.username is not None and config.password is not None:
                stage = "login"
                client.login(config.username, config.password.get_secret_value())
            stage = "send"
            sender = parseaddr(config.sender)[1]
            return client.send_message(mail, from_addr=sender, to_addrs=[parseaddr(to)[1] for to in config.to])
    except smtplib.SMTPRecipientsRefused as error:
        codes = sorted({code for code, _ in error.recipients.values()})
        temporary = all(400 <= code < 500 for code in codes)
        raise DeliveryError(f"SMTP: every recipient refused (reply {codes})", retryable=temporary) from None
    except smtplib.SMTPResponseException as error:
        reply = error.smtp_error
        enhanced = _ENHANCED_STATUS.match(reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply))
        # Only the codes: the server's own words may quote addresses or credentials back.
        shown = f"{error.smtp_code}" + (f" {enhanced.group()}" if enhanced else "")
        retryable = 400 <= error.smtp_code < 500
        raise DeliveryError(f"SMTP {stage}: reply {shown}", retryable=retryable) from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError(f"SMTP {stage}: the server does not offer it", retryable=False) from None
    except smtplib.SMTPServerDisconnected:
        raise DeliveryError(f"SMTP {stage}: the server closed the connection", retryable=True) from None
    except ssl.SSLCertVerificationError:
        raise DeliveryError(f"SMTP {stage}: the server's TLS certificate is not trusted", retryable=False) from None
    except smtplib.SMTPException as error:
        raise DeliveryError(f"SMTP {stage}: {type(error).__name__}", retryable=False) from None
    except TimeoutError:
        raise DeliveryError(f"SMTP {stage}: timed out after {timeout:g} s", retryable=True) from None
    except OSError as error:
        raise DeliveryError(f"SMTP {stage}: {type(error).__name__}", retryable=True) from None
