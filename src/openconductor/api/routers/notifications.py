"""Notifications: the configured targets, each incident's delivery log, the dead letters, retry and test sends.

Target configurations hold secrets, so no answer ever includes them; errors are scrubbed of them before storing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from openconductor.api.deps import get_platform
from openconductor.api.schemas import ErrorPublic
from openconductor.core.timeutil import utcnow
from openconductor.service import Platform
from openconductor.store.ports import NotificationRecord

router = APIRouter(tags=["notifications"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorPublic}}


class NotificationTargetPublic(BaseModel):
    name: str
    type: str = Field(description="The target's kind: webhook, slack, pagerduty...")
    routes: list[int] = Field(description="Positions (from 0) of the routes that name this target.")


class DeliveryPublic(BaseModel):
    id: int
    incident_id: str
    target: str
    kind: str = Field(description="opened, updated or resolved.")
    status: str = Field(description="pending, sending, delivered, dead (given up) or dropped (superseded).")
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    detail: str | None
    created_at: datetime
    delivered_at: datetime | None
    notice: dict[str, Any] = Field(description="What the target is told about the incident.")

    @classmethod
    def of(cls, record: NotificationRecord) -> DeliveryPublic:
        return cls(
            id=record.id,
            incident_id=record.incident_id,
            target=record.target,
            kind=record.kind,
            status=record.status,
            attempts=record.attempts,
            next_attempt_at=record.next_attempt_at,
            last_error=record.last_error,
            detail=record.detail,
            created_at=record.created_at,
            delivered_at=record.delivered_at,
            notice=record.notice,
        )


class DeadLetterPage(BaseModel):
    items: list[DeliveryPublic]
    next_cursor: str | None


class TestNotificationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: str = Field(description="The name of a configured target.", min_length=1, max_length=100)


class TestNotificationPublic(BaseModel):
    target: str
    delivered: bool
    detail: str = Field(description="The target's answer, or why it failed (never a secret).")


@router.get("/api/v1/notifications/targets", response_model=list[NotificationTargetPublic], operation_id="list_targets")
async def list_targets(platform: Platform = Depends(get_platform)) -> list[NotificationTargetPublic]:
    return [NotificationTargetPublic(**target) for target in platform.notifications.targets()]


@router.get(
    "/api/v1/incidents/{incident_id}/deliveries",
    response_model=list[DeliveryPublic],
    operation_id="list_incident_deliveries",
    responses=_NOT_FOUND,
    summary="Every notice about the incident, to every target, oldest first",
)
async def list_deliveries(incident_id: str, platform: Platform = Depends(get_platform)) -> list[DeliveryPublic]:
    await run_in_threadpool(platform.get_incident, incident_id)
    records = await run_in_threadpool(platform.notifications.deliveries, incident_id)
    return [DeliveryPublic.of(record) for record in records]


@router.get(
    "/api/v1/notifications/dead-letters",
    response_model=DeadLetterPage,
    operation_id="list_dead_letters",
    responses={422: {"model": ErrorPublic}},
)
async def list_dead_letters(
    platform: Platform = Depends(get_platform),
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
) -> DeadLetterPage:
    page = await run_in_threadpool(lambda: platform.notifications.dead_letters(limit=limit, cursor=cursor))
    return DeadLetterPage(items=[DeliveryPublic.of(r) for r in page.items], next_cursor=page.next_cursor)


@router.post(
    "/api/v1/notifications/{notification_id}/retry",
    response_model=DeliveryPublic,
    operation_id="retry_notification",
    responses={404: {"model": ErrorPublic}, 409: {"model": ErrorPublic}},
    summary="Put a dead notice back in the queue, due now",
)
async def retry(notification_id: int, platform: Platform = Depends(get_platform)) -> DeliveryPublic:
    record = await run_in_threadpool(lambda: platform.notifications.retry(notification_id, now=utcnow()))
    return DeliveryPublic.of(record)


@router.post(
    "/api/v1/notifications/test",
    response_model=TestNotificationPublic,
    operation_id="send_test_notification",
    responses={422: {"model": ErrorPublic}},
    summary="Send a made-up incident to one target now, to check its configuration",
)
async def send_test(body: TestNotificationCreate, platform: Platform = Depends(get_platform)) -> TestNotificationPublic:
    result = await run_in_threadpool(lambda: platform.notifications.send_test(body.target, now=utcnow()))
    return TestNotificationPublic(target=result.target, delivered=result.delivered, detail=result.detail)
