"""Pieces the target modules share: strict config models, secret URLs, text limits and message wording."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
from pydantic import AfterValidator, BaseModel, ConfigDict, SecretStr

from openconductor.core.timeutil import format_rfc3339
from openconductor.notify.contract import IncidentNotice


class TargetConfig(BaseModel):
    """Unknown keys are errors, so a misspelt setting is refused when the configuration loads."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


def check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("an http:// or https:// URL with a host")
    return value


def _check_secret_url(value: SecretStr) -> SecretStr:
    check_url(value.get_secret_value())
    return value


def _check_base_url(value: str) -> str:
    return check_url(value).rstrip("/")


# A webhook URL whose path or query is its credential (Slack, Teams): kept as a secret.
SecretUrl = Annotated[SecretStr, AfterValidator(_check_secret_url)]
# An API's base URL, which is not a secret (the credential travels in a header); no trailing slash.
BaseUrl = Annotated[str, AfterValidator(_check_base_url)]


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with an ellipsis when it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def headline(notice: IncidentNotice) -> str:
    """One line that says what happened: `[RESOLVED] checkout p99 above 2s` and the like."""
    state = {"opened": notice.severity.upper(), "updated": "UPDATED", "resolved": "RESOLVED"}[notice.kind]
    return f"[{state}] {notice.title}"


def lead_words(notice: IncidentNotice) -> str:
    return {"opened": "New incident", "updated": "Incident updated", "resolved": "Incident resolved"}[notice.kind]


def services_text(notice: IncidentNotice) -> str:
    return ", ".join(notice.services) or "—"


def facts(notice: IncidentNotice) -> list[tuple[str, str]]:
    """The incident's facts as (label, value) pairs, in the order every chat and mail target shows them."""
    rows = [
        ("Severity", notice.severity),
        ("Status", notice.status),
        ("Environment", notice.environment or "—"),
        ("Services", services_text(notice)),
        ("Alerts", str(notice.alert_count)),
        ("Started", format_rfc3339(notice.started_at)),
    ]
    if notice.resolved_at is not None:
        rows.append(("Resolved", format_rfc3339(notice.resolved_at)))
    return rows


def answer_field(response: httpx.Response, *path: str) -> Any:
    """A field of a JSON answer (`answer_field(r, "result", "sys_id")`), or None when the answer is not
    JSON or has no such field: services answer errors in HTML too."""
    try:
        value: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
