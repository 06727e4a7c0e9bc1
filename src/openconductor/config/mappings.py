"""The mappings file: per tool, how fields of its JSON become alert fields (docs/integrations/mapping.md).

A field's expression is JSONPath when it starts with `$`, a Jinja template when it holds `{{` or `{%`,
and a literal otherwise; every expression is compiled here, once, when the file is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import jinja2
import orjson
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jsonpath import JSONPathEnvironment, JSONPathError
from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, PlainValidator, Tag, ValidationError

from openconductor.core.errors import FieldProblem
from openconductor.core.models import Severity

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
# Strictly RFC 9535, so the rules users read in the standard are the rules that apply.
_JSONPATH = JSONPathEnvironment(strict=True)
# Missing keys render empty, even along a chain (`alert.a.b`); the sandbox keeps templates to reading data.
_JINJA = ImmutableSandboxedEnvironment(
    autoescape=False, undefined=jinja2.ChainableUndefined, keep_trailing_newline=False
)
MISSING: Any = object()  # what an expression found when it found nothing


class ExpressionFailed(ValueError):
    """A template that raised on this payload (a filter given the wrong type, say)."""


@dataclass(frozen=True, slots=True)
class Expression:
    """One compiled field expression; `evaluate` sees the alert item and the whole body."""

    source: str
    kind: Literal["jsonpath", "template", "literal", "first_of"]
    run: Callable[[Any, Any], Any]

    def evaluate(self, item: Any, body: Any) -> Any:
        return self.run(item, body)

    def describe(self) -> str:
        return {"jsonpath": "the expression", "template": "the template", "literal": "the value"}.get(
            self.kind, "each of the expressions"
        ) + f" {self.source}"


def compile_expression(raw: Any) -> Expression:
    """Compile one field value; raises ValueError saying what was expected, for the config report."""
    if isinstance(raw, bool) or raw is None:
        return _literal(raw)
    if isinstance(raw, (int, float)):
        return _literal(raw)
    if isinstance(raw, list):
        if not raw:
            raise ValueError("a non-empty list of expressions to try in order")
        choices = [compile_expression(choice) for choice in raw]
        return Expression(" | ".join(c.source for c in choices), "first_of", _first_of(choices))
    if not isinstance(raw, str):
        raise ValueError("a JSONPath ($...), a Jinja template ({{ ... }}), a literal, or a list of those")
    if raw.startswith("$"):
        return _jsonpath(raw)
    if "{{" in raw or "{%" in raw:
        try:
            template = _JINJA.from_string(raw)
        except jinja2.TemplateSyntaxError as error:
            message = (error.message or "syntax error").rstrip(".")
            raise ValueError(f"a valid Jinja template ({message}, line {error.lineno})") from error
        return Expression(repr(raw), "template", lambda item, body: _render(template, item, body))
    return _literal(raw)


def _literal(value: Any) -> Expression:
    return Expression(repr(value), "literal", lambda _item, _body: value)


def _jsonpath(raw: str) -> Expression:
    on_body = raw.startswith("$$")
    text = raw[1:] if on_body else raw
    try:
        path = _JSONPATH.compile(text)
    except JSONPathError as error:
        first_line = str(error).splitlines()[0]
        raise ValueError(f"a valid RFC 9535 JSONPath ({first_line})") from error

    def run(item: Any, body: Any) -> Any:
        data = body if on_body else item
        if not isinstance(data, (dict, list)):
            # The library would read a string as JSON text; only the root itself selects a scalar.
            return data if text == "$" else MISSING
        try:
            found = path.findall(data)
        except JSONPathError as error:
            raise ExpressionFailed(str(error).splitlines()[0]) from error
        if not found:
            return MISSING
        return found[0] if len(found) == 1 else found

    return Expression(raw, "jsonpath", run)


def _render(template: jinja2.Template, item: Any, body: Any) -> str:
    try:
        return template.render(alert=item, body=body).strip()
    except Exception as error:
        # The template is the operator's, the data is the sender's: any failure here is a bad payload.
        raise ExpressionFailed(f"{type(error).__name__}: {error}") from error


def _first_of(choices: list[Expression]) -> Callable[[Any, Any], Any]:
    def run(item: Any, body: Any) -> Any:
        for choice in choices:
            value = choice.evaluate(item, body)
            if value is not MISSING and value is not None and value != "":
                return value
        return MISSING

    return run


def _compile(raw: Any) -> Expression:
    if isinstance(raw, Expression):
        return raw
    return compile_expression(raw)


def _compile_path(raw: Any) -> Expression:
    if not isinstance(raw, str) or not raw.startswith("$"):
        raise ValueError("a JSONPath ($...) selecting the alert objects in the body")
    return compile_expression(raw)


def _word(key: Any) -> Any:
    """Map keys as the tool's words: YAML reads `true:` or `3:` as a boolean or a number."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return str(key)
    return key.strip().lower() if isinstance(key, str) else key


