"""The generic webhook: any tool's JSON, through a mapping named in the mappings file, becomes alerts.

Requests take the same route as every integration's (ingest.receive); only the parser comes from the
mappings file (OPENCONDUCTOR_MAPPINGS_FILE) instead of a module.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from openconductor.api.deps import get_platform
from openconductor.api.errors import unknown_name
from openconductor.api.routers.ingest import answer, receive
from openconductor.api.schemas import ErrorPublic, IngestAccepted
from openconductor.ingest.mapping import MappingParser, load_mapping_parsers
from openconductor.service import Platform

router = APIRouter(prefix="/api/v1", tags=["ingest"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorPublic, "description": "Malformed JSON"},
    401: {"model": ErrorPublic, "description": "Missing or wrong token"},
    404: {"model": ErrorPublic, "description": "No mapping of that name in the mappings file"},
    413: {"model": ErrorPublic, "description": "Body larger than the configured limit"},
    422: {"model": ErrorPublic, "description": "The mapping found no usable value for an alert field"},
}


def _mapping(platform: Platform, name: str) -> MappingParser:
    parsers = load_mapping_parsers(platform.settings.mappings_file)
    parser = parsers.get(name)
    if parser is None:
        known = (
            ", ".join(sorted(parsers))
            or "a mapping of the mappings file (none is configured: OPENCONDUCTOR_MAPPINGS_FILE)"
        )
        raise unknown_name("unknown_mapping", field="mapping", known=known, got=name)
    return parser


@router.post(
    "/integrations/mapping/{name}",
    status_code=202,
    response_model=IngestAccepted,
    responses=_ERRORS,
    operation_id="mapping_webhook",
    summary="Any tool's JSON, mapped to alerts by the named mapping (docs/integrations/mapping.md)",
)
async def mapping_webhook(name: str, request: Request, platform: Platform = Depends(get_platform)) -> JSONResponse:
    parser = _mapping(platform, name)
    return answer(await receive(request, platform, integration=parser.integration, parse=parser.parse))


@router.post(
    "/integrations/mapping/{name}/{token}",
    status_code=202,
    response_model=IngestAccepted,
    responses=_ERRORS,
    operation_id="mapping_webhook_with_token",
    summary="The same, with the token in the URL path (for tools that send no headers)",
)
async def mapping_webhook_with_token(
    name: str, token: str, request: Request, platform: Platform = Depends(get_platform)
) -> JSONResponse:
    parser = _mapping(platform, name)
    return answer(
        await receive(request, platform, integration=parser.integration, parse=parser.parse, path_token=token)
    )
