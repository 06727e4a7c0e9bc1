"""Slack incoming webhook: a Block Kit message (header, facts, summary, a button to the incident) and a
plain `text` fallback for notifications. Every text is cut to Block Kit's limits.

Slack answers 200 `ok`, or a 4xx with a short error word (`invalid_payload`, `channel_not_found`,
`channel_is_archived`, `action_prohibited`, `no_service`), or 429 with Retry-After when rate limited.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from openconductor.notify.contract import Delivered, DeliveryContext, IncidentNotice, TargetInfo, send_json
from openconductor.notify.targets._common import SecretUrl, TargetConfig, clip, facts, headline, lead_words

INFO = TargetInfo(slug="slack", name="Slack", docs="docs/notifications/slack.md")

# Block Kit limits (docs.slack.dev, reference/block-kit).
HEADER_LIMIT = 150
SECTION_TEXT_LIMIT = 3000
FIELD_LIMIT = 2000
MAX_FIELDS = 10
MAX_BLOCKS = 50
BUTTON_TEXT_LIMIT = 75
BUTTON_URL_LIMIT = 3000
CONTEXT_TEXT_LIMIT = 2000
_ERROR_WORD = re.compile(r"[a-z_]{2,64}")


class Config(TargetConfig):
    webhook_url: SecretUrl  # https://hooks.slack.com/services/T.../B.../...: the path is the credential


def mrkdwn_escape(text: str) -> str:
    """Slack reads `&`, `<` and `>` as markup (links, mentions); escaped, a title cannot ping @channel."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message(notice: IncidentNotice) -> dict[str, Any]:
    lead = lead_words(notice)
    fields = [
        {"type": "mrkdwn", "text": clip(f"*{label}*\n{mrkdwn_escape(value)}", FIELD_LIMIT)}
        for label, value in facts(notice)
    ][:MAX_FIELDS]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(headline(notice), HEADER_LIMIT), "emoji": True}},
        {"type": "section", "fields": fields},
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(_summary(notice, lead), SECTION_TEXT_LIMIT)}},
    ]
    if len(notice.url) <= BUTTON_URL_LIMIT:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "open_incident",
                        "text": {"type": "plain_text", "text": clip("Open incident", BUTTON_TEXT_LIMIT)},
                        "url": notice.url,
                    }
                ],
            }
        )
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": clip(f"OpenConductor · {notice.incident_id}", CONTEXT_TEXT_LIMIT)}],
        }
    )
    return {
        "text": clip(f"{headline(notice)} ({notice.environment or 'no environment'})", 3000),
        "blocks": blocks[:MAX_BLOCKS],
    }


def _summary(notice: IncidentNotice, lead: str) -> str:
    summary = mrkdwn_escape(notice.summary) if notice.summary else "_No summary._"
    return f"*{lead}.* {summary}"


def _slack_error(response: httpx.Response) -> str | None:
    word = response.text.strip()
    return word if _ERROR_WORD.fullmatch(word) else None


def deliver(notice: IncidentNotice, *, config: Config, context: DeliveryContext) -> Delivered:
    response = send_json(
        context,
        method="POST",
        url=config.webhook_url.get_secret_value(),
        json=message(notice),
        what="Slack webhook",
        explain=_slack_error,
    )
    return Delivered(detail=f"HTTP {response.status_code}")
