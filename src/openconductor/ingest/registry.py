"""The registry of source integrations, keyed by slug (the last part of their endpoint path).

Every module in `ingest/integrations/` is an integration: adding a tool is adding one module (with an
`INFO` and a pure `parse`), its recorded payloads and its docs page; nothing here needs editing. The
discovery is validated so that a module with a missing or inconsistent INFO fails at import, loudly.

A module may also define these optional hooks, which the ingest endpoint calls:
- `SIGNATURE: HmacSignature`: the tool signs its requests; checked when the token has a signing secret.
- `verify(request: IncomingRequest, *, secret: str | None) -> None`: a check of its own (raising
  `Unauthenticated`), for tools whose signatures are not a plain HMAC (AWS SNS).
- `control(request: IncomingRequest) -> ControlReply | None`: answers requests that carry no alerts
  (subscription handshakes, test pings) instead of parsing them.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from openconductor.ingest import integrations as _package
from openconductor.ingest.base import QUALITY_TIERS, IntegrationInfo


def _discover() -> dict[str, ModuleType]:
    found: dict[str, ModuleType] = {}
    for module_info in sorted(pkgutil.iter_modules(_package.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_package.__name__}.{module_info.name}")
        info = getattr(module, "INFO", None)
        if not isinstance(info, IntegrationInfo) or not callable(getattr(module, "parse", None)):
            raise ImportError(f"{module.__name__}: an integration needs an IntegrationInfo INFO and a parse()")
        if info.quality not in QUALITY_TIERS:
            raise ImportError(f"{module.__name__}: INFO.quality must be one of {QUALITY_TIERS}, got {info.quality!r}")
        if info.slug != module_info.name:
            raise ImportError(f"{module.__name__}: INFO.slug must equal the module name, got {info.slug!r}")
        if info.slug in found:
            raise ImportError(f"{module.__name__}: slug {info.slug!r} is already used by {found[info.slug].__name__}")
        found[info.slug] = module
    return found


INTEGRATIONS: dict[str, ModuleType] = _discover()


def get_integration(slug: str) -> ModuleType | None:
    return INTEGRATIONS.get(slug)
