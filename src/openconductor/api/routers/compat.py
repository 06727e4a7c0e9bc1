"""Endpoints that speak a vendor's own API, so tools already configured for that vendor only change a URL.

- PagerDuty Events API v2: `POST /api/v1/integrations/pagerduty/v2/enqueue`, answering in PagerDuty's shape.
- Opsgenie Alert API: `POST /api/v1/integrations/opsgenie/v2/alerts` (create) and
  `POST .../v2/alerts/{alias}/close|acknowledge?identifierType=alias`, with `Authorization: GenieKey`.
  Other Opsgenie calls on an alert (message, description, notes, priority updates) are answered `202` and
  ignored: the alert's fields come from its create request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from openconductor.api.deps import get_platform
from openconductor.api.errors import ApiError
from openconductor.api.routers.ingest import answer, receive
from openconductor.core.errors import InvalidPayload
from openconductor.core.models import AlertEvent
from openconductor.ingest.integrations import opsgenie, pagerduty
from openconductor.service import Platform

router = APIRouter(prefix="/api/v1/integrations", tags=["ingest"])


def _routing_key(payload: Any) -> str | None:
    key = payload.get("routing_key") if isinstance(payload, dict) else None
    return key if isinstance(key, str) and key else None


@router.post(
    "/pagerduty/v2/enqueue",
    status_code=202,
    operation_id="pagerduty_enqueue",
    summary="PagerDuty Events API v2 compatible: trigger, acknowledge, resolve by dedup_key",
)
async def pagerduty_enqueue(request: Request, platform: Platform = Depends(get_platform)) -> JSONResponse:
    """The token may also be the event's `routing_key`, the way PagerDuty's own integration keys work."""
    try:
        received = await receive(
            request, platform, integration="pagerduty", parse=pagerduty.parse, body_token=_routing_key
        )
    except (InvalidPayload, ApiError) as error:
        problems = error.problems
        errors = [p.message() for p in problems] or [str(getattr(error, "message", error))]
        status = error.status if isinstance(error, ApiError) and error.status == 413 else 400
        platform.metrics.rejected.labels(error.error if isinstance(error, ApiError) else "invalid_payload").inc()
        return JSONResponse(
            {"status": "invalid event", "message": "Event object is invalid", "errors": errors}, status_code=status
        )
    return JSONResponse(
        {"status": "success", "message": "Event processed", "dedup_key": pagerduty.dedup_key_of(received.events[0])},
        status_code=202,
    )


@router.post("/opsgenie/v2/alerts", status_code=202, operation_id="opsgenie_create_alert")
async def opsgenie_create(request: Request, platform: Platform = Depends(get_platform)) -> JSONResponse:
    """Opsgenie Alert API compatible: create an alert (the body of Opsgenie's create-alert request)."""
    return answer(await receive(request, platform, integration="opsgenie", parse=opsgenie.parse, hooks=opsgenie))


@router.post("/opsgenie/v2/alerts/{identifier}/{action}", status_code=202, operation_id="opsgenie_alert_action")
async def opsgenie_action(
    identifier: str, action: str, request: Request, platform: Platform = Depends(get_platform)
) -> JSONResponse:
    """Opsgenie Alert API compatible: close or acknowledge the alert with this alias."""
    identifier_type = request.query_params.get("identifierType")

    if action not in ("close", "acknowledge"):
        # Updates of an alert's text, notes, tags or priority: authenticated, then answered and ignored.
        received = await receive(request, platform, integration="opsgenie", parse=_nothing, empty_body={})
        return JSONResponse(opsgenie.reply(received.events).body, status_code=202)

    def parse(payload: Any, *, received_at: datetime) -> list[AlertEvent]:
        body = opsgenie.path_request(payload, action=action, identifier=identifier, identifier_type=identifier_type)
        return opsgenie.parse(body, received_at=received_at)

    return answer(await receive(request, platform, integration="opsgenie", parse=parse, hooks=opsgenie, empty_body={}))


def _nothing(_payload: Any, *, received_at: datetime) -> list[AlertEvent]:
    return []
