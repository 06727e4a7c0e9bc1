"""The one place that picks concrete implementations and wires them: store, pipeline, platform."""

from __future__ import annotations

import os

from openconductor.config.settings import Settings
from openconductor.ingest.mapping import load_mapping_parsers
from openconductor.notify.config import load_notifications
from openconductor.notify.service import Notifications
from openconductor.pipeline.builder import build_pipeline
from openconductor.service import Platform
from openconductor.store.sql.engine import make_engine
from openconductor.store.sql.migrate import upgrade
from openconductor.store.sql.repository import SqlStore


def create_platform(settings: Settings, *, migrate: bool = True) -> Platform:
    # Compiled now, so a bad mappings file stops the start with every problem listed, not a request later.
    load_mapping_parsers(settings.mappings_file)
    # Read now, so a bad notifications file stops the start with every problem and its place listed.
    notification_config = load_notifications(settings.notifications_file, environ=os.environ)
    engine = make_engine(settings.resolved_database_url(), sqlite_synchronous=settings.sqlite_synchronous)
    if migrate:
        upgrade(engine)
    store = SqlStore(engine)
    platform = Platform(
        settings=settings,
        store=store,
        pipeline_factory=lambda state: build_pipeline(settings, state),
        notifications=Notifications(store=store, settings=settings, config=notification_config),
    )
    platform.start()
    return platform
