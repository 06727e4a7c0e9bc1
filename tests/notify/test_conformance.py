"""Every registered target keeps the contract: success is Delivered, failures are retryable or not by the
same rules, and no secret reaches an error, the config's repr or dump, or a log record."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from notify_support import HttpRecorder, Reply, make_notice
from pydantic import BaseModel, SecretStr
from smtp_recorder import SmtpRecorder, SmtpScript

from openconductor.notify.contract import Delivered, DeliveryContext, DeliveryError
from openconductor.notify.registry import TARGETS, parse_config

# Each target's configuration against the local server, with a distinct value for every secret.
HTTP_CONFIGS: dict[str, Callable[[str], dict[str, Any]]] = {
    "webhook": lambda base: {
        "url": f"{base}/hooks/in?token=webhook-url-token-1",
        "secret": "webhook-signing-secret-2",
        "headers": {"Authorization": "Bearer webhook-header-secret-3"},
    },
    "slack": lambda base: {"webhook_url": f"{base}/services/T0000/B0000/slack-url-secret-4"},
    "teams": lambda base: {"webhook_url": f"{base}/workflows/abc/triggers/manual/paths/invoke?sig=teams-url-secret-5"},
    "pagerduty": lambda base: {"routing_key": "pagerduty-routing-key-6", "url": f"{base}/v2/enqueue"},
    "opsgenie": lambda base: {"api_key": "opsgenie-api-key-7", "api_url": base},
    "jira": lambda base: {
        "base_url": base,
        "project_key": "OPS",
        "email": "bot@example.com",
        "api_token": "jira-api-token-8",
    },
    "servicenow": lambda base: {"instance_url": base, "username": "oc.integration", "password": "sn-password-9"},
}
SMTP_CONFIGS: dict[str, Callable[[int], dict[str, Any]]] = {
    "email": lambda port: {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "username": "alerts",
        "password": "smtp-password-10",
        "from": "openconductor@example.com",
        "to": ["oncall@example.com"],
    },
}
# What each service answers when it accepts the request.
SUCCESS: dict[str, Reply] = {
    "webhook": Reply(200, "ok"),
    "slack": Reply(200, "ok"),
    "teams": Reply(202),
    "pagerduty": Reply(202, {"status": "success", "message": "Event processed", "dedup_key": "x"}),
    "opsgenie": Reply(202, {"result": "Request will be processed", "took": 0.1, "requestId": "r-1"}),
    "jira": Reply(201, {"id": "10001", "key": "OPS-1", "self": "http://jira/rest/api/2/issue/10001"}),
    "servicenow": Reply(201, {"result": {"sys_id": "9d385017c611228701d22104cc95c371", "number": "INC0010001"}}),
}
SMTP_FAILURES = {
    "500": SmtpScript(data_reply="451 4.3.0 Temporary local problem"),
    "503": SmtpScript(mail_reply="421 4.7.0 Try again later"),
    "429": SmtpScript(data_reply="452 4.3.1 Insufficient system storage"),
    "400": SmtpScript(data_reply="554 5.6.0 Message content rejected"),
    "401": SmtpScript(mail_reply="550 5.7.1 Sender not allowed"),
    "404": SmtpScript(rcpt_replies={"oncall@example.com": "550 5.1.1 No such user"}),
}
CASES = ["ok", "500", "503", "429", "timeout", "400", "401", "404"]
RETRYABLE = {"500", "503", "429", "timeout"}


def test_every_target_has_a_conformance_configuration() -> None:
    assert set(HTTP_CONFIGS) | set(SMTP_CONFIGS) == set(TARGETS)


def secrets_of(config: BaseModel) -> list[str]:
    """Every SecretStr value in the config; for secret URLs also their path and query, the part that
    is the credential (the host may be shown)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, SecretStr):
            secret = value.get_secret_value()
            found.append(secret)
            if secret.startswith("http"):
                parts = urlsplit(secret)
                found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(config)
    return [secret for secret in found if secret]


def _attempt(slug: str, case: str, request: pytest.FixtureRequest) -> tuple[BaseModel, Any]:
    module = TARGETS[slug]
    if slug in SMTP_CONFIGS:
        smtp_server: SmtpRecorder = request.getfixturevalue("smtp_server")
        config = parse_config(slug, SMTP_CONFIGS[slug](smtp_server.port))
        if case == "timeout":
            smtp_server.script = SmtpScript(delay=1.5)
        elif case != "ok":
            smtp_server.script = SMTP_FAILURES[case]
    else:
        http_server: HttpRecorder = request.getfixturevalue("http_server")
        config = parse_config(slug, HTTP_CONFIGS[slug](http_server.url))
        success = SUCCESS[slug]
        if case == "ok":
            http_server.reply(success.status, success.body)
        elif case == "timeout":
            http_server.reply(success.status, success.body, delay=1.5)
        else:
            http_server.reply(int(case), {"error": "scripted failure"}, headers={"Retry-After": "7"})
    with httpx.Client() as client:
        context = DeliveryContext(http=client, timeout_seconds=0.4)
        try:
            return config, module.deliver(make_notice(), config=config, context=context)
        except DeliveryError as error:
            return config, error


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("slug", sorted(TARGETS))
def test_attempt_outcome_and_no_secret_leaks(
    slug: str, case: str, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    config, outcome = _attempt(slug, case, request)
    if case == "ok":
        assert isinstance(outcome, Delivered), outcome
    else:
        assert isinstance(outcome, DeliveryError), outcome
        assert outcome.retryable is (case in RETRYABLE), str(outcome)
        if case in {"429", "503"} and slug not in SMTP_CONFIGS:
            assert outcome.retry_after_seconds == 7
    secrets = secrets_of(config)
    assert secrets, "the conformance configuration should hold secrets"
    shown = [repr(config), config.model_dump_json(), str(config.model_dump())]
    shown += [str(outcome), repr(outcome)]
    shown += [record.getMessage() for record in caplog.records]
    for text in shown:
        for secret in secrets:
            assert secret not in text, f"a secret of {slug} appears in: {text[:200]}"
