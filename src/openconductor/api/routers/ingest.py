"""Ingest endpoints: the generic format, and one endpoint per source integration."""

from __future__ import annotations

import time
from types import ModuleType
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from openconductor.api.body import read_json
from openconductor.api.deps import get_platform
from openconductor.api.errors import ApiError
from openconductor.api.schemas import AlertCreate, ErrorPublic, IngestAccepted
from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.timeutil import utcnow
from openconductor.ingest.base import reject_unstorable
from openconductor.ingest.integrations import pagerduty
from openconductor.ingest.registry import INTEGRATIONS, get_integration
from openconductor.service import Outcome, Platform

router = APIRouter(prefix="/api/v1", tags=["ingest"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorPublic, "description": "Malformed JSON"},
    413: {"model": ErrorPublic, "description": "Body larger than the configured limit"},
    422: {"model": ErrorPublic, "description": "A field is missing or has the wrong type"},
}
_GENERIC_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/AlertCreate"},
                        {"type": "array", "items": {"$ref": "#/components/schemas/AlertCreate"}},
                    ]
                }
            }
        },
    }
}


async def accept(request: Request, platform: Platform, module: ModuleType) -> tuple[list[Any], list[Outcome]]:
    """Read, parse and ingest one request; returns only after the alerts are durable."""
    started = time.perf_counter()
    payload = await read_json(request, limit=platform.settings.max_body_bytes)
    reject_unstorable(payload)
    events = module.parse(payload, received_at=utcnow())
    limit = platform.settings.max_alerts_per_request
    if len(events) > limit:
        raise ApiError(
            413,
            "too_many_alerts",
            f"body: expected at most {limit} alerts per request",
            [FieldProblem("body", f"at most {limit} alerts", f"{len(events)} alerts")],
        )
    outcomes = await run_in_threadpool(platform.ingest, events, integration=module.INFO.slug)
    platform.metrics.ingest_latency.observe(time.perf_counter() - started)
    return events, outcomes


def accepted_body(outcomes: list[Outcome]) -> dict[str, Any]:
    return {
        "accepted": len(outcomes),
        "alerts": [{"alert_id": o.alert_id, "incident_id": o.incident_id, "change": o.change} for o in outcomes],
    }


@router.post(
    "/alerts",
    status_code=202,
    response_model=IngestAccepted,
    responses=_ERRORS,
    openapi_extra=_GENERIC_BODY,
    operation_id="create_alerts",
    summary="Send alerts in the generic format (one object or an array)",
)
async def create_alerts(request: Request, platform: Platform = Depends(get_platform)) -> JSONResponse:
    _events, outcomes = await accept(request, platform, INTEGRATIONS["generic"])
    return JSONResponse(accepted_body(outcomes), status_code=202)


@router.post(
    "/integrations/pagerduty/v2/enqueue",
    status_code=202,
    operation_id="pagerduty_enqueue",
    summary="PagerDuty Events API v2 compatible: trigger, acknowledge, resolve by dedup_key",
)
async def pagerduty_enqueue(request: Request, platform: Platform = Depends(get_platform)) -> JSONResponse:
    try:
        events, _outcomes = await accept(request, platform, pagerduty)
    except (InvalidPayload, ApiError) as error:
        problems = error.problems
        errors = [p.message() for p in problems] or [str(getattr(error, "message", error))]
        status = error.status if isinstance(error, ApiError) and error.status == 413 else 400
        platform.metrics.rejected.labels(error.error if isinstance(error, ApiError) else "invalid_payload").inc()
        return JSONResponse(
            {"status": "invalid event", "message": "Event object is invalid", "errors": errors}, status_code=status
        )
    return JSONResponse(
        {"status": "success", "message": "Event processed", "dedup_key": pagerduty.dedup_key_of(events[0])},
        status_code=202,
    )


@router.post(
    "/integrations/{slug}",
    status_code=202,
    response_model=IngestAccepted,
    responses=_ERRORS,
    operation_id="integration_webhook",
    summary="Webhook of a source integration (e.g. alertmanager)",
)
async def integration_webhook(slug: str, request: Request, platform: Platform = Depends(get_platform)) -> JSONResponse:
    module = get_integration(slug)
    if module is None:
        known = ", ".join(sorted(INTEGRATIONS))
        raise ApiError(
            404,
            "unknown_integration",
            f"integration: expected one of {known}, got {slug!r}",
            [FieldProblem("integration", f"one of {known}", repr(slug))],
        )
    _events, outcomes = await accept(request, platform, module)
    return JSONResponse(accepted_body(outcomes), status_code=202)


__all__ = ["AlertCreate", "router"]
