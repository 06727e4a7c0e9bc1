"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from openconductor.api.deps import get_platform
from openconductor.service import Platform

router = APIRouter(tags=["operations"])


@router.get("/healthz", operation_id="healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", operation_id="readyz")
async def readyz(platform: Platform = Depends(get_platform)) -> JSONResponse:
    try:
        await run_in_threadpool(platform.store.ping)
    except Exception as error:  # any database failure means "not ready", never a crash
        return JSONResponse({"status": "unavailable", "database": type(error).__name__}, status_code=503)
    return JSONResponse({"status": "ready"})


@router.get("/metrics", operation_id="metrics")
async def metrics(platform: Platform = Depends(get_platform)) -> Response:
    return Response(generate_latest(platform.metrics.registry), media_type=CONTENT_TYPE_LATEST)
