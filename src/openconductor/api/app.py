"""The FastAPI application factory. It receives a ready platform; it never builds one itself."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Depends, FastAPI
from starlette.concurrency import run_in_threadpool

from openconductor.api.deps import require_api_token
from openconductor.api.errors import install_error_handlers
from openconductor.api.routers import (
    alerts,
    compat,
    feedback,
    health,
    incidents,
    ingest,
    integrations,
    mappings,
    silences,
    topology,
)
from openconductor.api.routers.notifications import router as notifications_router
from openconductor.api.schemas import AlertCreate
from openconductor.service import Platform

log = logging.getLogger(__name__)
LEARNED_STATE_EVERY_SECONDS = 300.0


def create_app(platform: Platform, *, run_sweeper: bool = True) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(_sweep_forever(platform))] if run_sweeper else []
        if run_sweeper and platform.notifications.enabled:
            tasks.append(asyncio.create_task(_deliver_forever(platform)))
        yield
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        platform.notifications.close()
        try:
            await run_in_threadpool(platform.save_learned_state)
        except Exception:
            log.exception("could not save the correlation engine's learned state at shutdown")

    app = FastAPI(
        title="OpenConductor",
        version="0.1.0",
        description="Receives alerts from every monitoring tool, removes duplicates and correlates them into incidents.",
        lifespan=lifespan,
    )
    app.state.platform = platform
    install_error_handlers(app)
    # Ingest answers to integration tokens and health to nobody; everything else to the API token, when set.
    managed = [Depends(require_api_token)]
    app.include_router(integrations.router, dependencies=managed)  # first: /integrations/<slug>/tokens is no token
    app.include_router(compat.router)  # vendor-compatible paths, before /integrations/<slug>/<token>
    app.include_router(mappings.router)  # before ingest: /integrations/mapping/<name> also fits <slug>/<token>
    app.include_router(ingest.router)
    for router in (
        alerts.router,
        incidents.router,
        feedback.router,
        silences.router,
        topology.router,
        notifications_router,
    ):
        app.include_router(router, dependencies=managed)
    app.include_router(health.router)
    _document_generic_schema(app)
    return app


async def _sweep_forever(platform: Platform) -> None:
    """Close quiet incidents by the wall clock even when no alerts arrive, and now and then keep
    what the correlation engine learned, so a crash loses at most a few minutes of learning."""
    loop = asyncio.get_running_loop()
    saved_at = loop.time()
    while True:
        await asyncio.sleep(platform.settings.sweep_interval_seconds)
        try:
            await run_in_threadpool(platform.sweep)
            if loop.time() - saved_at >= LEARNED_STATE_EVERY_SECONDS:
                await run_in_threadpool(platform.save_learned_state)
                saved_at = loop.time()
        except Exception:
            log.exception("sweep failed; will retry")


async def _deliver_forever(platform: Platform) -> None:
    """Send due notifications (docs/notifications.md) in the threadpool, never under the ingest lock, so a slow
    target never holds up alerts."""
    while True:
        await asyncio.sleep(platform.settings.notifications.worker_interval_seconds)
        try:
            await run_in_threadpool(platform.deliver_due_notifications)
        except Exception:
            log.exception("notification delivery failed; will retry")


def _document_generic_schema(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        schema.setdefault("components", {}).setdefault("schemas", {})["AlertCreate"] = AlertCreate.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
