"""The notifications file (targets and routes): its models, and loading that reports every problem at once.

Secrets may be written as `${ENV_VAR}`; they are expanded from the environment when the file loads and
every expanded or secret value is remembered, so that messages can be scrubbed of it (`NotificationConfig.redact`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, ValidationError

from openconductor.core.errors import FieldProblem, InvalidPayload
from openconductor.core.models import Severity
from openconductor.notify import registry

_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Secrets shorter than this are not scrubbed from messages: they would match ordinary words.
_MIN_REDACTED_LENGTH = 4


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


# `service: checkout` and `service: [checkout, payments]` both work.
Names = Annotated[list[str] | None, BeforeValidator(_one_or_many)]


class RouteMatch(BaseModel):
    """Every given condition must hold; an empty match matches every incident."""

    model_config = ConfigDict(extra="forbid")

    environment: Names = Field(None, description="The incident's environment is one of these.")
    service: Names = Field(None, description="One of the incident's services is one of these.")
    severity: Severity | None = Field(None, description="The incident's severity is at least this.")
    labels: dict[str, str] = Field(default_factory=dict, description="Labels every alert of the incident carries.")


class Route(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    match: RouteMatch = Field(default_factory=RouteMatch)
    targets: list[str] = Field(min_length=1)
    continue_: bool = Field(False, alias="continue", description="Also try the routes after this one.")


class TargetSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
    type: str
    config: dict[str, Any] = Field(default_factory=dict)


class NotificationsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    targets: list[TargetSpec] = Field(default_factory=list)
    routes: list[Route] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ConfiguredTarget:
    name: str
    slug: str
    module: ModuleType
    config: BaseModel


@dataclass(frozen=True, slots=True)
class NotificationConfig:
    targets: dict[str, ConfiguredTarget] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    secrets: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        return bool(self.targets and self.routes)

    def routes_using(self, name: str) -> list[int]:
        return [index for index, route in enumerate(self.routes) if name in route.targets]

    def redact(self, text: str) -> str:
        """`text` with every configured secret replaced by `***` (longest first, so none leaks in part)."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def load_notifications(
    path: Path | None, *, environ: Mapping[str, str], targets: Mapping[str, ModuleType] | None = None
) -> NotificationConfig:
    """The validated file at `path` (no file: nothing is configured). Raises InvalidPayload naming every problem."""
    if path is None:
        return NotificationConfig()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidPayload([FieldProblem(str(path), "a readable file", type(error).__name__)]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "the file"
        raise InvalidPayload([FieldProblem(where, "valid YAML", getattr(error, "problem", None))]) from None
    return parse_notifications({} if document is None else document, environ=environ, targets=targets)


def parse_notifications(
    document: Any, *, environ: Mapping[str, str], targets: Mapping[str, ModuleType] | None = None
) -> NotificationConfig:
    known = dict(registry.TARGETS if targets is None else targets)
    try:
        parsed = NotificationsFile.model_validate(document)
    except ValidationError as error:
        raise InvalidPayload([_problem(item) for item in error.errors(include_url=False)]) from None
    problems: list[FieldProblem] = []
    configured: dict[str, ConfiguredTarget] = {}
    secrets: set[str] = set()
    for index, spec in enumerate(parsed.targets):
        where = f"targets[{index}]"
        if spec.name in configured:
            problems.append(FieldProblem(f"{where}.name", "a name no other target has", repr(spec.name)))
        module = known.get(spec.type)
        if module is None:
            problems.append(FieldProblem(f"{where}.type", f"one of {', '.join(sorted(known))}", repr(spec.type)))
            continue
        raw = _expand(spec.config, f"{where}.config", environ=environ, problems=problems, secrets=secrets)
        try:
            config = _parse_target_config(module, spec.type, raw, prefix=f"{where}.config.", custom=targets)
        except InvalidPayload as error:
            problems.extend(error.problems)
            continue
        secrets.update(_secret_values(config))
        configured.setdefault(spec.name, ConfiguredTarget(spec.name, spec.type, module, config))
    names = [spec.name for spec in parsed.targets]
    for index, route in enumerate(parsed.routes):
        for position, name in enumerate(route.targets):
            if name not in names:
                expected = f"one of {', '.join(names)}" if names else "a target listed under targets (none is)"
                problems.append(FieldProblem(f"routes[{index}].targets[{position}]", expected, repr(name)))
    if problems:
        raise InvalidPayload(problems)
    ordered = sorted((s for s in secrets if len(s) >= _MIN_REDACTED_LENGTH), key=len, reverse=True)
    return NotificationConfig(targets=configured, routes=tuple(parsed.routes), secrets=tuple(ordered))


def _parse_target_config(
    module: ModuleType, slug: str, raw: Any, *, prefix: str, custom: Mapping[str, ModuleType] | None
) -> BaseModel:
    if custom is None:
        return registry.parse_config(slug, raw, prefix=prefix)
    # Targets given by the caller (tests, plugins) are validated the same way as registered ones.
    try:
        config: BaseModel = module.Config.model_validate(raw)
    except ValidationError as error:
        raise InvalidPayload([_problem(item, prefix=prefix) for item in error.errors(include_url=False)]) from None
    return config


def _expand(
    value: Any, where: str, *, environ: Mapping[str, str], problems: list[FieldProblem], secrets: set[str]
) -> Any:
    """`value` with `${NAME}` replaced by the environment variable NAME; each expanded value is a secret."""
    if isinstance(value, str):

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in environ:
                problems.append(FieldProblem(where, f"environment variable {name} to be set"))
                return ""
            secrets.add(environ[name])
            return environ[name]

        return _ENV_REFERENCE.sub(substitute, value)
    if isinstance(value, Mapping):
        return {
            key: _expand(item, f"{where}.{key}", environ=environ, problems=problems, secrets=secrets)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            _expand(item, f"{where}[{i}]", environ=environ, problems=problems, secrets=secrets)
            for i, item in enumerate(value)
        ]
    return value


def _secret_values(value: Any) -> set[str]:
    if isinstance(value, SecretStr):
        return {value.get_secret_value()}
    if isinstance(value, BaseModel):
        return set().union(*(_secret_values(getattr(value, name)) for name in type(value).model_fields))
    if isinstance(value, Mapping):
        return set().union(*(_secret_values(item) for item in value.values()))
    if isinstance(value, list | tuple):
        return set().union(*(_secret_values(item) for item in value))
    return set()


def _problem(item: Mapping[str, Any], *, prefix: str = "") -> FieldProblem:
    path = prefix
    for part in item["loc"]:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path and not path.endswith(".") else str(part)
    kind = item["type"]
    if kind == "missing":
        expected = "a value (this field is required)"
    elif kind == "extra_forbidden":
        expected = "no such field (unknown key)"
    else:
        expected = str(item["msg"]).removeprefix("Input should be ").removeprefix("Value error, ")
    return FieldProblem(path or "file", expected)