def _words(value: Any) -> Any:
    return {_word(key): item for key, item in value.items()} if isinstance(value, Mapping) else value


Expr = Annotated[Expression, PlainValidator(_compile)]
PathExpr = Annotated[Expression, PlainValidator(_compile_path)]
ExprMap = Annotated[
    Annotated[Expr, Tag("expression")] | Annotated[dict[str, Expr], Tag("map")],
    Discriminator(lambda value: "map" if isinstance(value, Mapping) else "expression"),
]
_TAGS = {"expression", "map"}


class MappingFields(BaseModel):
    """One expression per alert field; only `title` is required."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    title: Expr
    description: Expr | None = None
    status: Expr | None = None
    severity: Expr | None = None
    fingerprint: Expr | None = None
    service: Expr | None = None
    resource: Expr | None = None
    environment: Expr | None = None
    starts_at: Expr | None = None
    ends_at: Expr | None = None
    labels: ExprMap | None = None
    annotations: ExprMap | None = None
    links: ExprMap | None = None


class MappingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    name: str = Field(description="The endpoint is POST /api/v1/integrations/mapping/<name>.")
    alerts: PathExpr | None = Field(None, description="Selects the alert objects of a batch payload.")
    fields: MappingFields
    status_map: Annotated[dict[str, Literal["firing", "resolved"]], BeforeValidator(_words)] = Field(
        default_factory=dict
    )
    severity_map: Annotated[dict[str, Severity], BeforeValidator(_words)] = Field(default_factory=dict)


class MappingsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    mappings: list[MappingConfig]


class MappingFileError(ValueError):
    """A mappings file that cannot be used, with every problem and where it is."""

    def __init__(self, path: Path | str, problems: list[FieldProblem]) -> None:
        self.path = path
        self.problems = problems
        listed = "\n".join(f"  {problem.message()}" for problem in problems)
        super().__init__(f"mappings file {path}: {len(problems)} problem(s)\n{listed}")


def load_mappings_file(path: Path) -> MappingsFile:
    try:
        text = path.read_bytes()
        document = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else orjson.loads(text)
    except (OSError, yaml.YAMLError, orjson.JSONDecodeError) as error:
        reason = " ".join(str(error).split())
        raise MappingFileError(path, [FieldProblem("file", f"a readable YAML or JSON file ({reason})")]) from error
    return mappings_from_document(document, path=path)


def mappings_from_document(document: Any, *, path: Path | str = "<document>") -> MappingsFile:
    """Validate a whole mappings document, reporting every problem at once with its location."""
    problems = _name_problems(document)
    try:
        loaded = MappingsFile.model_validate(document)
    except ValidationError as error:
        problems.extend(_problem(detail) for detail in error.errors(include_url=False))
        loaded = None
    if problems or loaded is None:
        raise MappingFileError(path, _unique(problems))
    return loaded


def _name_problems(document: Any) -> list[FieldProblem]:
    entries = document.get("mappings") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        return []
    problems: list[FieldProblem] = []
    first_index: dict[str, int] = {}
    for index, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str):
            continue
        where = f"mappings[{index}].name"
        if not NAME_PATTERN.fullmatch(name):
            problems.append(
                FieldProblem(where, "1 to 63 of a-z, 0-9, _ and -, starting with a letter or digit", repr(name))
            )
        elif name in first_index:
            problems.append(
                FieldProblem(where, f"a name not already used by mappings[{first_index[name]}]", repr(name))
            )
        else:
            first_index[name] = index
    return problems


_KNOWN_KEYS = {
    "file": ", ".join(MappingsFile.model_fields),
    "mapping": ", ".join(MappingConfig.model_fields),
    "fields": ", ".join(MappingFields.model_fields),
}


def _problem(detail: Mapping[str, Any]) -> FieldProblem:
    parts = [part for part in detail["loc"] if part not in _TAGS]
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts).lstrip(".") or "file"
    kind = detail["type"]
    if kind == "missing":
        return FieldProblem(where, "a value (this key is required)")
    if kind == "extra_forbidden":
        parent = "fields" if len(parts) >= 2 and parts[-2] == "fields" else "mapping" if len(parts) > 1 else "file"
        return FieldProblem(where, f"one of the known keys ({_KNOWN_KEYS[parent]})", "an unknown key")
    message = str(detail["msg"]).removeprefix("Value error, ").removeprefix("Input should be ")
    return FieldProblem(where, message)


def _unique(problems: list[FieldProblem]) -> list[FieldProblem]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for problem in problems:
        if (problem.field, problem.expected) not in seen:
            seen.add((problem.field, problem.expected))
            unique.append(problem)
    return unique
