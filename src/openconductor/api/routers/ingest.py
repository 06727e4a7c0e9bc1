"""Ingest endpoints: the generic format, and one endpoint per source integration.

Every request takes the same route through `receive`: read the body within its size limit, refuse what
no store can keep, authenticate (token, then the tool's signature), let the integration answer
handshakes, parse, and ingest, answering only once the alerts are durable.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from openconductor.api.body import read_body
from openconductor.api.deps import get_platform
from openconductor.api.errors import ApiError, decode_json, unknown_name
from openconductor.api.schemas import AlertCreate, ErrorPublic, IngestAccepted
from openconductor.core.errors import FieldProblem
from openconductor.core.models import AlertEvent
from openconductor.core.timeutil import utcnow
from openconductor.ingest.base import ControlReply, IncomingRequest, Parser, reject_unstorable
from openconductor.ingest.registry import INTEGRATIONS, get_integration
from openconductor.ingest.signatures import check_signature
from openconductor.service import Outcome, Platform

router = APIRouter(prefix="/api/v1", tags=["ingest"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorPublic, "description": "Malformed JSON"},
    401: {"model": ErrorPublic, "description": "Missing or wrong token or signature"},
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


@dataclass(slots=True)
class Received:
    events: list[AlertEvent] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    reply: ControlReply | None = None  # set when the integration answers the request itself


async def receive(
    request: Request,
    platform: Platform,
    *,
    integration: str,
    parse: Parser,
    hooks: ModuleType | None = None,
    path_token: str | None = None,
    body_token: Callable[[Any], str | None] | None = None,
    empty_body: Any = None,
) -> Received:
    """Read, authenticate, parse and ingest one request; returns only after the alerts are durable.

    `hooks` is the integration module when it may define SIGNATURE, verify, control or reply (see
    ingest/registry.py); `body_token` finds a token inside the payload for tools that carry one there;
    `empty_body`, when given, is the payload of a request without a body (for APIs where it is optional).
    """
    started = time.perf_counter()
    body = await read_body(request, limit=platform.settings.max_body_bytes)
    payload = empty_body if empty_body is not None and not body.strip() else decode_json(body)
    reject_unstorable(payload)
    presented = path_token or presented_token(request) or (body_token(payload) if body_token else None)
    token = platform.tokens.authenticate(integration, presented)
    secret = token.signing_secret if token is not None else None
    incoming = IncomingRequest(
        headers={name.lower(): value for name, value in request.headers.items()},
        body=body,
        payload=payload,
        query=dict(request.query_params),
    )
    signature = getattr(hooks, "SIGNATURE", None)
    if signature is not None and secret:
        check_signature(signature, secret=secret, headers=incoming.headers, body=body)
    if hooks is not None and hasattr(hooks, "verify"):
        await run_in_threadpool(hooks.verify, incoming, secret=secret)
    if hooks is not None and hasattr(hooks, "control"):
        reply = await run_in_threadpool(hooks.control, incoming)
        if reply is not None:
            return Received(reply=reply)
    events = parse(payload, received_at=utcnow())
    limit = platform.settings.max_alerts_per_request
    if len(events) > limit:
        raise ApiError(
            413,
            "too_many_alerts",
            f"body: expected at most {limit} alerts per request",
            [FieldProblem("body", f"at most {limit} alerts", f"{len(events)} alerts")],
        )
    outcomes = await run_in_threadpool(platform.ingest, events, integration=integration) if events else []
    platform.metrics.ingest_latency.observe(time.perf_counter() - started)
    received = Received(events, outcomes)
    if hooks is not None and hasattr(hooks, "reply"):
        received.reply = hooks.reply(events)
    return received


def presented_token(request: Request) -> str | None:
    """A token from `Authorization: Bearer`, `X-OpenConductor-Token`, HTTP basic auth (the password, else
    the user name, for tools that can only put credentials in the URL), or `Authorization: GenieKey`
    (tools that send to Opsgenie's API)."""
    header = request.headers.get("x-openconductor-token")
    if header:
        return header.strip()
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() in ("bearer", "geniekey") and credentials.strip():
        return credentials.strip()
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(credentials.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return password or user or None
    return None


def answer(received: Received) -> JSONResponse:
    if received.reply is not None:
        return JSONResponse(received.reply.body, status_code=received.reply.status)
    return JSONResponse(accepted_body(received.outcomes), status_code=202)


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
    generic = INTEGRATIONS["generic"]
    return answer(await receive(request, platform, integration="generic", parse=generic.parse))


def _integration(slug: str) -> ModuleType:
    module = get_integration(slug)
    if module is None:
        raise unknown_name("unknown_integration", field="integration", known=", ".join(sorted(INTEGRATIONS)), got=slug)
    return module


@router.post(
    "/integrations/{slug}",
    status_code=202,
    response_model=IngestAccepted,
    responses=_ERRORS,
    operation_id="integration_webhook",
    summary="Webhook of a source integration (e.g. alertmanager); token in a header",
)
async def integration_webhook(slug: str, request: Request, platform: Platform = Depends(get_platform)) -> JSONResponse:
    module = _integration(slug)
    return answer(await receive(request, platform, integration=slug, parse=module.parse, hooks=module))


@router.post(
    "/integrations/{slug}/{token}",
    status_code=202,
    response_model=IngestAccepted,
    responses=_ERRORS,
    operation_id="integration_webhook_with_token",
    summary="Webhook of a source integration, with its token in the URL path (for tools that send no headers)",
)
async def integration_webhook_with_token(
    slug: str, token: str, request: Request, platform: Platform = Depends(get_platform)
) -> JSONResponse:
    module = _integration(slug)
    return answer(
        await receive(request, platform, integration=slug, parse=module.parse, hooks=module, path_token=token)
    )


__all__ = ["AlertCreate", "Received", "accepted_body", "answer", "receive", "router"]
