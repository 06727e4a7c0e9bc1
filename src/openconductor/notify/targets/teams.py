"""Microsoft Teams through a Workflows (Power Automate) webhook: an Adaptive Card 1.4 in a message
attachment, the body the "Post to a channel when a webhook request is received" template expects.

The card holds a heading, the summary, a FactSet of the incident's facts and an Action.OpenUrl to the
incident. Workflows answer 202 Accepted once the flow has the request.
"""

from __future__ import annotations

from typing import Any

from openconductor.notify.contract import Delivered, DeliveryContext, IncidentNotice, TargetInfo, send_json
from openconductor.notify.targets._common import SecretUrl, TargetConfig, clip, facts, headline, lead_words

INFO = TargetInfo(slug="teams", name="Microsoft Teams (Workflows)", docs="docs/notifications/teams.md")

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
# 1.4 is the newest version every Teams client renders; Workflows pass the card on as it is.
CARD_VERSION = "1.4"
# Teams refuses messages over about 28 KB; the summary is the one text that can grow without bound.
SUMMARY_LIMIT = 4000
_HEADING_COLOUR = {"opened": "Attention", "updated": "Warning", "resolved": "Good"}


class Config(TargetConfig):
    webhook_url: SecretUrl  # the workflow's HTTP POST URL; its `sig` query parameter is the credential


def card(notice: IncidentNotice) -> dict[str, Any]:
    lead = lead_words(notice)
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": clip(headline(notice), 300),
            "size": "Large",
            "weight": "Bolder",
            "color": _HEADING_COLOUR[notice.kind],
            "style": "heading",
            "wrap": True,
        },
        {"type": "TextBlock", "text": f"{lead}. {clip(notice.summary, SUMMARY_LIMIT)}".strip(), "wrap": True},
        {"type": "FactSet", "facts": [{"title": label, "value": value} for label, value in facts(notice)]},
        {"type": "TextBlock", "text": f"OpenConductor · {notice.incident_id}", "size": "Small", "isSubtle": True},
    ]
    return {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": "Open incident", "url": notice.url}],
    }


def message(notice: IncidentNotice) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card(notice)}
        ],
    }


def deliver(notice: IncidentNotice, *, config: Config, context: DeliveryContext) -> Delivered:
    response = send_json(
        context, method="POST", url=config.webhook_url.get_secret_value(), json=message(notice), what="Teams workflow"
    )
    return Delivered(detail=f"HTTP {response.status_code}")
