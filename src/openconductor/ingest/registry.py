"""The registry of source integrations, keyed by slug (the last part of their endpoint path)."""

from __future__ import annotations

from types import ModuleType

from openconductor.ingest.integrations import alertmanager, generic, pagerduty

INTEGRATIONS: dict[str, ModuleType] = {module.INFO.slug: module for module in (generic, alertmanager, pagerduty)}


def get_integration(slug: str) -> ModuleType | None:
    return INTEGRATIONS.get(slug)
