"""ServiceNow Table API on the `incident` table: one ServiceNow incident per OpenConductor incident.

Opened creates it (POST /api/now/table/incident; its sys_id is the delivery reference), updated adds work
notes (PATCH), resolved sets state 6 (Resolved) with a close code and close notes. urgency and impact
(1 high to 3 low) come from the severity; correlation_id is the incident id.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
from pydantic import Field, SecretStr

from openconductor.notify.contract import (
    Delivered,
    DeliveryContext,
    DeliveryError,
    IncidentNotice,
    TargetInfo,
    send_json,
)
from openconductor.notify.targets._common import BaseUrl, TargetConfig, answer_field, clip, facts, lead_words

INFO = TargetInfo(slug="servicenow", name="ServiceNow", docs="docs/notifications/servicenow.md")

SHORT_DESCRIPTION_LIMIT = 160
CORRELATION_ID_LIMIT = 100
TEXT_LIMIT = 4000  # the incident table's description, work_notes and close_notes hold 4,000 characters
# (urgency, impact) by severity; ServiceNow's default priority matrix turns (1, 1) into P1 - Critical.
URGENCY_IMPACT = {
    "critical": ("1", "1"),
    "high": ("1", "2"),
    "medium": ("2", "2"),
    "low": ("2", "3"),
    "info": ("3", "3"),
    "unknown": ("2", "2"),
}
# Ask for the two fields we read and plain values, instead of the whole record with reference links.
_QUERY = "?sysparm_fields=sys_id%2Cnumber&sysparm_exclude_reference_link=true"


class Config(TargetConfig):
    instance_url: BaseUrl  # https://<instance>.service-now.com
    username: str = Field(min_length=1)  # a user with the itil role (or sn_incident_write)
    password: SecretStr
    caller_id: str | None = None  # sys_id (or user name) of the caller; many instances require one
    assignment_group: str | None = None  # sys_id (or name) of the group that should work the incident
    category: str | None = None
    close_code: str = "Solution provided"  # older instances use "Solved (Permanently)"
    resolved_state: str = "6"  # the `state` value that means Resolved


def create_body(notice: IncidentNotice, *, config: Config) -> dict[str, Any]:
    urgency, impact = URGENCY_IMPACT.get(notice.severity, ("2", "2"))
    body: dict[str, Any] = {
        "short_description": clip(" ".join(notice.title.split()), SHORT_DESCRIPTION_LIMIT),
        "description": clip(text(notice), TEXT_LIMIT),
        "urgency": urgency,
        "impact": impact,
        "correlation_id": clip(notice.incident_id, CORRELATION_ID_LIMIT),
        "correlation_display": "OpenConductor",
    }
    optional = {"caller_id": config.caller_id, "assignment_group": config.assignment_group, "category": config.category}
    body.update({name: value for name, value in optional.items() if value})
    return body


def text(notice: IncidentNotice) -> str:
    rows = "\n".join(f"{label}: {value}" for label, value in facts(notice))
    return f"{lead_words(notice)}: {notice.title}\n\n{notice.summary}\n\n{rows}\n\n{notice.url}"


def _servicenow_error(response: httpx.Response) -> str | None:
    message = answer_field(response, "error", "message")
    return clip(message, 120) if isinstance(message, str) and message else None


def deliver(notice: IncidentNotice, *, config: Config, context: DeliveryContext) -> Delivered:
    auth = (config.username, config.password.get_secret_value())
    table = f"{config.instance_url}/api/now/table/incident"

    def call(method: str, url: str, body: dict[str, Any], what: str) -> httpx.Response:
        headers = {"Accept": "application/json"}
        return send_json(
            context, method=method, url=url, json=body, headers=headers, auth=auth, what=what, explain=_servicenow_error
        )

    sys_id = context.reference
    if sys_id is None:
        # No ServiceNow incident yet (first notice, or the opening one never got through): create one.
        response = call("POST", table + _QUERY, create_body(notice, config=config), "ServiceNow create incident")
        sys_id = answer_field(response, "result", "sys_id")
        if not isinstance(sys_id, str) or not sys_id:
            raise DeliveryError("ServiceNow create incident: the answer holds no sys_id", retryable=False)
        number = answer_field(response, "result", "number")
        if notice.kind != "resolved":
            return Delivered(reference=sys_id, detail=f"incident {number or sys_id} created")
    record = f"{table}/{quote(sys_id, safe='')}{_QUERY}"
    if notice.kind == "resolved":
        body = {
            "state": config.resolved_state,
            "close_code": config.close_code,
            "close_notes": clip(text(notice), TEXT_LIMIT),
        }
        response = call("PATCH", record, body, "ServiceNow resolve incident")
        action = "resolved"
    else:
        urgency, impact = URGENCY_IMPACT.get(notice.severity, ("2", "2"))
        body = {"work_notes": clip(text(notice), TEXT_LIMIT), "urgency": urgency, "impact": impact}
        response = call("PATCH", record, body, "ServiceNow update incident")
        action = "updated"
    number = answer_field(response, "result", "number")
    return Delivered(reference=sys_id, detail=f"incident {number or sys_id} {action}")
