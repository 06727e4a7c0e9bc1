"""Silences and maintenance windows: create, list, read and expire them.

Alerts they match are kept and marked with the silence's id, never dropped; see docs/silences.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from openconductor.api.deps import get_platform
from openconductor.api.schemas import ErrorPublic
from openconductor.core.silences import Silence
from openconductor.core.timeutil import utcnow
from openconductor.service import Platform

router = APIRouter(prefix="/api/v1/silences", tags=["silences"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorPublic}}


class MatcherCreate(BaseModel):
    # Loose types on purpose: the domain checks name, op and value and names the matcher in its answer.
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        description="An alert field (service, environment, resource, source, title, severity, "
        "fingerprint) or a label: `labels.<name>` or the bare label name."
    )
    value: str = Field(description="The value, or a regular expression that must match the whole value.")
    op: str = Field("=", description="=, !=, =~ (regex matches) or !~ (regex does not match).")


class SilenceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field("silence", description="silence, or maintenance for planned work.")
    matchers: list[MatcherCreate] = Field(default_factory=list, description="All must match; at least one.")
    starts_at: datetime | None = Field(None, description="RFC 3339; default: now.")
    ends_at: datetime | None = Field(None, description="RFC 3339; give this or `duration`.")
    duration: str | float | None = Field(None, description="90m, 2h, 1h30m, 1d, 1w, or seconds.")
    comment: str = Field("", description="Required: why.")
    created_by: str = Field("", description="Required: who.")


class MatcherPublic(BaseModel):
    name: str
    value: str
    op: str


class SilencePublic(BaseModel):
    id: str
    kind: str
    state: str = Field(description="pending, active or expired, at the time of the answer.")
    matchers: list[MatcherPublic]
    starts_at: datetime
    ends_at: datetime
    comment: str
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, silence: Silence, *, now: datetime) -> SilencePublic:
        return cls(
            id=silence.id,
            kind=silence.kind.value,
            state=silence.state(now),
            matchers=[MatcherPublic(**matcher.to_dict()) for matcher in silence.matchers],
            starts_at=silence.starts_at,
            ends_at=silence.ends_at,
            comment=silence.comment,
            created_by=silence.created_by,
            created_at=silence.created_at,
        )


class SilenceList(BaseModel):
    items: list[SilencePublic]


@router.post(
    "",
    response_model=SilencePublic,
    status_code=201,
    operation_id="create_silence",
    responses={422: {"model": ErrorPublic}},
)
async def create_silence(body: SilenceCreate, platform: Platform = Depends(get_platform)) -> SilencePublic:
    silence = await run_in_threadpool(
        lambda: platform.create_silence(
            kind=body.kind,
            matchers=[matcher.model_dump() for matcher in body.matchers],
            starts_at=body.starts_at,
            ends_at=body.ends_at,
            duration=body.duration,
            comment=body.comment,
            created_by=body.created_by,
        )
    )
    return SilencePublic.of(silence, now=utcnow())


@router.get("", response_model=SilenceList, operation_id="list_silences", responses={422: {"model": ErrorPublic}})
async def list_silences(
    platform: Platform = Depends(get_platform),
    include_expired: Annotated[bool, Query(description="Also list silences that have ended.")] = False,
) -> SilenceList:
    silences = await run_in_threadpool(lambda: platform.list_silences(include_expired=include_expired))
    now = utcnow()
    return SilenceList(items=[SilencePublic.of(s, now=now) for s in silences])


@router.get("/{silence_id}", response_model=SilencePublic, operation_id="get_silence", responses=_NOT_FOUND)
async def get_silence(silence_id: str, platform: Platform = Depends(get_platform)) -> SilencePublic:
    return SilencePublic.of(await run_in_threadpool(platform.get_silence, silence_id), now=utcnow())


@router.delete(
    "/{silence_id}",
    response_model=SilencePublic,
    operation_id="expire_silence",
    responses=_NOT_FOUND,
    summary="Expire a silence now; it stays listed with include_expired",
)
async def expire_silence(silence_id: str, platform: Platform = Depends(get_platform)) -> SilencePublic:
    return SilencePublic.of(await run_in_threadpool(platform.expire_silence, silence_id), now=utcnow())
