"""The service topology the correlation engine links alerts by: replace it, read it back.

The body is validated by the same code that loads `engine.topology_file`, so a file that loads
also PUTs, and every bad field is named in the 422.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from openconductor.api.body import read_json
from openconductor.api.deps import get_platform
from openconductor.api.schemas import ErrorPublic
from openconductor.service import Platform

router = APIRouter(prefix="/api/v1/topology", tags=["topology"])


class ServiceEntry(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = Field(description="The component's name, as alerts name it (service, workload or host).")
    environment: str = Field(description="prod, staging...: the same name in two environments is two components.")
    layer: str | None = None
    region: str | None = None
    team: str | None = None


class DependencyEntry(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", description="The caller.")
    to: str = Field(description="The callee.")
    environment: str | None = Field(
        None, description="Where the call exists; without it, in every environment that has both ends."
    )
    from_environment: str | None = Field(None, description="With to_environment: a call across environments.")
    to_environment: str | None = None


class TopologyDocument(BaseModel):
    services: list[ServiceEntry] = Field(default_factory=list)
    dependencies: list[DependencyEntry] = Field(default_factory=list)


class TopologySummary(BaseModel):
    services: int = Field(description="Components (a name in one environment).")
    dependencies: int = Field(description="Calls between components, once applied to each environment.")
    environments: list[str]


@router.put(
    "",
    response_model=TopologySummary,
    operation_id="set_topology",
    summary="Replace the topology; the engine uses it from the next alert on",
    responses={413: {"model": ErrorPublic}, 422: {"model": ErrorPublic}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TopologyDocument"}}},
        }
    },
)
async def set_topology(request: Request, platform: Platform = Depends(get_platform)) -> TopologySummary:
    document = await read_json(request, limit=platform.settings.max_body_bytes)
    topology = await run_in_threadpool(platform.set_topology, document)
    return TopologySummary(
        services=len(topology.nodes),
        dependencies=sum(len(callees) for callees in topology.callees.values()),
        environments=sorted({environment for environment, _ in topology.nodes}),
    )


@router.get(
    "",
    response_model=None,
    operation_id="get_topology",
    summary="The topology in use, as it was given; empty when there is none",
    responses={200: {"model": TopologyDocument}},
)
async def get_topology(platform: Platform = Depends(get_platform)) -> dict[str, Any]:
    document = await run_in_threadpool(platform.get_topology)
    return document if document is not None else {"services": [], "dependencies": []}
