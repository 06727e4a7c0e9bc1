"""The registry of notification targets, keyed by slug (the `type:` of a target in the configuration).

Every module in `notify/targets/` is a target: adding one is adding one module (with an `INFO`, a Pydantic
`Config` and a `deliver`), its tests and its docs page; nothing here needs editing. A module with a missing
or inconsistent part fails at import, loudly.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from pydantic import BaseModel, ValidationError

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.notify import targets as _package
from openconductor.notify.contract import TargetInfo


def _discover() -> dict[str, ModuleType]:
    found: dict[str, ModuleType] = {}
    for module_info in sorted(pkgutil.iter_modules(_package.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_package.__name__}.{module_info.name}")
        info = getattr(module, "INFO", None)
        config = getattr(module, "Config", None)
        if not isinstance(info, TargetInfo) or not callable(getattr(module, "deliver", None)):
            raise ImportError(f"{module.__name__}: a target needs a TargetInfo INFO and a deliver()")
        if not (isinstance(config, type) and issubclass(config, BaseModel)):
            raise ImportError(f"{module.__name__}: a target needs a Config that is a Pydantic model")
        if info.slug != module_info.name:
            raise ImportError(f"{module.__name__}: INFO.slug must equal the module name, got {info.slug!r}")
        if info.docs != f"docs/notifications/{info.slug}.md":
            raise ImportError(f"{module.__name__}: INFO.docs must be docs/notifications/{info.slug}.md")
        found[info.slug] = module
    return found


TARGETS: dict[str, ModuleType] = _discover()


def get_target(slug: str) -> ModuleType | None:
    return TARGETS.get(slug)


def parse_config(slug: str, raw: Any, *, prefix: str = "") -> BaseModel:
    """The target's validated `Config`, or InvalidPayload naming every problem (`to[1]`, `headers.X-Key`),
    after `prefix` (for example `targets[2].config.`). Values that were sent are never echoed as text,
    since a target's configuration holds secrets."""
    module = TARGETS.get(slug)
    if module is None:
        raise InvalidPayload([FieldProblem(f"{prefix}type" if prefix else "type", f"one of {', '.join(TARGETS)}")])
    if not isinstance(raw, Mapping):
        raise InvalidPayload([FieldProblem(prefix.rstrip(".") or "config", "an object", _shape(raw))])
    try:
        config: BaseModel = module.Config.model_validate(dict(raw))
    except ValidationError as error:
        problems = [
            FieldProblem(
                prefix + _path(item["loc"]) if item["loc"] else prefix.rstrip(".") or "config",
                _expected(item),
                None if item["type"] == "missing" else _shape(item.get("input")),
            )
            for item in error.errors(include_url=False)
        ]
        raise InvalidPayload(problems) from None
    return config


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _expected(item: Mapping[str, Any]) -> str:
    kind = item["type"]
    if kind == "missing":
        return "a value (this field is required)"
    if kind == "extra_forbidden":
        return "no such field (unknown key)"
    message = str(item["msg"])
    # Pydantic phrases most problems as "Input should be ..."; the rest are our validators' own words.
    for lead in ("Input should be ", "Value error, "):
        if message.startswith(lead):
            return message[len(lead) :]
    return message


def _shape(value: Any) -> str | None:
    if value is None or isinstance(value, bool | int | float):
        return None if value is None else repr(value)
    if isinstance(value, str):
        return f"a string of {len(value)} characters"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return type(value).__name__
