"""Opsgenie Alert API: an incident becomes one Opsgenie alert with alias = the incident id. Opened creates
it (POST /v2/alerts), updated adds a note, resolved closes it (both addressed by alias).

Priority: critical P1, high P2, medium P3, low P4, info P5, unknown P3 (overridable). Opsgenie answers 202
("Request will be processed") and applies the request asynchronously.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import Field, SecretStr

from openconductor.core.timeutil import format_rfc3339
from openconductor.notify.contract import Delivered, DeliveryContext, IncidentNotice, TargetInfo, send_json
from openconductor.notify.targets._common import BaseUrl, TargetConfig, answer_field, clip, facts, services_text

INFO = TargetInfo(slug="opsgenie", name="Opsgenie", docs="docs/notifications/opsgenie.md")

# Field limits of the Alert API (docs.opsgenie.com, Alert API: create alert).
MESSAGE_LIMIT = 130
ALIAS_LIMIT = 512
DESCRIPTION_LIMIT = 15000
NOTE_LIMIT = 25000
ENTITY_LIMIT = 512
SOURCE_LIMIT = 100
TAG_LIMIT = 50
MAX_TAGS = 20
DETAILS_LIMIT = 8000  # all keys and values together
Priority = Literal["P1", "P2", "P3", "P4", "P5"]
OurSeverity = Literal["critical", "high", "medium", "low", "info", "unknown"]
DEFAULT_PRIORITIES: dict[str, Priority] = {
    "critical": "P1",
    "high": "P2",
    "medium": "P3",
    "low": "P4",
    "info": "P5",
    "unknown": "P3",
}


class Config(TargetConfig):
    api_key: SecretStr  # the key of an API integration, sent as `Authorization: GenieKey <key>`
    api_url: BaseUrl = "https://api.opsgenie.com"  # EU accounts: https://api.eu.opsgenie.com
    responders: list[str] = []  # team names to notify; by default the integration's team
    tags: list[str] = Field(default=[], max_length=MAX_TAGS)  # added to every alert
    user: str | None = Field(default=None, max_length=100)  # shown as the actor in the alert's log
    priorities: dict[OurSeverity, Priority] = {}  # overrides of DEFAULT_PRIORITIES


def alias(notice: IncidentNotice) -> str:
    return clip(notice.incident_id, ALIAS_LIMIT)


def create_body(notice: IncidentNotice, *, config: Config) -> dict[str, Any]:
    priority = DEFAULT_PRIORITIES.get(notice.severity, "P3")
    priority = next((theirs for ours, theirs in config.priorities.items() if ours == notice.severity), priority)
    body: dict[str, Any] = {
        "message": clip(notice.title, MESSAGE_LIMIT),
        "alias": alias(notice),
        "description": clip(describe(notice), DESCRIPTION_LIMIT),
        "priority": priority,
        "tags": tags(notice, extra=config.tags),
        "details": details(notice),
        "entity": clip(services_text(notice), ENTITY_LIMIT),
        "source": "OpenConductor",
    }
    if config.responders:
        body["responders"] = [{"type": "team", "name": name} for name in config.responders]
    if config.user:
        body["user"] = config.user
    return body


def describe(notice: IncidentNotice) -> str:
    lines = [notice.summary, "", *(f"{label}: {value}" for label, value in facts(notice)), "", notice.url]
    return "\n".join(lines).strip()


def tags(notice: IncidentNotice, *, extra: list[str]) -> list[str]:
    wanted = ["openconductor", f"severity:{notice.severity}", *extra]
    if notice.environment:
        wanted.append(f"env:{notice.environment}")
    wanted += [f"service:{service}" for service in notice.services]
    unique = list(dict.fromkeys(clip(tag, TAG_LIMIT) for tag in wanted if tag.strip()))
    return unique[:MAX_TAGS]


def details(notice: IncidentNotice) -> dict[str, str]:
    """Custom properties (strings only), labels last, stopping before Opsgenie's size limit."""
    result = {
        "incident_id": notice.incident_id,
        "status": notice.status,
        "environment": notice.environment or "",
        "services": ", ".join(notice.services),
        "alert_count": str(notice.alert_count),
        "started_at": format_rfc3339(notice.started_at),
        "url": notice.url,
    }
    size = sum(len(key) + len(value) for key, value in result.items())
    for key, value in notice.labels.items():
        name = f"label.{key}"
        if size + len(name) + len(value) > DETAILS_LIMIT:
            break
        result[name] = value
        size += len(name) + len(value)
    return result


def _opsgenie_error(response: httpx.Response) -> str | None:
    message = answer_field(response, "message")
    return clip(message, 120) if isinstance(message, str) else None


def deliver(notice: IncidentNotice, *, config: Config, context: DeliveryContext) -> Delivered:
    headers = {"Authorization": f"GenieKey {config.api_key.get_secret_value()}"}
    alerts = f"{config.api_url}/v2/alerts"
    by_alias = f"{alerts}/{quote(alias(notice), safe='')}"
    action: str
    if notice.kind == "opened":
        url, body, action = alerts, create_body(notice, config=config), "create"
    else:
        body = {"source": "OpenConductor", "note": clip(_note(notice), NOTE_LIMIT)}
        if config.user:
            body["user"] = config.user
        if notice.kind == "resolved":
            url, action = f"{by_alias}/close?identifierType=alias", "close"
        else:
            url, action = f"{by_alias}/notes?identifierType=alias", "note"
    response = send_json(
        context, method="POST", url=url, json=body, headers=headers, what=f"Opsgenie {action}", explain=_opsgenie_error
    )
    request_id = answer_field(response, "requestId")
    detail = f"HTTP {response.status_code}, {action}" + (
        f", request {request_id}" if isinstance(request_id, str) else ""
    )
    return Delivered(reference=alias(notice), detail=detail)


def _note(notice: IncidentNotice) -> str:
    lead = "Resolved in OpenConductor." if notice.kind == "resolved" else "Updated in OpenConductor."
    facts_text = "; ".join(f"{label}: {value}" for label, value in facts(notice))
    return f"{lead} {facts_text}. {notice.summary}".strip()
