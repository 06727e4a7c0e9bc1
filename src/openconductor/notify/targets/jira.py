"""Jira (Cloud, Server and Data Center) REST API v2: one issue per incident. Opened creates it (the issue
key is the delivery reference), updated adds a comment, resolved moves it through the configured
transition (default "Done") and adds a comment.

API v2 takes plain-text descriptions and comments (rendered as wiki markup) on Cloud and on Server/Data
Center alike; v3 takes Atlassian Document Format and exists only on Cloud, so v2 serves every Jira.
"""

from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import Field, SecretStr, model_validator

from openconductor.notify.contract import (
    Delivered,
    DeliveryContext,
    DeliveryError,
    IncidentNotice,
    TargetInfo,
    send_json,
)
from openconductor.notify.targets._common import BaseUrl, TargetConfig, answer_field, clip, facts, headline

INFO = TargetInfo(slug="jira", name="Jira", docs="docs/notifications/jira.md")

SUMMARY_LIMIT = 255
TEXT_LIMIT = 32000  # Jira's default limit for a text field (jira.text.field.character.limit) is 32,767
LABEL_LIMIT = 255
OurSeverity = Literal["critical", "high", "medium", "low", "info", "unknown"]
# Characters that start wiki markup (links, macros, tables, emphasis, images); escaped in incident texts.
_WIKI_SPECIAL = re.compile(r"([\[\]{}|*_!\\])")


class Config(TargetConfig):
    base_url: BaseUrl  # https://your-site.atlassian.net, or your server's base URL
    project_key: str = Field(pattern=r"^[A-Z][A-Z0-9_]{0,254}$")
    issue_type: str = "Task"
    email: str | None = None  # with api_token: Jira Cloud (basic auth)
    api_token: SecretStr | None = None
    personal_access_token: SecretStr | None = None  # Server / Data Center (bearer)
    labels: list[str] = []
    priorities: dict[OurSeverity, str] = {}  # Jira priority names by severity; none sent when empty
    resolve_transition: str = "Done"  # the transition (or the status it leads to) used on resolve

    @model_validator(mode="after")
    def _one_way_to_log_in(self) -> Config:
        basic = self.email is not None and self.api_token is not None
        partial = (self.email is None) != (self.api_token is None)
        if partial or basic == (self.personal_access_token is not None):
            raise ValueError("either email and api_token (Jira Cloud) or personal_access_token (Server), not both")
        return self


def wiki_escape(text: str) -> str:
    return _WIKI_SPECIAL.sub(r"\\\1", text)


def label(text: str) -> str:
    return clip(re.sub(r"\s+", "-", text.strip()), LABEL_LIMIT)


def description(notice: IncidentNotice) -> str:
    rows = "\n".join(f"||{label}|{wiki_escape(value)}|" for label, value in facts(notice))
    text = f"{wiki_escape(notice.summary)}\n\n{rows}\n\n[Open the incident in OpenConductor|{notice.url}]"
    return clip(text, TEXT_LIMIT)


def comment(notice: IncidentNotice) -> str:
    lead = "Resolved in OpenConductor." if notice.kind == "resolved" else "Updated in OpenConductor."
    return clip(f"*{lead}*\n\n{description(notice)}", TEXT_LIMIT)


def issue_fields(notice: IncidentNotice, *, config: Config) -> dict[str, Any]:
    labels = ["openconductor", f"severity-{notice.severity}", *config.labels]
    if notice.environment:
        labels.append(f"env-{notice.environment}")
    fields: dict[str, Any] = {
        "project": {"key": config.project_key},
        "summary": clip(" ".join(headline(notice).split()), SUMMARY_LIMIT),
        "description": description(notice),
        "issuetype": {"name": config.issue_type},
        "labels": list(dict.fromkeys(label(text) for text in labels if text.strip())),
    }
    priority = next((name for ours, name in config.priorities.items() if ours == notice.severity), None)
    if priority:
        fields["priority"] = {"name": priority}
    return fields


def _jira_error(response: httpx.Response) -> str | None:
    """Which fields Jira refused, and its first message: never the values that were sent."""
    parts = []
    fields = answer_field(response, "errors")
    if isinstance(fields, dict) and fields:
        parts.append("fields " + ", ".join(sorted(str(name) for name in fields)))
    messages = answer_field(response, "errorMessages")
    if isinstance(messages, list) and messages and isinstance(messages[0], str):
        parts.append(clip(messages[0], 120))
    return "; ".join(parts) or None


def deliver(notice: IncidentNotice, *, config: Config, context: DeliveryContext) -> Delivered:
    jira = _Jira(config, context)
    key = context.reference
    if key is None:
        # No issue yet (first notice, or the opening one never got through): create one.
        key = jira.create(notice)
        if notice.kind != "resolved":
            return Delivered(reference=key, detail=f"issue {key} created")
    elif notice.kind != "resolved":
        jira.comment(key, notice)
        return Delivered(reference=key, detail=f"comment on {key}")
    moved = jira.transition(key, config.resolve_transition)
    # The comment comes after the move: if it fails, the retry finds the issue already moved and only comments.
    jira.comment(key, notice)
    if moved is None:
        detail = f"comment on {key}; no transition {config.resolve_transition!r} offered"
        return Delivered(reference=key, detail=detail)
    return Delivered(reference=key, detail=f"{key} moved by {moved!r}, comment added")


class _Jira:
    def __init__(self, config: Config, context: DeliveryContext) -> None:
        self.config = config
        self.context = context
        self.api = f"{config.base_url}/rest/api/2"
        self.headers = {"Accept": "application/json"}
        self.auth: tuple[str, str] | None = None
        if config.personal_access_token is not None:
            self.headers["Authorization"] = f"Bearer {config.personal_access_token.get_secret_value()}"
        elif config.email is not None and config.api_token is not None:
            self.auth = (config.email, config.api_token.get_secret_value())

    def call(self, method: str, path: str, *, json: Any = None, what: str) -> httpx.Response:
        return send_json(
            self.context,
            method=method,
            url=f"{self.api}{path}",
            json=json,
            headers=self.headers,
            auth=self.auth,
            what=f"Jira {what}",
            explain=_jira_error,
        )

    def create(self, notice: IncidentNotice) -> str:
        body = {"fields": issue_fields(notice, config=self.config)}
        response = self.call("POST", "/issue", json=body, what="create issue")
        key = answer_field(response, "key")
        if not isinstance(key, str) or not key:
            raise DeliveryError("Jira create issue: the answer holds no issue key", retryable=False)
        return key

    def comment(self, key: str, notice: IncidentNotice) -> None:
        self.call("POST", f"/issue/{quote(key, safe='')}/comment", json={"body": comment(notice)}, what="add comment")

    def transition(self, key: str, wanted: str) -> str | None:
        """Apply the transition named `wanted` (or leading to a status of that name); its name, or None
        when the issue offers none (it may already be there)."""
        path = f"/issue/{quote(key, safe='')}/transitions"
        offered = answer_field(self.call("GET", path, what="list transitions"), "transitions")
        for transition in offered if isinstance(offered, list) else []:
            if not isinstance(transition, dict):
                continue
            names = {transition.get("name"), (transition.get("to") or {}).get("name")}
            if wanted.casefold() in {name.casefold() for name in names if isinstance(name, str)}:
                self.call("POST", path, json={"transition": {"id": str(transition.get("id"))}}, what="transition")
                return str(transition.get("name"))
        return None
