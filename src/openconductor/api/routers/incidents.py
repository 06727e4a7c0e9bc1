"""Listing, reading and acting on incidents, with the reason each alert joined."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from openconductor.api.deps import get_platform
from openconductor.api.schemas import (
    AlertPublic,
    ErrorPublic,
    IncidentAlertPublic,
    IncidentDetailPublic,
    IncidentPage,
    IncidentPublic,
    ReasonPublic,
)
from openconductor.core.models import Alert, Membership
from openconductor.core.queries import ListQuery
from openconductor.service import Platform

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])

IncidentSort = Literal[
    "last_seen_at",
    "-last_seen_at",
    "first_seen_at",
    "-first_seen_at",
    "severity",
    "-severity",
    "alert_count",
    "-alert_count",
]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorPublic}}


@router.get("", response_model=IncidentPage, operation_id="list_incidents", responses={422: {"model": ErrorPublic}})
async def list_incidents(
    platform: Platform = Depends(get_platform),
    status: Annotated[list[Literal["open", "acknowledged", "resolved"]] | None, Query()] = None,
    severity: Annotated[list[Literal["critical", "high", "warning", "info", "unknown"]] | None, Query()] = None,
    service: Annotated[list[str] | None, Query()] = None,
    environment: Annotated[list[str] | None, Query()] = None,
    since: Annotated[datetime | None, Query(description="Active at or after (RFC 3339)")] = None,
    until: Annotated[datetime | None, Query(description="Started at or before (RFC 3339)")] = None,
    q: Annotated[str | None, Query(description="Text in the title", max_length=200)] = None,
    raised: Annotated[
        bool | None, Query(description="true: raised incidents only; false: pending ones only; default both")
    ] = None,
    sort: IncidentSort = "-last_seen_at",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> IncidentPage:
    query = ListQuery(
        statuses=list(status or []),
        severities=list(severity or []),
        services=service or [],
        environments=environment or [],
        since=since,
        until=until,
        text=q,
        raised=raised,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    page = await run_in_threadpool(platform.list_incidents, query)
    return IncidentPage(items=[IncidentPublic.of(i) for i in page.items], next_cursor=page.next_cursor)


@router.get("/{incident_id}", response_model=IncidentDetailPublic, operation_id="get_incident", responses=_NOT_FOUND)
async def get_incident(incident_id: str, platform: Platform = Depends(get_platform)) -> IncidentDetailPublic:
    incident = await run_in_threadpool(platform.get_incident, incident_id)
    members = await run_in_threadpool(platform.incident_members, incident_id)
    return IncidentDetailPublic(**IncidentPublic.of(incident).model_dump(), alerts=_members(members))


@router.get(
    "/{incident_id}/alerts",
    response_model=list[IncidentAlertPublic],
    operation_id="list_incident_alerts",
    responses=_NOT_FOUND,
    summary="The incident's alerts, each with the reason it joined",
)
async def list_incident_alerts(
    incident_id: str, platform: Platform = Depends(get_platform)
) -> list[IncidentAlertPublic]:
    return _members(await run_in_threadpool(platform.incident_members, incident_id))


def _members(members: list[tuple[Alert, Membership]]) -> list[IncidentAlertPublic]:
    return [IncidentAlertPublic(alert=AlertPublic.of(a), reason=ReasonPublic.of(m)) for a, m in members]


_ACTION_RESPONSES: dict[int | str, dict[str, Any]] = {404: {"model": ErrorPublic}, 409: {"model": ErrorPublic}}


@router.post(
    "/{incident_id}/acknowledge",
    response_model=IncidentPublic,
    operation_id="acknowledge_incident",
    responses=_ACTION_RESPONSES,
)
async def acknowledge(incident_id: str, platform: Platform = Depends(get_platform)) -> IncidentPublic:
    return IncidentPublic.of(await run_in_threadpool(platform.acknowledge, incident_id))


@router.post(
    "/{incident_id}/resolve",
    response_model=IncidentPublic,
    operation_id="resolve_incident",
    responses=_ACTION_RESPONSES,
)
async def resolve(incident_id: str, platform: Platform = Depends(get_platform)) -> IncidentPublic:
    return IncidentPublic.of(await run_in_threadpool(platform.resolve, incident_id))


@router.post(
    "/{incident_id}/reopen", response_model=IncidentPublic, operation_id="reopen_incident", responses=_ACTION_RESPONSES
)
async def reopen(incident_id: str, platform: Platform = Depends(get_platform)) -> IncidentPublic:
    return IncidentPublic.of(await run_in_threadpool(platform.reopen, incident_id))
