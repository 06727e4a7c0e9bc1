"""Corrections people make to the grouping: merge incidents, split alerts off, move an alert.

The correlation engine learns from each: components put together are linked more readily next
time, and components pulled apart are no longer linked by any evidence.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from openconductor.api.deps import get_platform
from openconductor.api.schemas import AlertPublic, ErrorPublic, IncidentPublic
from openconductor.service import Platform

router = APIRouter(prefix="/api/v1", tags=["feedback"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorPublic},
    409: {"model": ErrorPublic},
    422: {"model": ErrorPublic},
}


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    incident_ids: list[str] = Field(min_length=1, max_length=500, description="Incidents to fold into this one.")
    actor: str = Field("api", max_length=200, description="Who made the correction (kept in the evidence).")


class SplitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    alert_ids: list[str] = Field(min_length=1, max_length=5000, description="Alerts to move into a new incident.")
    actor: str = Field("api", max_length=200)


class MoveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    incident_id: str = Field(min_length=1, description="The incident the alert belongs to instead.")
    actor: str = Field("api", max_length=200)


@router.post(
    "/incidents/{incident_id}/merge",
    response_model=IncidentPublic,
    operation_id="merge_incidents",
    responses=_RESPONSES,
)
async def merge(incident_id: str, body: MergeRequest, platform: Platform = Depends(get_platform)) -> IncidentPublic:
    merged = await run_in_threadpool(lambda: platform.merge_incidents(incident_id, body.incident_ids, actor=body.actor))
    return IncidentPublic.of(merged)


@router.post(
    "/incidents/{incident_id}/split",
    response_model=IncidentPublic,
    operation_id="split_incident",
    responses=_RESPONSES,
    summary="Move some alerts into a new incident (returned)",
)
async def split(incident_id: str, body: SplitRequest, platform: Platform = Depends(get_platform)) -> IncidentPublic:
    created = await run_in_threadpool(lambda: platform.split_incident(incident_id, body.alert_ids, actor=body.actor))
    return IncidentPublic.of(created)


@router.post("/alerts/{alert_id}/move", response_model=AlertPublic, operation_id="move_alert", responses=_RESPONSES)
async def move(alert_id: str, body: MoveRequest, platform: Platform = Depends(get_platform)) -> AlertPublic:
    moved = await run_in_threadpool(lambda: platform.move_alert(alert_id, body.incident_id, actor=body.actor))
    return AlertPublic.of(moved)
