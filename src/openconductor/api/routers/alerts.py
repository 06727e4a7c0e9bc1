"""Listing and reading alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from openconductor.api.deps import get_platform
from openconductor.api.schemas import AlertPage, AlertPublic, ErrorPublic
from openconductor.core.queries import ListQuery
from openconductor.service import Platform

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])

AlertSort = Literal[
    "received_at", "-received_at", "last_seen_at", "-last_seen_at", "starts_at", "-starts_at", "severity", "-severity"
]
Multi = Annotated[list[str] | None, Query()]


@router.get("", response_model=AlertPage, operation_id="list_alerts", responses={422: {"model": ErrorPublic}})
async def list_alerts(
    platform: Platform = Depends(get_platform),
    status: Annotated[list[Literal["firing", "resolved"]] | None, Query()] = None,
    severity: Annotated[list[Literal["critical", "high", "warning", "info", "unknown"]] | None, Query()] = None,
    service: Multi = None,
    environment: Multi = None,
    source: Multi = None,
    incident_id: str | None = None,
    since: Annotated[datetime | None, Query(description="Seen at or after (RFC 3339)")] = None,
    until: Annotated[datetime | None, Query(description="Started at or before (RFC 3339)")] = None,
    q: Annotated[str | None, Query(description="Text in title or description", max_length=200)] = None,
    sort: AlertSort = "-last_seen_at",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> AlertPage:
    query = ListQuery(
        statuses=list(status or []),
        severities=list(severity or []),
        services=service or [],
        environments=environment or [],
        sources=source or [],
        incident_id=incident_id,
        since=since,
        until=until,
        text=q,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    page = await run_in_threadpool(platform.list_alerts, query)
    return AlertPage(items=[AlertPublic.of(a) for a in page.items], next_cursor=page.next_cursor)


@router.get(
    "/{alert_id}", response_model=AlertPublic, operation_id="get_alert", responses={404: {"model": ErrorPublic}}
)
async def get_alert(alert_id: str, platform: Platform = Depends(get_platform)) -> AlertPublic:
    return AlertPublic.of(await run_in_threadpool(platform.get_alert, alert_id))
