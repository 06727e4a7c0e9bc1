"""The integrations a running server offers, and their tokens: create (shown once), list, revoke.

See docs/integrations.md#authentication. Tokens of a mapping webhook belong to `mapping:<name>` and are
managed under /api/v1/integrations/mapping/<name>/tokens.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from openconductor.api.deps import get_platform
from openconductor.api.errors import unknown_name
from openconductor.api.schemas import ErrorPublic
from openconductor.core.errors import NotFound
from openconductor.core.tokens import IntegrationToken, endpoint_of
from openconductor.ingest.mapping import load_mapping_parsers
from openconductor.ingest.registry import INTEGRATIONS
from openconductor.service import Platform

router = APIRouter(prefix="/api/v1/integrations", tags=["integrations"])

_ERRORS: dict[int | str, dict[str, Any]] = {404: {"model": ErrorPublic}, 422: {"model": ErrorPublic}}


class IntegrationPublic(BaseModel):
    slug: str
    name: str
    endpoint: str
    docs: str
    quality: str
    maps: str
    signs: bool = Field(description="The tool signs its requests; give a token a signing secret to check them.")
    locked: bool = Field(description="Only requests with one of its tokens are accepted.")


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=200, description="What sends with it, e.g. 'alertmanager-eu'.")
    signing_secret: str | None = Field(
        None, min_length=8, max_length=500, description="The shared secret the tool signs with (Grafana, Sentry)."
    )


class TokenPublic(BaseModel):
    id: str
    integration: str
    name: str
    hint: str = Field(description="The token's first characters.")
    signs: bool
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: IntegrationToken) -> TokenPublic:
        return cls(
            id=token.id,
            integration=token.integration,
            name=token.name,
            hint=token.token_hint,
            signs=token.signing_secret is not None,
            created_at=token.created_at,
            revoked_at=token.revoked_at,
        )


class TokenIssued(TokenPublic):
    token: str = Field(description="The token itself. It is shown only in this answer; only its hash is kept.")
    url: str = Field(description="The endpoint with the token in its path, for tools that cannot send headers.")


@router.get("", response_model=list[IntegrationPublic], operation_id="list_integrations")
def list_integrations(platform: Platform = Depends(get_platform)) -> list[IntegrationPublic]:
    return [
        IntegrationPublic(
            slug=slug,
            name=module.INFO.name,
            endpoint=endpoint_of(slug),
            docs=module.INFO.docs,
            quality=module.INFO.quality,
            maps=module.INFO.maps,
            signs=hasattr(module, "SIGNATURE") or hasattr(module, "verify"),
            locked=platform.tokens.locked(slug),
        )
        for slug, module in sorted(INTEGRATIONS.items())
    ]


def _known(platform: Platform, integration: str) -> str:
    if integration in INTEGRATIONS:
        return integration
    name = integration.removeprefix("mapping:")
    if integration.startswith("mapping:") and name in load_mapping_parsers(platform.settings.mappings_file):
        return integration
    known = ", ".join(sorted(INTEGRATIONS)) + " or mapping/<name> of a mapping in the mappings file"
    raise unknown_name("unknown_integration", field="integration", known=known, got=integration)


async def _create(platform: Platform, request: Request, integration: str, body: TokenCreate) -> TokenIssued:
    integration = _known(platform, integration)
    issued = await run_in_threadpool(
        platform.tokens.create, integration, name=body.name, signing_secret=body.signing_secret
    )
    public = TokenPublic.of(issued.token).model_dump()
    base = str(request.base_url).rstrip("/")
    return TokenIssued(**public, token=issued.value, url=f"{base}{endpoint_of(integration)}/{issued.value}")


async def _list(platform: Platform, integration: str, include_revoked: bool) -> list[TokenPublic]:
    integration = _known(platform, integration)
    tokens = await run_in_threadpool(platform.tokens.list, integration=integration, include_revoked=include_revoked)
    return [TokenPublic.of(token) for token in tokens]


async def _revoke(platform: Platform, integration: str, token_id: str) -> TokenPublic:
    integration = _known(platform, integration)
    token = await run_in_threadpool(platform.tokens.revoke, token_id, integration=integration)
    if token is None:
        raise NotFound("token", token_id)
    return TokenPublic.of(token)


@router.post(
    "/mapping/{name}/tokens",
    status_code=201,
    response_model=TokenIssued,
    responses=_ERRORS,
    operation_id="create_mapping_token",
)
async def create_mapping_token(
    name: str, body: TokenCreate, request: Request, platform: Platform = Depends(get_platform)
) -> TokenIssued:
    return await _create(platform, request, f"mapping:{name}", body)


@router.get("/mapping/{name}/tokens", response_model=list[TokenPublic], responses=_ERRORS)
async def list_mapping_tokens(
    name: str, include_revoked: bool = False, platform: Platform = Depends(get_platform)
) -> list[TokenPublic]:
    return await _list(platform, f"mapping:{name}", include_revoked)


@router.delete("/mapping/{name}/tokens/{token_id}", response_model=TokenPublic, responses=_ERRORS)
async def revoke_mapping_token(name: str, token_id: str, platform: Platform = Depends(get_platform)) -> TokenPublic:
    return await _revoke(platform, f"mapping:{name}", token_id)


@router.post(
    "/{slug}/tokens", status_code=201, response_model=TokenIssued, responses=_ERRORS, operation_id="create_token"
)
async def create_token(
    slug: str, body: TokenCreate, request: Request, platform: Platform = Depends(get_platform)
) -> TokenIssued:
    return await _create(platform, request, slug, body)


@router.get("/{slug}/tokens", response_model=list[TokenPublic], responses=_ERRORS, operation_id="list_tokens")
async def list_tokens(
    slug: str, include_revoked: bool = False, platform: Platform = Depends(get_platform)
) -> list[TokenPublic]:
    return await _list(platform, slug, include_revoked)


@router.delete("/{slug}/tokens/{token_id}", response_model=TokenPublic, responses=_ERRORS, operation_id="revoke_token")
async def revoke_token(slug: str, token_id: str, platform: Platform = Depends(get_platform)) -> TokenPublic:
    return await _revoke(platform, slug, token_id)
